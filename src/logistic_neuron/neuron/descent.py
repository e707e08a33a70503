r"""The general training loop: any update rule, mini-batches, L2, decay, early stopping.

:func:`descend` is the course's ``model`` loop of *Improving deep neural
networks* for one neuron. One iteration is one **epoch**: the training
examples are shuffled and cut into mini-batches
(:mod:`~logistic_neuron.neuron.minibatches`; one batch of all examples, in
order and without shuffling, when ``batch_size`` is None), and each batch takes
one step of the update rule (:mod:`~logistic_neuron.neuron.optimizers`) with
its gradient plus the L2 term (:mod:`~logistic_neuron.neuron.regularization`),
at the epoch's learning rate (:mod:`~logistic_neuron.neuron.learning_rate_decay`).

With full batches and plain gd it computes exactly what
:func:`~logistic_neuron.neuron.optimization.optimize` computes. The recorded
cost at iteration ``i`` is the cost on the *whole* training set of the
parameters after ``i`` epochs, L2 penalty included, as in the course (and as
plain gd records it), so curves of different optimisers compare. The L2 term
of a mini-batch's gradient is :math:`\frac{\lambda}{m} w` with ``m`` the whole
training set, so that the batch gradient is an unbiased estimate of the
regularised cost's gradient.

With validation examples, every recorded iteration also evaluates them
(:class:`~logistic_neuron.neuron.early_stopping.KeepBest`); ``patience``
stops the run early and ``keep_best`` ends it with the best parameters.
The callback receives a :class:`DescentState` with everything needed to
resume bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import Array, all_finite, materialize, namespace
from logistic_neuron.neuron.backend import overflow_checked_by_caller as quiet
from logistic_neuron.neuron.costs import CostLog
from logistic_neuron.neuron.early_stopping import KeepBest
from logistic_neuron.neuron.learning_rate_decay import decayed_learning_rate
from logistic_neuron.neuron.minibatches import (
    batch_indices,
    generator_from_state,
    generator_state,
    make_generator,
    take_columns,
)
from logistic_neuron.neuron.optimization import (
    OptimizationResult,
    Progress,
    check_divergence,
    check_run_settings,
)
from logistic_neuron.neuron.optimizers import OptimizerState, initial_state, step
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.propagation import (
    Gradients,
    cost_from_logits,
    gradients_from_activations,
    linear,
    validate_problem,
)
from logistic_neuron.neuron.regularization import l2_cost, l2_gradients
from logistic_neuron.neuron.training_options import PLAIN, TrainingOptions


@dataclass(frozen=True, eq=False)
class DescentState:
    """A run of :func:`descend` after ``iteration`` epochs: enough to resume it exactly.

    Attributes
    ----------
    iteration : int
    w : array, shape (n_x, 1)
    b : float
    costs : sequence of float
        A read-only view (:class:`~logistic_neuron.neuron.costs.CostSnapshot`).
    optimizer : OptimizerState
        Moments and step count of the update rule.
    generator : dict or None
        State of the shuffling generator (None with full batches).
    validation : KeepBest or None
        Validation history and best parameters (None without validation).
    stopped : bool
        True when early stopping ended the run here.
    dual : bool
        True for a state of the dual engine
        (:mod:`logistic_neuron.engines.dual_descent`): then ``w``, the
        velocity ``optimizer.v_w`` and the best parameters ``validation.w`` are
        coefficients over the training examples (shape (m,), ``w = X α``).
    """

    iteration: int
    w: Array
    b: float
    costs: Sequence[float]
    optimizer: OptimizerState
    generator: dict[str, Any] | None
    validation: KeepBest | None
    stopped: bool = False
    dual: bool = False


#: What :class:`DescentResult` adds to an optimisation result, with defaults.
DESCENT_EXTRAS: dict[str, Any] = {
    "options": PLAIN,
    "iterations_run": 0,
    "stopped_early": False,
    "validation": None,
    "best_iteration": None,
    "converged": True,
    "train_indices": None,
    "validation_indices": None,
}


class DescentResult(OptimizationResult):
    """:class:`~logistic_neuron.neuron.optimization.OptimizationResult` (the
    course's ``(params, grads, costs)`` tuple) plus what the general loop adds.

    Attributes
    ----------
    options : TrainingOptions
    iterations_run : int
        Epochs actually run (fewer than ``num_iterations`` after early stopping).
    stopped_early : bool
    validation : KeepBest or None
        Validation costs, accuracies, and the best iteration.
    best_iteration : int or None
        The iteration whose parameters ``w``, ``b`` are, when keep-best chose them.
    converged : bool
        False when L-BFGS hit its iteration limit first (always True for descent).
    train_indices, validation_indices : ndarray of int or None
        Which columns of the caller's data were trained on and which held out
        for validation (set by :func:`logistic_neuron.engines.general.fit_general`).
    """

    options: TrainingOptions
    iterations_run: int
    stopped_early: bool
    validation: KeepBest | None
    best_iteration: int | None
    converged: bool
    train_indices: Any
    validation_indices: Any

    def __new__(
        cls,
        w: Array,
        b: float,
        gradients: Gradients,
        costs: Any,
        learning_rate: float,
        num_iterations: int,
        record_every: int = 100,
        **extras: Any,
    ) -> DescentResult:
        unknown = set(extras) - set(DESCENT_EXTRAS)
        if unknown:
            raise TypeError(f"unknown DescentResult fields: {', '.join(sorted(unknown))}")
        self = cast(
            DescentResult,
            super().__new__(
                cls, w, b, gradients, costs, learning_rate, num_iterations, record_every
            ),
        )
        for name, default in DESCENT_EXTRAS.items():
            object.__setattr__(self, name, extras.get(name, default))
        return self

    def extras(self) -> dict[str, Any]:
        """The added fields, by name."""
        return {name: getattr(self, name) for name in DESCENT_EXTRAS}

    def replaced(self, **changes: Any) -> DescentResult:
        """A copy with some added fields changed."""
        return DescentResult(
            self.w,
            self.b,
            self.gradients,
            self.costs,
            self.learning_rate,
            self.num_iterations,
            self.record_every,
            **{**self.extras(), **changes},
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.w, self.b, self.gradients, self.costs, self.learning_rate,
                           self.num_iterations, self.record_every, self.extras()))  # fmt: skip


def _rebuild(*args: Any) -> DescentResult:
    *fields, extras = args
    return DescentResult(*fields, **extras)


def regularized_cost(w: Array, Z: Array, Y: Array, lambd: float) -> float:
    """Cross-entropy from ``Z`` plus the L2 penalty of ``w``."""
    return cost_from_logits(Z, Y) + l2_cost(w, lambd, Z.shape[-1])


def _evaluate(w: Array, b: float, X: Array, Y: Array) -> tuple[float, float]:
    """Validation cost (no penalty: it measures fit, not the objective) and accuracy."""
    with quiet(namespace(X)):
        Z = linear(w, b, X)
    return cost_from_logits(Z, Y), accuracy(predict(w, b, X), Y)


def descend(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
    *,
    options: TrainingOptions = PLAIN,
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    X_val: Array | None = None,
    Y_val: Array | None = None,
    resume: DescentState | None = None,
    detect_divergence: bool = True,
) -> DescentResult:
    """Train ``w`` and ``b`` with ``options`` (see the module's documentation).

    Parameters
    ----------
    w : array, shape (n_x, 1)
        Starting weights (ignored when resuming).
    b : float
    X : array, shape (n_x, m)
        Training examples, one per column, float dtype of ``w``.
    Y : array, shape (1, m)
    num_iterations : int
        Epochs.
    learning_rate : float
        ``alpha_0``, before decay.
    print_cost : bool
        Print ``Cost after iteration i: c`` at each recorded cost.
    options : TrainingOptions, keyword-only
        Checked here; ``solver`` must be ``"descent"``.
    record_every : int, keyword-only
    callback : callable, keyword-only
        Called with a :class:`Progress` (its ``state`` a :class:`DescentState`)
        after every epoch.
    X_val, Y_val : arrays, shapes (n_x, m_val) and (1, m_val), keyword-only
        Validation examples, for keep-best and early stopping.
    resume : DescentState, keyword-only
        Continue a run from its state; the result is bit for bit the one of
        the uninterrupted run.
    detect_divergence : bool, keyword-only

    Returns
    -------
    DescentResult

    Raises
    ------
    ValueError
        For invalid inputs or settings.
    TrainingDivergedError
        When the cost diverges.
    """
    options = options.checked()
    if options.solver != "descent":
        raise ValueError("descend runs the descent solver; use fit(..., solver='lbfgs')")
    if resume is not None:
        if resume.dual:
            raise ValueError(
                "this run's saved state holds dual coefficients: resume it with the engine it "
                "started with (dual)"
            )
        w, b = resume.w, resume.b
    b, Y = validate_problem(w, b, X, Y)
    has_validation = X_val is not None and Y_val is not None
    if has_validation:
        assert X_val is not None and Y_val is not None
        _, Y_val = validate_problem(w, b, X_val, Y_val)
    start = 0 if resume is None else resume.iteration
    previous = () if resume is None else resume.costs
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start, previous
    )
    xp = namespace(w, X)
    m = X.shape[1]
    settings = options.optimizer_settings()
    costs = CostLog(previous)  # amortised O(1) per record; callbacks get O(1) views
    if resume is None:
        state = initial_state(settings, w)
        rng = make_generator(options.seed) if options.batch_size is not None else None
        validation = KeepBest(options.monitor) if has_validation else None
    else:
        state = resume.optimizer
        rng = generator_from_state(resume.generator) if resume.generator is not None else None
        validation = resume.validation
    grads = Gradients(dw=w, db=0.0)
    stopped = False
    iteration = start
    for i in range(start, num_iterations):
        iteration = i
        with quiet(xp):
            if i % record_every == 0:
                Z = linear(w, b, X)
                cost = regularized_cost(w, Z, Y, options.lambd) if all_finite(xp, Z) else math.inf
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {i}: {cost:f}")
                if detect_divergence or not math.isfinite(cost):
                    check_divergence(costs, i, learning_rate)
                if validation is not None:
                    assert X_val is not None and Y_val is not None
                    validation = validation.update(i, *_evaluate(w, b, X_val, Y_val), w, b)
                    if validation.should_stop(options.patience):
                        stopped = True
                        break
            rate = decayed_learning_rate(
                learning_rate, i, options.decay_rate, options.decay_interval
            )
            for index in batch_indices(m, options.batch_size, rng):
                full = len(index) == m and options.batch_size is None
                X_batch = X if full else take_columns(X, index)
                Y_batch = Y if full else take_columns(Y, index)
                Z = linear(w, b, X_batch)
                if not all_finite(xp, Z):
                    # The weights overflowed: nothing after this would be meaningful.
                    check_divergence([*costs, math.inf], i, learning_rate)
                grads = gradients_from_activations(sigmoid(Z), X_batch, Y_batch)
                grads = l2_gradients(grads, w, options.lambd, m)
                w, b, state = step(settings, state, w, b, grads, rate)
                w = materialize(w)
        iteration = i + 1
        if callback is not None:
            callback(
                Progress(
                    i + 1,
                    num_iterations,
                    w,
                    b,
                    costs.snapshot(),
                    DescentState(
                        i + 1,
                        w,
                        b,
                        costs.snapshot(),
                        state,
                        generator_state(rng) if rng is not None else None,
                        validation,
                    ),
                )
            )
    if not (math.isfinite(b) and all_finite(xp, w)):
        check_divergence([*costs, math.inf], iteration, learning_rate)
    if validation is not None and not stopped:
        # One last evaluation, of the final parameters, unless it was just made.
        if not validation.iterations or validation.iterations[-1] != iteration:
            assert X_val is not None and Y_val is not None
            validation = validation.update(iteration, *_evaluate(w, b, X_val, Y_val), w, b)
    return finished_run(
        w, b, grads, costs, learning_rate, num_iterations, record_every, options, iteration,
        stopped, validation,
    )  # fmt: skip


def finished_run(
    w: Array,
    b: float,
    grads: Gradients,
    costs: Sequence[float],
    learning_rate: float,
    num_iterations: int,
    record_every: int,
    options: TrainingOptions,
    iterations_run: int,
    stopped_early: bool,
    validation: KeepBest | None,
) -> DescentResult:
    """The result of a descent run (any engine): keep-best applied to the last ``w``, ``b``.

    ``validation.w`` must be weights (shape of ``w``): with ``keep_best`` and a
    best evaluation, the result holds its parameters and says which iteration
    they come from.
    """
    best_iteration = None
    if validation is not None and options.keep_best and validation.w is not None:
        w, b = validation.w, validation.b
        best_iteration = validation.best_iteration
    return DescentResult(
        w=w,
        b=b,
        gradients=grads,
        costs=tuple(costs),
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        record_every=record_every,
        options=options,
        iterations_run=iterations_run,
        stopped_early=stopped_early,
        validation=validation,
        best_iteration=best_iteration,
    )
