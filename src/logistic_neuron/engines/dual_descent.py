r"""The dual engine beyond plain gd: momentum, L2, mini-batches, decay, validation.

:mod:`~logistic_neuron.engines.dual` runs the course's plain gradient descent on
the coefficients ``α`` of ``w = X α``. This module runs the general loop of
:func:`~logistic_neuron.neuron.descent.descend` the same way, for every option
that keeps ``w`` in the span of the training examples:

* a mini-batch ``B`` has the gradient ``X_B dZ_B^T / |B|``: a combination of
  the columns in ``B``, so in the dual it is the vector ``g`` that holds
  ``dZ_B / |B|`` at the positions of ``B`` and zeros elsewhere; its logits are
  ``Z_B = K[B, :] α + b`` (``|B| m`` work, ``m²`` per epoch);
* L2 adds :math:`\frac{\lambda}{m} w = X (\frac{\lambda}{m} α)` to ``dw``, so
  ``g`` gets :math:`\frac{\lambda}{m} α`, and the penalty
  :math:`\frac{\lambda}{2m} |w|^2` is :math:`\frac{\lambda}{2m} α^T K α`, from
  the ``K α`` the cost needs anyway;
* gd and momentum are *linear* in the gradient, with the same scalars for every
  coordinate: the course's rule applied to ``(w, dw) = (X α, X g)`` equals ``X``
  times the rule applied to ``(α, g)``, and momentum's velocity ``v = X ν``. So
  the engine calls the course's own update
  (:func:`~logistic_neuron.neuron.optimizers.step`) on ``(α, g)``; no update
  rule is written twice;
* learning-rate decay only changes a scalar;
* validation logits are ``K_val^T α + b`` with ``K_val = X^T X_val``
  (``m m_val`` once), and keep-best keeps the best ``α``.

RMSprop and Adam divide each coordinate of ``dw`` by its own root mean square:
the result is no longer a combination of the examples, so they run on the
primal path (:mod:`~logistic_neuron.engines.general`). L-BFGS has its own module.

The iterates are those of :func:`~logistic_neuron.neuron.descent.descend`
(same shuffles from the same seed, same recorded costs and validation
decisions), within rounding; the ``α`` iterations run in float64 as in
:mod:`~logistic_neuron.engines.dual`. The callback receives a
:class:`~logistic_neuron.neuron.descent.DescentState` with ``dual=True``: its
``w``, velocity and best parameters are coefficients over the training
examples, which checkpoints store so that a resumed run is bit for bit the
uninterrupted one.

Written by hand for the same reason as the dual engine: no library runs the
course's optimisers in the dual with its recording, validation and exact resume.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from logistic_neuron.engines.dual import (
    DualProblem,
    DualProgress,
    check_dual_inputs,
    cross_gram,
    logit_cost,
    sigmoid_minus_labels,
    times_alpha,
)
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.costs import CostLog
from logistic_neuron.neuron.descent import DescentResult, DescentState, finished_run
from logistic_neuron.neuron.early_stopping import KeepBest
from logistic_neuron.neuron.learning_rate_decay import decayed_learning_rate
from logistic_neuron.neuron.minibatches import (
    batch_indices,
    generator_from_state,
    generator_state,
    make_generator,
)
from logistic_neuron.neuron.optimization import Progress, check_divergence, check_run_settings
from logistic_neuron.neuron.optimizers import initial_state, step
from logistic_neuron.neuron.prediction import THRESHOLD, accuracy
from logistic_neuron.neuron.propagation import Gradients
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.neuron.validation import check_bias

#: The update rules that keep ``w`` in the span of the examples (linear in the gradient).
DUAL_OPTIMIZERS = ("gd", "momentum")


def keeps_span(options: TrainingOptions) -> bool:
    """True when the dual engine can run ``options`` exactly (descent with gd or momentum)."""
    return options.solver == "descent" and options.optimizer in DUAL_OPTIMIZERS


def check_dual_options(options: TrainingOptions) -> TrainingOptions:
    """``options`` checked; a one-line ``ValueError`` when they leave the span."""
    options = options.checked()
    if options.solver != "descent":
        raise ValueError(
            f"engine 'dual' runs gradient descent; solver {options.solver!r} chooses its own "
            "steps: use engine 'auto'"
        )
    if options.optimizer not in DUAL_OPTIMIZERS:
        raise ValueError(
            f"engine 'dual' keeps w a combination of the examples, which optimizer "
            f"{options.optimizer!r} does not (it scales each weight on its own); "
            "use engine 'auto' or 'reference'"
        )
    return options


def _evaluate(z_val: Any, y_val: Any) -> tuple[float, float]:
    """Validation cost (no penalty) and accuracy from the logits, as the primal loop scores."""
    predictions = (sigmoid(z_val) > THRESHOLD).astype(np.float64)
    return logit_cost(z_val, y_val), accuracy(predictions.reshape(1, -1), y_val.reshape(1, -1))


def fit_dual_descent(
    X: Any,
    Y: Any,
    *,
    options: TrainingOptions,
    num_iterations: int,
    learning_rate: float,
    dtype: str,
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    print_cost: bool = False,
    b: float = 0.0,
    X_val: Any | None = None,
    Y_val: Any | None = None,
    resume: DescentState | None = None,
    gram: Any | None = None,
) -> DescentResult:
    """Run :func:`~logistic_neuron.neuron.descent.descend` in the dual (see the module).

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
        Training examples: uint8 pixels (scaled by 1/255) or floats.
    Y : ndarray, shape (1, m)
    options : TrainingOptions
        Must keep the span (:func:`keeps_span`).
    num_iterations, learning_rate, dtype, record_every, callback, print_cost
        As for ``descend``; ``dtype`` is that of the weights formed from ``α``.
    b : float
        Starting bias (the weights start at zero).
    X_val, Y_val : ndarrays, shapes (n_x, m_val) and (1, m_val), optional
        Validation examples (same kind of features as ``X``).
    resume : DescentState, optional
        A state this engine passed to its callback (``dual=True``).
    gram : ndarray, shape (m, m), optional
        A precomputed Gram matrix of ``X``.

    Returns
    -------
    DescentResult
        In primal form: ``w`` (n_x, 1) in ``dtype``, and the validation
        history's best parameters as weights.
    """
    options = check_dual_options(options)
    if resume is not None and not resume.dual:
        raise ValueError(
            "this run's saved state holds weights, not dual coefficients: resume it with the "
            "engine it started with (reference)"
        )
    check_dual_inputs(X, Y, None if resume is None else np.asarray(resume.w))
    n_x, m = X.shape
    np.dtype(dtype)  # an unknown dtype fails here, before any work
    has_validation = X_val is not None and Y_val is not None
    if has_validation:
        check_dual_inputs(X_val, Y_val, None)
    start = 0 if resume is None else resume.iteration
    previous = () if resume is None else resume.costs
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start, previous
    )
    problem = DualProblem(X, dtype, gram)
    K = problem.gram
    y = np.asarray(Y, dtype=np.float64).reshape(m)
    half_minus_y = 0.5 - y
    K_val = y_val = None
    if has_validation:
        K_val = cross_gram(X, X_val)
        y_val = np.asarray(Y_val, dtype=np.float64).reshape(-1)
    settings = options.optimizer_settings()
    lambd = options.lambd
    costs = CostLog(previous)
    if resume is None:
        alpha = np.zeros(m, dtype=np.float64)
        b = check_bias(b)
        state = initial_state(settings, alpha)
        rng = make_generator(options.seed) if options.batch_size is not None else None
        validation = KeepBest(options.monitor) if has_validation else None
    else:
        alpha = np.array(np.asarray(resume.w).reshape(m), dtype=np.float64)
        b = check_bias(resume.b)
        state = resume.optimizer
        if state.v_w is not None and np.shape(state.v_w) != (m,):
            raise ValueError(f"the saved velocity must hold {m} dual coefficients")
        rng = generator_from_state(resume.generator) if resume.generator is not None else None
        validation = resume.validation
    last_g = None
    db = 0.0
    stopped = False
    iteration = start
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(start, num_iterations):
            iteration = i
            k_alpha = None
            if i % record_every == 0:
                k_alpha = K @ alpha
                z = k_alpha + b
                finite = bool(np.isfinite(z).all())
                cost = math.inf
                if finite:
                    # |w|² = αᵀ K α, from the K α the logits need anyway.
                    penalty = lambd / (2 * m) * float(alpha @ k_alpha) if lambd else 0.0
                    cost = logit_cost(z, y) + penalty
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {i}: {cost:f}")
                check_divergence(costs, i, learning_rate)
                if validation is not None:
                    assert K_val is not None and y_val is not None
                    z_val = K_val.T @ alpha + b
                    validation = validation.update(i, *_evaluate(z_val, y_val), alpha, b)
                    if validation.should_stop(options.patience):
                        stopped = True
                        break
            rate = decayed_learning_rate(
                learning_rate, i, options.decay_rate, options.decay_interval
            )
            for index in batch_indices(m, options.batch_size, rng):
                size = len(index)
                full = size == m  # one batch of all examples, in order
                if full:
                    z_batch = (K @ alpha if k_alpha is None else k_alpha) + b
                    half_minus_y_batch = half_minus_y
                else:
                    z_batch = K[index] @ alpha + b
                    half_minus_y_batch = half_minus_y[index]
                if not np.isfinite(z_batch).all():
                    # The coefficients overflowed: nothing after this would be meaningful.
                    check_divergence([*costs, math.inf], i, learning_rate)
                dz = sigmoid_minus_labels(z_batch, half_minus_y_batch, np.empty(size))
                # The batch's gradient X_B dZ_B / |B| (+ (λ/m) w), as coefficients.
                g = (lambd / m) * alpha if lambd else np.zeros(m)
                if full:
                    g += (1 / size) * dz
                else:
                    g[index] += (1 / size) * dz
                db = (1 / size) * float(dz.sum())
                alpha, b, state = step(settings, state, alpha, b, Gradients(dw=g, db=db), rate)
                last_g = g
                k_alpha = None
            iteration = i + 1
            if callback is not None:
                snapshot = costs.snapshot()
                saved = DescentState(
                    i + 1,
                    alpha,
                    b,
                    snapshot,
                    state,
                    generator_state(rng) if rng is not None else None,
                    validation,
                    dual=True,
                )
                callback(DualProgress(i + 1, num_iterations, b, snapshot, alpha, problem, saved))
    weights = problem.weights(alpha)
    if not (math.isfinite(b) and bool(np.isfinite(weights).all())):
        check_divergence([*costs, math.inf], iteration, learning_rate)
    if validation is not None and not stopped:
        # One last evaluation, of the final parameters, unless it was just made.
        if not validation.iterations or validation.iterations[-1] != iteration:
            assert K_val is not None and y_val is not None
            z_val = K_val.T @ alpha + b
            validation = validation.update(iteration, *_evaluate(z_val, y_val), alpha, b)
    if validation is not None and validation.w is not None:
        # Back to the primal: the kept parameters are weights, like every engine's.
        validation = replace(validation, w=problem.weights(validation.w))
    dw = times_alpha(X, np.zeros(m) if last_g is None else last_g, dtype).reshape(n_x, 1)
    return finished_run(
        weights, b, Gradients(dw=dw, db=db), costs, learning_rate, num_iterations,
        record_every, options, iteration, stopped, validation,
    )  # fmt: skip
