"""Checks on the arrays and numbers the public functions receive.

Every check raises ``ValueError`` with one line that says what is wrong and how
to fix it. The checks are Array API code, so they run on every backend.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from logistic_neuron.neuron.backend import Array, dtype_name, is_array, library_name, namespace


def _is_real_floating(x: Array) -> bool:
    return dtype_name(x) in ("float32", "float64")


def _describe_shape(x: Array) -> str:
    return "(" + ", ".join(str(d) for d in x.shape) + ")"


def check_features(X: Array, name: str = "X") -> None:
    """Check that ``X`` is a finite float matrix of shape ``(n_x, m)``."""
    if not hasattr(X, "shape") or not hasattr(X, "dtype"):
        raise ValueError(f"{name} must be an array of shape (n_x, m), got {type(X).__name__}")
    if len(X.shape) != 2:
        raise ValueError(
            f"{name} must have shape (n_x, m) with one example per column, got shape "
            f"{_describe_shape(X)}; flatten images with X.reshape(m, -1).T"
        )
    n_x, m = X.shape
    if n_x == 0 or m == 0:
        raise ValueError(
            f"{name} is empty (shape {_describe_shape(X)}): it needs at least one example"
        )
    if not _is_real_floating(X):
        raise ValueError(
            f"{name} has dtype {dtype_name(X)}; it must be float32 or float64 "
            "(scale pixels to floats first, e.g. X / 255)"
        )
    xp = namespace(X)
    if not bool(xp.all(xp.isfinite(X))):
        raise ValueError(f"{name} contains NaN or infinite values; clean or drop those examples")


def check_same_library(**arrays: Any) -> None:
    """Check that the named arrays all come from one array library.

    Python numbers are ignored. Mixing libraries (``w`` from NumPy, ``X`` from
    PyTorch) raises ``ValueError`` naming each array's library.
    """
    libraries = {name: library_name(a) for name, a in arrays.items() if is_array(a)}
    if len(set(libraries.values())) > 1:
        which = ", ".join(f"{name} is a {lib} array" for name, lib in libraries.items())
        raise ValueError(
            f"the arrays come from different array libraries ({which}); "
            "convert them all to one library, e.g. torch.asarray(w) or numpy.asarray(X)"
        )


def check_labels(Y: Array, m: int, name: str = "Y") -> None:
    """Check that ``Y`` has shape ``(1, m)`` and holds only 0 and 1 (or booleans)."""
    if not hasattr(Y, "shape") or not hasattr(Y, "dtype"):
        raise ValueError(f"{name} must be an array of shape (1, {m}), got {type(Y).__name__}")
    if tuple(Y.shape) != (1, m):
        raise ValueError(
            f"{name} must have shape (1, {m}) (one label per column of X), got shape "
            f"{_describe_shape(Y)}; reshape it with Y.reshape(1, -1)"
        )
    xp = namespace(Y)
    if xp.isdtype(Y.dtype, "bool"):
        return  # False and True are the labels 0 and 1
    if not bool(xp.all((Y == 0) | (Y == 1))):
        raise ValueError(f"{name} must hold only the labels 0 and 1 (binary classification)")


def as_label_row(Y: Any, m: int) -> Any:
    """The labels as a ``(1, m)`` row: a flat ``(m,)`` vector is reshaped, as the course allows.

    The course's ``model()`` is called with test labels of shape ``(m,)`` in its
    published tests; NumPy broadcasting makes that work there, so it works here.
    Anything else is returned unchanged for :func:`check_labels` to judge.
    """
    if hasattr(Y, "shape") and hasattr(Y, "dtype") and tuple(Y.shape) == (m,):
        return namespace(Y).reshape(Y, (1, m))
    return Y


def check_weights(w: Array, n_x: int) -> None:
    """Check that ``w`` is a finite float column of shape ``(n_x, 1)``."""
    if not hasattr(w, "shape") or not hasattr(w, "dtype"):
        raise ValueError(f"w must be an array of shape ({n_x}, 1), got {type(w).__name__}")
    if tuple(w.shape) != (n_x, 1):
        raise ValueError(
            f"w must have shape ({n_x}, 1) to match X's {n_x} features, got shape "
            f"{_describe_shape(w)}; create it with initialize_with_zeros({n_x})"
        )
    if not _is_real_floating(w):
        raise ValueError(f"w has dtype {dtype_name(w)}; it must be float32 or float64")
    xp = namespace(w)
    if not bool(xp.all(xp.isfinite(w))):
        raise ValueError("w contains NaN or infinite values")


def check_bias(b: Any) -> float:
    """Check that ``b`` is a finite real number and return it as a float."""
    try:
        value = float(b)
    except (TypeError, ValueError):
        raise ValueError(f"b must be a real number, got {b!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"b must be finite, got {value}")
    return value


def check_learning_rate(learning_rate: Any) -> float:
    """Check that the learning rate is a finite number > 0 and return it."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, Real):
        raise ValueError(f"learning_rate must be a number, got {learning_rate!r}")
    value = float(learning_rate)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"learning_rate must be a finite number > 0, got {value}; the course uses 0.005"
        )
    return value


def check_iterations(num_iterations: Any, name: str = "num_iterations") -> int:
    """Check that an iteration count is a whole number >= 1 and return it."""
    if isinstance(num_iterations, bool) or not isinstance(num_iterations, Integral):
        raise ValueError(f"{name} must be a whole number, got {num_iterations!r}")
    value = int(num_iterations)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value
