"""Model files: a safe, versioned format that never uses pickle.

A model file is a ZIP archive in NumPy's ``.npz`` layout holding exactly three
arrays:

* ``w``: the weights, shape ``(n_x, 1)``, float32 or float64;
* ``b``: the bias, a 0-d float64 array;
* ``metadata``: UTF-8 JSON as a 1-d ``uint8`` array (no object arrays, so it
  loads with ``allow_pickle=False``).

The metadata records the format and its version, the image size and colour
mode, class names, preprocessing, hyper-parameters, a training summary, and a
SHA-256 checksum over the arrays and the rest of the metadata (see
:mod:`logistic_neuron.storage.archive`). Loading checks every field and the checksum and
refuses anything else with a :class:`~logistic_neuron.errors.ModelFileError`.
Files are written atomically, with fixed ZIP timestamps, so one training gives
byte-identical files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistic_neuron.data.images import MODES, RESAMPLE
from logistic_neuron.neuron.backend import np
from logistic_neuron.storage.archive import Fields, encode_archive, read_archive, write_archive
from logistic_neuron.storage.schema import MODEL_SCHEMA, validate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from logistic_neuron.data.dataset import Dataset
    from logistic_neuron.neuron.optimization import OptimizationResult

FORMAT = "logistic-neuron-model"
FORMAT_VERSION = 1
ARRAY_KEYS = ("w", "b", "metadata")

#: Most bytes of float features made at once when scoring images.
FEATURE_BLOCK_BYTES = 64 * 1024 * 1024

#: How pixels become features; stored in every file and checked on load.
PREPROCESSING = {
    "scale": "1/255",
    "layout": "images (m, H, W, C) flattened with reshape(m, -1).T to (n_x, m)",
    "resample": RESAMPLE,
    "transparency": "composited on white",
    "orientation": "EXIF orientation applied",
}


@dataclass(frozen=True)
class DataRecord:
    """Where a model's training and test data came from.

    Attributes
    ----------
    source, test_source : str
    m_train, m_test : int
    split_seed : int or None
        Seed of the stratified hold-out split, when one was made.
    test_fraction : float or None
    """

    source: str
    test_source: str
    m_train: int
    m_test: int
    split_seed: int | None = None
    test_fraction: float | None = None


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A trained neuron with everything needed to use it on new images.

    Attributes
    ----------
    w : ndarray, shape (n_x, 1)
    b : float
    dtype : {"float64", "float32"}
    image_shape : (H, W, C)
    mode : {"RGB", "L"}
    classes : (negative, positive)
    learning_rate : float
    num_iterations : int
    costs : tuple of float
        Recorded every ``record_every`` iterations.
    record_every : int
    train_accuracy, test_accuracy : float or None
        Percent, as the course computes them; None when unknown (the
        estimator's ``save`` sees no test set).
    data : DataRecord
    engine : str
        How gradient descent ran.
    made_by : {"command line", "estimator", "web app", "unknown"}
        Which door wrote the file ("unknown" for files older than this field).
    class_type : {"str", "int", "float", "bool"}
        How the estimator reads the class names back as its labels.
    learning_rate_rule : {"fixed", "auto"}
        Whether the learning rate was given or computed from the data.
    options : dict or None
        Training options beyond plain gradient descent
        (:meth:`~logistic_neuron.neuron.training_options.TrainingOptions.record`);
        None for the course's run (and then absent from the file).
    run : dict or None
        What such a run did: validation examples held out, validation accuracy
        and cost of the kept parameters, best iteration, iterations run, early stop.
    """

    w: np.ndarray
    b: float
    dtype: str
    image_shape: tuple[int, int, int]
    mode: str
    classes: tuple[str, str]
    learning_rate: float
    num_iterations: int
    costs: tuple[float, ...]
    record_every: int
    train_accuracy: float | None
    test_accuracy: float | None
    data: DataRecord
    engine: str = "reference"
    preprocessing: dict[str, str] = field(default_factory=lambda: dict(PREPROCESSING))
    options: dict[str, Any] | None = None
    run: dict[str, Any] | None = None
    made_by: str = "unknown"
    class_type: str = "str"
    learning_rate_rule: str = "fixed"

    @property
    def n_x(self) -> int:
        """Number of input features (H * W * C)."""
        height, width, channels = self.image_shape
        return height * width * channels

    def features(self, images: np.ndarray) -> np.ndarray:
        """Features ``(n_x, m)`` of uint8 images ``(m, H, W, C)``, preprocessed as in training."""
        if tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"images have shape {tuple(images.shape[1:])}, the model takes {self.image_shape}"
            )
        pixels = images.reshape(images.shape[0], -1).T
        if self.dtype == "float64":
            return pixels / 255.0
        return pixels.astype(np.float32) / np.float32(255)

    def logits(self, X: Any) -> np.ndarray:
        """Pre-activations ``z = w^T X + b``, shape (1, m), for features ``X`` (n_x, m)."""
        from logistic_neuron.neuron.propagation import linear
        from logistic_neuron.neuron.validation import check_features

        features = np.asarray(X, dtype=self.w.dtype)
        check_features(features)
        if features.shape[0] != self.n_x:
            raise ValueError(f"X has {features.shape[0]} features, the model takes {self.n_x}")
        return np.asarray(linear(self.w, self.b, features))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of the positive class, shape (1, m), for features ``X`` (n_x, m)."""
        from logistic_neuron.neuron.activation import sigmoid

        return np.asarray(sigmoid(self.logits(X)))

    def predict_proba_images(self, images: np.ndarray) -> np.ndarray:
        """Probabilities, shape (m,), for uint8 images (m, H, W, C) preprocessed as in training.

        Images are scored in blocks, so the float features of a large model and many
        images never exist all at once: memory stays near ``w`` plus one block.
        """
        block = max(1, FEATURE_BLOCK_BYTES // (self.n_x * 8))
        parts = [
            self.predict_proba(self.features(images[start : start + block])).reshape(-1)
            for start in range(0, images.shape[0], block)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=self.w.dtype)


def package_model(
    w: Any,
    b: float,
    dataset: Dataset,
    *,
    dtype: str,
    learning_rate: float,
    num_iterations: int,
    costs: Sequence[float],
    record_every: int,
    engine: str,
    options: dict[str, Any] | None = None,
    run: dict[str, Any] | None = None,
    train_indices: Any = None,
    made_by: str = "unknown",
) -> TrainedModel:
    """Score learned parameters on both splits of ``dataset`` and package them as a model.

    Parameters
    ----------
    w : array, shape (n_x, 1)
    b : float
    dataset : Dataset
        The data the parameters were learned on (its image shape, mode, classes
        and sources are recorded).
    dtype : {"float64", "float32"}
    learning_rate : float
    num_iterations : int
        Iterations actually run.
    costs : sequence of float
        Recorded every ``record_every`` iterations.
    record_every : int
    engine : str
        The engine that ran.
    options, run : dict or None
        See :class:`TrainedModel`.
    train_indices : array of int, optional
        The training examples really trained on (the others were held out for
        validation): the training accuracy is measured on them only.
    made_by : str
        Which door made the model ("command line", "web app"), recorded in the file.

    Returns
    -------
    TrainedModel
    """
    from logistic_neuron.neuron.prediction import accuracy, predict

    weights = np.asarray(w)
    train = dataset.train if train_indices is None else dataset.train.subset(train_indices)
    train_pred = predict(weights, b, train.X(dtype))
    test_pred = predict(weights, b, dataset.test.X(dtype))
    return TrainedModel(
        w=weights,
        b=float(b),
        dtype=dtype,
        image_shape=dataset.image_shape,
        mode=dataset.mode,
        classes=dataset.classes,
        learning_rate=learning_rate,
        num_iterations=num_iterations,
        costs=tuple(costs),
        record_every=record_every,
        train_accuracy=accuracy(train_pred, train.Y()),
        test_accuracy=accuracy(test_pred, dataset.test.Y()),
        data=DataRecord(
            source=dataset.source,
            test_source=dataset.test_source,
            m_train=dataset.train.m,
            m_test=dataset.test.m,
            split_seed=dataset.split_seed,
            test_fraction=dataset.test_fraction,
        ),
        engine=engine,
        options=options,
        run=run,
        made_by=made_by,
    )


def _metadata_of(model: TrainedModel) -> dict[str, Any]:
    from logistic_neuron.version import __version__

    meta: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "dtype": model.dtype,
        "n_x": model.n_x,
        "image_shape": list(model.image_shape),
        "mode": model.mode,
        "made_by": model.made_by,
        "classes": list(model.classes),
        "preprocessing": dict(model.preprocessing),
        "hyperparameters": {
            "learning_rate": model.learning_rate,
            "num_iterations": model.num_iterations,
            "record_every": model.record_every,
            "engine": model.engine,
        },
        "training": {
            "costs": list(model.costs),
            "train_accuracy": model.train_accuracy,
            "test_accuracy": model.test_accuracy,
            "data": {
                "source": model.data.source,
                "test_source": model.data.test_source,
                "m_train": model.data.m_train,
                "m_test": model.data.m_test,
                "split_seed": model.data.split_seed,
                "test_fraction": model.data.test_fraction,
            },
        },
    }
    # Only runs beyond plain gradient descent carry these: the course's run
    # writes exactly the bytes it always did.
    if model.options is not None:
        meta["hyperparameters"]["options"] = dict(model.options)
    if model.run is not None:
        meta["training"]["run"] = dict(model.run)
    # The estimator's extras, written only when they say something.
    if model.class_type != "str":
        meta["class_type"] = model.class_type
    if model.learning_rate_rule != "fixed":
        meta["hyperparameters"]["learning_rate_rule"] = model.learning_rate_rule
    return meta


def _arrays_of(model: TrainedModel) -> dict[str, np.ndarray]:
    return {
        "w": np.asarray(model.w, dtype=model.dtype).reshape(model.n_x, 1),
        "b": np.asarray(model.b, dtype=np.float64),
    }


def encode_model(model: TrainedModel) -> bytes:
    """The bytes of a model file (deterministic: no timestamps)."""
    return encode_archive(_arrays_of(model), _metadata_of(model))


def save_model(model: TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``path`` atomically and return the path.

    Raises
    ------
    OutputError
        When the folder is missing or read-only.
    """
    return write_archive(path, _arrays_of(model), _metadata_of(model))


def check_parameters(
    fields: Fields, w: np.ndarray, b: np.ndarray, meta: dict[str, Any]
) -> tuple[str, tuple[int, int, int], str]:
    """Check ``w``, ``b`` against the (schema-checked) metadata; return dtype, shape, mode."""
    dtype = meta["dtype"]
    if str(w.dtype) != dtype:
        raise fields.fail(f"weights have dtype {w.dtype}, metadata says {dtype!r}")
    height, width, channels = meta["image_shape"]
    mode = meta["mode"]
    if MODES[mode] != channels:
        raise fields.fail(f"colour mode {mode!r} does not match {channels} channels")
    n_x = height * width * channels
    if meta["n_x"] != n_x or w.shape != (n_x, 1):
        raise fields.fail(
            f"weights have shape {w.shape}, expected ({n_x}, 1) "
            f"for {height}x{width}x{channels} images"
        )
    if b.shape != () or b.dtype != np.float64:
        raise fields.fail("the bias must be one float64 number")
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise fields.fail("its weights or bias are not finite")
    if meta["preprocessing"] != PREPROCESSING:
        raise fields.fail("it was preprocessed differently from what this version does")
    return dtype, (height, width, channels), mode


def load_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Read and validate a model file.

    Every metadata field is checked by :data:`~logistic_neuron.storage.schema.MODEL_SCHEMA`
    before it is used.

    Raises
    ------
    ModelFileError
        Missing, corrupt, tampered, pickled, or incompatible files, in one line.
    """
    arrays, raw = read_archive(
        path, ("w", "b"), format_name=FORMAT, format_version=FORMAT_VERSION, what="model file"
    )
    fields = Fields(path, "model file")
    meta = validate(raw, MODEL_SCHEMA, fields.fail)
    w, b = arrays["w"], arrays["b"]
    dtype, image_shape, mode = check_parameters(fields, w, b, meta)
    classes = meta["classes"]
    hyper = meta["hyperparameters"]
    training = meta["training"]
    data = training["data"]
    check_class_names(fields, classes, meta["class_type"])
    expected_costs = -(-hyper["num_iterations"] // hyper["record_every"])
    if len(training["costs"]) > expected_costs:
        raise fields.fail(
            f"it records {len(training['costs'])} costs, more than {expected_costs} iterations "
            f"recorded every {hyper['record_every']} allow"
        )
    return TrainedModel(
        w=w,
        b=float(b),
        dtype=dtype,
        image_shape=image_shape,
        mode=mode,
        classes=(classes[0], classes[1]),
        learning_rate=hyper["learning_rate"],
        num_iterations=hyper["num_iterations"],
        costs=training["costs"],
        record_every=hyper["record_every"],
        train_accuracy=training["train_accuracy"],
        test_accuracy=training["test_accuracy"],
        data=DataRecord(
            source=data["source"],
            test_source=data["test_source"],
            m_train=data["m_train"],
            m_test=data["m_test"],
            split_seed=data["split_seed"],
            test_fraction=data["test_fraction"],
        ),
        engine=hyper["engine"],
        preprocessing=dict(PREPROCESSING),
        options=_checked_options(hyper["options"], fields),
        run=training["run"],
        made_by=meta["made_by"],
        class_type=meta["class_type"],
        learning_rate_rule=hyper["learning_rate_rule"],
    )


def check_class_names(fields: Fields, classes: Sequence[str], class_type: str) -> None:
    """Check that the class names read back as ``class_type`` labels, two distinct ones."""
    parse: dict[str, Any] = {
        "int": int,
        "float": float,
        "bool": {"True": True, "False": False}.__getitem__,
    }
    if class_type in parse:
        try:
            labels = [parse[class_type](name) for name in classes]
        except (ValueError, KeyError):
            raise fields.fail(
                f"its class names {list(classes)!r} are not {class_type} labels"
            ) from None
        if labels[0] == labels[1]:
            raise fields.fail(f"its two class names {list(classes)!r} are one {class_type} label")


def _checked_options(record: dict[str, Any] | None, fields: Any) -> dict[str, Any] | None:
    """Training options as recorded, after the same checks training applies."""
    if record is None:
        return None
    from logistic_neuron.neuron.training_options import TrainingOptions

    try:
        return TrainingOptions.from_record(record).record()
    except ValueError as exc:
        raise fields.fail(f"its training options are invalid: {exc}") from None


def run_record(result: OptimizationResult) -> dict[str, Any] | None:
    """What a run beyond plain gradient descent did, for the model file (None otherwise)."""
    from logistic_neuron.neuron.descent import DescentResult

    if not isinstance(result, DescentResult):
        return None
    validation = result.validation
    record: dict[str, Any] = {
        "m_validation": 0 if result.validation_indices is None else len(result.validation_indices),
        "validation_accuracy": None,
        "validation_cost": None,
        "best_iteration": result.best_iteration,
        "iterations_run": result.iterations_run,
        "stopped_early": result.stopped_early,
        "converged": result.converged,
        "validation": None,
    }
    if validation is not None and validation.costs:
        # The scores of the parameters the model keeps: the best ones, or the last.
        index = validation.best_index if result.best_iteration is not None else -1
        record["validation_accuracy"] = validation.accuracies[index]
        record["validation_cost"] = validation.costs[index]
        record["validation"] = {
            "monitor": validation.monitor,
            "costs": list(validation.costs),
            "accuracies": list(validation.accuracies),
            "iterations": list(validation.iterations),
            "best_index": validation.best_index,
            "best_b": validation.b,
        }
    return record


def package_result(
    result: OptimizationResult, dataset: Dataset, *, dtype: str, engine: str, made_by: str
) -> TrainedModel:
    """Score a training result on both splits of ``dataset`` and package it as a model.

    Every door that trains on a :class:`~logistic_neuron.data.dataset.Dataset` (the
    command line, the web page) packages its result here, so the file records the
    run's options and what it did (:func:`run_record`) whichever door wrote it.
    """
    from logistic_neuron.neuron.descent import DescentResult

    general = result if isinstance(result, DescentResult) else None
    return package_model(
        result.w,
        result.b,
        dataset,
        dtype=dtype,
        learning_rate=result.learning_rate,
        num_iterations=result.num_iterations,
        costs=tuple(result.costs),
        record_every=result.record_every,
        engine=engine,
        options=general.options.record() if general is not None else None,
        run=run_record(result),
        train_indices=general.train_indices if general is not None else None,
        made_by=made_by,
    )
