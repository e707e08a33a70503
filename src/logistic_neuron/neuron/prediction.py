"""Predictions and accuracy of a trained neuron."""

from __future__ import annotations

from typing import Any

from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import Array, namespace, np, to_numpy
from logistic_neuron.neuron.propagation import linear
from logistic_neuron.neuron.validation import (
    check_bias,
    check_features,
    check_same_library,
    check_weights,
)

#: Probability above which an example is predicted to be of the positive class.
THRESHOLD = 0.5


def predict_proba(w: Array, b: float, X: Array) -> Array:
    """Probability that each example is of the positive class (label 1).

    Parameters
    ----------
    w : array, shape (n_x, 1)
    b : float
    X : array, shape (n_x, m)

    Returns
    -------
    array, shape (1, m)
        ``A = sigmoid(w^T X + b)``, dtype of ``X``.
    """
    check_same_library(w=w, X=X)
    check_features(X)
    check_weights(w, X.shape[0])
    return sigmoid(linear(w, check_bias(b), X))


def predict(w: Array, b: float, X: Array) -> Array:
    """Predict the label of each example: 1 where the probability is > 0.5.

    Parameters
    ----------
    w : array, shape (n_x, 1)
    b : float
    X : array, shape (n_x, m)

    Returns
    -------
    array, shape (1, m)
        0.0 or 1.0 in the dtype of ``X``, as the course's ``Y_prediction``.
    """
    A = predict_proba(w, b, X)
    xp = namespace(A)
    return xp.astype(A > THRESHOLD, A.dtype)


def accuracy(Y_prediction: Any, Y: Any) -> float:
    """Accuracy in percent, computed exactly as the course does.

    ``100 - mean(|Y_prediction - Y|) * 100`` in float64, so that the printed
    digits match the course's (e.g. ``99.04306220095694``).

    Parameters
    ----------
    Y_prediction, Y : arrays, shape (1, m)
    """
    predicted = to_numpy(Y_prediction).astype(np.float64)
    truth = to_numpy(Y).astype(np.float64)
    if predicted.shape != truth.shape:
        raise ValueError(
            f"predictions and labels differ in shape: {predicted.shape} and {truth.shape}"
        )
    return float(100 - np.mean(np.abs(predicted - truth)) * 100)
