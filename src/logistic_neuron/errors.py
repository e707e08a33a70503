"""Exceptions that carry a message meant for the user.

Every error the command line reports without a traceback is one of these (or a
``ValueError`` raised while validating input): the message says what is wrong
and how to fix it, in one line.
"""

from __future__ import annotations


class LogisticNeuronError(Exception):
    """Base class of the library's own, user-facing errors."""

    #: Exit code the command line uses for this error (1 = the job failed).
    exit_code = 1


class DataError(LogisticNeuronError, ValueError):
    """A data set, image or label file is missing, unreadable or malformed."""


class ModelFileError(LogisticNeuronError, ValueError):
    """A model file is missing, tampered with, or not a logistic-neuron model."""


class TrainingDivergedError(LogisticNeuronError, ArithmeticError):
    """Gradient descent diverged (the cost became non-finite or kept rising)."""


class MissingDependencyError(LogisticNeuronError, ImportError):
    """An optional dependency is needed but not installed."""


class UsageError(LogisticNeuronError):
    """The command line was used wrongly (unknown option, conflicting options ...)."""

    exit_code = 2


class OutputError(LogisticNeuronError, OSError):
    """An output file could not be written (missing or read-only folder...)."""


class ClusterError(LogisticNeuronError):
    """The Dask cluster cannot be reached, or was lost during training."""
