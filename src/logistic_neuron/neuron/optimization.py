r"""Gradient descent on the logistic neuron's parameters.

Each iteration runs :func:`~logistic_neuron.neuron.propagation.propagate` and moves
the parameters against the gradient:

.. math:: w := w - \alpha\, dw, \qquad b := b - \alpha\, db

The cost is recorded every ``record_every`` iterations (100 in the course),
iteration 0 included.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import (
    Array,
    all_finite,
    materialize,
    namespace,
    overflow_checked_by_caller,
)
from logistic_neuron.neuron.costs import CostLog
from logistic_neuron.neuron.propagation import (
    Gradients,
    cost_from_logits,
    gradients_from_activations,
    linear,
    validate_problem,
)
from logistic_neuron.neuron.validation import check_iterations, check_learning_rate

#: How many recorded costs in a row must rise (above the starting cost) before
#: training is called divergent. Convex gradient descent with a small enough
#: step never raises the cost, so three rises in a row mean the step is too big.
RISES_BEFORE_DIVERGENCE = 3


class CostRoseWarning(UserWarning):
    """The cost rose above its starting value: the learning rate is probably too large."""


@dataclass(frozen=True)
class Progress:
    """What a training callback is told after each iteration.

    Attributes
    ----------
    iteration : int
        Number of iterations completed so far (1 after the first).
    num_iterations : int
        Total number of iterations of this run.
    w : array, shape (n_x, 1)
    b : float
    costs : sequence of float
        Costs recorded so far: a read-only view taken in O(1)
        (:class:`~logistic_neuron.neuron.costs.CostSnapshot`).
    state : object, optional
        Everything else a resumed run needs (optimiser moments, shuffling
        generator, validation history): a
        :class:`~logistic_neuron.neuron.descent.DescentState` from the
        general loop, None from plain gradient descent.
    """

    iteration: int
    num_iterations: int
    w: Array
    b: float
    costs: Sequence[float]
    state: Any = None


class OptimizationResult(tuple[dict[str, Any], Gradients, list[float]]):
    """The outcome of :func:`optimize`: the course's ``(params, grads, costs)``.

    A real 3-tuple, so ``params, grads, costs = optimize(...)`` works as in the
    course, with ``params = {"w": w, "b": b}`` (a dict), ``grads`` a
    :class:`~logistic_neuron.neuron.propagation.Gradients` dict and ``costs`` a
    list. The same values, and the run's settings, are also attributes.

    Attributes
    ----------
    w : array, shape (n_x, 1)
        Learned weights (``params["w"]``).
    b : float
        Learned bias (``params["b"]``).
    gradients : Gradients
        The gradients of the last iteration (``grads``).
    costs : list of float
        The cost at iterations ``0, record_every, 2 * record_every, ...``.
    learning_rate : float
    num_iterations : int
    record_every : int
    """

    # Read-only, like the dataclass this replaces: the settings are fixed at creation.
    learning_rate: float
    num_iterations: int
    record_every: int

    def __new__(
        cls,
        w: Array,
        b: float,
        gradients: Gradients,
        costs: Sequence[float],
        learning_rate: float,
        num_iterations: int,
        record_every: int = 100,
    ) -> OptimizationResult:
        self = super().__new__(cls, ({"w": w, "b": float(b)}, gradients, list(costs)))
        for name, value in (
            ("learning_rate", learning_rate),
            ("num_iterations", num_iterations),
            ("record_every", record_every),
        ):
            object.__setattr__(self, name, value)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"OptimizationResult is read-only: cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # A tuple subclass with a richer constructor: rebuild it from its fields.
        return (
            type(self),
            (
                self.w,
                self.b,
                self.gradients,
                self.costs,
                self.learning_rate,
                self.num_iterations,
                self.record_every,
            ),
        )

    def __repr__(self) -> str:
        return (
            f"OptimizationResult(w=<{tuple(self.w.shape)} array>, b={self.b!r}, "
            f"costs={self.costs!r}, learning_rate={self.learning_rate!r}, "
            f"num_iterations={self.num_iterations!r}, record_every={self.record_every!r})"
        )

    @property
    def params(self) -> dict[str, Any]:
        """``{"w": w, "b": b}``, the course's spelling."""
        return self[0]

    @property
    def w(self) -> Array:
        """The learned weights, shape (n_x, 1)."""
        return self[0]["w"]

    @property
    def b(self) -> float:
        """The learned bias."""
        return float(self[0]["b"])

    @property
    def gradients(self) -> Gradients:
        """The gradients of the last iteration."""
        return self[1]

    @property
    def costs(self) -> list[float]:
        """The recorded costs, a list as in the course."""
        return self[2]

    @property
    def cost_iterations(self) -> tuple[int, ...]:
        """The iteration number of each recorded cost."""
        return tuple(i * self.record_every for i in range(len(self.costs)))


def check_divergence(costs: Sequence[float], iteration: int, learning_rate: float) -> None:
    """Raise :class:`TrainingDivergedError` when the recorded costs diverge.

    Divergence is a non-finite cost, or a cost that rose at
    :data:`RISES_BEFORE_DIVERGENCE` records in a row to above the first cost.
    The first time a cost rises above the first one without diverging, a
    :class:`CostRoseWarning` is issued instead.
    """
    hint = f"with learning rate {learning_rate:g}; try a smaller one such as {learning_rate / 10:g}"
    last = costs[-1]
    if not math.isfinite(last):
        raise TrainingDivergedError(
            f"training diverged at iteration {iteration}: the cost became {last} {hint}"
        )
    recent = costs[-(RISES_BEFORE_DIVERGENCE + 1) :]
    rising = len(recent) == RISES_BEFORE_DIVERGENCE + 1 and all(
        later > earlier for earlier, later in itertools.pairwise(recent)
    )
    if rising and last > costs[0]:
        raise TrainingDivergedError(
            f"training diverged at iteration {iteration}: the cost rose from {costs[0]:.6g} "
            f"to {last:.6g} {hint}"
        )
    first_rise = (
        costs.first_rise  # O(1): a long run checks at every record
        if isinstance(costs, CostLog)
        else last > costs[0] and all(c <= costs[0] for c in costs[1:-1])
    )
    if first_rise:
        # Said once per run: the first time the cost climbs above where it started.
        warnings.warn(
            f"the cost rose from {costs[0]:.6g} to {last:.6g} by iteration {iteration}: "
            f"learning rate {learning_rate:g} is probably too large",
            CostRoseWarning,
            stacklevel=3,
        )


def check_run_settings(
    num_iterations: Any,
    learning_rate: Any,
    record_every: Any,
    start_iteration: Any,
    previous_costs: Sequence[float],
) -> tuple[int, float, int]:
    """Check a run's settings (every engine's), returning them as int, float, int.

    Raises
    ------
    ValueError
        One line naming the bad setting.
    """
    num_iterations = check_iterations(num_iterations)
    learning_rate = check_learning_rate(learning_rate)
    record_every = check_iterations(record_every, "record_every")
    if isinstance(start_iteration, bool) or not isinstance(start_iteration, int):
        raise ValueError(f"start_iteration must be a whole number, got {start_iteration!r}")
    if not 0 <= start_iteration < num_iterations:
        raise ValueError(
            f"start_iteration must be between 0 and num_iterations - 1 = {num_iterations - 1}, "
            f"got {start_iteration}"
        )
    expected_records = -(-start_iteration // record_every)
    if len(previous_costs) != expected_records:
        raise ValueError(
            f"previous_costs must hold the {expected_records} costs recorded before iteration "
            f"{start_iteration}, got {len(previous_costs)}"
        )
    return num_iterations, learning_rate, record_every


def optimize(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
    *,
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    start_iteration: int = 0,
    previous_costs: Sequence[float] = (),
    detect_divergence: bool = True,
) -> OptimizationResult:
    """Learn ``w`` and ``b`` by batch gradient descent.

    Parameters
    ----------
    w : array, shape (n_x, 1)
        Starting weights (not modified).
    b : float
        Starting bias.
    X : array, shape (n_x, m)
        One example per column, same float dtype as ``w``.
    Y : array, shape (1, m)
        Labels 0 or 1.
    num_iterations : int
        Total number of gradient steps.
    learning_rate : float
        The step size ``alpha`` (> 0).
    print_cost : bool
        Print ``Cost after iteration i: c`` at every recorded cost, as the course does.
    record_every : int, keyword-only
        Record the cost every this many iterations (100 in the course).
    callback : callable, keyword-only
        Called with a :class:`Progress` after every iteration (progress bars,
        checkpoints, learning curves).
    start_iteration : int, keyword-only
        Resume a run: ``w`` and ``b`` are the parameters after this many
        iterations, and ``previous_costs`` the costs recorded until then.
        The result is bit for bit the one of an uninterrupted run.
    previous_costs : sequence of float, keyword-only
    detect_divergence : bool, keyword-only
        Stop with :class:`TrainingDivergedError` when the cost becomes
        non-finite or keeps rising.

    Returns
    -------
    OptimizationResult
        The course's ``(params, grads, costs)``: ``params = {"w": w, "b": b}``,
        ``grads = {"dw": ..., "db": ...}`` of the last iteration and ``costs``
        the list of recorded costs. The same are attributes: ``result.w``,
        ``result.b``, ``result.gradients``, ``result.costs``.

    Raises
    ------
    ValueError
        For invalid inputs or settings.
    TrainingDivergedError
        When ``detect_divergence`` and the cost diverges.
    """
    b, Y = validate_problem(w, b, X, Y)
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start_iteration, previous_costs
    )

    costs = CostLog(previous_costs)
    grads = Gradients(dw=w, db=0.0)
    xp = namespace(w, X)
    for i in range(start_iteration, num_iterations):
        with overflow_checked_by_caller(xp):
            Z = linear(w, b, X)
            if not all_finite(xp, Z):
                # The weights overflowed: nothing after this would be meaningful.
                check_divergence([*costs, math.inf], i, learning_rate)
            A = sigmoid(Z)
            grads = gradients_from_activations(A, X, Y)
            if i % record_every == 0:
                # The cost is only needed where it is recorded: computing it from Z
                # here saves an exp and a log per example on the other iterations.
                cost = cost_from_logits(Z, Y)
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {i}: {cost:f}")
                if detect_divergence:
                    check_divergence(costs, i, learning_rate)
            w = materialize(w - learning_rate * grads.dw)
            b = float(b - learning_rate * grads.db)
        if callback is not None:
            callback(Progress(i + 1, num_iterations, w, b, costs.snapshot()))
    return finished_plain(w, b, grads, costs, learning_rate, num_iterations, record_every)


def finished_plain(
    w: Array,
    b: float,
    gradients: Gradients,
    costs: Sequence[float],
    learning_rate: float,
    num_iterations: int,
    record_every: int,
) -> OptimizationResult:
    """The result of a plain gradient-descent run, whichever engine ran it.

    Weights or a bias that overflowed after the last recorded cost are
    divergence too: said here, for every engine alike.
    """
    if not (math.isfinite(b) and all_finite(namespace(w), w)):
        check_divergence([*costs, math.inf], num_iterations, learning_rate)
    return OptimizationResult(
        w=w,
        b=b,
        gradients=gradients,
        costs=list(costs),
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        record_every=record_every,
    )
