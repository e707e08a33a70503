"""Output paths that never clobber an input, another output or a foreign file.

Every command checks its outputs here before it reads or computes anything:

* an output must not be the same file as any input (training or test data,
  model, checkpoint, images) nor as another output of the same run; "the same
  file" means the same device and inode for files that exist
  (:func:`os.path.samefile`: hard and symbolic links included) and the same
  normalised real path for files not written yet;
* an existing output must be a regular file: a device (``/dev/null``), FIFO,
  socket or folder is never replaced by a regular file
  (:func:`~logistic_neuron.storage.atomic.check_output_folder` refuses them,
  and :func:`~logistic_neuron.storage.atomic.atomic_write` checks again).

Written by hand: no library answers "may this run write here?".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from logistic_neuron.errors import OutputError
from logistic_neuron.storage.atomic import check_output_folder

#: A named path of a run: ``("--model-out", "m.npz")``; ``None`` paths are ignored.
Named = tuple[str, "str | os.PathLike[str] | None"]


def same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """True when both paths name one file (existing or not yet written)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        # At least one does not exist (yet): compare where they would be.
        return os.path.realpath(first) == os.path.realpath(second)


def _files(value: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [Path(value)]
    return [Path(v) for v in value]


def check_outputs(
    outputs: Iterable[tuple[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None]],
    inputs: Iterable[tuple[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None]],
) -> list[Path]:
    """Refuse outputs that would replace an input, another output or a non-regular file.

    Parameters
    ----------
    outputs : pairs ``(option, path or paths)``
        What the run will write (``("--model-out", "m.npz")``).
    inputs : pairs ``(option, path or paths)``
        What it reads. Sources that are not files (``faces``, folders) may be
        given: only paths that name files are compared.

    Returns
    -------
    list of Path
        Every output path, in order.

    Raises
    ------
    OutputError
        One line naming both options and the file.
    """
    written: list[tuple[str, Path]] = []
    for option, value in outputs:
        for path in _files(value):
            check_output_folder(path)
            for other_option, other in written:
                if same_file(path, other):
                    raise OutputError(
                        f"{option} {path} is the same file as {other_option} {other}; "
                        "give each output its own path"
                    )
            written.append((option, path))
    for option, value in inputs:
        for source in _files(value):
            for out_option, out in written:
                if same_file(out, source):
                    raise OutputError(
                        f"{out_option} {out} is the same file as the input {option} {source}; "
                        "writing it would destroy that input: choose another path"
                    )
    return [path for _, path in written]


#: What identifies a file we wrote: device, inode, size, modification and change times
#: (the inode alone is not enough: a file system reuses the number of a deleted file).
Identity = tuple[int, int, int, int, int]


def file_identity(path: str | os.PathLike[str]) -> Identity | None:
    """The :data:`Identity` of an existing file, or ``None``."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )


def remove_if_ours(path: str | os.PathLike[str], identity: Identity | None) -> bool:
    """Delete ``path`` only if it is still the file we wrote (same :data:`Identity`).

    Returns
    -------
    bool
        Whether it was removed.
    """
    if identity is None or file_identity(path) != identity:
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True
