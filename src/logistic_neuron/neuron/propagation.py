r"""Forward and backward propagation for one logistic neuron.

Forward, for all ``m`` examples at once (the columns of ``X``):

.. math::

    Z = w^T X + b, \qquad A = \sigma(Z), \qquad
    J = \frac{1}{m} \sum_{i=1}^{m} -\left(y^{(i)} \log a^{(i)}
        + (1 - y^{(i)}) \log(1 - a^{(i)})\right)

Backward, by the chain rule from ``J`` back to the parameters:

.. math::

    dZ = A - Y, \qquad dw = \frac{1}{m} X\, dZ^T, \qquad db = \frac{1}{m} \sum_i dz^{(i)}

The cost is computed from ``Z`` rather than from ``A``: with
``softplus(z) = log(1 + e^z)``, ``-log a = softplus(-z)`` and
``-log(1 - a) = softplus(z)``, so ``L = softplus(z) - y z``. It never takes
``log(0)`` and is finite for every finite ``z``, even where ``A`` rounds to
exactly 0 or 1.
"""

from __future__ import annotations

from typing import Any

from logistic_neuron.neuron.activation import sigmoid, softplus
from logistic_neuron.neuron.backend import (
    Array,
    all_finite,
    default_namespace,
    float64,
    float_dtype,
    namespace,
    overflow_checked_by_caller,
)
from logistic_neuron.neuron.containers import AttributeDict
from logistic_neuron.neuron.validation import (
    check_bias,
    check_features,
    check_labels,
    check_same_library,
    check_weights,
)


class Gradients(AttributeDict):
    """Derivatives of the cost with respect to the parameters: the course's ``grads`` dict.

    A real ``dict`` with the keys ``"dw"`` and ``"db"``, as the course builds
    it (``grads["dw"]``), that also reads them as attributes (``grads.dw``).

    Parameters
    ----------
    dw : array, shape (n_x, 1)
        ``dJ/dw``, same shape and dtype as ``w``.
    db : float
        ``dJ/db``; stored as a NumPy float64 scalar (a subclass of ``float``),
        the type the course's ``np.sum(A - Y) / m`` has.
    """

    __slots__ = ()

    def __init__(self, dw: Array, db: Any) -> None:
        super().__init__(dw=dw, db=float64(db))

    dw: Array
    db: Any


def initialize_with_zeros(
    dim: int, *, dtype: str = "float64", xp: Any = None
) -> tuple[Array, float]:
    """Create the parameters of a neuron with ``dim`` inputs, all zero.

    Parameters
    ----------
    dim : int
        Number of features ``n_x`` (12288 for 64x64x3 images).
    dtype : {"float64", "float32"}
        Floating dtype of ``w``.
    xp : Array API namespace, optional
        Where to create ``w`` (NumPy when omitted).

    Returns
    -------
    w : array, shape (dim, 1)
        Zeros.
    b : float
        ``0.0``.
    """
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim must be a whole number >= 1 (the number of features), got {dim!r}")
    xp = default_namespace() if xp is None else xp
    w = xp.zeros((dim, 1), dtype=float_dtype(xp, dtype))
    return w, 0.0


def linear(w: Array, b: float, X: Array) -> Array:
    """Compute ``Z = w^T X + b``.

    Parameters
    ----------
    w : array, shape (n_x, 1)
    b : float
    X : array, shape (n_x, m)

    Returns
    -------
    array, shape (1, m)
    """
    xp = namespace(w, X)
    with overflow_checked_by_caller(xp):
        return xp.matmul(w.T, X) + b


def cost_from_logits(Z: Array, Y: Array) -> float:
    r"""Cross-entropy cost ``J`` from the pre-activations, stably.

    ``J = mean(softplus(Z) - Y * Z)``, equal to
    ``-mean(Y log A + (1 - Y) log(1 - A))`` with ``A = sigmoid(Z)``.

    Parameters
    ----------
    Z : array, shape (1, m)
    Y : array, shape (1, m), same dtype as ``Z``

    Returns
    -------
    float
        Finite for every finite ``Z``.
    """
    xp = namespace(Z, Y)
    losses = softplus(Z) - Y * Z
    m = losses.shape[-1]
    # Each loss is finite, but for |z| near the float maximum their sum is not.
    # In that (rare) case sum halves of L/m, which cannot overflow, and double in
    # Python floats; the true mean never exceeds the largest float, so capping
    # there only removes rounding.
    largest = float(xp.finfo(losses.dtype).max)
    if float(xp.max(losses)) > largest / (2 * m):
        return min(float(xp.sum(losses / (2 * m))) * 2, largest)
    return float(xp.mean(losses))


def labels_like(Y: Array, X: Array) -> Array:
    """Return the labels ``Y`` in the floating dtype of ``X``."""
    xp = namespace(X, Y)
    return Y if Y.dtype == X.dtype else xp.astype(Y, X.dtype)


def validate_problem(w: Array, b: Any, X: Array, Y: Array) -> tuple[float, Array]:
    """Check ``w, b, X, Y`` together; return ``b`` as a float and ``Y`` as floats.

    Raises
    ------
    ValueError
        With one line naming the first problem found.
    """
    check_same_library(w=w, X=X, Y=Y)
    check_features(X)
    n_x, m = X.shape
    check_weights(w, n_x)
    if w.dtype != X.dtype:
        raise ValueError(
            f"w and X must have the same dtype, got {w.dtype} and {X.dtype}; "
            "create w with initialize_with_zeros(n_x, dtype=...) matching X"
        )
    check_labels(Y, m)
    return check_bias(b), labels_like(Y, X)


def gradients_from_activations(A: Array, X: Array, Y: Array) -> Gradients:
    """Backward pass: ``dZ = A - Y``, ``dw = X dZ^T / m``, ``db = mean(dZ)``.

    Parameters
    ----------
    A : array, shape (1, m)
    X : array, shape (n_x, m)
    Y : array, shape (1, m), dtype of ``X``
    """
    xp = namespace(A, X, Y)
    m = X.shape[1]
    dZ = A - Y
    # (1/m) * sum, in the course's order of operations, so float64 results
    # match the course's printed digits (``/ m`` differs in the last bit).
    with overflow_checked_by_caller(xp):
        dw = (1 / m) * xp.matmul(X, dZ.T)
    db = (1 / m) * float(xp.sum(dZ))
    return Gradients(dw=dw, db=db)


def check_logits(Z: Array) -> None:
    """Raise ``ValueError`` when ``Z = w^T X + b`` overflowed.

    Every input is finite, but their products can exceed the float range.
    """
    if not all_finite(namespace(Z), Z):
        raise ValueError(
            "w^T X + b overflowed the float range: the features or weights are far too large; "
            "scale X (pixels by 1/255) and start from small weights"
        )


def propagate(w: Array, b: float, X: Array, Y: Array) -> tuple[Gradients, Any]:
    """Forward and backward propagation: the cost and its gradients.

    Parameters
    ----------
    w : array, shape (n_x, 1)
        Weights, float32 or float64.
    b : float
        Bias.
    X : array, shape (n_x, m)
        One example per column, same dtype as ``w``.
    Y : array, shape (1, m)
        Labels 0 or 1 (any real or bool dtype).

    Returns
    -------
    grads : Gradients
        The course's dict: ``grads["dw"]`` with the shape and dtype of ``w``,
        ``grads["db"]`` a NumPy float64 scalar; ``grads.dw`` and ``grads.db`` too.
    cost : numpy.float64
        The cross-entropy cost ``J``, computed stably from ``Z`` (a subclass
        of ``float``, like the course's ``np.squeeze(cost)``).

    Raises
    ------
    ValueError
        When shapes, dtypes or values are invalid.

    Examples
    --------
    >>> import numpy as np
    >>> w, b = np.array([[1.0], [2.0]]), 2.0
    >>> X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    >>> Y = np.array([[1, 0, 1]])
    >>> grads, cost = propagate(w, b, X, Y)
    >>> print(grads["dw"].ravel(), round(grads["db"], 8), round(cost, 8))
    [0.99845601 2.39507239] 0.00145558 5.80154532
    """
    b, Y = validate_problem(w, b, X, Y)
    Z = linear(w, b, X)
    check_logits(Z)
    grads = gradients_from_activations(sigmoid(Z), X, Y)
    if not all_finite(namespace(X), grads.dw):
        raise ValueError(
            "the gradient dw overflowed the float range: the features are far too large; scale X"
        )
    return grads, float64(cost_from_logits(Z, Y))


def propagate_unchecked(w: Array, b: float, X: Array, Y: Array) -> tuple[Gradients, float]:
    """:func:`propagate` without input validation, for inner loops.

    ``Y`` must already have the dtype of ``X`` and ``b`` must be a float.
    """
    Z = linear(w, b, X)
    A = sigmoid(Z)
    return gradients_from_activations(A, X, Y), cost_from_logits(Z, Y)
