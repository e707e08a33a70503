r"""The neuron's activation: the logistic sigmoid and its stable logarithms.

.. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

Written against the Python Array API standard, so the same code runs on NumPy,
PyTorch, Dask and ``array_api_strict`` arrays.
"""

from __future__ import annotations

from logistic_neuron.neuron.backend import Array, namespace


def sigmoid(z: Array) -> Array:
    r"""Compute the sigmoid of ``z``, stably for any ``|z|``.

    .. math:: \sigma(z) = 1 / (1 + e^{-z})

    For ``z >= 0`` this is exactly the course's formula; for ``z < 0`` the
    algebraically equal ``e^{z} / (1 + e^{z})`` is used, so ``exp`` only ever
    sees ``-|z|`` and can underflow to 0 but never overflow: no warnings at
    ``z = +-1e4`` in float32 or float64.

    Parameters
    ----------
    z : array of any shape, real floating dtype

    Returns
    -------
    array of the shape and dtype of ``z``, values in ``[0, 1]``.
    """
    xp = namespace(z)
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softplus(z: Array) -> Array:
    r"""Compute ``log(1 + e^z)`` without overflow.

    This is ``-log(1 - sigmoid(z))``; ``softplus(-z)`` is ``-log(sigmoid(z))``.
    The loss is built from it so that it never evaluates ``log(0)``.

    Parameters
    ----------
    z : array of any shape, real floating dtype

    Returns
    -------
    array of the shape and dtype of ``z``, values ``>= 0``.
    """
    xp = namespace(z)
    return xp.logaddexp(xp.zeros_like(z), z)
