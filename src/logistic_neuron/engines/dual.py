r"""The dual engine: the course's gradient descent in O(m²) per iteration.

Gradient descent from ``w = 0`` keeps ``w`` in the span of the training
examples: ``dw = X dZ^T / m`` is a combination of the columns of ``X``, so at
every iteration ``w = X α`` for a vector ``α`` of length ``m``. With the Gram
matrix ``K = X^T X`` (m x m, symmetric),

.. math:: Z = w^T X + b = (K α)^T + b, \qquad
          w := w - \eta\, dw \iff α := α - \frac{\eta}{m}\, dZ

so after one ``K`` (one pass over ``X``, about ``n_x m² / 2`` multiply-adds),
each iteration costs ``m²`` instead of ``2 n_x m``. It is the same algorithm,
iterate for iterate; only the rounding differs. ``w = X α`` is formed at the
end, and when a caller (a callback, a checkpoint) asks for it.

``K`` is accumulated in float64 whatever the compute dtype, one block of
features at a time, so uint8 pixels are never copied to floats as a whole:
pixel products are integers below 2^53, so ``K`` of pixels is *exact* (and
therefore the same on every machine and thread count), and the 1/255² scale is
applied once. The compute dtype is the dtype of ``w = X α`` (the
``n_x``-sized work, in blocks for pixels); the m-sized iterations on
``α`` always run in float64: they cost ``m²`` either way, ``K`` takes the
``8 m²`` bytes the cost model of ``"auto"`` counts, and float32 iterations
would drift from the course's printed digits (0.152668 instead of 0.152667 at
iteration 1700 of the classic run).

Extensions that keep ``w`` in the span stay exact in the dual: L2, momentum,
mini-batches, decay and validation run in
:mod:`~logistic_neuron.engines.dual_descent` (on this module's ``K``), which
applies the course's own update rules to ``α``. Per-coordinate scalings of
``dw`` (Adam, RMSprop) leave the span and must run on a primal engine. This
module's plain loop stays separate: it is the classic run's fast path, with
one fused step (:func:`dual_step`) and no per-epoch bookkeeping.

Written by hand (no library does gradient descent in the dual with the
course's recording, printing and exact resume); NumPy's BLAS does the
arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.backend import is_numpy, np
from logistic_neuron.neuron.costs import CostLog
from logistic_neuron.neuron.optimization import (
    OptimizationResult,
    Progress,
    check_divergence,
    check_run_settings,
    finished_plain,
)
from logistic_neuron.neuron.propagation import Gradients
from logistic_neuron.neuron.validation import check_bias, check_features, check_labels

#: Bytes of float64 features converted at a time while accumulating ``K``
#: (and while forming ``X α``): a block-sized temporary, never all of ``X``.
BLOCK_BYTES = 8 * 2**20
#: The 1/255 pixel scale, as the course's ``X / 255``.
PIXEL_SCALE = 1.0 / 255.0


def _scale(X: Any) -> float:
    return PIXEL_SCALE if X.dtype == np.uint8 else 1.0


def _feature_blocks(X: Any, other_columns: int) -> int:
    """Features per block so that a float64 block of X (and of the other side) is ~BLOCK_BYTES."""
    return max(1, BLOCK_BYTES // (8 * max(1, X.shape[1] + other_columns)))


def gram_matrix(X: Any) -> Any:
    """``K = X^T X`` of the features, in float64.

    Parameters
    ----------
    X : ndarray, shape (n_x, m), uint8 pixels (scaled by 1/255) or floats

    Returns
    -------
    ndarray, shape (m, m)
        Symmetric; the Gram matrix of the features ``X / 255`` for pixels.
    """
    return cross_gram(X, None)


def cross_gram(X: Any, X_other: Any | None) -> Any:
    """``X^T X_other`` (``X^T X`` when ``X_other`` is None), in float64 blocks.

    Used for test-set scores along a dual run: ``Z_test = (K_test^T α) + b``
    costs ``m m_test`` per evaluation instead of ``n_x m_test``.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    X_other : ndarray, shape (n_x, m_other), or None

    Returns
    -------
    ndarray, shape (m, m_other)
    """
    n_x, m = X.shape
    same = X_other is None
    other = X if X_other is None else X_other
    if other.shape[0] != n_x:
        raise ValueError(
            f"X_test has {other.shape[0]} features but X_train has {n_x}; both must describe "
            "the same kind of images"
        )
    if X.dtype == np.float64 and other.dtype == np.float64:
        # Already float64: BLAS reads X in place (symmetric rank-k update when same).
        K = X.T @ X if same else X.T @ other
    else:
        K = np.zeros((m, other.shape[1]), dtype=np.float64)
        step = _feature_blocks(X, 0 if same else other.shape[1])
        for lo in range(0, n_x, step):
            block = np.asarray(X[lo : lo + step], dtype=np.float64)
            if same:
                K += block.T @ block
            else:
                K += block.T @ np.asarray(other[lo : lo + step], dtype=np.float64)
    scale = _scale(X) * _scale(other)
    if scale != 1.0:
        K *= scale
    return K


def times_alpha(X: Any, alpha: Any, dtype: str) -> Any:
    """``w = X α`` of the features (pixels scaled by 1/255), shape (n_x,), in ``dtype``.

    Floats in the compute dtype are used in place; pixels go through one
    block of features at a time.
    """
    compute = np.dtype(dtype)
    a = np.asarray(alpha, dtype=compute)
    if X.dtype == compute:
        return X @ a
    n_x = X.shape[0]
    out = np.empty(n_x, dtype=compute)
    step = max(1, BLOCK_BYTES // (compute.itemsize * max(1, X.shape[1])))
    for lo in range(0, n_x, step):
        out[lo : lo + step] = np.asarray(X[lo : lo + step], dtype=compute) @ a
    if X.dtype == np.uint8:
        out *= compute.type(PIXEL_SCALE)
    return out


class DualProgress(Progress):
    """A :class:`Progress` whose ``w`` is formed from ``α`` only when read.

    Besides the usual fields (``state`` is the general loop's
    :class:`~logistic_neuron.neuron.descent.DescentState` in dual form, or None
    for plain gd) it carries ``alpha`` (shape (m,)) and ``problem`` (``X`` and
    ``K``), so callers that can work in the dual (checkpoints, test scores
    through ``K_test``) never pay for ``w = X α``.
    """

    alpha: Any
    problem: DualProblem
    _w: Any

    def __init__(
        self,
        iteration: int,
        num_iterations: int,
        b: float,
        costs: Sequence[float],
        alpha: Any,
        problem: DualProblem,
        state: Any = None,
    ) -> None:
        object.__setattr__(self, "iteration", iteration)
        object.__setattr__(self, "num_iterations", num_iterations)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(self, "problem", problem)
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "_w", None)

    @property
    def w(self) -> Any:
        """``w = X α`` (n_x, 1), formed on first access."""
        if self._w is None:
            object.__setattr__(self, "_w", self.problem.weights(self.alpha))
        return self._w

    def logits(self) -> Any:
        """``Z = K α + b`` on the training set, shape (m,) float64."""
        return self.problem.logits(self.alpha, self.b)

    # The dataclass's generated methods would read the lazy w; these do not.
    def __repr__(self) -> str:
        return (
            f"DualProgress(iteration={self.iteration}, num_iterations={self.num_iterations}, "
            f"b={self.b!r}, costs={self.costs!r})"
        )

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class DualProblem:
    """The training features and their Gram matrix, for one dual run (or several).

    Parameters
    ----------
    X : ndarray, shape (n_x, m), uint8 / float32 / float64
    dtype : {"float64", "float32"}
        Compute dtype.
    gram : ndarray, shape (m, m), optional
        ``K`` computed earlier (:func:`gram_matrix`) to share between runs on
        the same data, e.g. the learning-rate comparison.
    """

    def __init__(self, X: Any, dtype: str, gram: Any | None = None) -> None:
        self.X = X
        self.dtype = dtype
        m = X.shape[1]
        if gram is None:
            gram = gram_matrix(X)
        elif gram.shape != (m, m) or gram.dtype != np.float64:
            raise ValueError(
                f"gram must be the ({m}, {m}) float64 Gram matrix of X, got shape "
                f"{gram.shape} and dtype {gram.dtype}"
            )
        self.gram = gram

    def weights(self, alpha: Any) -> Any:
        """``w = X α``, shape (n_x, 1), in the compute dtype."""
        return times_alpha(self.X, alpha, self.dtype).reshape(-1, 1)

    def logits(self, alpha: Any, b: float) -> Any:
        """``Z = K α + b`` for the training examples, shape (m,), float64."""
        return self.gram @ alpha + b


def dual_step(alpha: Any, dz: Any, step: Any) -> Any:
    """The gradient step in the dual: ``α - (η/m) dZ``, a new array.

    ``w - η dw`` with ``dw = X dZ / m`` is ``X (α - (η/m) dZ)``. An L2 term
    ``λ/(2m)|w|²`` would make it ``(1 - ηλ/m) α - (η/m) dZ``; this is the one
    place the update is written.
    """
    return alpha - step * dz


def sigmoid_minus_labels(z: Any, half_minus_y: Any, out: Any) -> Any:
    """``sigmoid(z) - y`` into ``out`` (float64), as ``tanh(z/2)/2 + (1/2 - y)``.

    ``tanh`` is bounded for every ``z`` (no overflow, no warnings) and this
    needs four array operations instead of the eight of the ``exp(-|z|)``
    form, which matters when an iteration is a 209 x 209 product.
    """
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += half_minus_y
    return out


def logit_cost(z: Any, y: Any) -> float:
    """``mean(softplus(z) - y z)``, the reference's cost, in float64."""
    losses = np.logaddexp(0.0, z) - y * z
    largest = float(np.finfo(np.float64).max)
    m = losses.shape[0]
    if float(losses.max()) > largest / (2 * m):
        return min(float(np.sum(losses / (2 * m))) * 2, largest)
    return float(losses.mean())


def check_dual_inputs(X: Any, Y: Any, alpha: Any | None) -> None:
    """Validate NumPy ``X`` (n_x, m), ``Y`` (1, m) and ``α`` (m,) for the dual engine."""
    if not is_numpy(X) or not is_numpy(Y):
        raise ValueError(
            f"engine 'dual' needs NumPy arrays, got {type(X).__name__}; "
            "use engine='reference' (or 'auto') for other array libraries"
        )
    if X.ndim != 2 or X.dtype not in (np.uint8, np.float32, np.float64) or X.size == 0:
        check_features(X)
        if X.dtype != np.uint8:
            raise ValueError(f"X has dtype {X.dtype}; it must be uint8 pixels, float32 or float64")
    if X.dtype != np.uint8:
        step = _feature_blocks(X, 0)
        for lo in range(0, X.shape[0], step):
            if not np.isfinite(X[lo : lo + step]).all():
                raise ValueError("X contains NaN or infinite values; clean or drop those examples")
    m = X.shape[1]
    check_labels(Y, m)
    if alpha is not None:
        a = np.asarray(alpha)
        if a.shape not in ((m,), (m, 1)) or not np.isfinite(a).all():
            raise ValueError(
                f"alpha must hold {m} finite coefficients (one per training example), "
                f"got shape {a.shape}"
            )


def check_zero_start(w: Any | None, n_x: int) -> None:
    """Refuse a starting ``w`` other than None or ``n_x`` zeros.

    The dual engine starts from ``w = 0`` (or resumes from its coefficients):
    any other ``w`` may lie outside the span of the examples.
    """
    if w is None:
        return
    w_host = np.asarray(w)
    if w_host.size != n_x or bool(np.any(w_host != 0)):
        raise ValueError(
            "engine 'dual' starts from w = 0 (or resumes from its saved coefficients): a "
            "non-zero starting w is not a combination of the examples; use another engine"
        )


def fit_dual(
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
    alpha: Any | None = None,
    gram: Any | None = None,
) -> OptimizationResult:
    """Gradient descent in the dual; the loop mirrors ``optimize`` step for step.

    Parameters
    ----------
    X : ndarray, shape (n_x, m), uint8 pixels or floats
    Y : ndarray, shape (1, m), labels 0/1
    num_iterations, learning_rate, dtype, record_every, callback, print_cost,
    b, start_iteration, previous_costs
        As for :func:`logistic_neuron.engines.resolver.fit`.
    w : ndarray or None
        Must be None or all zeros: a non-zero starting ``w`` may lie outside
        the span of ``X``; resume a dual run with ``alpha`` instead.
    alpha : ndarray, shape (m,), optional
        The dual coefficients after ``start_iteration`` steps (from a
        checkpoint); zeros when not given.
    gram : ndarray, shape (m, m), optional
        A precomputed :func:`gram_matrix` of ``X`` (float64).

    Returns
    -------
    OptimizationResult
        ``w = X α`` (n_x, 1) and the last iteration's gradients, as the
        reference returns them.
    """
    check_dual_inputs(X, Y, alpha)
    n_x, m = X.shape
    np.dtype(dtype)  # an unknown dtype fails here, before any work
    if alpha is None:
        check_zero_start(w, n_x)
    b = check_bias(b)
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start_iteration, previous_costs
    )
    problem = DualProblem(X, dtype, gram)
    K = problem.gram
    y = np.asarray(Y, dtype=np.float64).reshape(m)
    half_minus_y = 0.5 - y
    a = (
        np.zeros(m, dtype=np.float64)
        if alpha is None
        else np.array(np.asarray(alpha).reshape(m), dtype=np.float64)
    )
    step = learning_rate / m
    costs = CostLog(previous_costs)
    z = np.empty(m, dtype=np.float64)
    dz = np.zeros(m, dtype=np.float64)
    db = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(start_iteration, num_iterations):
            np.dot(K, a, out=z)
            z += b
            if not math.isfinite(float(z.sum())) and not np.isfinite(z).all():
                # The coefficients overflowed: nothing after this would be meaningful.
                check_divergence([*costs, math.inf], i, learning_rate)
            sigmoid_minus_labels(z, half_minus_y, dz)
            db = float(dz.sum()) / m
            if i % record_every == 0:
                cost = logit_cost(z, y)
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {i}: {cost:f}")
                check_divergence(costs, i, learning_rate)
            # A new array each step (as optimize makes a new w): a callback may keep it.
            a = dual_step(a, dz, step)
            b = b - learning_rate * db
            if callback is not None:
                callback(DualProgress(i + 1, num_iterations, b, costs.snapshot(), a, problem))
    dw = times_alpha(X, dz / m, dtype).reshape(n_x, 1)
    return finished_plain(
        problem.weights(a), b, Gradients(dw=dw, db=db), costs, learning_rate, num_iterations,
        record_every,
    )  # fmt: skip


@dataclass(frozen=True)
class RateOutcome:
    """One learning rate's run in :func:`fit_dual_rates`.

    Attributes
    ----------
    learning_rate : float
    costs : tuple of float
        Cost every ``record_every`` iterations (up to the divergence, if any).
    alpha : ndarray, shape (m,)
        Final coefficients (``w = X α``); None when the run diverged.
    b : float
    error : TrainingDivergedError or None
        Why the run stopped early.
    """

    learning_rate: float
    costs: tuple[float, ...]
    alpha: Any
    b: float
    error: TrainingDivergedError | None


def fit_dual_rates(
    X: Any,
    Y: Any,
    learning_rates: Sequence[float],
    *,
    num_iterations: int,
    record_every: int,
    gram: Any | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[RateOutcome]:
    """Several learning rates from zeros at once: ``K A`` for all their ``α`` in one product.

    ``progress``, when given, is called with the iterations done (of every rate) after
    each step, for a progress bar.

    The runs are independent (the same iterates as one :func:`fit_dual` per
    rate, within rounding: ``K A`` is a matrix product instead of one
    matrix-vector product per rate); stepping them together shares each
    iteration's Python and NumPy call overhead, which dominates when ``m`` is a
    few hundred. A run that diverges stops there (its error is kept) and the
    others go on.

    Parameters
    ----------
    X : ndarray, shape (n_x, m), uint8 pixels or floats
    Y : ndarray, shape (1, m)
    learning_rates : sequence of float
    num_iterations, record_every : int
    gram : ndarray, shape (m, m), optional
        :func:`gram_matrix` of ``X``.

    Returns
    -------
    list of RateOutcome
        In the order of ``learning_rates``.
    """
    check_dual_inputs(X, Y, None)
    m = X.shape[1]
    rates = [float(rate) for rate in learning_rates]
    for rate in rates:
        check_run_settings(num_iterations, rate, record_every, 0, ())
    K = DualProblem(X, "float64", gram).gram
    y = np.asarray(Y, dtype=np.float64).reshape(m, 1)
    half_minus_y = 0.5 - y
    k = len(rates)
    A = np.zeros((m, k))
    b = np.zeros(k)
    lr = np.asarray(rates)
    steps = lr / m
    live = np.ones(k, dtype=bool)
    costs: list[list[float]] = [[] for _ in rates]
    errors: list[TrainingDivergedError | None] = [None] * k

    def stop(j: int, recorded: list[float], i: int) -> None:
        try:
            check_divergence(recorded, i, rates[j])
        except TrainingDivergedError as exc:
            errors[j] = exc
            live[j] = False
            steps[j] = 0.0
            lr[j] = 0.0
            A[:, j] = 0.0  # frozen and finite, so it cannot spoil the shared product
            b[j] = 0.0

    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(num_iterations):
            Z = K @ A
            Z += b
            D = np.multiply(Z, 0.5)
            np.tanh(D, out=D)
            D *= 0.5
            D += half_minus_y
            db = D.sum(axis=0) / m
            z_sums = Z.sum(axis=0)
            for j in np.flatnonzero(live & ~np.isfinite(z_sums)):
                if not np.isfinite(Z[:, j]).all():
                    stop(int(j), [*costs[j], math.inf], i)
            if i % record_every == 0:
                for j in np.flatnonzero(live):
                    costs[j].append(logit_cost(Z[:, j], y[:, 0]))
                    stop(int(j), costs[j], i)
            if not live.any():
                break
            A -= D * steps
            b -= lr * db
            if progress is not None:
                progress(i + 1)
    return [
        RateOutcome(
            learning_rate=rates[j],
            costs=tuple(c for c in costs[j] if math.isfinite(c)),
            alpha=A[:, j].copy() if errors[j] is None else None,
            b=float(b[j]),
            error=errors[j],
        )
        for j in range(k)
    ]
