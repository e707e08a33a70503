"""Model files: a safe, versioned format that never uses pickle.

A model file is a ZIP archive in NumPy's ``.npz`` layout holding exactly three
arrays:

* ``w``: the weights, shape ``(n_x, 1)``, float32 or float64;
* ``b``: the bias, a 0-d float64 array;
* ``metadata``: UTF-8 JSON as a 1-d ``uint8`` array (no object arrays, so it
  loads with ``allow_pickle=False``).

The metadata records the format and its version, the image size and colour
mode, class names, preprocessing, hyper-parameters, a training summary, and a
SHA-256 checksum over the arrays and the rest of the metadata. Loading checks
every field and the checksum and refuses anything else with a
:class:`~logistic_neuron.errors.ModelFileError`. Files are written atomically,
with fixed ZIP timestamps, so one training gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logistic_neuron.atomic import atomic_write
from logistic_neuron.backend import np
from logistic_neuron.errors import ModelFileError
from logistic_neuron.images import MODES, RESAMPLE

FORMAT = "logistic-neuron-model"
FORMAT_VERSION = 1
ARRAY_KEYS = ("w", "b", "metadata")

#: How pixels become features; stored in every file and checked on load.
PREPROCESSING = {
    "scale": "1/255",
    "layout": "images (m, H, W, C) flattened with reshape(m, -1).T to (n_x, m)",
    "resample": RESAMPLE,
    "transparency": "composited on white",
    "orientation": "EXIF orientation applied",
}

#: A model file larger than this is refused before it is read.
MAX_FILE_BYTES = 512 * 1024 * 1024

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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
    train_accuracy, test_accuracy : float
        Percent, as the course computes them.
    data : DataRecord
    engine : str
        How gradient descent ran.
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
    train_accuracy: float
    test_accuracy: float
    data: DataRecord
    engine: str = "reference"
    preprocessing: dict[str, str] = field(default_factory=lambda: dict(PREPROCESSING))

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
        from logistic_neuron.propagation import linear
        from logistic_neuron.validation import check_features

        features = np.asarray(X, dtype=self.w.dtype)
        check_features(features)
        if features.shape[0] != self.n_x:
            raise ValueError(f"X has {features.shape[0]} features, the model takes {self.n_x}")
        return np.asarray(linear(self.w, self.b, features))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of the positive class, shape (1, m), for features ``X`` (n_x, m)."""
        from logistic_neuron.activation import sigmoid

        return np.asarray(sigmoid(self.logits(X)))

    def predict_proba_images(self, images: np.ndarray) -> np.ndarray:
        """Probabilities, shape (m,), for uint8 images (m, H, W, C) preprocessed as in training."""
        return self.predict_proba(self.features(images)).reshape(-1)


def _metadata_of(model: TrainedModel) -> dict[str, Any]:
    from logistic_neuron import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "dtype": model.dtype,
        "n_x": model.n_x,
        "image_shape": list(model.image_shape),
        "mode": model.mode,
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


def _canonical(metadata: dict[str, Any]) -> bytes:
    return json.dumps(metadata, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _checksum(w: np.ndarray, b: np.ndarray, metadata: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(str(w.dtype).encode() + str(w.shape).encode())
    digest.update(np.ascontiguousarray(w).tobytes())
    digest.update(np.ascontiguousarray(b).tobytes())
    digest.update(_canonical({k: v for k, v in metadata.items() if k != "checksum"}))
    return digest.hexdigest()


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def encode_model(model: TrainedModel) -> bytes:
    """The bytes of a model file (deterministic: no timestamps)."""
    w = np.ascontiguousarray(np.asarray(model.w, dtype=model.dtype).reshape(model.n_x, 1))
    b = np.asarray(model.b, dtype=np.float64)
    metadata = _metadata_of(model)
    metadata["checksum"] = _checksum(w, b, metadata)
    meta_array = np.frombuffer(_canonical(metadata), dtype=np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in (("w", w), ("b", b), ("metadata", meta_array)):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _npy_bytes(array))
    return buffer.getvalue()


def save_model(model: TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``path`` atomically and return the path.

    Raises
    ------
    OutputError
        When the folder is missing or read-only.
    """
    data = encode_model(model)
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def _fail(path: Path, reason: str) -> ModelFileError:
    return ModelFileError(f"{path} is not a valid logistic-neuron model: {reason}")


def _require(meta: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path) -> Any:
    if key not in meta:
        raise _fail(path, f"its metadata has no {key!r}")
    value = meta[key]
    if isinstance(value, bool) and kind is not bool:
        raise _fail(path, f"metadata {key!r} has the wrong type")
    if not isinstance(value, kind):
        raise _fail(path, f"metadata {key!r} has the wrong type")
    return value


def _finite_number(meta: dict[str, Any], key: str, path: Path) -> float:
    value = float(_require(meta, key, (int, float), path))
    if not math.isfinite(value):
        raise _fail(path, f"metadata {key!r} is not finite")
    return value


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise ModelFileError(
            f"model file not found: {path}; train one with 'logistic-neuron train'"
        )
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "the file is empty")
    if size > MAX_FILE_BYTES:
        raise _fail(path, f"the file is {size} bytes, larger than any model this tool writes")
    if not zipfile.is_zipfile(path):
        raise _fail(path, "it is not a .npz archive (pickles and other formats are never loaded)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(archive.namelist())
            expected = sorted(f"{k}.npy" for k in ARRAY_KEYS)
            if names != expected:
                raise _fail(
                    path,
                    f"it must hold exactly {', '.join(expected)}; "
                    f"it holds {', '.join(names) or 'nothing'}",
                )
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_FILE_BYTES:
                raise _fail(path, "its contents are too large (a possible zip bomb)")
            arrays = {}
            for key in ARRAY_KEYS:
                with archive.open(f"{key}.npy") as member:
                    arrays[key] = np.lib.format.read_array(
                        io.BytesIO(member.read()), allow_pickle=False
                    )
    except ModelFileError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise _fail(path, f"cannot read its arrays ({reason})") from None
    return arrays


def load_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Read and validate a model file.

    Raises
    ------
    ModelFileError
        Missing, corrupt, tampered, pickled, or incompatible files, in one line.
    """
    file = Path(path)
    arrays = _read_arrays(file)
    meta_array = arrays["metadata"]
    if meta_array.dtype != np.uint8 or meta_array.ndim != 1:
        raise _fail(file, "its metadata is not UTF-8 JSON bytes")
    try:
        meta = json.loads(meta_array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(file, "its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail(file, "its metadata does not name the logistic-neuron model format")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise _fail(
            file,
            f"it uses format version {version!r}, this version of logistic-neuron reads version "
            f"{FORMAT_VERSION}; retrain the model or use the version that wrote it",
        )
    w, b = arrays["w"], arrays["b"]
    checksum = _require(meta, "checksum", str, file)
    if checksum != _checksum(w, b, meta):
        raise _fail(file, "checksum mismatch: the file was modified after it was saved")
    dtype = _require(meta, "dtype", str, file)
    if dtype not in ("float64", "float32") or str(w.dtype) != dtype:
        raise _fail(file, f"weights have dtype {w.dtype}, metadata says {dtype!r}")
    shape = _require(meta, "image_shape", list, file)
    if len(shape) != 3 or not all(
        isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise _fail(file, "image_shape must be three positive whole numbers")
    height, width, channels = shape
    mode = _require(meta, "mode", str, file)
    if mode not in MODES or MODES[mode] != channels:
        raise _fail(file, f"colour mode {mode!r} does not match {channels} channels")
    n_x = height * width * channels
    if _require(meta, "n_x", int, file) != n_x or w.shape != (n_x, 1):
        raise _fail(
            file,
            f"weights have shape {w.shape}, expected ({n_x}, 1) "
            f"for {height}x{width}x{channels} images",
        )
    if b.shape != () or b.dtype != np.float64:
        raise _fail(file, "the bias must be one float64 number")
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise _fail(file, "its weights or bias are not finite")
    classes = _require(meta, "classes", list, file)
    if len(classes) != 2 or not all(isinstance(c, str) for c in classes):
        raise _fail(file, "classes must be two names")
    preprocessing = _require(meta, "preprocessing", dict, file)
    if preprocessing != PREPROCESSING:
        raise _fail(file, "it was preprocessed differently from what this version does")
    hyper = _require(meta, "hyperparameters", dict, file)
    training = _require(meta, "training", dict, file)
    data = _require(training, "data", dict, file)
    costs = _require(training, "costs", list, file)
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in costs):
        raise _fail(file, "training costs must be numbers")
    seed = data.get("split_seed")
    fraction = data.get("test_fraction")
    return TrainedModel(
        w=w,
        b=float(b),
        dtype=dtype,
        image_shape=(height, width, channels),
        mode=mode,
        classes=(classes[0], classes[1]),
        learning_rate=_finite_number(hyper, "learning_rate", file),
        num_iterations=_require(hyper, "num_iterations", int, file),
        costs=tuple(float(c) for c in costs),
        record_every=_require(hyper, "record_every", int, file),
        train_accuracy=_finite_number(training, "train_accuracy", file),
        test_accuracy=_finite_number(training, "test_accuracy", file),
        data=DataRecord(
            source=_require(data, "source", str, file),
            test_source=_require(data, "test_source", str, file),
            m_train=_require(data, "m_train", int, file),
            m_test=_require(data, "m_test", int, file),
            split_seed=seed if isinstance(seed, int) else None,
            test_fraction=float(fraction) if isinstance(fraction, (int, float)) else None,
        ),
        engine=_require(hyper, "engine", str, file),
        preprocessing=dict(preprocessing),
    )
