"""The data set types: uint8 images with 0/1 labels, and the train/test pair.

Every loader returns pixels as ``uint8`` images of shape ``(m, H, W, C)`` and
labels 0/1 of shape ``(m,)`` in a :class:`Split`; :meth:`Split.X` flattens and
scales them exactly as the course does (``images.reshape(m, -1).T / 255``)
into the ``(n_x, m)`` matrix the maths takes, and :meth:`Split.Y` gives the
``(1, m)`` labels. Keeping the pixels as bytes costs 12 KB per 64x64x3 image
instead of 96 KB in float64.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np

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


def warn_skipped(message: str) -> None:
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


def check_images(images: np.ndarray, where: str) -> np.ndarray:
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


def held_out_indices(
    labels: np.ndarray, test_fraction: float = DEFAULT_TEST_FRACTION, seed: int = 0
) -> np.ndarray:
    """Which examples :func:`stratified_split` holds out: a boolean mask over ``labels``.

    It needs only the labels, so a packed store can be split without reading
    its pixels.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    rng = np.random.default_rng(seed)
    test_indices = []
    for label in (0, 1):
        members = np.flatnonzero(labels == label)
        count = round(len(members) * test_fraction)
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        else:
            count = 0
        test_indices.extend(rng.permutation(members)[:count].tolist())
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test_indices] = True
    if not is_test.any():
        raise DataError("too few examples to hold out a test set; give one with --test")
    return is_test


def stratified_split(
    split: Split, test_fraction: float = DEFAULT_TEST_FRACTION, seed: int = 0
) -> tuple[Split, Split]:
    """Hold out ``test_fraction`` of each class, reproducibly.

    Returns
    -------
    train, test : Split
        Both keep the original order of the examples they hold.
    """
    is_test = held_out_indices(split.labels, test_fraction, seed)
    return split.subset(np.flatnonzero(~is_test)), split.subset(np.flatnonzero(is_test))


def mode_of(split: Split) -> str:
    return "RGB" if split.image_shape[2] == 3 else "L"
