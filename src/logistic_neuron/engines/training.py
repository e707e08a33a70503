"""The course's ``model()``: train on one set, measure on another.

It trains through :func:`logistic_neuron.engines.resolver.fit` with
``engine="auto"``, so the course's classic run (209 examples of 12,288
features) runs on the dual engine and prints the course's costs, while other
array libraries (PyTorch, ``array_api_strict`` ...) run the reference code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from logistic_neuron.engines.resolver import fit
from logistic_neuron.neuron.backend import Array, dtype_name
from logistic_neuron.neuron.containers import AttributeDict
from logistic_neuron.neuron.descent import DescentResult
from logistic_neuron.neuron.optimization import Progress
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.neuron.validation import (
    as_label_row,
    check_features,
    check_labels,
    check_same_library,
)


class ModelResult(AttributeDict):
    """Everything :func:`model` learned and measured: the course's dict ``d``.

    A real ``dict`` with the course's keys (``d["costs"]``, ``d["w"]`` ...) and
    our extras; every key is also an attribute (``d.costs``, ``d.train_accuracy``).

    Keys
    ----
    costs : list of float
        Cost every ``record_every`` iterations, iteration 0 included.
    Y_prediction_test : array, shape (1, m_test)
    Y_prediction_train : array, shape (1, m_train)
    w : array, shape (n_x, 1)
    b : float
    learning_rate : float
    num_iterations : int
    train_accuracy : float
        Percent, as the course computes it (an extra).
    test_accuracy : float
        Percent (an extra).
    record_every : int
        (an extra)
    training : DescentResult
        Only for runs with options beyond plain gradient descent (an extra):
        the options, validation history, best iteration, iterations run.
    """

    __slots__ = ()

    def __init__(
        self,
        *,
        costs: Sequence[float],
        Y_prediction_test: Array,
        Y_prediction_train: Array,
        w: Array,
        b: float,
        learning_rate: float,
        num_iterations: int,
        train_accuracy: float,
        test_accuracy: float,
        record_every: int = 100,
        training: DescentResult | None = None,
    ) -> None:
        super().__init__(
            costs=list(costs),
            Y_prediction_test=Y_prediction_test,
            Y_prediction_train=Y_prediction_train,
            w=w,
            b=b,
            learning_rate=learning_rate,
            num_iterations=num_iterations,
            train_accuracy=train_accuracy,
            test_accuracy=test_accuracy,
            record_every=record_every,
        )
        if training is not None:
            self["training"] = training


def model(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    num_iterations: int = 2000,
    learning_rate: float = 0.5,
    print_cost: bool = False,
    *,
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    engine: str = "auto",
    **options: Any,
) -> ModelResult:
    """Build, train and evaluate the logistic-regression neuron.

    Parameters
    ----------
    X_train : array, shape (n_x, m_train)
    Y_train : array, shape (1, m_train) (or (m_train,))
    X_test : array, shape (n_x, m_test)
    Y_test : array, shape (1, m_test) (or (m_test,))
    num_iterations : int
    learning_rate : float
    print_cost : bool
        Print the cost every 100 iterations and the two accuracies, as the course does.
    record_every : int, keyword-only
    callback : callable, keyword-only
        Called with a :class:`~logistic_neuron.neuron.optimization.Progress`
        after every iteration.
    engine : str, keyword-only
        As for :func:`logistic_neuron.engines.resolver.fit`; ``"auto"`` picks by
        the cost model (the dual engine for the classic run).
    **options : keyword-only
        Anything of :class:`~logistic_neuron.neuron.training_options.TrainingOptions`:
        ``optimizer`` ("gd", "momentum", "rmsprop", "adam"), ``beta1``,
        ``beta2``, ``epsilon``, ``batch_size``, ``lambd``, ``decay_rate``,
        ``decay_interval``, ``seed``, ``validation_fraction``, ``patience``,
        ``monitor``, ``keep_best``, ``solver`` ("descent", "lbfgs"), ``tol``.
        Such runs go through :mod:`logistic_neuron.engines.general` (gd and
        momentum on the dual engine where ``"auto"`` picks it, the others on the
        primal path);
        the validation split comes out of ``X_train``, and ``X_test`` is never
        looked at while training.

    Returns
    -------
    ModelResult
        The course's dict ``d`` (``d["costs"]`` a list, ``d["w"]``,
        ``d["Y_prediction_test"]`` ...) plus the accuracies; keys are also
        attributes (``d.train_accuracy``).
    """
    check_same_library(X_train=X_train, Y_train=Y_train, X_test=X_test, Y_test=Y_test)
    check_features(X_train, "X_train")
    check_features(X_test, "X_test")
    # The course's published test passes Y_test of shape (m,): read it as a row.
    Y_train = as_label_row(Y_train, X_train.shape[1])
    Y_test = as_label_row(Y_test, X_test.shape[1])
    check_labels(Y_train, X_train.shape[1], "Y_train")
    check_labels(Y_test, X_test.shape[1], "Y_test")
    if X_test.shape[0] != X_train.shape[0]:
        raise ValueError(
            f"X_test has {X_test.shape[0]} features but X_train has {X_train.shape[0]}: "
            "both must come from images of the same size"
        )
    try:
        settings = TrainingOptions(**options).checked()
    except TypeError:
        unknown = sorted(set(options) - set(TrainingOptions.__dataclass_fields__))
        raise ValueError(
            f"model() got unknown keyword arguments {', '.join(unknown)}; see "
            "help(TrainingOptions) for the training options"
        ) from None
    result = fit(
        X_train,
        Y_train,
        num_iterations=num_iterations,
        learning_rate=learning_rate,
        dtype=dtype_name(X_train),
        engine=engine,
        record_every=record_every,
        callback=callback,
        print_cost=print_cost,
        options=settings,
    )
    Y_prediction_train = predict(result.w, result.b, X_train)
    Y_prediction_test = predict(result.w, result.b, X_test)
    train_accuracy = accuracy(Y_prediction_train, Y_train)
    test_accuracy = accuracy(Y_prediction_test, Y_test)
    if print_cost:
        print(f"train accuracy: {train_accuracy} %")
        print(f"test accuracy: {test_accuracy} %")
    return ModelResult(
        costs=result.costs,
        Y_prediction_test=Y_prediction_test,
        Y_prediction_train=Y_prediction_train,
        w=result.w,
        b=result.b,
        learning_rate=result.learning_rate,
        num_iterations=result.num_iterations,
        train_accuracy=train_accuracy,
        test_accuracy=test_accuracy,
        record_every=result.record_every,
        training=result if isinstance(result, DescentResult) else None,
    )
