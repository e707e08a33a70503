"""The scikit-learn door: :class:`LogisticNeuronClassifier`.

It takes data the scikit-learn way, one example per *row* (``X`` of shape
``(n_samples, n_features)``, ``y`` of shape ``(n_samples,)``), validates it with
scikit-learn's own ``validate_data`` (so errors read as scikit-learn's do), and
trains exactly the course's neuron on the transposed, column-per-example layout
through :func:`logistic_neuron.engines.resolver.fit`. It is a real scikit-learn
estimator (``ClassifierMixin`` + ``BaseEstimator``): it works in ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``clone`` and pickle, and passes
``sklearn.utils.estimator_checks.check_estimator``.

scikit-learn is imported here and only here; ``import logistic_neuron`` loads
this module lazily, on first use of the class, so the package and the command
line start without it.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from logistic_neuron.engines.resolver import ENGINES, engine_that_runs, fit, resolve_engine
from logistic_neuron.engines.step_size import auto_learning_rate
from logistic_neuron.neuron.activation import sigmoid, softplus
from logistic_neuron.neuron.backend import FLOAT_DTYPE_NAMES, np
from logistic_neuron.neuron.descent import DescentResult
from logistic_neuron.neuron.propagation import linear
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.storage.model_file import (
    DataRecord,
    TrainedModel,
    load_model,
    run_record,
    save_model,
)
from logistic_neuron.storage.schema import MAX_IMAGE_SIDE


class LogisticNeuronClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression as a neural network, trained by batch gradient descent.

    The course's single sigmoid neuron, ``p = sigmoid(X w + b)``, trained on
    the cross-entropy cost by ``num_iterations`` steps of gradient descent from
    zeros. Binary only: ``y`` holds two classes, the larger (in sorted order) is
    the positive one, as in scikit-learn.

    uint8 features are read as pixels and scaled by 1/255 (as the course does),
    at fit and at predict time; every other numeric dtype is used as it is.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        The step size ``alpha``. ``"auto"`` computes it from the training data
        as ``4 m / lambda_max([X, 1]^T [X, 1])`` (an upper bound on that
        eigenvalue when the data are large), which is ``1 / L`` for ``L`` the
        largest curvature of the cost, bias included: with it every step
        lowers the cost, whatever the scale of the features, so training never
        diverges (see :mod:`logistic_neuron.engines.step_size`). The rate used
        is in ``learning_rate_``. The course's functions keep the course's
        explicit rates (``model(..., learning_rate=0.5)``).
    num_iterations : int, default=2000
        Number of gradient steps.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the computation.
    engine : {"auto", "reference", "numba", "numpy-blocked", "dual"}, default="auto"
        How gradient descent runs (:func:`logistic_neuron.engines.resolver.fit`);
        every engine gives the same model within rounding.
    record_every : int, default=100
        Record the cost every this many iterations (in ``costs_``).
    warm_start : bool, default=False
        When True and the estimator is fitted, ``fit`` starts from the current
        ``coef_`` and ``intercept_`` instead of zeros (same classes and features
        required) and runs ``num_iterations`` more steps.
    optimizer, beta1, beta2, epsilon, batch_size, lambd, decay_rate, decay_interval, \
validation_fraction, patience, monitor, keep_best, solver, tol
        The next lessons' training options, as
        :class:`~logistic_neuron.neuron.training_options.TrainingOptions` names
        them: ``optimizer`` in {"gd", "momentum", "rmsprop", "adam"}, mini-batches of
        ``batch_size`` (None: full batches), L2 strength ``lambd`` (``1 / C`` in
        ``LogisticRegression``'s terms), learning-rate decay, a validation split
        of the training rows with keep-best and early stopping, and
        ``solver="lbfgs"`` (SciPy's L-BFGS, stopping at ``tol``). Runs with any
        of them go through the general path (gd and momentum on the dual engine
        when ``engine="auto"`` picks it); all of them work in ``GridSearchCV``.
    random_state : int or None, default=None
        Seed of the mini-batch shuffling and the validation split (None: 0, so
        that two fits give the same model).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive class (label 1).
    coef_ : ndarray of shape (1, n_features)
        The learned ``w``, as a row.
    intercept_ : ndarray of shape (1,)
        The learned ``b``.
    costs_ : list of float
        The cost every ``record_every`` iterations of the last ``fit``, iteration 0 included.
    learning_rate_ : float
        The learning rate used (computed when ``learning_rate="auto"``).
    engine_ : str
        The engine that ran.
    n_iter_ : int
        Iterations run by the last ``fit`` (epochs with mini-batches; fewer than
        ``num_iterations`` after early stopping; L-BFGS's own count).
    best_iteration_ : int or None
        With a validation split and ``keep_best``: the iteration whose
        parameters ``coef_`` and ``intercept_`` are.
    n_samples_fit_ : int
        Number of examples the last ``fit`` saw.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names (a pandas DataFrame).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), LogisticNeuronClassifier()).fit(X, y)
    >>> round(clf.score(X, y), 2)
    0.99
    """

    # Fitted attributes (set by fit, absent before: check_is_fitted looks for them).
    classes_: np.ndarray
    coef_: np.ndarray
    intercept_: np.ndarray
    costs_: list[float]
    learning_rate_: float
    engine_: str
    n_iter_: int
    n_samples_fit_: int
    best_iteration_: int | None

    def __init__(
        self,
        learning_rate: float | str = "auto",
        num_iterations: int = 2000,
        dtype: str = "float64",
        engine: str = "auto",
        record_every: int = 100,
        warm_start: bool = False,
        optimizer: str = "gd",
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        batch_size: int | None = None,
        lambd: float = 0.0,
        decay_rate: float = 0.0,
        decay_interval: int | None = None,
        validation_fraction: float = 0.0,
        patience: int | None = None,
        monitor: str = "cost",
        keep_best: bool = True,
        solver: str = "descent",
        tol: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.dtype = dtype
        self.engine = engine
        self.record_every = record_every
        self.warm_start = warm_start
        self.optimizer = optimizer
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.lambd = lambd
        self.decay_rate = decay_rate
        self.decay_interval = decay_interval
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.monitor = monitor
        self.keep_best = keep_best
        self.solver = solver
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # One neuron, one probability: binary classification only.
        tags.classifier_tags.multi_class = False
        return tags

    # --- checks -------------------------------------------------------------------------------

    def _check_params(self) -> None:
        rate = self.learning_rate
        if not (rate == "auto" if isinstance(rate, str) else _positive_number(rate)):
            raise ValueError(
                f"learning_rate must be 'auto' or a finite number > 0, got {rate!r}; "
                "'auto' picks a rate that never diverges"
            )
        for name in ("num_iterations", "record_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.dtype not in FLOAT_DTYPE_NAMES:
            raise ValueError(
                f"dtype must be one of {', '.join(FLOAT_DTYPE_NAMES)}, got {self.dtype!r}"
            )
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        self._options()

    def _options(self) -> TrainingOptions:
        """The training options of these parameters, checked (one-line ``ValueError``)."""
        seed = 0 if self.random_state is None else self.random_state
        return TrainingOptions(
            optimizer=self.optimizer,
            beta1=self.beta1,
            beta2=self.beta2,
            epsilon=self.epsilon,
            batch_size=self.batch_size,
            lambd=self.lambd,
            decay_rate=self.decay_rate,
            decay_interval=self.decay_interval,
            seed=seed,
            validation_fraction=self.validation_fraction,
            patience=self.patience,
            monitor=self.monitor,
            keep_best=self.keep_best,
            solver=self.solver,
            tol=self.tol,
        ).checked()

    def _validate(self, X: Any, y: Any = "no_validation", *, reset: bool) -> Any:
        """scikit-learn's checks (2-D, finite, not complex, not sparse, n_features), then dtype.

        Returns ``X``, or ``(X, y)`` when ``y`` is given, with ``X`` uint8, float32 or float64.
        """
        checked = validate_data(self, X, y, reset=reset, dtype="numeric", ensure_all_finite=True)
        X, y = checked if isinstance(checked, tuple) else (checked, None)
        if X.dtype not in (np.uint8, np.float32, np.float64):
            X = X.astype(np.float64)
        return X if y is None else (X, y)

    def _features(self, X: Any) -> Any:
        """Validated rows, ``(n_samples, n_features)``, as the fitted model expects them."""
        check_is_fitted(self)
        return self._validate(X, reset=False)

    # --- fitting ------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> LogisticNeuronClassifier:
        """Learn ``w`` and ``b`` from ``X`` (n_samples, n_features) and ``y`` (n_samples,).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers; uint8 is read as pixels and scaled by 1/255.
        y : array-like of shape (n_samples,)
            Two distinct class labels (any type); NaN is refused.

        Returns
        -------
        self
        """
        self._check_params()
        warm = bool(self.warm_start) and hasattr(self, "coef_")
        X, y = self._validate(X, y, reset=not warm)
        check_classification_targets(y)
        target = type_of_target(y, input_name="y", raise_unknown=True)
        if target != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{target}. LogisticNeuronClassifier is one neuron with one probability: "
                "give y exactly two classes (for more, wrap it in "
                "sklearn.multiclass.OneVsRestClassifier)"
            )
        classes = np.unique(y)
        if classes.shape[0] != 2:
            raise ValueError(
                f"y has only one class ({classes[0]!r}); LogisticNeuronClassifier needs "
                "samples of 2 classes"
            )
        if warm:
            if set(classes.tolist()) != set(self.classes_.tolist()):
                raise ValueError(
                    f"warm_start: y has the classes {list(classes)}, the model was fitted on "
                    f"{list(self.classes_)}; fit from scratch with warm_start=False"
                )
            classes = self.classes_  # its order: classes_[1] stays the positive class
        else:
            # What a loaded model file said about its images no longer holds.
            for name in ("image_shape_", "mode_", "made_by_"):
                self.__dict__.pop(name, None)
        features = np.ascontiguousarray(X.T)  # (n_x, m): one example per column
        labels = (y == classes[1]).astype(np.float64).reshape(1, -1)
        rate = (
            auto_learning_rate(features)
            if isinstance(self.learning_rate, str)
            else float(self.learning_rate)
        )
        start: dict[str, Any] = {}
        if warm:
            start = {
                "w": self.coef_.T.astype(self.dtype),
                "b": float(self.intercept_[0]),
            }
        options = self._options()
        engine = resolve_engine(features, self.dtype, self.num_iterations, self.engine)
        if warm and engine == "dual":
            # The dual engine starts from w = X alpha; a warm start is a general w.
            engine = resolve_engine(features, self.dtype, self.num_iterations, "reference")
        result = fit(
            features,
            labels,
            num_iterations=self.num_iterations,
            learning_rate=rate,
            dtype=self.dtype,
            engine=engine,
            record_every=self.record_every,
            options=options,
            **start,
        )
        self.classes_ = classes
        self.coef_ = np.asarray(result.w, dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.array([result.b], dtype=np.float64)
        self.costs_ = list(result.costs)
        self.learning_rate_ = rate
        # "auto" resolved, for runs beyond plain gradient descent too (dual, reference, lbfgs).
        self.engine_ = engine_that_runs(features, self.dtype, self.num_iterations, engine, options)
        general = result if isinstance(result, DescentResult) else None
        self.n_iter_ = result.num_iterations if general is None else general.iterations_run
        self.best_iteration_ = None if general is None else general.best_iteration
        # What the run did (best iteration, validation scores, early stop), for save().
        self._run = run_record(result)
        self.n_samples_fit_ = int(X.shape[0])
        return self

    # --- predicting ---------------------------------------------------------------------------

    def decision_function(self, X: Any) -> np.ndarray:
        """``z = X w + b`` for each row: > 0 means the positive class ``classes_[1]``.

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        rows = self._features(X)
        # In float64 whatever the input's dtype, so probabilities near 0 and 1 and
        # their logarithms keep their digits.
        features = rows.T / 255.0 if rows.dtype == np.uint8 else rows.T.astype(np.float64)
        return np.asarray(linear(self.coef_.T, float(self.intercept_[0]), features)).reshape(-1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            ``[sigmoid(-z), sigmoid(z)]`` (each computed directly, so a tiny
            probability keeps its digits instead of becoming ``1 - 0.999...``).
        """
        z = self.decision_function(X)
        return np.stack([np.asarray(sigmoid(-z)), np.asarray(sigmoid(z))], axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithms of the class probabilities, from ``z`` (never ``log(0)``).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            ``[-softplus(z), -softplus(-z)]``: finite for every finite ``z``.
        """
        z = self.decision_function(X)
        return np.stack([-np.asarray(softplus(z)), -np.asarray(softplus(-z))], axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels: ``classes_[1]`` where ``z > 0`` (probability > 0.5).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0  # checks that the model is fitted first
        return self.classes_[positive.astype(np.intp)]

    # --- model files --------------------------------------------------------------------------

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        image_shape: tuple[int, int, int] | None = None,
        mode: str | None = None,
    ) -> Path:
        """Write the fitted model to a logistic-neuron model file (``.npz``, never pickled).

        It is the command line's format (``logistic-neuron predict --model PATH
        photo.jpg`` uses it; :meth:`load` reads it back) and records that the
        estimator made it.

        Parameters
        ----------
        path : str or path-like
        image_shape : (height, width, channels), optional
            The images whose pixels the features are (``height * width *
            channels == n_features_in_``). Default: the shape of a model loaded
            from a file; else a square image, RGB when ``n_features_in_`` is
            ``3 s^2``, grey when it is ``s^2``; else ``(1, n_features_in_, 1)``.
        mode : {"RGB", "L"}, optional
            Default: "L" for one channel, "RGB" for three.

        Returns
        -------
        Path
            Where the model went (written atomically).
        """
        check_is_fitted(self)
        return save_model(self._as_trained_model(image_shape, mode), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LogisticNeuronClassifier:
        """Read a model file written by the command line, the web app or :meth:`save`.

        Every field and the checksum are checked first; anything else raises
        :class:`~logistic_neuron.errors.ModelFileError` in one line. The result
        predicts exactly as the file's model does (uint8 rows of flattened
        images are scaled by 1/255, as at training); ``classes_`` is
        ``[negative, positive]`` as the file names them, ``made_by_`` says
        which door wrote the file and ``image_shape_``/``mode_`` the images it takes.
        """
        model = load_model(path)
        rate: float | str = "auto" if model.learning_rate_rule == "auto" else model.learning_rate
        extra: dict[str, Any] = {}
        if model.options is not None:
            # The file's training options, under the estimator's parameter names.
            extra = {k: v for k, v in model.options.items() if k != "seed"}
            extra["random_state"] = model.options["seed"]
        clf = cls(
            learning_rate=rate,
            num_iterations=model.num_iterations,
            dtype=model.dtype,
            record_every=model.record_every,
            **extra,
        )
        clf.classes_ = _labels_from_names(model.classes, model.class_type)
        clf.coef_ = np.asarray(model.w, dtype=np.float64).reshape(1, -1)
        clf.intercept_ = np.array([model.b], dtype=np.float64)
        clf.costs_ = [float(c) for c in model.costs]
        clf.learning_rate_ = float(model.learning_rate)
        clf.engine_ = model.engine
        # The run record (any door writes it for runs beyond plain gradient descent)
        # says what the run did: iterations actually run, the iteration kept.
        clf._run = model.run
        clf.n_iter_ = model.run["iterations_run"] if model.run else model.num_iterations
        clf.n_features_in_ = model.n_x
        clf.n_samples_fit_ = model.data.m_train
        clf.best_iteration_ = model.run["best_iteration"] if model.run else None
        clf.image_shape_ = tuple(model.image_shape)
        clf.mode_ = model.mode
        clf.made_by_ = model.made_by
        return clf

    def _as_trained_model(
        self, image_shape: tuple[int, int, int] | None, mode: str | None
    ) -> TrainedModel:
        n_features = int(self.n_features_in_)
        if image_shape is None and hasattr(self, "image_shape_"):
            image_shape, mode = self.image_shape_, mode or self.mode_
        shape = _image_shape(n_features) if image_shape is None else tuple(image_shape)
        if len(shape) != 3 or int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape {shape} does not hold the model's {n_features} features: "
                "give (height, width, channels) with height * width * channels == n_features_in_"
            )
        height, width, channels = (int(side) for side in shape)
        mode = mode or {1: "L", 3: "RGB"}.get(channels)
        if mode not in ("L", "RGB") or {"L": 1, "RGB": 3}[mode] != channels:
            raise ValueError(
                f"mode {mode!r} does not fit {channels} channels: use 'L' for 1, 'RGB' for 3"
            )
        if max(height, width) > MAX_IMAGE_SIDE:
            raise ValueError(
                f"a model file describes images of at most {MAX_IMAGE_SIDE} pixels a side; "
                f"give image_shape for these {n_features} features"
            )
        names, class_type = _names_of_labels(self.classes_)
        options = self._options()
        # An early-stopped run recorded costs up to where it stopped: the file keeps
        # the run's planned length, which its costs always fit.
        steps = int(self.n_iter_) if options.is_plain else int(self.num_iterations)
        return TrainedModel(
            w=self.coef_.T.astype(self.dtype),
            b=float(self.intercept_[0]),
            dtype=self.dtype,
            image_shape=(height, width, channels),
            mode=mode,
            classes=names,
            learning_rate=float(self.learning_rate_),
            num_iterations=max(steps, int(self.n_iter_)),
            costs=tuple(float(c) for c in self.costs_),
            record_every=int(self.record_every),
            train_accuracy=None,
            test_accuracy=None,
            data=DataRecord(
                source=ESTIMATOR_SOURCE,
                test_source="",
                m_train=int(self.n_samples_fit_),
                m_test=0,
            ),
            engine=self.engine_,
            made_by="estimator",
            class_type=class_type,
            learning_rate_rule="auto" if isinstance(self.learning_rate, str) else "fixed",
            options=None if options.is_plain else options.record(),
            run=getattr(self, "_run", None),
        )


#: The data source an estimator-made model file records (it keeps no path to the data).
ESTIMATOR_SOURCE = "LogisticNeuronClassifier.fit"


def _image_shape(n_features: int) -> tuple[int, int, int]:
    """A square RGB or grey image with ``n_features`` pixel values, else one row of grey."""
    side = math.isqrt(n_features // 3)
    if 3 * side * side == n_features:
        return (side, side, 3)
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (side, side, 1)
    return (1, n_features, 1)


def _names_of_labels(classes: np.ndarray) -> tuple[tuple[str, str], str]:
    """The two class labels as text for the model file, and how to read them back."""
    kind = classes.dtype.kind
    if kind in "iu":
        class_type = "int"
    elif kind == "f":
        class_type = "float"
    elif kind == "b":
        class_type = "bool"
    elif kind == "U" or all(isinstance(c, str) for c in classes):
        class_type = "str"
    else:
        raise ValueError(
            f"cannot save class labels of type {classes.dtype} ({list(classes)!r}): a model "
            "file stores text, whole-number, decimal or boolean labels"
        )
    # repr of a float round-trips exactly; str of an int or a bool is its literal.
    names = tuple(repr(float(c)) if class_type == "float" else str(c) for c in classes)
    return (names[0], names[1]), class_type


def _labels_from_names(names: tuple[str, str], class_type: str) -> np.ndarray:
    """The class labels a model file names, as the type they were fitted with."""
    if class_type == "int":
        return np.array([int(name) for name in names])
    if class_type == "float":
        return np.array([float(name) for name in names])
    if class_type == "bool":
        return np.array([name == "True" for name in names])
    return np.array(names)


def _positive_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    number = float(value)
    return math.isfinite(number) and number > 0
