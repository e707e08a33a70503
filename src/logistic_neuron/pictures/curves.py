"""Training runs watched along the way: the overfitting view and the learning-rate comparison.

:func:`overfitting_curve` trains once and, every ``every`` iterations, scores
the current parameters on the training and the test set (accuracy and cost),
so one can see where the test accuracy peaks while the training accuracy keeps
climbing. :func:`compare_learning_rates` trains one model per learning rate
(the course's comparison: 1500 iterations at 0.01, 0.001 and 0.0001) and keeps
each run's costs and accuracies; a rate whose cost rose, or whose training
diverged, is flagged instead of stopping the comparison.

When the run goes to the dual engine (``engine="auto"`` on the course's
data), the scores along the way are computed in the dual too: with ``w = X α``,
``Z_train = K α + b`` and ``Z_test = K_test^T α + b`` where ``K_test = X^T
X_test`` is formed once, so each evaluation costs ``m (m + m_test)``
multiply-adds instead of ``n_x (m + m_test)``, and the learning-rate
comparison shares one ``K`` between its runs.

Both take the course's arrays: ``X`` of shape ``(n_x, m)`` (floats, or raw
uint8 pixels which are scaled by 1/255 as in training) and ``Y`` of shape
``(1, m)``. They return small frozen dataclasses; nothing is drawn here (see
:mod:`logistic_neuron.pictures.plots`).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from logistic_neuron.engines import dual
from logistic_neuron.engines.resolver import as_features, fit, resolve_engine
from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import Array, is_numpy, namespace, np
from logistic_neuron.neuron.optimization import CostRoseWarning, OptimizationResult, Progress
from logistic_neuron.neuron.prediction import THRESHOLD, accuracy, predict
from logistic_neuron.neuron.propagation import cost_from_logits, initialize_with_zeros, linear
from logistic_neuron.neuron.validation import check_iterations, check_learning_rate

#: The course's learning-rate comparison.
LESSON_LEARNING_RATES = (0.01, 0.001, 0.0001)
LESSON_ITERATIONS = 1500

#: How many points the overfitting view aims for when ``every`` is not given.
DEFAULT_POINTS = 100


@dataclass(frozen=True)
class Scores:
    """Accuracy (percent, course formula) and cost of parameters on one set."""

    accuracy: float
    cost: float


def score(w: Array, b: float, X: Array, Y: Array) -> Scores:
    """Accuracy and cost of ``(w, b)`` on features ``X`` (n_x, m) and labels ``Y`` (1, m)."""
    prediction = predict(w, b, X)
    return Scores(accuracy=accuracy(prediction, Y), cost=cost_from_logits(linear(w, b, X), Y))


def score_logits(Z: Array, Y: Array) -> Scores:
    """Accuracy and cost from the pre-activations ``Z = w^T X + b`` (NumPy, shape (m,) or (1, m)).

    The same rule as :func:`predict` (probability > 0.5) and the same cost.
    """
    logits = np.asarray(Z, dtype=np.float64).reshape(1, -1)
    labels = np.asarray(Y, dtype=np.float64).reshape(1, -1)
    prediction = (sigmoid(logits) > THRESHOLD).astype(np.float64)
    return Scores(accuracy=accuracy(prediction, labels), cost=cost_from_logits(logits, labels))


class DualScorer:
    """Scores of a dual run's parameters on its training and test sets, through Gram matrices.

    Parameters
    ----------
    X_train : ndarray, shape (n_x, m), pixels or floats
    X_test : ndarray, shape (n_x, m_test)
    """

    def __init__(self, X_train: Array, X_test: Array) -> None:
        self.gram = dual.gram_matrix(X_train)
        self.test_gram = dual.cross_gram(X_train, X_test)

    def scores(
        self, alpha: Array, b: float, Y_train: Array, Y_test: Array
    ) -> tuple[Scores, Scores]:
        """Train and test scores of ``w = X α``, ``b``: ``m (m + m_test)`` work."""
        a = np.asarray(alpha, dtype=np.float64)
        return (
            score_logits(self.gram @ a + b, Y_train),
            score_logits(a @ self.test_gram + b, Y_test),
        )


def _check_same_features(X_train: Array, X_test: Array) -> None:
    if X_test.shape[0] != X_train.shape[0]:
        raise ValueError(
            f"X_test has {X_test.shape[0]} features but X_train has "
            f"{X_train.shape[0]}; both must describe the same kind of images"
        )


@dataclass(frozen=True)
class OverfittingCurve:
    """Train and test scores measured along one training run.

    Attributes
    ----------
    iterations : tuple of int
        Iterations completed when each score was taken (0 = before training).
    train_accuracy, test_accuracy : tuple of float
        Percent, one per entry of ``iterations``.
    train_cost, test_cost : tuple of float
        Cross-entropy cost on each set.
    learning_rate : float
    num_iterations : int
    every : int
        Scores were taken every this many iterations (and at the last one).
    result : OptimizationResult
        The finished run (final ``w``, ``b`` and the recorded costs).
    """

    iterations: tuple[int, ...]
    train_accuracy: tuple[float, ...]
    test_accuracy: tuple[float, ...]
    train_cost: tuple[float, ...]
    test_cost: tuple[float, ...]
    learning_rate: float
    num_iterations: int
    every: int
    result: OptimizationResult

    @property
    def best_index(self) -> int:
        """Index of the best test accuracy (the earliest one when tied)."""
        return int(np.argmax(np.asarray(self.test_accuracy)))

    @property
    def best_iteration(self) -> int:
        """The iteration with the best test accuracy (the earliest when tied)."""
        return self.iterations[self.best_index]

    @property
    def best_test_accuracy(self) -> float:
        """The best test accuracy seen along the way (percent)."""
        return self.test_accuracy[self.best_index]

    @property
    def final_train_accuracy(self) -> float:
        """Training accuracy at the end of the run (percent)."""
        return self.train_accuracy[-1]

    @property
    def final_test_accuracy(self) -> float:
        """Test accuracy at the end of the run (percent)."""
        return self.test_accuracy[-1]


def _primal_curve(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    points: list[tuple[int, Scores, Scores]],
    num_iterations: int,
    learning_rate: float,
    every: int,
    dtype: str,
    engine: str,
    record_every: int,
    progress: Callable[[int], None] | None = None,
) -> OptimizationResult:
    """The overfitting run on a primal engine: scores from ``w`` (``n_x (m + m_test)`` each)."""
    train_features = as_features(X_train, dtype)
    test_features = as_features(X_test, dtype)

    def take(iteration: int, w: Array, b: float) -> None:
        points.append(
            (
                iteration,
                score(w, b, train_features, Y_train),
                score(w, b, test_features, Y_test),
            )
        )

    def callback(state: Progress) -> None:
        if state.iteration % every == 0 or state.iteration == state.num_iterations:
            take(state.iteration, state.w, state.b)
        if progress is not None:
            progress(state.iteration)

    # Before the first step the parameters are zeros: every probability is 0.5.
    w0, b0 = initialize_with_zeros(
        int(train_features.shape[0]), dtype=dtype, xp=namespace(train_features)
    )
    take(0, w0, b0)
    return fit(
        train_features,
        Y_train,
        num_iterations=num_iterations,
        learning_rate=learning_rate,
        dtype=dtype,
        engine=engine,
        record_every=record_every,
        callback=callback,
    )


def default_every(num_iterations: int) -> int:
    """Scoring interval giving about :data:`DEFAULT_POINTS` points over a run."""
    return max(1, num_iterations // DEFAULT_POINTS)


def overfitting_curve(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    *,
    num_iterations: int = 2000,
    learning_rate: float = 0.005,
    every: int | None = None,
    dtype: str = "float64",
    engine: str = "auto",
    record_every: int = 100,
    progress: Callable[[int], None] | None = None,
) -> OverfittingCurve:
    """Train once and score the parameters on both sets every ``every`` iterations.

    Parameters
    ----------
    X_train : array, shape (n_x, m_train)
        Floats, or uint8 pixels (scaled by 1/255).
    Y_train : array, shape (1, m_train)
    X_test : array, shape (n_x, m_test)
    Y_test : array, shape (1, m_test)
    num_iterations, learning_rate : training settings
    every : int, optional
        Scoring interval; default ``num_iterations // 100`` (at least 1).
        Scoring costs about one forward pass over both sets.
    dtype : {"float64", "float32"}
    engine : str
        As for :func:`logistic_neuron.engines.resolver.fit`.
    record_every : int
        Interval of the training cost the run records.
    progress : callable, optional
        Called with the number of iterations done, as training goes (for a progress bar).

    Returns
    -------
    OverfittingCurve

    Raises
    ------
    TrainingDivergedError
        When the run diverges.
    """
    num_iterations = check_iterations(num_iterations)
    learning_rate = check_learning_rate(learning_rate)
    every = default_every(num_iterations) if every is None else check_iterations(every, "every")
    _check_same_features(X_train, X_test)
    points: list[tuple[int, Scores, Scores]] = []
    if resolve_engine(X_train, dtype, num_iterations, engine) == "dual" and is_numpy(X_test):
        # In the dual: each evaluation is m (m + m_test) work, the data are read once.
        scorer = DualScorer(X_train, X_test)

        def dual_callback(state: Progress) -> None:
            if state.iteration % every == 0 or state.iteration == state.num_iterations:
                assert isinstance(state, dual.DualProgress)
                points.append(
                    (
                        state.iteration,
                        *scorer.scores(state.alpha, state.b, Y_train, Y_test),
                    )
                )
            if progress is not None:
                progress(state.iteration)

        points.append((0, *scorer.scores(np.zeros(X_train.shape[1]), 0.0, Y_train, Y_test)))
        result = fit(
            X_train,
            Y_train,
            num_iterations=num_iterations,
            learning_rate=learning_rate,
            dtype=dtype,
            engine="dual",
            record_every=record_every,
            callback=dual_callback,
            gram=scorer.gram,
        )
    else:
        result = _primal_curve(
            X_train,
            Y_train,
            X_test,
            Y_test,
            points,
            num_iterations,
            learning_rate,
            every,
            dtype,
            engine,
            record_every,
            progress,
        )
    return OverfittingCurve(
        iterations=tuple(p[0] for p in points),
        train_accuracy=tuple(p[1].accuracy for p in points),
        test_accuracy=tuple(p[2].accuracy for p in points),
        train_cost=tuple(p[1].cost for p in points),
        test_cost=tuple(p[2].cost for p in points),
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        every=every,
        result=result,
    )


@dataclass(frozen=True)
class RateRun:
    """One learning rate's run in a comparison.

    Attributes
    ----------
    learning_rate : float
    costs : tuple of float
        Training cost every ``record_every`` iterations (up to the divergence, if any).
    record_every : int
    train_accuracy, test_accuracy : float or None
        Percent; ``None`` when the run diverged.
    diverged : bool
    message : str
        Why the run diverged (empty otherwise).
    """

    learning_rate: float
    costs: tuple[float, ...]
    record_every: int
    train_accuracy: float | None
    test_accuracy: float | None
    diverged: bool = False
    message: str = ""

    @property
    def cost_iterations(self) -> tuple[int, ...]:
        """The iteration of each recorded cost."""
        return tuple(i * self.record_every for i in range(len(self.costs)))

    @property
    def final_cost(self) -> float | None:
        """The last recorded (finite) cost, or None when none was recorded."""
        return self.costs[-1] if self.costs else None

    @property
    def cost_rose(self) -> bool:
        """True when any recorded cost is above the one recorded before it."""
        return any(later > earlier for earlier, later in itertools.pairwise(self.costs))

    @property
    def flags(self) -> tuple[str, ...]:
        """Warnings about the run in words: ``"diverged"``, ``"cost rose"``."""
        found = []
        if self.diverged:
            found.append("diverged")
        if self.cost_rose:
            found.append("cost rose")
        return tuple(found)


@dataclass(frozen=True)
class RateComparison:
    """Runs of the same problem at several learning rates.

    Attributes
    ----------
    runs : tuple of RateRun
        In the order the rates were given.
    num_iterations : int
    record_every : int
    """

    runs: tuple[RateRun, ...]
    num_iterations: int
    record_every: int

    @property
    def learning_rates(self) -> tuple[float, ...]:
        """The rates compared."""
        return tuple(run.learning_rate for run in self.runs)

    def run_for(self, learning_rate: float) -> RateRun:
        """The run of ``learning_rate``.

        Raises
        ------
        KeyError
            When that rate was not compared.
        """
        for run in self.runs:
            if run.learning_rate == learning_rate:
                return run
        raise KeyError(f"learning rate {learning_rate:g} was not compared")


def _compare_in_dual(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    rates: list[float],
    num_iterations: int,
    record_every: int,
    progress: Callable[[int], None] | None = None,
) -> RateComparison:
    """The comparison in the dual: one K and K_test, every rate stepped together."""
    scorer = DualScorer(X_train, X_test)
    with warnings.catch_warnings():
        # A rising cost is reported as a flag of the run, not as a warning.
        warnings.simplefilter("ignore", CostRoseWarning)
        outcomes = dual.fit_dual_rates(
            X_train,
            Y_train,
            rates,
            num_iterations=num_iterations,
            record_every=record_every,
            gram=scorer.gram,
            # All rates step together: after i steps, i of each rate's iterations are done.
            progress=None if progress is None else (lambda i: progress(i * len(rates))),
        )
    runs = []
    for outcome in outcomes:
        if outcome.error is not None:
            runs.append(
                RateRun(
                    outcome.learning_rate,
                    outcome.costs,
                    record_every,
                    None,
                    None,
                    True,
                    str(outcome.error),
                )
            )
            continue
        train, test = scorer.scores(outcome.alpha, outcome.b, Y_train, Y_test)
        runs.append(
            RateRun(
                outcome.learning_rate, outcome.costs, record_every, train.accuracy, test.accuracy
            )
        )
    return RateComparison(tuple(runs), num_iterations, record_every)


def compare_learning_rates(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    *,
    learning_rates: Sequence[float] = LESSON_LEARNING_RATES,
    num_iterations: int = LESSON_ITERATIONS,
    record_every: int = 100,
    dtype: str = "float64",
    engine: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> RateComparison:
    """Train one model per learning rate from zeros and score each on both sets.

    Parameters
    ----------
    X_train : array, shape (n_x, m_train)
        Floats, or uint8 pixels (scaled by 1/255).
    Y_train : array, shape (1, m_train)
    X_test : array, shape (n_x, m_test)
    Y_test : array, shape (1, m_test)
    learning_rates : sequence of float
        Default: the course's 0.01, 0.001, 0.0001.
    num_iterations : int
        Default: the course's 1500.
    record_every : int
    dtype : {"float64", "float32"}
    engine : str
    progress : callable, optional
        Called with the number of iterations done over all the rates so far
        (``len(learning_rates) * num_iterations`` in all), for a progress bar.

    Returns
    -------
    RateComparison
        A run that diverged is kept, flagged, with the costs recorded before
        it diverged and no accuracies; the other rates still run.
    """
    num_iterations = check_iterations(num_iterations)
    record_every = check_iterations(record_every, "record_every")
    rates = [check_learning_rate(rate) for rate in learning_rates]
    if not rates:
        raise ValueError("give at least one learning rate to compare")
    if len(set(rates)) != len(rates):
        raise ValueError("the learning rates to compare must differ from each other")
    _check_same_features(X_train, X_test)
    if resolve_engine(X_train, dtype, num_iterations, engine) == "dual" and is_numpy(X_test):
        return _compare_in_dual(
            X_train, Y_train, X_test, Y_test, rates, num_iterations, record_every, progress
        )
    train_features = as_features(X_train, dtype)
    test_features = as_features(X_test, dtype)
    runs = []
    for index, rate in enumerate(rates):
        seen: list[Sequence[float]] = [()]

        def remember(
            state: Progress,
            seen: list[Sequence[float]] = seen,
            done_before: int = index * num_iterations,
        ) -> None:
            seen[0] = state.costs  # an O(1) view, not a copy
            if progress is not None:
                progress(done_before + state.iteration)

        try:
            with warnings.catch_warnings():
                # A rising cost is reported as a flag of the run, not as a warning.
                warnings.simplefilter("ignore", CostRoseWarning)
                result = fit(
                    train_features,
                    Y_train,
                    num_iterations=num_iterations,
                    learning_rate=rate,
                    dtype=dtype,
                    engine=engine,
                    record_every=record_every,
                    callback=remember,
                )
        except TrainingDivergedError as exc:
            costs = tuple(c for c in seen[0] if math.isfinite(c))
            runs.append(RateRun(rate, costs, record_every, None, None, True, str(exc)))
            continue
        runs.append(
            RateRun(
                learning_rate=rate,
                costs=tuple(float(c) for c in result.costs),
                record_every=record_every,
                train_accuracy=accuracy(predict(result.w, result.b, train_features), Y_train),
                test_accuracy=accuracy(predict(result.w, result.b, test_features), Y_test),
            )
        )
    return RateComparison(tuple(runs), num_iterations, record_every)
