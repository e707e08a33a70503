"""logistic-neuron: logistic regression as a neural network.

The course's functional API keeps its names and shapes::

    from logistic_neuron import sigmoid, initialize_with_zeros, propagate, optimize, predict, model

and :class:`LogisticNeuronClassifier` offers the same model with
scikit-learn's ``fit`` / ``predict`` conventions.
"""

from logistic_neuron.engines.training import ModelResult, model
from logistic_neuron.errors import (
    DataError,
    LogisticNeuronError,
    ModelFileError,
    TrainingDivergedError,
)
from logistic_neuron.estimator import LogisticNeuronClassifier
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.optimization import OptimizationResult, Progress, optimize
from logistic_neuron.neuron.prediction import accuracy, predict, predict_proba
from logistic_neuron.neuron.propagation import Gradients, initialize_with_zeros, propagate
from logistic_neuron.version import __version__

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
