r"""The neuron's activation: the logistic sigmoid and its stable logarithms.

.. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

Written against the Python Array API standard, so the same code runs on NumPy,
PyTorch, Dask and ``array_api_strict`` arrays.
"""

from __future__ import annotations

from typing import Any

from logistic_neuron.neuron.backend import Array, host_array, host_scalar, is_host_value, namespace


def sigmoid(z: Any) -> Any:
    r"""Compute the sigmoid of ``z``, stably for any ``|z|``.

    .. math:: \sigma(z) = 1 / (1 + e^{-z})

    For ``z >= 0`` this is exactly the course's formula; for ``z < 0`` the
    algebraically equal ``e^{z} / (1 + e^{z})`` is used, so ``exp`` only ever
    sees ``-|z|`` and can underflow to 0 but never overflow: no warnings at
    ``z = +-1e4`` in float32 or float64.

    As in the course, ``z`` may be a Python number or list as well as an
    array: ``sigmoid(1)`` is ``np.float64(0.7310585786300049)`` and
    ``sigmoid([0, 2])`` a NumPy array. Integer and boolean arrays are computed
    in float64, as NumPy's ``np.exp`` would.

    Parameters
    ----------
    z : number, list, or array of any shape and real dtype (any Array API library)

    Returns
    -------
    array of the shape of ``z``, values in ``[0, 1]``
        In ``z``'s library and floating dtype (float64 for integers); a NumPy
        scalar (``np.float64`` for Python numbers) for a Python or NumPy scalar.
    """
    if is_host_value(z):
        return host_scalar(_sigmoid(host_array(z)))
    xp = namespace(z)
    if not xp.isdtype(z.dtype, "real floating"):
        z = xp.astype(z, xp.float64)
    return _sigmoid(z)


def _sigmoid(z: Array) -> Array:
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
