r"""The lesson's per-example loop: gradients with plain Python ``for`` loops.

Before vectorising, the lesson computes the cost and gradients one example at
a time::

    J = 0; dw1 = 0; dw2 = 0; db = 0
    for i = 1 to m:
        z(i) = w^T x(i) + b
        a(i) = sigmoid(z(i))
        J += -[y(i) log a(i) + (1 - y(i)) log(1 - a(i))]
        dz(i) = a(i) - y(i)
        dw1 += x1(i) dz(i);  dw2 += x2(i) dz(i);  db += dz(i)
    J /= m; dw1 /= m; dw2 /= m; db /= m

:func:`per_example_propagate` is that loop for any number of features ``n_x``
(an inner loop over ``j`` replaces ``dw1``, ``dw2``). It is the reference the
vectorised :func:`~logistic_neuron.neuron.propagation.propagate` must agree with, and
it is deliberately slow: ``logistic-neuron vectorization`` times the two.
"""

from __future__ import annotations

import math

from logistic_neuron.neuron.backend import Array, namespace, to_numpy
from logistic_neuron.neuron.propagation import Gradients, validate_problem


def _sigmoid(z: float) -> float:
    # exp only sees -|z|, so it never overflows (as activation.sigmoid).
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def _loss(z: float, y: float) -> float:
    """``-(y log a + (1 - y) log(1 - a))`` with ``a = sigmoid(z)``, computed stably.

    Equal to ``softplus(z) - y z``: the lesson's formula rearranged so that
    ``log(1 - a)`` is never taken of a rounded ``1 - a`` (which loses all its
    digits once ``a`` is within 1e-16 of 1, and is ``log(0)`` beyond).
    """
    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    return softplus - y * z


def per_example_propagate(w: Array, b: float, X: Array, Y: Array) -> tuple[Gradients, float]:
    """Cost and gradients by looping over examples and features in plain Python.

    Parameters
    ----------
    w : array, shape (n_x, 1)
    b : float
    X : array, shape (n_x, m), same dtype as ``w``
    Y : array, shape (1, m), labels 0 or 1

    Returns
    -------
    grads : Gradients
        ``dw`` of shape (n_x, 1) in the namespace and dtype of ``w``, ``db`` float.
    cost : float

    Notes
    -----
    The arithmetic is done in Python floats (float64) whatever the input
    dtype. It costs ``O(n_x m)`` interpreted operations: about a second for
    the full 209-example cat data set.

    Examples
    --------
    >>> import numpy as np
    >>> w, b = np.array([[1.0], [2.0]]), 2.0
    >>> X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    >>> grads, cost = per_example_propagate(w, b, X, np.array([[1, 0, 1]]))
    >>> print(grads.dw.ravel(), round(grads.db, 8), round(cost, 8))
    [0.99845601 2.39507239] 0.00145558 5.80154532
    """
    b, Y = validate_problem(w, b, X, Y)
    xp = namespace(w, X)
    n_x, m = X.shape
    # Python lists of floats: the loop below touches no array library at all.
    weights: list[float] = to_numpy(w).reshape(-1).tolist()
    examples: list[list[float]] = to_numpy(X).T.tolist()  # examples[i][j] = x_j of example i
    labels: list[float] = to_numpy(Y).reshape(-1).tolist()

    cost = 0.0
    dw = [0.0] * n_x
    db = 0.0
    for i in range(m):
        x = examples[i]
        z = b
        for j in range(n_x):
            z += weights[j] * x[j]
        a = _sigmoid(z)
        cost += _loss(z, labels[i])
        dz = a - labels[i]
        for j in range(n_x):
            dw[j] += x[j] * dz
        db += dz
    cost /= m
    db /= m
    dw = [value / m for value in dw]
    if not all(math.isfinite(value) for value in (cost, db, *dw)):
        raise ValueError(
            "the per-example loop overflowed the float range: scale X (pixels by 1/255)"
        )
    dw_array = xp.reshape(xp.asarray(dw, dtype=w.dtype), (n_x, 1))
    return Gradients(dw=dw_array, db=db), cost
