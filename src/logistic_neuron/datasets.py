"""Data sets in the course's layout: the course's HDF5 files, image folders, bundled faces.

Every loader returns pixels as ``uint8`` images of shape ``(m, H, W, C)`` and
labels 0/1 of shape ``(m,)`` in a :class:`Split`; :meth:`Split.X` flattens and
scales them exactly as the course does (``images.reshape(m, -1).T / 255``)
into the ``(n_x, m)`` matrix the maths takes, and :meth:`Split.Y` gives the
``(1, m)`` labels. Keeping the pixels as bytes costs 12 KB per 64x64x3 image
instead of 96 KB in float64.

Sources (:func:`load_dataset`):

* ``"faces"``: the 100 faces and 100 non-faces (25x25 grey) that ship inside
  scikit-image (``skimage.data.lfw_subset()``; no download), split
  deterministically and stratified into train and test;
* a course-style ``.h5`` file (``train_set_x``/``train_set_y``/``list_classes``
  or the ``test_set_*`` keys);
* a folder with one subfolder per class (exactly two classes).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistic_neuron.backend import np
from logistic_neuron.errors import DataError
from logistic_neuron.images import channels_of, check_size

#: The bundled default data set.
FACES = "faces"

#: File endings read as images in a class folder.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm"}
)

#: Share of each class held out for testing when no test source is given.
DEFAULT_TEST_FRACTION = 0.25


class DataWarning(UserWarning):
    """A file was skipped while loading a data set (the message names it)."""


@dataclass(frozen=True, eq=False)
class Split:
    """Labelled images: one part (train or test) of a data set.

    Attributes
    ----------
    images : ndarray, shape (m, H, W, C), uint8
    labels : ndarray, shape (m,), int64, values 0 and 1
    names : tuple of str
        Where each image came from (file name or index), for reports.
    """

    images: np.ndarray
    labels: np.ndarray
    names: tuple[str, ...] = ()

    @property
    def m(self) -> int:
        """Number of examples."""
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(H, W, C)`` of every image."""
        height, width, channels = self.images.shape[1:]
        return int(height), int(width), int(channels)

    def pixels(self) -> np.ndarray:
        """The raw pixels in the course's layout, shape (n_x, m), uint8 (a view, no copy)."""
        return self.images.reshape(self.m, -1).T

    def X(self, dtype: str = "float64") -> np.ndarray:
        """Features ``(n_x, m)``: flattened and scaled by 1/255, as the course does."""
        if dtype == "float64":
            return self.pixels() / 255.0
        if dtype == "float32":
            return self.pixels().astype(np.float32) / np.float32(255)
        raise ValueError(f"unknown dtype {dtype!r}: use float64 or float32")

    def Y(self) -> np.ndarray:
        """Labels as a ``(1, m)`` row."""
        return self.labels.reshape(1, -1)

    def subset(self, indices: Any) -> Split:
        """The examples at ``indices`` (a new Split sharing nothing mutable)."""
        index = np.asarray(indices, dtype=np.intp)
        names = tuple(self.names[i] for i in index) if self.names else ()
        return Split(self.images[index], self.labels[index], names)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A training split and a test split of the same kind of images.

    Attributes
    ----------
    train, test : Split
    classes : (str, str)
        ``classes[0]`` is label 0 (negative), ``classes[1]`` label 1 (positive).
    mode : {"RGB", "L"}
        Colour mode of the images.
    source : str
        Where the training data came from.
    test_source : str
        Where the test data came from (``"held out from <source>"`` for a split).
    split_seed : int or None
        Seed of the stratified split when the test set was held out.
    test_fraction : float or None
        Share of each class held out for testing, when it was.
    """

    train: Split
    test: Split
    classes: tuple[str, str]
    mode: str
    source: str
    test_source: str
    split_seed: int | None = None
    test_fraction: float | None = None

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(H, W, C)`` of every image."""
        return self.train.image_shape

    @property
    def n_x(self) -> int:
        """Number of features per example (H * W * C)."""
        height, width, channels = self.image_shape
        return height * width * channels


def _warn(message: str) -> None:
    warnings.warn(message, DataWarning, stacklevel=3)


def check_binary_labels(labels: np.ndarray, where: str, *, need_both: bool) -> np.ndarray:
    """Check that ``labels`` are 0/1 (integers or whole floats) and return them as int64."""
    values = np.asarray(labels)
    if values.size == 0:
        raise DataError(f"{where} has no labels: the data set is empty")
    if values.dtype.kind not in "biuf":
        raise DataError(
            f"{where} labels have type {values.dtype}; they must be the numbers 0 and 1"
        )
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise DataError(f"{where} labels contain NaN or infinite values")
    distinct = np.unique(values)
    bad = [v for v in distinct.tolist() if v not in (0, 1)]
    fractions = [v for v in bad if float(v) != int(v)]
    if fractions:
        raise DataError(
            f"{where} labels must be the whole numbers 0 and 1, found {fractions[0]!r}; "
            "round or relabel them"
        )
    if bad:
        shown = ", ".join(repr(v) for v in bad[:5])
        raise DataError(
            f"{where} labels must be 0 and 1 (binary classification), found {shown}"
            + ("; relabel them as 0/1" if len(distinct) <= 2 else f" among {len(distinct)} classes")
        )
    if need_both and len(distinct) < 2:
        raise DataError(
            f"{where} labels are all {int(distinct[0])}: training needs examples of both classes"
        )
    return values.astype(np.int64)


def _check_images(images: np.ndarray, where: str) -> np.ndarray:
    """Check pixels and return them as (m, H, W, C) uint8."""
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise DataError(
            f"{where} images have shape {images.shape}; expected (m, height, width, 3) for colour "
            "or (m, height, width) for grey"
        )
    if images.shape[0] == 0:
        raise DataError(f"{where} holds no images: the data set is empty")
    if min(images.shape[1:3]) == 0:
        raise DataError(f"{where} images have an empty size {images.shape[1:3]}")
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind in "iu":
        if images.min() < 0 or images.max() > 255:
            raise DataError(
                f"{where} pixel values must be 0..255, found {images.min()}..{images.max()}"
            )
        return images.astype(np.uint8)
    if images.dtype.kind == "f":
        if not np.all(np.isfinite(images)):
            raise DataError(f"{where} pixel values contain NaN or infinite values")
        if images.min() < 0 or images.max() > 1:
            raise DataError(
                f"{where} float pixels must be in [0, 1], found {images.min():g}..{images.max():g}"
            )
        return np.round(images * 255).astype(np.uint8)
    raise DataError(f"{where} pixels have type {images.dtype}; expected uint8")


def _decode_class_names(raw: Any) -> tuple[str, str]:
    names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in raw]
    if len(names) != 2:
        raise DataError(f"list_classes must name 2 classes, found {len(names)}")
    return names[0], names[1]


def load_h5_split(path: str | os.PathLike[str]) -> tuple[Split, tuple[str, str]]:
    """Read a course-style HDF5 file.

    The file holds ``<part>_set_x`` (m, H, W, 3) uint8, ``<part>_set_y`` (m,)
    and optionally ``list_classes`` (2,) bytes, with ``<part>`` ``train`` or ``test``.

    Returns
    -------
    split : Split
    classes : (str, str)

    Raises
    ------
    DataError
        Missing, non-HDF5, truncated or malformed files.
    """
    import h5py

    file = Path(path)
    if not file.exists():
        raise DataError(f"data file not found: {file}")
    if file.is_dir():
        raise DataError(f"{file} is a folder, not an HDF5 file")
    if file.stat().st_size == 0:
        raise DataError(f"{file} is empty (0 bytes); download or copy it again")
    try:
        if not h5py.is_hdf5(file):
            raise DataError(f"{file} is not an HDF5 file (is it a course .h5 data file?)")
        with h5py.File(file, "r") as handle:
            x_keys = sorted(k for k in handle if k.endswith("_set_x"))
            if len(x_keys) != 1:
                found = ", ".join(sorted(handle)) or "nothing"
                raise DataError(
                    f"{file} must hold one '<part>_set_x' data set such as 'train_set_x' "
                    f"(found {found})"
                )
            x_key = x_keys[0]
            y_key = x_key[: -len("x")] + "y"
            if y_key not in handle:
                raise DataError(f"{file} has {x_key} but no labels '{y_key}'")
            if not isinstance(handle[x_key], h5py.Dataset) or not isinstance(
                handle[y_key], h5py.Dataset
            ):
                raise DataError(f"{file}: {x_key} and {y_key} must be data sets, not groups")
            images = np.asarray(handle[x_key][()])
            labels = np.asarray(handle[y_key][()])
            classes = (
                _decode_class_names(handle["list_classes"][()])
                if "list_classes" in handle
                else ("0", "1")
            )
    except DataError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"cannot read {file}: {reason} (is it truncated or corrupt?)") from None
    where = f"{file} ({x_key})"
    images = _check_images(images, where)
    labels = labels.reshape(-1) if labels.ndim == 2 and 1 in labels.shape else labels
    if labels.ndim != 1:
        raise DataError(f"{file}: {y_key} must have shape (m,) or (1, m), got {labels.shape}")
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{file} has {images.shape[0]} images but {labels.shape[0]} labels; they must match"
        )
    labels = check_binary_labels(labels, str(file), need_both=False)
    names = tuple(f"{file.name}[{i}]" for i in range(images.shape[0]))
    return Split(images, labels, names), classes


def _class_folders(folder: Path) -> list[Path]:
    subfolders = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                subfolders.append(entry)
        except OSError:
            _warn(f"skipped {entry}: cannot be read ({entry.name} may be a broken link)")
    return subfolders


def _choose_positive(names: list[str], positive: str | None, folder: Path) -> tuple[str, str]:
    """Order two class names as (negative, positive)."""
    first, second = names
    if positive is not None:
        if positive not in names:
            raise DataError(
                f"--positive {positive!r} is not a class folder of {folder} "
                f"(classes: {first}, {second})"
            )
        return (second, first) if positive == first else (first, second)
    for negative, other in ((first, second), (second, first)):
        lowered = negative.lower()
        for prefix in ("non-", "non_", "non", "not-", "not_", "no-", "no_"):
            if lowered == prefix + other.lower():
                return negative, other
    raise DataError(
        f"{folder} has the classes {first!r} and {second!r}: say which one is positive "
        f"(label 1) with --positive {second}"
    )


def _image_files(class_folder: Path) -> list[Path]:
    files = []
    for entry in sorted(class_folder.iterdir()):
        if entry.name.startswith(".") or entry.name.lower() in ("thumbs.db", "desktop.ini"):
            _warn(f"skipped {entry}: hidden or system file")
            continue
        try:
            is_file = entry.is_file()
        except OSError:
            is_file = False
        if not is_file:
            reason = (
                "a folder (nested folders are not read)"
                if entry.is_dir()
                else "not a readable file"
            )
            _warn(f"skipped {entry}: {reason}")
            continue
        if entry.suffix.lower() not in IMAGE_SUFFIXES:
            _warn(f"skipped {entry}: not an image file name ({', '.join(sorted(IMAGE_SUFFIXES))})")
            continue
        files.append(entry)
    return files


def load_image_folder(
    path: str | os.PathLike[str],
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    classes: tuple[str, str] | None = None,
) -> tuple[Split, tuple[str, str]]:
    """Read a folder with one subfolder of images per class.

    Parameters
    ----------
    path : folder holding exactly two class subfolders
    image_size : (height, width)
        Every image is resized to it.
    mode : {"RGB", "L"}
    positive : str, optional
        Which subfolder is label 1. Without it, a pair such as ``cat`` /
        ``non-cat`` is understood; otherwise it must be given.
    classes : (negative, positive), optional
        Expected class names (e.g. those of a trained model); overrides ``positive``.

    Returns
    -------
    split : Split
    classes : (str, str)

    Notes
    -----
    Hidden and system files (``.DS_Store``, ``Thumbs.db``), nested folders and
    files without an image ending are skipped with a :class:`DataWarning` that
    names them. A file with an image ending that cannot be decoded stops the
    load with a :class:`~logistic_neuron.errors.DataError` naming it: training on
    silently incomplete data is worse than an error.
    """
    size = check_size(image_size)
    channels_of(mode)
    folder = Path(path)
    if not folder.exists():
        raise DataError(f"data folder not found: {folder}")
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder")
    subfolders = _class_folders(folder)
    names = [s.name for s in subfolders]
    if len(subfolders) != 2:
        listed = ", ".join(names) if names else "none"
        raise DataError(
            f"{folder} must hold exactly two class subfolders (e.g. cat/ and non-cat/), found "
            f"{len(subfolders)}: {listed}"
        )
    if classes is not None:
        if sorted(classes) != sorted(names):
            raise DataError(
                f"{folder} has the classes {names[0]!r} and {names[1]!r}, but the model knows "
                f"{classes[0]!r} and {classes[1]!r}"
            )
        ordered = (classes[0], classes[1])
    else:
        ordered = _choose_positive(names, positive, folder)
    from logistic_neuron.batch_images import load_images_parallel

    files: list[Path] = []
    labels: list[int] = []
    for label, name in enumerate(ordered):
        class_files = _image_files(folder / name)
        if not class_files:
            raise DataError(f"class folder {folder / name} holds no images")
        files += class_files
        labels += [label] * len(class_files)
    # Decoded and resized on all cores; the first bad file (in order) is reported.
    images = load_images_parallel(files, size, mode)
    file_names = tuple(f"{file.parent.name}/{file.name}" for file in files)
    return Split(images, np.asarray(labels, dtype=np.int64), file_names), ordered


def load_faces() -> tuple[Split, tuple[str, str]]:
    """The 200 bundled 25x25 grey images: 100 faces (label 1) and 100 non-faces (label 0).

    They ship inside scikit-image (``skimage.data.lfw_subset()``): nothing is
    downloaded. Their float pixels are stored as 8-bit like any image file.
    """
    from skimage import data as skimage_data

    pixels = np.asarray(skimage_data.lfw_subset())
    images = _check_images(pixels, "faces")
    # lfw_subset() lists the 100 faces first, then the 100 non-faces.
    labels = np.concatenate([np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)])
    names = tuple(f"face-{i}" if i < 100 else f"non-face-{i - 100}" for i in range(200))
    return Split(images, labels, names), ("non-face", "face")


def stratified_split(
    split: Split, test_fraction: float = DEFAULT_TEST_FRACTION, seed: int = 0
) -> tuple[Split, Split]:
    """Hold out ``test_fraction`` of each class, reproducibly.

    Returns
    -------
    train, test : Split
        Both keep the original order of the examples they hold.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    test_indices = []
    for label in (0, 1):
        members = np.flatnonzero(split.labels == label)
        count = round(len(members) * test_fraction)
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        else:
            count = 0
        test_indices.extend(rng.permutation(members)[:count].tolist())
    is_test = np.zeros(split.m, dtype=bool)
    is_test[test_indices] = True
    if not is_test.any():
        raise DataError("too few examples to hold out a test set; give one with --test")
    return split.subset(np.flatnonzero(~is_test)), split.subset(np.flatnonzero(is_test))


def _mode_of(split: Split) -> str:
    return "RGB" if split.image_shape[2] == 3 else "L"


def is_h5_path(source: str) -> bool:
    """True when ``source`` names an HDF5 file (by its ending)."""
    return Path(source).suffix.lower() in (".h5", ".hdf5", ".hdf")


def load_labelled(
    source: str,
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    classes: tuple[str, str] | None = None,
) -> tuple[Split, tuple[str, str]]:
    """Read every labelled example of one source (``faces``, an ``.h5`` file or a folder)."""
    if source == FACES:
        return load_faces()
    path = Path(source)
    if path.is_dir():
        return load_image_folder(
            path, image_size=image_size, mode=mode, positive=positive, classes=classes
        )
    if is_h5_path(source) or path.is_file():
        return load_h5_split(path)
    raise DataError(
        f"data source not found: {source} (use 'faces', a course .h5 file or a folder of images)"
    )


def load_dataset(
    source: str = FACES,
    test: str | None = None,
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    seed: int = 0,
    test_fraction: float = DEFAULT_TEST_FRACTION,
) -> Dataset:
    """Load a training set and a test set.

    Parameters
    ----------
    source : str
        ``"faces"`` (bundled), a course ``.h5`` file, or an image folder.
    test : str, optional
        Where the test set comes from. Without it, ``test_fraction`` of each
        class of ``source`` is held out (stratified, reproducible with ``seed``).
    image_size : (height, width)
        Size image folders are resized to (``.h5`` files and faces keep theirs).
    mode : {"RGB", "L"}
        Colour mode for image folders.
    positive : str, optional
        The positive class folder of an image folder.
    seed : int
    test_fraction : float

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Anything wrong with the data, in one line.
    """
    train_all, classes = load_labelled(source, image_size=image_size, mode=mode, positive=positive)
    check_binary_labels(train_all.labels, source, need_both=True)
    if test is None:
        train, held_out = stratified_split(train_all, test_fraction, seed)
        return Dataset(
            train=train,
            test=held_out,
            classes=classes,
            mode=_mode_of(train),
            source=source,
            test_source=f"held out from {source}",
            split_seed=seed,
            test_fraction=test_fraction,
        )
    if source == FACES or test == FACES:
        raise DataError("the bundled faces come with their own test split: drop --test")
    test_split, test_classes = load_labelled(
        test, image_size=train_all.image_shape[:2], mode=_mode_of(train_all), classes=classes
    )
    if test_split.image_shape != train_all.image_shape:
        raise DataError(
            f"test images are {test_split.image_shape} but training images are "
            f"{train_all.image_shape}; both sets must hold images of one size and mode"
        )
    if test_classes != classes:
        raise DataError(
            f"the test set's classes {test_classes} differ from the training set's {classes}"
        )
    return Dataset(
        train=train_all,
        test=test_split,
        classes=classes,
        mode=_mode_of(train_all),
        source=source,
        test_source=test,
    )
