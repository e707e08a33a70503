"""logistic-neuron: logistic regression as a neural network.

The course's functional API keeps its names and shapes::

    from logistic_neuron import sigmoid, initialize_with_zeros, propagate, optimize, predict, model

and :class:`LogisticNeuronClassifier` offers the same model as a scikit-learn
estimator. It is imported lazily (PEP 562's module ``__getattr__``), on first
use, so ``import logistic_neuron`` and the command line start without loading
scikit-learn.
"""

from typing import TYPE_CHECKING, Any

from logistic_neuron.engines.training import ModelResult, model
from logistic_neuron.errors import (
    DataError,
    LogisticNeuronError,
    ModelFileError,
    TrainingDivergedError,
)
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.optimization import OptimizationResult, Progress, optimize
from logistic_neuron.neuron.prediction import accuracy, predict, predict_proba
from logistic_neuron.neuron.propagation import Gradients, initialize_with_zeros, propagate
from logistic_neuron.version import __version__

if TYPE_CHECKING:
    from logistic_neuron.estimator import LogisticNeuronClassifier

__all__ = [
    "DataError",
    "Gradients",
    "LogisticNeuronClassifier",
    "LogisticNeuronError",
    "ModelFileError",
    "ModelResult",
    "OptimizationResult",
    "Progress",
    "TrainingDivergedError",
    "__version__",
    "accuracy",
    "initialize_with_zeros",
    "model",
    "optimize",
    "predict",
    "predict_proba",
    "propagate",
    "sigmoid",
]


def __getattr__(name: str) -> Any:
    # PEP 562: the estimator (and scikit-learn with it) loads on first use only.
    if name == "LogisticNeuronClassifier":
        from logistic_neuron.estimator import LogisticNeuronClassifier

        globals()[name] = LogisticNeuronClassifier
        return LogisticNeuronClassifier
    raise AttributeError(f"module 'logistic_neuron' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
