"""Everything a training run can be asked beyond the course's plain gradient descent.

:class:`TrainingOptions` gathers the optimiser and its hyper-parameters
(:mod:`~logistic_neuron.neuron.optimizers`), mini-batches
(:mod:`~logistic_neuron.neuron.minibatches`), L2
(:mod:`~logistic_neuron.neuron.regularization`), learning-rate decay
(:mod:`~logistic_neuron.neuron.learning_rate_decay`), the validation split,
early stopping and keep-best (:mod:`~logistic_neuron.neuron.early_stopping`)
and the solver (``"descent"``: the iterative optimisers above, ``"lbfgs"``:
SciPy's L-BFGS, :mod:`~logistic_neuron.neuron.lbfgs`). The defaults are the
course's run: full-batch gd, no penalty, no decay, no validation split.
:meth:`TrainingOptions.checked` validates them all, one clear line per
problem; :meth:`TrainingOptions.record` is what model files and checkpoints store.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from numbers import Integral, Real
from typing import Any

from logistic_neuron.neuron.early_stopping import check_monitor, check_patience
from logistic_neuron.neuron.learning_rate_decay import check_decay_rate, check_time_interval
from logistic_neuron.neuron.minibatches import check_batch_size
from logistic_neuron.neuron.optimizers import (
    DEFAULT_BETA1,
    DEFAULT_BETA2,
    DEFAULT_EPSILON,
    OptimizerSettings,
)
from logistic_neuron.neuron.regularization import check_lambd
from logistic_neuron.neuron.validation_split import check_validation_fraction

SOLVERS = ("descent", "lbfgs")

#: scikit-learn's ``LogisticRegression`` defaults for L-BFGS.
DEFAULT_TOL = 1e-4


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


def _check_tol(tol: Any) -> float:
    value = float(tol) if isinstance(tol, Real) and not isinstance(tol, bool) else math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"tol must be a finite number > 0, got {tol!r}; scikit-learn uses 1e-4")
    return value


@dataclass(frozen=True)
class TrainingOptions:
    """How to train, beyond the number of iterations and the learning rate.

    Attributes
    ----------
    optimizer : {"gd", "momentum", "rmsprop", "adam"}
    beta1 : float
        Momentum's ``beta`` and Adam's ``beta1``, in [0, 1).
    beta2 : float
        RMSprop's and Adam's ``beta2``, in [0, 1).
    epsilon : float
        > 0.
    batch_size : int or None
        Mini-batch size; None for full batches. An iteration is one epoch.
    lambd : float
        L2 strength (0: none).
    decay_rate : float
        Learning-rate decay (0: none).
    decay_interval : int or None
        None: decay every epoch (``update_lr``); N: every N epochs (``schedule_lr_decay``).
    seed : int
        Seeds the mini-batch shuffling and the validation split.
    validation_fraction : float
        Share of the training data held out for validation (0: none).
    patience : int or None
        Stop after this many recorded evaluations without improvement (needs a validation split).
    monitor : {"cost", "accuracy"}
        What keep-best and early stopping compare on the validation set.
    keep_best : bool
        With a validation split, end with the best evaluation's parameters.
    solver : {"descent", "lbfgs"}
    tol : float
        L-BFGS's gradient tolerance (scikit-learn's ``tol``).
    """

    optimizer: str = "gd"
    beta1: float = DEFAULT_BETA1
    beta2: float = DEFAULT_BETA2
    epsilon: float = DEFAULT_EPSILON
    batch_size: int | None = None
    lambd: float = 0.0
    decay_rate: float = 0.0
    decay_interval: int | None = None
    seed: int = 0
    validation_fraction: float = 0.0
    patience: int | None = None
    monitor: str = "cost"
    keep_best: bool = True
    solver: str = "descent"
    tol: float = DEFAULT_TOL

    def checked(self) -> TrainingOptions:
        """These options validated and normalised; ``ValueError`` (one line) otherwise."""
        settings = self.optimizer_settings().checked()
        if self.solver not in SOLVERS:
            raise ValueError(f"unknown solver {self.solver!r}: use one of {', '.join(SOLVERS)}")
        options = replace(
            self,
            optimizer=settings.optimizer,
            beta1=settings.beta1,
            beta2=settings.beta2,
            epsilon=settings.epsilon,
            batch_size=check_batch_size(self.batch_size),
            lambd=check_lambd(self.lambd),
            decay_rate=check_decay_rate(self.decay_rate),
            decay_interval=check_time_interval(self.decay_interval),
            seed=_check_seed(self.seed),
            validation_fraction=check_validation_fraction(self.validation_fraction),
            patience=check_patience(self.patience),
            monitor=check_monitor(self.monitor),
            keep_best=bool(self.keep_best),
            tol=_check_tol(self.tol),
        )
        if options.patience is not None and options.validation_fraction == 0:
            raise ValueError(
                "patience needs a validation split to watch: set validation_fraction, e.g. 0.2"
            )
        if options.solver == "lbfgs":
            if options.batch_size is not None:
                raise ValueError(
                    "solver lbfgs uses every training example at each step: drop batch_size "
                    "(mini-batches are for the descent solver)"
                )
            if options.optimizer != "gd" or options.decay_rate or options.patience is not None:
                raise ValueError(
                    "solver lbfgs chooses its own steps: drop optimizer, decay and patience "
                    "(they belong to the descent solver)"
                )
        return options

    def optimizer_settings(self) -> OptimizerSettings:
        """The update rule's part of these options."""
        return OptimizerSettings(self.optimizer, self.beta1, self.beta2, self.epsilon)

    @property
    def is_plain(self) -> bool:
        """True for the course's run: full-batch gd, no L2, no decay, no validation."""
        return (
            self.solver == "descent"
            and self.optimizer == "gd"
            and self.batch_size is None
            and self.lambd == 0
            and self.decay_rate == 0
            and self.validation_fraction == 0
        )

    @property
    def has_validation(self) -> bool:
        return self.validation_fraction > 0

    def record(self) -> dict[str, Any]:
        """The options as JSON values (model files, checkpoints)."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: Any) -> TrainingOptions:
        """Options from :meth:`record`'s dict, validated; unknown keys are refused."""
        if not isinstance(record, dict):
            raise ValueError("training options must be a JSON object")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(record) - names)
        if unknown:
            raise ValueError(f"unknown training options: {', '.join(unknown)}")
        return cls(**record).checked()


#: The course's plain full-batch gradient descent.
PLAIN = TrainingOptions()
