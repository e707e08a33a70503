"""logistic-neuron: logistic regression as a neural network.

The course's functional API keeps its names and shapes::

    from logistic_neuron import sigmoid, initialize_with_zeros, propagate, optimize, predict, model

and :class:`LogisticNeuronClassifier` offers the same model as a scikit-learn
estimator. Every name is imported lazily (PEP 562's module ``__getattr__``), on
first use, so ``import logistic_neuron`` and the command line's ``--help`` start
without loading NumPy or scikit-learn.
"""

from typing import TYPE_CHECKING, Any

from logistic_neuron.errors import (
    DataError,
    LogisticNeuronError,
    ModelFileError,
    TrainingDivergedError,
)
from logistic_neuron.version import __version__

if TYPE_CHECKING:
    from logistic_neuron.engines.training import ModelResult, model
    from logistic_neuron.estimator import LogisticNeuronClassifier
    from logistic_neuron.neuron.activation import sigmoid
    from logistic_neuron.neuron.optimization import OptimizationResult, Progress, optimize
    from logistic_neuron.neuron.prediction import accuracy, predict, predict_proba
    from logistic_neuron.neuron.propagation import Gradients, initialize_with_zeros, propagate

#: Where each public name lives; loaded on first use (PEP 562), so that
#: ``import logistic_neuron`` and ``logistic-neuron --help`` load neither NumPy nor
#: scikit-learn (tests/architecture/test_startup.py).
_LAZY = {
    "ModelResult": "logistic_neuron.engines.training",
    "model": "logistic_neuron.engines.training",
    "LogisticNeuronClassifier": "logistic_neuron.estimator",
    "sigmoid": "logistic_neuron.neuron.activation",
    "OptimizationResult": "logistic_neuron.neuron.optimization",
    "Progress": "logistic_neuron.neuron.optimization",
    "optimize": "logistic_neuron.neuron.optimization",
    "accuracy": "logistic_neuron.neuron.prediction",
    "predict": "logistic_neuron.neuron.prediction",
    "predict_proba": "logistic_neuron.neuron.prediction",
    "Gradients": "logistic_neuron.neuron.propagation",
    "initialize_with_zeros": "logistic_neuron.neuron.propagation",
    "propagate": "logistic_neuron.neuron.propagation",
}

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
    # PEP 562: the maths (NumPy) and the estimator (scikit-learn) load on first use only.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'logistic_neuron' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
