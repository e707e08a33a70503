"""Image folders: one subfolder per class, exactly two classes, any image format.

Images are decoded in parallel (:mod:`logistic_neuron.data.parallel`), resized
and converted to one mode; files that are not images are skipped with a
warning that names them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from logistic_neuron.data.dataset import Split, warn_skipped
from logistic_neuron.data.files import kind_of
from logistic_neuron.data.images import channels_of, check_size
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np

#: File endings read as images in a class folder.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm"}
)


def _class_folders(folder: Path) -> list[Path]:
    subfolders = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                subfolders.append(entry)
        except OSError:
            warn_skipped(f"skipped {entry}: cannot be read ({entry.name} may be a broken link)")
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
            warn_skipped(f"skipped {entry}: hidden or system file")
            continue
        try:
            mode: int | None = entry.stat().st_mode
        except OSError:
            mode = None
        if mode is None or not stat.S_ISREG(mode):
            # FIFOs, devices and sockets are never opened: a FIFO would block forever.
            if mode is None:
                reason = "not a readable file"
            elif stat.S_ISDIR(mode):
                reason = "a folder (nested folders are not read)"
            else:
                reason = f"{kind_of(mode)}, not a regular file"
            warn_skipped(f"skipped {entry}: {reason}")
            continue
        if entry.suffix.lower() not in IMAGE_SUFFIXES:
            warn_skipped(
                f"skipped {entry}: not an image file name ({', '.join(sorted(IMAGE_SUFFIXES))})"
            )
            continue
        files.append(entry)
    return files


def list_image_folder(
    path: str | os.PathLike[str],
    *,
    positive: str | None = None,
    classes: tuple[str, str] | None = None,
) -> tuple[list[Path], list[int], tuple[str, str]]:
    """The image files of a folder with two class subfolders, their labels and the classes.

    Checks the folder and skips what is not an image (with a warning), as
    :func:`load_image_folder` describes; nothing is decoded yet.

    Returns
    -------
    files : list of Path
        Negative class first, each class in name order.
    labels : list of int
    classes : (negative, positive)
    """
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
    files: list[Path] = []
    labels: list[int] = []
    for label, name in enumerate(ordered):
        class_files = _image_files(folder / name)
        if not class_files:
            raise DataError(f"class folder {folder / name} holds no images")
        files += class_files
        labels += [label] * len(class_files)
    return files, labels, ordered


def load_image_folder(
    path: str | os.PathLike[str],
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    classes: tuple[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Split, tuple[str, str]]:
    """Read a folder with one subfolder of images per class.

    ``progress``, when given, is called with ``(images loaded, images in all)``
    as the images are decoded (for a progress bar).

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
    files, labels, ordered = list_image_folder(path, positive=positive, classes=classes)
    from logistic_neuron.data.parallel import load_images_parallel

    # Decoded and resized on all cores; the first bad file (in order) is reported.
    total = len(files)
    images = load_images_parallel(
        files,
        size,
        mode,
        progress=None if progress is None else (lambda done: progress(done, total)),
    )
    file_names = tuple(f"{file.parent.name}/{file.name}" for file in files)
    return Split(images, np.asarray(labels, dtype=np.int64), file_names), ordered
