"""Choosing how to run gradient descent: the reference code or a faster path.

:func:`fit` is what the command line and the estimator call. The engines:

``"reference"``
    :func:`logistic_neuron.neuron.optimization.optimize`, the Array API code that runs
    on every backend (NumPy, PyTorch, ``array_api_strict`` ...). It reads ``X``
    twice per iteration (``w^T X``, then ``X dZ^T``), and uint8 pixels are
    first converted to a full float copy.
``"numba"``
    One pass over ``X`` per iteration with a compiled kernel
    (:mod:`logistic_neuron.engines.kernels`), threads over examples, uint8 pixels
    scaled on the fly (no float copy of ``X``). Needs ``pip install
    "logistic-neuron[fast]"``.
``"numpy-blocked"``
    The same one-pass algorithm in pure NumPy: blocks of examples go through
    BLAS while in cache; uint8 pixels are converted one block at a time.
``"dual"``
    Gradient descent on ``α`` with ``w = X α`` (:mod:`logistic_neuron.engines.dual`):
    one Gram matrix ``K = X^T X`` (m x m), then ``m²`` work per iteration
    instead of ``2 n_x m``. Same iterates, different rounding.
``"auto"`` (default)
    A cost model, in multiply-adds, for NumPy data (uint8, float32, float64):

    * dual: ``n_x m² / 2`` once (``K``) plus ``m²`` per iteration, and
      ``8 m²`` bytes for ``K``;
    * primal: ``2 n_x m`` per iteration (``w^T X`` and ``X dZ^T``).

    ``"dual"`` when its cost is below the primal's and ``K`` fits in
    :data:`AUTO_MAX_GRAM_BYTES`. Otherwise a primal engine:
    ``"numba"`` when numba is installed and the run is big enough for
    compilation to pay (:data:`AUTO_MIN_WORK`); otherwise ``"numpy-blocked"``
    when uint8 pixels would need a float copy larger than
    :data:`AUTO_MAX_COPY_BYTES`; otherwise ``"reference"`` (always for
    non-NumPy arrays). The choice depends only on the data's type and shape,
    the dtype and the run's total ``num_iterations``, never on timings, so a
    resumed run picks the same engine.

    On the course's classic run (n_x = 12288, m = 209, 2000 iterations) the
    dual costs 2.7e8 + 8.7e7 against 1.0e10 for the primal: 29x less work.
    The dual wins whenever ``m < 2 n_x T / (n_x / 2 + T)`` (about ``4 T``
    when ``n_x`` is large against ``T``, about ``2 n_x`` when ``T`` is large).

Every engine gives the reference's results within rounding of the compute
dtype, and each is deterministic: resuming is bit for bit an uninterrupted run
of the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from logistic_neuron.engines import kernels
from logistic_neuron.engines.dual import fit_dual
from logistic_neuron.engines.dual_descent import check_dual_options, keeps_span
from logistic_neuron.engines.one_pass import fit_one_pass
from logistic_neuron.neuron.backend import Array, dtype_name, float_dtype, is_numpy, namespace, np
from logistic_neuron.neuron.descent import DescentState
from logistic_neuron.neuron.optimization import (
    OptimizationResult,
    Progress,
    optimize,
)
from logistic_neuron.neuron.propagation import initialize_with_zeros
from logistic_neuron.neuron.training_options import TrainingOptions

ENGINES = ("auto", "reference", "dual", "numba", "numpy-blocked")

#: ``"auto"`` picks the dual only while ``K`` (m x m float64) stays below this
#: (m <= 8192): beyond it the primal engines need no more memory than ``X``.
AUTO_MAX_GRAM_BYTES = 512 * 2**20

#: ``"auto"`` compiles the numba kernel only for runs of at least this many
#: ``m * n_x * num_iterations`` (the classic cat run is 5.1e9): below it the
#: first-call compilation (a few seconds) would cost more than it saves.
AUTO_MIN_WORK = 1_000_000_000

#: Without numba, ``"auto"`` trains uint8 pixels with ``"numpy-blocked"`` when
#: the reference's float copy of ``X`` would be larger than this.
AUTO_MAX_COPY_BYTES = 256 * 2**20


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
        ``"reference"``, ``"dual"``, ``"numba"`` or ``"numpy-blocked"``.
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
    n_x, m = (int(v) for v in X.shape)
    iterations = max(1, int(num_iterations) if _is_count(num_iterations) else 1)
    if dual_is_cheaper(n_x, m, iterations):
        return "dual"
    work = n_x * m * iterations
    if kernels.numba_available() and work >= AUTO_MIN_WORK:
        return "numba"
    copy_bytes = int(n_x) * int(m) * (8 if dtype == "float64" else 4)
    if name == "uint8" and copy_bytes > AUTO_MAX_COPY_BYTES:
        return "numpy-blocked"
    return "reference"


def dual_is_cheaper(n_x: int, m: int, num_iterations: int) -> bool:
    """The cost model of ``"auto"``: does the dual engine do less work, and fit in memory?

    Dual: ``n_x m² / 2 + T m²`` multiply-adds and ``8 m²`` bytes for ``K``;
    primal: ``2 n_x m T`` (``T`` = total iterations).
    """
    if 8 * m * m > AUTO_MAX_GRAM_BYTES:
        return False
    dual = n_x * m * m / 2 + num_iterations * m * m
    primal = 2 * n_x * m * num_iterations
    return dual < primal


def needs_general_path(options: TrainingOptions | None) -> bool:
    """True when ``options`` ask for more than plain full-batch gradient descent."""
    return options is not None and not options.checked().is_plain


def general_engine(
    X: Array,
    dtype: str,
    num_iterations: int,
    engine: str,
    options: TrainingOptions,
    resume: DescentState | None = None,
) -> str:
    """The engine of a run beyond plain gd: ``"lbfgs"``, ``"dual"`` or ``"reference"``.

    L-BFGS has its own solver. Descent runs on the dual engine when asked
    (``engine="dual"``, refused for Adam and RMSprop, which leave the span of
    the examples) or when ``"auto"`` would pick the dual for plain gd on these
    shapes and the options keep the span (gd or momentum, with any L2,
    mini-batches, decay, validation); otherwise on the primal reference loop
    (the one-pass engines only implement plain full-batch gd).

    A resumed ``"auto"`` run stays on the engine its saved state comes from
    (dual coefficients or weights), so that checkpoints written before gd and
    momentum ran on the dual engine still resume, bit for bit.
    """
    options = options.checked()
    resolved = resolve_engine(X, dtype, num_iterations, engine)  # refuses unknown engines
    if engine == "dual":
        check_dual_options(options)  # refuses what the dual cannot run (Adam, L-BFGS ...)
        return "dual"
    if options.solver == "lbfgs":
        return "lbfgs"
    if engine == "auto" and resume is not None:
        return "dual" if resume.dual else "reference"
    if engine == "auto" and resolved == "dual" and keeps_span(options):
        return "dual"
    return "reference"


def check_engine_options(engine: str, options: TrainingOptions) -> None:
    """Refuse, before any data is read, an engine that cannot run ``options`` as asked.

    Only ``"dual"`` with a rule that leaves the span (Adam, RMSprop) is a
    contradiction; the one-pass engines hand runs with options to the primal
    loop, as documented in :func:`fit`.
    """
    if engine == "dual" and not options.checked().is_plain:
        check_dual_options(options)


def engine_that_runs(
    X: Array,
    dtype: str,
    num_iterations: int,
    engine: str,
    options: TrainingOptions | None,
    resume: DescentState | None = None,
) -> str:
    """The engine :func:`fit` really runs (the model file's provenance)."""
    if needs_general_path(options):
        assert options is not None
        return general_engine(X, dtype, num_iterations, engine, options, resume)
    return resolve_engine(X, dtype, num_iterations, engine)


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
    alpha: Array | None = None,
    gram: Array | None = None,
    options: TrainingOptions | None = None,
    resume: DescentState | None = None,
) -> OptimizationResult:
    """Train the neuron with the chosen engine.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Features as floats, or raw uint8 pixels scaled by 1/255 on the way.
    Y : array, shape (1, m)
        Labels 0/1.
    num_iterations, learning_rate, record_every, callback, print_cost
        As for :func:`~logistic_neuron.neuron.optimization.optimize`.
    dtype : {"float64", "float32"}
        Precision of the computation.
    engine : str
        One of :data:`ENGINES` (see the module's documentation).
    w, b : starting parameters (zeros when ``w`` is None)
    start_iteration, previous_costs : to resume, as for ``optimize``.
    alpha : ndarray, shape (m,), optional
        The dual engine's coefficients (``w = X α``) to resume from; a dual run
        resumes from ``alpha`` (a checkpoint stores it), not from ``w``.
    gram : ndarray, shape (m, m), optional
        For the dual engine: ``K`` of ``X`` computed earlier
        (:func:`logistic_neuron.engines.dual.gram_matrix`), shared by several runs.
    options : TrainingOptions, optional
        Anything beyond plain full-batch gradient descent (optimisers,
        mini-batches, L2, decay, validation, L-BFGS): such runs go through
        :mod:`logistic_neuron.engines.general`, on the engine
        :func:`general_engine` chooses (the dual engine for gd and momentum
        where ``"auto"`` would pick it, else the primal reference loop).
    resume : DescentState, optional
        To resume such a run (instead of ``start_iteration``/``previous_costs``);
        it must be resumed on the engine it started on.

    Returns
    -------
    OptimizationResult
        ``w`` has shape (n_x, 1) and dtype ``dtype`` (a NumPy array for the
        fast engines), ``b`` is a float.
    """
    float_dtype(np, dtype)  # rejects unknown dtypes with a clear message
    if needs_general_path(options):
        from logistic_neuron.engines.general import fit_general

        assert options is not None
        chosen = general_engine(X, dtype, num_iterations, engine, options, resume)
        return fit_general(
            X,
            Y,
            options=options,
            num_iterations=num_iterations,
            learning_rate=learning_rate,
            dtype=dtype,
            as_features=as_features,
            record_every=record_every,
            callback=callback,
            print_cost=print_cost,
            w=w,
            b=b,
            resume=resume,
            dual=chosen == "dual",
            gram=gram,
        )
    chosen = resolve_engine(X, dtype, num_iterations, engine)
    run: dict[str, Any] = {
        "num_iterations": num_iterations,
        "learning_rate": learning_rate,
        "dtype": dtype,
        "record_every": record_every,
        "callback": callback,
        "print_cost": print_cost,
        "w": w,
        "b": b,
        "start_iteration": start_iteration,
        "previous_costs": previous_costs,
    }
    if chosen == "dual":
        return fit_dual(X, Y, alpha=alpha, gram=gram, **run)
    if alpha is not None:
        raise ValueError(
            f"alpha (the dual coefficients) resumes the 'dual' engine, not {chosen!r}; "
            "resume with the engine the run started with"
        )
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
    return fit_one_pass(chosen, X, Y, **run)
