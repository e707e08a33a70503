"""Several optimisers (and/or L2 strengths) on the same data: costs, time and accuracies.

:func:`compare_optimizers` trains one model per :class:`OptimizerRun` through
:func:`logistic_neuron.engines.resolver.fit` (the same data, the same
validation split when one is asked for, the same number of iterations),
records each recorded cost with the wall-clock seconds since the run started,
and scores the kept parameters on the training examples actually trained on,
the validation split and the test set. :func:`plot_optimizers` draws cost
against iterations and against seconds, side by side. Seconds are wall-clock
time on whatever else the machine is doing: they compare runs of one
invocation, not machines.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from logistic_neuron.engines.resolver import engine_that_runs, fit
from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.backend import Array, np, to_numpy
from logistic_neuron.neuron.descent import DescentResult
from logistic_neuron.neuron.optimization import CostRoseWarning, Progress
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.training_options import TrainingOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class OptimizerRun:
    """One run to compare: a label, the options and the learning rate."""

    label: str
    options: TrainingOptions
    learning_rate: float


@dataclass(frozen=True)
class OptimizerOutcome:
    """What one run did.

    Attributes
    ----------
    run : OptimizerRun
    costs : list of float
        Recorded costs (L2 penalty included when there is one).
    cost_iterations : list of int
    cost_seconds : list of float
        Wall-clock seconds since the start of the run at each recorded cost.
    seconds : float
        The whole run.
    iterations_run : int
    train_accuracy, validation_accuracy, test_accuracy : float or None
        Percent, of the parameters the run kept (None when diverged or without validation).
    best_iteration : int or None
    stopped_early : bool
    message : str
        Why the run diverged ("" otherwise).
    engine : str
        What ran it ("auto" resolved): gd and momentum often the dual engine,
        RMSprop and Adam the primal reference path, or L-BFGS; it matters when
        reading the seconds.
    """

    run: OptimizerRun
    costs: list[float] = field(default_factory=list)
    cost_iterations: list[int] = field(default_factory=list)
    cost_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    iterations_run: int = 0
    train_accuracy: float | None = None
    validation_accuracy: float | None = None
    test_accuracy: float | None = None
    best_iteration: int | None = None
    stopped_early: bool = False
    message: str = ""
    engine: str = ""


@dataclass(frozen=True)
class OptimizerComparison:
    """The outcomes of :func:`compare_optimizers`, in the order of the runs."""

    outcomes: list[OptimizerOutcome]
    num_iterations: int
    record_every: int


def _scores(w: Any, b: float, X: Array, Y: Array) -> float:
    return accuracy(predict(w, b, X), Y)


def _features(X: Array, dtype: str) -> Array:
    from logistic_neuron.engines.resolver import as_features

    return as_features(X, dtype)


def run_one(
    run: OptimizerRun,
    X: Array,
    Y: Array,
    X_test: Array,
    Y_test: Array,
    *,
    num_iterations: int,
    record_every: int,
    dtype: str,
) -> OptimizerOutcome:
    """Train and score one run (a diverged run is reported, not raised)."""
    engine = engine_that_runs(X, dtype, num_iterations, "auto", run.options)
    start = time.perf_counter()
    # When the parameters after each iteration existed (0: the start): the cost
    # recorded at iteration i is the cost of those parameters.
    times = {0: 0.0}

    def timer(progress: Progress) -> None:
        times[progress.iteration] = time.perf_counter() - start

    import warnings

    try:
        with warnings.catch_warnings():
            # A cost that rises is part of what the comparison shows.
            warnings.simplefilter("ignore", CostRoseWarning)
            result = fit(
                X,
                Y,
                num_iterations=num_iterations,
                learning_rate=run.learning_rate,
                dtype=dtype,
                record_every=record_every,
                callback=timer,
                options=run.options,
            )
    except TrainingDivergedError as exc:
        return OptimizerOutcome(
            run, seconds=time.perf_counter() - start, message=str(exc), engine=engine
        )
    seconds = time.perf_counter() - start
    costs = [float(c) for c in result.costs]
    every = result.record_every
    iterations = [i * every for i in range(len(costs))]
    if len(times) > 1:
        stamps = [times.get(i, seconds) for i in iterations]
    else:
        # L-BFGS reports no progress (its callback would be a checkpoint's, and it has
        # no resumable state): spread its costs evenly over its time, and say so.
        stamps = [seconds * i / max(1, len(costs) - 1) for i in range(len(costs))]
    general = result if isinstance(result, DescentResult) else None
    kept = np.arange(Y.shape[1]) if general is None else general.train_indices
    held = None if general is None else general.validation_indices
    features = _features(X, dtype)
    Y_host = to_numpy(Y)
    w, b = to_numpy(result.w), result.b
    return OptimizerOutcome(
        run,
        costs=costs,
        cost_iterations=iterations,
        cost_seconds=stamps,
        seconds=seconds,
        iterations_run=general.iterations_run if general is not None else num_iterations,
        train_accuracy=_scores(w, b, features[:, kept], Y_host[:, kept]),
        validation_accuracy=(
            _scores(w, b, features[:, held], Y_host[:, held])
            if held is not None and len(held)
            else None
        ),
        test_accuracy=_scores(w, b, _features(X_test, dtype), Y_test),
        best_iteration=general.best_iteration if general is not None else None,
        stopped_early=general.stopped_early if general is not None else False,
        engine=engine,
    )


def compare_optimizers(
    X: Array,
    Y: Array,
    X_test: Array,
    Y_test: Array,
    runs: Sequence[OptimizerRun],
    *,
    num_iterations: int,
    record_every: int = 100,
    dtype: str = "float64",
) -> OptimizerComparison:
    """Train every run on the same data and collect what it did.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Training features (or uint8 pixels).
    Y : array, shape (1, m)
    X_test, Y_test : the test set (only scored, never trained or chosen on)
    runs : sequence of OptimizerRun
    num_iterations, record_every, dtype : as for ``fit``

    Returns
    -------
    OptimizerComparison
    """
    if runs:
        # Warm up (lazy imports, first conversions) so that the first run's seconds
        # are not charged for them.
        run_one(runs[0], X, Y, X_test, Y_test, num_iterations=1, record_every=1, dtype=dtype)
    outcomes = [
        run_one(
            run,
            X,
            Y,
            X_test,
            Y_test,
            num_iterations=num_iterations,
            record_every=record_every,
            dtype=dtype,
        )
        for run in runs
    ]
    return OptimizerComparison(outcomes, num_iterations, record_every)


def plot_optimizers(comparison: OptimizerComparison, *, title: str | None = None) -> Figure:
    """Cost against iterations (left) and against wall-clock seconds (right), one line per run.

    A diverged run shows as "(diverged)" in the legend; a run that stopped
    early ends where it stopped, with a dot at the iteration whose parameters it kept.
    """
    from logistic_neuron.pictures.plots import new_figure

    fig = new_figure(12.0, 5.6)
    left, right = fig.subplots(1, 2)
    for outcome in comparison.outcomes:
        label = f"{outcome.run.label} [{outcome.engine}]"
        if outcome.engine == "lbfgs":
            label += " (time spread evenly)"
        if outcome.message:
            label += " (diverged)"
        elif outcome.stopped_early:
            label += f" (stopped at {outcome.iterations_run})"
        (line,) = left.plot(outcome.cost_iterations, outcome.costs, label=label)
        right.plot(outcome.cost_seconds, outcome.costs, color=line.get_color(), label=label)
        if outcome.best_iteration is not None and outcome.best_iteration in outcome.cost_iterations:
            k = outcome.cost_iterations.index(outcome.best_iteration)
            left.plot(outcome.best_iteration, outcome.costs[k], "o", color=line.get_color())
    left.set_xlabel("iteration (epoch with mini-batches)")
    right.set_xlabel("seconds (wall clock, this machine, this run)")
    for axes in (left, right):
        axes.set_ylabel("training cost J")
        axes.grid(True, alpha=0.3)
    # One legend for both panels, below them: inside a panel it would hide curves.
    handles, labels = left.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=min(3, len(labels)) or 1,
        fontsize="small", frameon=False,
    )  # fmt: skip
    left.set_title("Cost per iteration")
    right.set_title("Cost per second")
    fig.suptitle(title or f"Optimisers on the same data ({comparison.num_iterations} iterations)")
    return fig
