"""The course's HDF5 files (``train_set_x``/``train_set_y``/``list_classes``).

h5py is imported only when a file is read. Files are data, never instructions:
nothing outside the file is followed (external links, external storage, virtual
data sets), and sizes are checked against limits before anything is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from logistic_neuron.data.dataset import Split, check_binary_labels, check_images
from logistic_neuron.data.files import check_regular_file, open_regular
from logistic_neuron.data.images import MAX_SIDE
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np

#: The first bytes of an HDF5 file (when it has no user block).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

#: Most examples (labels) read from one file.
MAX_EXAMPLES = 100_000_000


def _decode_class_names(raw: Any) -> tuple[str, str]:
    names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in raw]
    if len(names) != 2:
        raise DataError(f"list_classes must name 2 classes, found {len(names)}")
    return names[0], names[1]


#: Most bytes of one data set read from an ``.h5`` file (the course's training set is 2.6 MB).
MAX_H5_DATASET_BYTES = 2 * 1024**3

#: A chunked data set may declare at most this many times the bytes it stores (plus 1 MB):
#: beyond it, almost all of it would be the fill value, materialised in memory.
MAX_FILL_RATIO = 100


def _check_link(handle: Any, key: str, file: Path) -> None:
    """Refuse external links: the data must be inside the file itself."""
    import h5py

    link = handle.get(key, getlink=True)
    if isinstance(link, h5py.ExternalLink):
        raise DataError(
            f"{file}: {key} is an external link to {link.filename!r}; only data stored "
            "inside the file is read (copy the data into the file)"
        )


def _checked_dataset(handle: Any, key: str, file: Path, max_items: int | None = None) -> Any:
    """The data set ``key``, refused if its data lives elsewhere or is too large to read."""
    import h5py

    _check_link(handle, key, file)
    dataset = handle[key]
    if not isinstance(dataset, h5py.Dataset):
        raise DataError(f"{file}: {key} must be a data set, not a group")
    if dataset.is_virtual:
        raise DataError(
            f"{file}: {key} is a virtual data set (its data lives in other files); only data "
            "stored inside the file is read"
        )
    if dataset.id.get_create_plist().get_external_count() > 0:
        raise DataError(
            f"{file}: {key} uses external storage (its bytes live in another file); only data "
            "stored inside the file is read"
        )
    if dataset.dtype.kind not in "uifbS" and not h5py.check_string_dtype(dataset.dtype):
        raise DataError(f"{file}: {key} holds {dataset.dtype} values, not numbers or names")
    shape = dataset.shape or ()
    items = 1
    for side in shape:
        items *= int(side)
    if max_items is not None and items > max_items:
        raise DataError(f"{file}: {key} has shape {shape}; at most {max_items} values expected")
    declared = items * dataset.dtype.itemsize
    if declared > MAX_H5_DATASET_BYTES:
        raise DataError(
            f"{file}: {key} declares {declared} bytes of data (shape {shape}), more than the "
            f"{MAX_H5_DATASET_BYTES} this tool reads from one data set"
        )
    if dataset.chunks is not None:
        stored = dataset.id.get_storage_size()
        if declared > MAX_FILL_RATIO * stored + 1024**2:
            raise DataError(
                f"{file}: {key} declares {declared} bytes of data (shape {shape}) but stores only "
                f"{stored}; the rest would be fill value, refused"
            )
    return dataset


def load_h5_split(path: str | os.PathLike[str]) -> tuple[Split, tuple[str, str]]:
    """Read a course-style HDF5 file.

    The file holds ``<part>_set_x`` (m, H, W, 3) uint8, ``<part>_set_y`` (m,)
    and optionally ``list_classes`` (2,) bytes, with ``<part>`` ``train`` or ``test``.

    Only data stored inside the file is read: external links, external storage
    and virtual data sets are refused (they would read other files, FIFOs or
    devices), and so are data sets whose declared size is beyond
    :data:`MAX_H5_DATASET_BYTES` or mostly fill value.

    Returns
    -------
    split : Split
    classes : (str, str)

    Raises
    ------
    DataError
        Missing, non-HDF5, truncated, malformed or refused files, in one line.
    """
    import h5py

    file = Path(path)
    if not file.exists():
        raise DataError(f"data file not found: {file}")
    if file.is_dir():
        raise DataError(f"{file} is a folder, not an HDF5 file")
    check_regular_file(file, "data file")
    if file.stat().st_size == 0:
        raise DataError(f"{file} is empty (0 bytes); download or copy it again")
    try:
        with open_regular(file, "data file") as raw:
            if raw.read(8) != HDF5_SIGNATURE and not h5py.is_hdf5(file):
                raise DataError(f"{file} is not an HDF5 file (is it a course .h5 data file?)")
            raw.seek(0)
            with h5py.File(raw, "r") as handle:
                x_keys = sorted(k for k in handle if k.endswith("_set_x"))
                if len(x_keys) != 1:
                    found = ", ".join(sorted(handle)[:10]) or "nothing"
                    raise DataError(
                        f"{file} must hold one '<part>_set_x' data set such as 'train_set_x' "
                        f"(found {found})"
                    )
                x_key = x_keys[0]
                y_key = x_key[: -len("x")] + "y"
                if y_key not in handle:
                    raise DataError(f"{file} has {x_key} but no labels '{y_key}'")
                x_set = _checked_dataset(handle, x_key, file)
                y_set = _checked_dataset(handle, y_key, file, max_items=MAX_EXAMPLES)
                if len(x_set.shape) == 4 and not all(
                    1 <= side <= MAX_SIDE for side in x_set.shape[1:3]
                ):
                    raise DataError(
                        f"{file}: {x_key} holds images of {x_set.shape[1]}x{x_set.shape[2]} "
                        f"pixels; at most {MAX_SIDE} a side are read"
                    )
                images = np.asarray(x_set[()])
                labels = np.asarray(y_set[()])
                classes = (
                    _decode_class_names(
                        _checked_dataset(handle, "list_classes", file, max_items=16)[()]
                    )
                    if "list_classes" in handle
                    else ("0", "1")
                )
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"not enough memory to read {file}") from None
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DataError(
            f"cannot read {file}: HDF5 says {reason!r} (is it truncated or corrupt?)"
        ) from None
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
