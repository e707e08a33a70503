"""A scikit-learn style estimator around the course's functions.

``LogisticNeuronClassifier`` takes data the scikit-learn way, one example per
*row* (``X`` of shape ``(n_samples, n_features)``, ``y`` of shape
``(n_samples,)``), and trains exactly the course's neuron on the transposed,
column-per-example layout. It needs no scikit-learn, but follows its
conventions (``get_params``/``set_params``, fitted attributes ending in ``_``),
so it works inside scikit-learn pipelines and grid searches when that is installed.
"""

from __future__ import annotations

import inspect
from typing import Any

from logistic_neuron.engines.resolver import fit
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.prediction import THRESHOLD


class LogisticNeuronClassifier:
    """Logistic regression as a neural network, trained by batch gradient descent.

    Parameters
    ----------
    learning_rate : float
        Step size ``alpha`` (default 0.005, the course's classic run).
    num_iterations : int
        Number of gradient steps (default 2000).
    dtype : {"float64", "float32"}
    engine : str
        See :func:`logistic_neuron.engines.resolver.fit`.
    record_every : int
        Record the cost every this many iterations.

    Attributes
    ----------
    coef_ : ndarray, shape (1, n_features)
        The learned ``w`` as a row.
    intercept_ : ndarray, shape (1,)
        The learned ``b``.
    classes_ : ndarray, shape (2,)
        Class labels; ``classes_[1]`` is the positive class (label 1).
    costs_ : tuple of float
        The recorded costs.
    n_features_in_ : int
    n_iter_ : int
    """

    def __init__(
        self,
        learning_rate: float = 0.005,
        num_iterations: int = 2000,
        dtype: str = "float64",
        engine: str = "auto",
        record_every: int = 100,
    ) -> None:
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.dtype = dtype
        self.engine = engine
        self.record_every = record_every

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters, as scikit-learn expects."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> LogisticNeuronClassifier:
        """Set constructor parameters; unknown names raise ``ValueError``."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"unknown parameter {name!r}: use one of {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _rows(self, X: Any) -> np.ndarray:
        rows = np.asarray(X)
        if rows.ndim != 2:
            raise ValueError(
                f"X must have shape (n_samples, n_features), got {rows.shape}; "
                "flatten each image into a row"
            )
        return rows

    def fit(self, X: Any, y: Any) -> LogisticNeuronClassifier:
        """Learn from ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        ``y`` may hold any two distinct labels; the larger one (in sorted
        order) is the positive class, as in scikit-learn.
        """
        rows = self._rows(X)
        labels = np.asarray(y).reshape(-1)
        if labels.shape[0] != rows.shape[0]:
            raise ValueError(f"X has {rows.shape[0]} rows but y has {labels.shape[0]} labels")
        classes = np.unique(labels)
        if classes.shape[0] != 2:
            raise ValueError(
                "y must hold exactly two classes for binary classification, "
                f"found {classes.shape[0]}"
            )
        Y = (labels == classes[1]).astype(np.float64).reshape(1, -1)
        features = rows.T if rows.dtype == np.uint8 else rows.T.astype(self.dtype, copy=False)
        result = fit(
            features,
            Y,
            num_iterations=self.num_iterations,
            learning_rate=self.learning_rate,
            dtype=self.dtype,
            engine=self.engine,
            record_every=self.record_every,
        )
        self.coef_ = np.asarray(result.w).reshape(1, -1)
        self.intercept_ = np.array([result.b])
        self.classes_ = classes
        self.costs_ = result.costs
        self.n_features_in_ = rows.shape[1]
        self.n_iter_ = result.num_iterations
        return self

    def _check_fitted(self, rows: np.ndarray) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError(
                "this LogisticNeuronClassifier is not fitted yet: call fit(X, y) first"
            )
        if rows.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {rows.shape[1]} features, the model was fitted with {self.n_features_in_}"
            )

    def decision_function(self, X: Any) -> np.ndarray:
        """``z = X w + b`` for each row, shape (n_samples,)."""
        rows = self._rows(X)
        self._check_fitted(rows)
        features = rows / 255.0 if rows.dtype == np.uint8 else rows
        return np.asarray(features @ self.coef_.T + self.intercept_).reshape(-1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2), columns in ``classes_`` order."""
        positive = np.asarray(sigmoid(self.decision_function(X)))
        return np.stack([1 - positive, positive], axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels, shape (n_samples,)."""
        positive = np.asarray(sigmoid(self.decision_function(X)))
        return np.where(positive > THRESHOLD, self.classes_[1], self.classes_[0])

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy (a fraction in [0, 1], as in scikit-learn)."""
        return float(np.mean(self.predict(X) == np.asarray(y).reshape(-1)))
