"""Choosing how to run gradient descent: the reference code or a faster path.

:func:`fit` is what the command line and the estimator call. ``engine="reference"``
is :func:`logistic_neuron.optimization.optimize`, the Array API code that runs on
every backend; faster engines for NumPy data are selected by ``engine="auto"``
where they apply and give the reference's results within rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from logistic_neuron.backend import Array, dtype_name, float_dtype, namespace
from logistic_neuron.optimization import OptimizationResult, Progress, optimize
from logistic_neuron.propagation import initialize_with_zeros

ENGINES = ("auto", "reference")


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
        One of :data:`ENGINES`.
    w, b : starting parameters (zeros when ``w`` is None)
    start_iteration, previous_costs : to resume, as for ``optimize``.

    Returns
    -------
    OptimizationResult
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
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
