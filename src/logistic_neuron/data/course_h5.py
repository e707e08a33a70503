"""The course's HDF5 files (``train_set_x``/``train_set_y``/``list_classes``).

h5py is imported only when a file is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from logistic_neuron.data.dataset import Split, check_binary_labels, check_images
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np


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
    images = check_images(images, where)
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


def is_h5_path(source: str) -> bool:
    """True when ``source`` names an HDF5 file (by its ending)."""
    return Path(source).suffix.lower() in (".h5", ".hdf5", ".hdf")
