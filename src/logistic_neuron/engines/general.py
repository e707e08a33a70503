"""Training beyond plain gradient descent: the validation split, then the engine that runs it.

:func:`fit_general` runs what :class:`~logistic_neuron.neuron.training_options.TrainingOptions`
asks: it holds out the validation split (stratified and seeded, from the
training data only; the test set is never looked at), then runs one of:

* the dual engine (:mod:`~logistic_neuron.engines.dual_descent`) for gd and
  momentum with any L2, mini-batches, decay and early stopping, when
  :func:`~logistic_neuron.engines.resolver.general_engine` chooses it: it
  reads the raw features (uint8 pixels stay uint8);
* the general descent loop (:func:`~logistic_neuron.neuron.descent.descend`:
  every optimiser, on the primal parameters ``(w, b)`` with the reference
  Array API code, on every backend);
* L-BFGS (:func:`~logistic_neuron.neuron.lbfgs.minimize_lbfgs`).

The one-pass engines only implement plain full-batch gradient descent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import Array, namespace, np, to_numpy
from logistic_neuron.neuron.descent import DescentResult, DescentState, descend
from logistic_neuron.neuron.early_stopping import KeepBest
from logistic_neuron.neuron.lbfgs import minimize_lbfgs
from logistic_neuron.neuron.minibatches import take_columns
from logistic_neuron.neuron.optimization import Progress
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.propagation import (
    cost_from_logits,
    initialize_with_zeros,
    labels_like,
    linear,
)
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.neuron.validation_split import stratified_indices


def validation_split(Y: Array, options: TrainingOptions) -> tuple[Any, Any]:
    """Column indices ``(train, validation)`` of the options' validation split.

    Raises
    ------
    DataError
        When the data is too small to hold anything out.
    """
    labels = to_numpy(Y).reshape(-1)
    m = labels.shape[0]
    if not options.has_validation:
        return np.arange(m, dtype=np.int64), np.arange(0, dtype=np.int64)
    kept, held = stratified_indices(labels, options.validation_fraction, options.seed)
    if held.shape[0] == 0:
        raise DataError(
            f"too few training examples ({m}) to hold out a validation split; "
            "drop validation_fraction or give more data"
        )
    return kept, held


def fit_general(
    X: Array,
    Y: Array,
    *,
    options: TrainingOptions,
    num_iterations: int,
    learning_rate: float,
    dtype: str,
    as_features: Callable[[Array, str], Array],
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    print_cost: bool = False,
    w: Array | None = None,
    b: float = 0.0,
    resume: DescentState | None = None,
    dual: bool = False,
    gram: Any | None = None,
) -> DescentResult:
    """Train with ``options`` (see the module's documentation).

    Parameters
    ----------
    X : array, shape (n_x, m)
        Floats, or uint8 pixels (scaled by 1/255 through ``as_features``).
    Y : array, shape (1, m)
    options : TrainingOptions
    num_iterations : int
        Epochs for descent; the iteration limit (``max_iter``) for L-BFGS.
    learning_rate : float
        Descent only.
    dtype : {"float64", "float32"}
    as_features : callable
        ``(X, dtype) -> float features`` (the resolver's conversion).
    record_every, callback, print_cost
        As for :func:`~logistic_neuron.neuron.descent.descend`.
    w, b : starting parameters (zeros when ``w`` is None)
    resume : DescentState
        To continue an interrupted descent run bit for bit.
    dual : bool
        Run descent on the dual engine (the options must keep the span; the
        weights must start at zero).
    gram : ndarray, shape (m, m), optional
        For the dual engine: the Gram matrix of all of ``X`` (the split's
        blocks are taken from it).

    Returns
    -------
    DescentResult
        With ``train_indices`` and ``validation_indices`` set.
    """
    options = options.checked()
    train_idx, val_idx = validation_split(Y, options)
    if dual:
        result = _fit_dual(
            X, Y, train_idx, val_idx, options, num_iterations, learning_rate, dtype,
            record_every, callback, print_cost, w, b, resume, gram,
        )  # fmt: skip
        return result.replaced(train_indices=train_idx, validation_indices=val_idx)
    if options.has_validation:
        X_train, Y_train = take_columns(X, train_idx), take_columns(Y, train_idx)
        X_val = as_features(take_columns(X, val_idx), dtype)
        Y_val = take_columns(Y, val_idx)
    else:
        X_train, Y_train, X_val, Y_val = X, Y, None, None
    features = as_features(X_train, dtype)
    if w is None:
        w, b = initialize_with_zeros(features.shape[0], dtype=dtype, xp=namespace(features))
    if options.solver == "lbfgs":
        result = _fit_lbfgs(
            w, b, features, Y_train, X_val, Y_val, options, num_iterations, learning_rate
        )
    else:
        result = descend(
            w,
            b,
            features,
            Y_train,
            num_iterations,
            learning_rate,
            print_cost,
            options=options,
            record_every=record_every,
            callback=callback,
            X_val=X_val,
            Y_val=Y_val,
            resume=resume,
        )
    return result.replaced(train_indices=train_idx, validation_indices=val_idx)


def _fit_dual(
    X: Array,
    Y: Array,
    train_idx: Any,
    val_idx: Any,
    options: TrainingOptions,
    num_iterations: int,
    learning_rate: float,
    dtype: str,
    record_every: int,
    callback: Callable[[Progress], None] | None,
    print_cost: bool,
    w: Array | None,
    b: float,
    resume: DescentState | None,
    gram: Any | None,
) -> DescentResult:
    """Descent on the dual engine, over the split's raw columns."""
    from logistic_neuron.engines.dual import check_zero_start
    from logistic_neuron.engines.dual_descent import fit_dual_descent

    if resume is None:
        check_zero_start(w, X.shape[0])
    X_val = Y_val = None
    X_train, Y_train = X, Y
    if options.has_validation:
        X_train, Y_train = take_columns(X, train_idx), take_columns(Y, train_idx)
        X_val, Y_val = take_columns(X, val_idx), take_columns(Y, val_idx)
        if gram is not None:
            gram = np.asarray(gram)[np.ix_(train_idx, train_idx)]
    return fit_dual_descent(
        X_train,
        Y_train,
        options=options,
        num_iterations=num_iterations,
        learning_rate=learning_rate,
        dtype=dtype,
        record_every=record_every,
        callback=callback,
        print_cost=print_cost,
        b=b,
        X_val=X_val,
        Y_val=Y_val,
        resume=resume,
        gram=gram,
    )


def _fit_lbfgs(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    X_val: Array | None,
    Y_val: Array | None,
    options: TrainingOptions,
    max_iter: int,
    learning_rate: float,
) -> DescentResult:
    outcome = minimize_lbfgs(w, b, X, Y, lambd=options.lambd, max_iter=max_iter, tol=options.tol)
    validation = None
    if X_val is not None and Y_val is not None:
        # L-BFGS has no iterations worth comparing: the validation set scores the optimum.
        cost = cost_from_logits(linear(outcome.w, outcome.b, X_val), labels_like(Y_val, X_val))
        score = accuracy(predict(outcome.w, outcome.b, X_val), Y_val)
        validation = KeepBest(options.monitor).update(
            outcome.n_iter, cost, score, outcome.w, outcome.b
        )
    return DescentResult(
        w=outcome.w,
        b=outcome.b,
        gradients=outcome.gradients,
        costs=outcome.costs,
        learning_rate=learning_rate,
        # The start and every iteration are recorded: up to max_iter + 1 costs.
        num_iterations=max(max_iter, len(outcome.costs)),
        record_every=1,
        options=options,
        iterations_run=outcome.n_iter,
        validation=validation,
        converged=outcome.converged,
    )
