"""The training loop of the one-pass engines (``numba`` and ``numpy-blocked``).

It mirrors :func:`logistic_neuron.neuron.optimization.optimize` step for step
(same recording, printing, callbacks and divergence checks) but computes each
iteration with one pass over example-major ``X`` from
:mod:`logistic_neuron.engines.kernels`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from logistic_neuron.engines import kernels
from logistic_neuron.neuron.backend import is_numpy, np
from logistic_neuron.neuron.costs import CostLog
from logistic_neuron.neuron.optimization import (
    OptimizationResult,
    Progress,
    check_divergence,
    check_run_settings,
    finished_plain,
)
from logistic_neuron.neuron.propagation import Gradients, initialize_with_zeros
from logistic_neuron.neuron.validation import (
    check_bias,
    check_features,
    check_labels,
    check_weights,
)

#: Rows of ``X`` checked for NaN/inf at a time (bounded temporary memory).
_FINITE_CHECK_BYTES = 64 * 2**20


def example_major(X: Any, dtype: str) -> Any:
    """``X`` (n_x, m) as a C-contiguous ``(m, n_x)`` array, one example per row.

    No copy when ``X.T`` is already C-contiguous, which is the case for
    ``split.pixels()`` and for the course's ``images.reshape(m, -1).T / 255``.
    A C-ordered ``X`` (each feature contiguous) is copied once; float ``X`` of
    another float dtype is converted once, as the reference would.

    Parameters
    ----------
    X : ndarray, shape (n_x, m), uint8 / float32 / float64
    dtype : {"float64", "float32"}
        Compute dtype; uint8 stays uint8.
    """
    rows = X.T
    target = np.dtype(dtype) if X.dtype != np.uint8 else np.dtype(np.uint8)
    if rows.dtype != target:
        return np.ascontiguousarray(rows, dtype=target)
    if not rows.flags.c_contiguous:
        return np.ascontiguousarray(rows)
    return rows


def _check_fast_features(X: Any, engine: str) -> None:
    """Validate ``X`` like the reference, without a full-size temporary."""
    if not is_numpy(X):
        raise ValueError(
            f"engine {engine!r} needs NumPy arrays, got {type(X).__name__}; "
            "use engine='reference' (or 'auto') for other array libraries"
        )
    if X.ndim != 2 or X.dtype not in (np.uint8, np.float32, np.float64) or X.size == 0:
        # Let the reference's checks say what is wrong, in the same words.
        check_features(X)
        if X.dtype != np.uint8:
            raise ValueError(f"X has dtype {X.dtype}; it must be uint8 pixels, float32 or float64")
    if X.dtype == np.uint8:
        return  # pixels are always finite
    rows = X.T
    step = max(1, _FINITE_CHECK_BYTES // max(1, rows.shape[1] * X.itemsize))
    for lo in range(0, rows.shape[0], step):
        if not np.isfinite(rows[lo : lo + step]).all():
            raise ValueError("X contains NaN or infinite values; clean or drop those examples")


def fit_one_pass(
    engine: str,
    X: Any,
    Y: Any,
    *,
    num_iterations: int,
    learning_rate: float,
    dtype: str,
    record_every: int,
    callback: Callable[[Progress], None] | None,
    print_cost: bool,
    w: Any,
    b: float,
    start_iteration: int,
    previous_costs: Sequence[float],
) -> OptimizationResult:
    """Gradient descent with a one-pass engine; the loop mirrors ``optimize``."""
    _check_fast_features(X, engine)
    n_x, m = X.shape
    compute = np.dtype(dtype)
    if w is None:
        w, b = initialize_with_zeros(n_x, dtype=dtype)
    if not is_numpy(w) or not is_numpy(Y):
        raise ValueError(
            f"engine {engine!r} needs NumPy arrays for w and Y; use engine='reference' "
            "for other array libraries"
        )
    check_weights(w, n_x)
    if w.dtype != compute:
        raise ValueError(
            f"w must have dtype {dtype} to match the requested dtype, got {w.dtype}; "
            f"create w with initialize_with_zeros(n_x, dtype={dtype!r})"
        )
    check_labels(Y, m)
    b = check_bias(b)
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start_iteration, previous_costs
    )
    if engine == "numba":
        # Fail early with the install hint, before any work.
        kernels._compiled(dtype)

    rows = example_major(X, dtype)
    y = np.ascontiguousarray(Y.reshape(-1), dtype=np.float64)
    weights = np.array(w, dtype=compute).reshape(n_x)  # a private, contiguous copy
    workspace = kernels.Workspace(m, n_x, compute) if engine == "numba" else None

    costs = CostLog(previous_costs)
    last = kernels.PassResult(
        dw=np.zeros(n_x, dtype=compute), db=0.0, cost=0.0, finite=True, w_next=weights
    )
    for i in range(start_iteration, num_iterations):
        record = i % record_every == 0
        if engine == "numba":
            last = kernels.numba_pass(
                rows,
                y,
                weights,
                b,
                want_cost=record,
                learning_rate=learning_rate,
                workspace=workspace,
            )
        else:
            last = kernels.numpy_pass(
                rows, y, weights, b, want_cost=record, learning_rate=learning_rate
            )
        if not last.finite:
            # The weights overflowed: nothing after this would be meaningful.
            check_divergence([*costs, math.inf], i, learning_rate)
        if record:
            costs.append(last.cost)
            if print_cost:
                print(f"Cost after iteration {i}: {last.cost:f}")
            check_divergence(costs, i, learning_rate)
        # w - learning_rate * dw, computed by the pass into a new array each step
        # (as optimize does): a callback may keep progress.w.
        weights = last.w_next
        b = b - learning_rate * last.db
        if callback is not None:
            callback(Progress(i + 1, num_iterations, weights.reshape(n_x, 1), b, costs.snapshot()))
    gradients = Gradients(dw=last.dw.reshape(n_x, 1), db=last.db)
    return finished_plain(
        weights.reshape(n_x, 1), b, gradients, costs, learning_rate, num_iterations, record_every
    )
