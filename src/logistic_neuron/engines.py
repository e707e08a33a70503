"""Choosing how to run gradient descent: the reference code or a faster path.

:func:`fit` is what the command line and the estimator call. The engines:

``"reference"``
    :func:`logistic_neuron.optimization.optimize`, the Array API code that runs
    on every backend (NumPy, PyTorch, ``array_api_strict`` ...). It reads ``X``
    twice per iteration (``w^T X``, then ``X dZ^T``), and uint8 pixels are
    first converted to a full float copy.
``"numba"``
    One pass over ``X`` per iteration with a compiled kernel
    (:mod:`logistic_neuron.fastpath`), threads over examples, uint8 pixels
    scaled on the fly (no float copy of ``X``). Needs ``pip install
    "logistic-neuron[fast]"``.
``"numpy-blocked"``
    The same one-pass algorithm in pure NumPy: blocks of examples go through
    BLAS while in cache; uint8 pixels are converted one block at a time.
``"auto"`` (default)
    ``"numba"`` for NumPy data when numba is installed and the run is big
    enough for compilation to pay (:data:`AUTO_MIN_WORK`); otherwise
    ``"numpy-blocked"`` when uint8 pixels would need a float copy larger than
    :data:`AUTO_MAX_COPY_BYTES`; otherwise ``"reference"`` (always for
    non-NumPy arrays). The choice depends only on the data's type, shape and
    the total ``num_iterations``, so a resumed run picks the same engine.

Every engine gives the reference's results within rounding of the compute
dtype, and each is deterministic: resuming is bit for bit an uninterrupted run
of the same engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from logistic_neuron import fastpath
from logistic_neuron.backend import Array, dtype_name, float_dtype, is_numpy, namespace, np
from logistic_neuron.optimization import (
    OptimizationResult,
    Progress,
    check_divergence,
    check_run_settings,
    optimize,
)
from logistic_neuron.propagation import Gradients, initialize_with_zeros
from logistic_neuron.validation import (
    check_bias,
    check_features,
    check_labels,
    check_weights,
)

ENGINES = ("auto", "reference", "numba", "numpy-blocked")

#: ``"auto"`` compiles the numba kernel only for runs of at least this many
#: ``m * n_x * num_iterations`` (the classic cat run is 5.1e9): below it the
#: first-call compilation (a few seconds) would cost more than it saves.
AUTO_MIN_WORK = 1_000_000_000

#: Without numba, ``"auto"`` trains uint8 pixels with ``"numpy-blocked"`` when
#: the reference's float copy of ``X`` would be larger than this.
AUTO_MAX_COPY_BYTES = 256 * 2**20

#: Rows of ``X`` checked for NaN/inf at a time (bounded temporary memory).
_FINITE_CHECK_BYTES = 64 * 2**20


def as_features(X: Array, dtype: str) -> Array:
    """Return ``X`` as floats of ``dtype``; uint8 pixels are scaled by 1/255.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Floats, or uint8 pixels (0..255).
    dtype : {"float64", "float32"}
    """
    xp = namespace(X)
    target = float_dtype(xp, dtype)
    if dtype_name(X) == "uint8":
        # Same operation order as the course: convert, then divide by 255.
        return xp.astype(X, target) / 255
    return X if X.dtype == target else xp.astype(X, target)


def resolve_engine(X: Array, dtype: str, num_iterations: int, engine: str = "auto") -> str:
    """The engine :func:`fit` runs for these inputs (``"auto"`` resolved).

    Parameters
    ----------
    X : array, shape (n_x, m)
    dtype : {"float64", "float32"}
    num_iterations : int
        The run's total number of iterations (not the remaining ones, so that a
        resumed run resolves to the same engine).
    engine : str
        One of :data:`ENGINES`.

    Returns
    -------
    str
        ``"reference"``, ``"numba"`` or ``"numpy-blocked"``.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    if not is_numpy(X) or getattr(X, "ndim", 0) != 2:
        return "reference"
    name = dtype_name(X)
    if name not in ("uint8", "float32", "float64"):
        return "reference"
    n_x, m = X.shape
    work = int(n_x) * int(m) * max(1, int(num_iterations) if _is_count(num_iterations) else 1)
    if fastpath.numba_available() and work >= AUTO_MIN_WORK:
        return "numba"
    copy_bytes = int(n_x) * int(m) * (8 if dtype == "float64" else 4)
    if name == "uint8" and copy_bytes > AUTO_MAX_COPY_BYTES:
        return "numpy-blocked"
    return "reference"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def fit(
    X: Array,
    Y: Array,
    *,
    num_iterations: int,
    learning_rate: float,
    dtype: str = "float64",
    engine: str = "auto",
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    print_cost: bool = False,
    w: Array | None = None,
    b: float = 0.0,
    start_iteration: int = 0,
    previous_costs: Sequence[float] = (),
) -> OptimizationResult:
    """Train the neuron with the chosen engine.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Features as floats, or raw uint8 pixels scaled by 1/255 on the way.
    Y : array, shape (1, m)
        Labels 0/1.
    num_iterations, learning_rate, record_every, callback, print_cost
        As for :func:`~logistic_neuron.optimization.optimize`.
    dtype : {"float64", "float32"}
        Precision of the computation.
    engine : str
        One of :data:`ENGINES` (see the module's documentation).
    w, b : starting parameters (zeros when ``w`` is None)
    start_iteration, previous_costs : to resume, as for ``optimize``.

    Returns
    -------
    OptimizationResult
        ``w`` has shape (n_x, 1) and dtype ``dtype`` (a NumPy array for the
        fast engines), ``b`` is a float.
    """
    float_dtype(np, dtype)  # rejects unknown dtypes with a clear message
    chosen = resolve_engine(X, dtype, num_iterations, engine)
    if chosen == "reference":
        features = as_features(X, dtype)
        if w is None:
            w, b = initialize_with_zeros(features.shape[0], dtype=dtype, xp=namespace(features))
        return optimize(
            w,
            b,
            features,
            Y,
            num_iterations,
            learning_rate,
            print_cost,
            record_every=record_every,
            callback=callback,
            start_iteration=start_iteration,
            previous_costs=previous_costs,
        )
    return _fit_one_pass(
        chosen,
        X,
        Y,
        num_iterations=num_iterations,
        learning_rate=learning_rate,
        dtype=dtype,
        record_every=record_every,
        callback=callback,
        print_cost=print_cost,
        w=w,
        b=b,
        start_iteration=start_iteration,
        previous_costs=previous_costs,
    )


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


def _fit_one_pass(
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
        fastpath._compiled(dtype)

    rows = example_major(X, dtype)
    y = np.ascontiguousarray(Y.reshape(-1), dtype=np.float64)
    weights = np.array(w, dtype=compute).reshape(n_x)  # a private, contiguous copy
    workspace = fastpath.Workspace(m, n_x, compute) if engine == "numba" else None

    costs = [float(c) for c in previous_costs]
    last = fastpath.PassResult(
        dw=np.zeros(n_x, dtype=compute), db=0.0, cost=0.0, finite=True, w_next=weights
    )
    for i in range(start_iteration, num_iterations):
        record = i % record_every == 0
        if engine == "numba":
            last = fastpath.numba_pass(
                rows,
                y,
                weights,
                b,
                want_cost=record,
                learning_rate=learning_rate,
                workspace=workspace,
            )
        else:
            last = fastpath.numpy_pass(
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
            callback(Progress(i + 1, num_iterations, weights.reshape(n_x, 1), b, tuple(costs)))
    if not (math.isfinite(b) and bool(np.isfinite(weights).all())):
        check_divergence([*costs, math.inf], num_iterations, learning_rate)
    return OptimizationResult(
        w=weights.reshape(n_x, 1),
        b=b,
        gradients=Gradients(dw=last.dw.reshape(n_x, 1), db=last.db),
        costs=tuple(costs),
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        record_every=record_every,
    )
