"""Input files are looked at before they are opened: only regular files are read.

A path where a file is expected may name a FIFO (``open`` blocks until a writer
comes, forever), a device (``/dev/zero`` never ends, ``/dev/stdin`` is a pipe),
a socket or a folder. :func:`check_regular_file` answers each with one line
naming the file and what it is, and :func:`open_regular` opens with
``O_NONBLOCK`` and checks the opened descriptor again, so a file swapped for a
FIFO between the check and the open cannot block either.

Written by hand: the standard library has the pieces (``os.stat``, ``stat``)
but no "open this only if it is a regular file" call.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from logistic_neuron.errors import DataError, LogisticNeuronError


def kind_of(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words (``"a pipe (FIFO)"`` ...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def _refusal(path: Path, mode: int, what: str) -> str:
    return (
        f"{path} is {kind_of(mode)}, not a regular file; give the {what} as a file "
        "(pipes, devices and folders are not read)"
    )


def check_regular_file(
    path: str | os.PathLike[str],
    what: str = "file",
    error: type[LogisticNeuronError] = DataError,
) -> os.stat_result:
    """Refuse anything but an existing regular file (symbolic links are followed).

    Parameters
    ----------
    path : the file
    what : how messages call it (``"model file"``)
    error : the error type to raise

    Returns
    -------
    os.stat_result
        The file's status.

    Raises
    ------
    error
        One line: not found, or what the path is instead of a regular file.
    """
    file = Path(path)
    try:
        status = os.stat(file)
    except FileNotFoundError:
        raise error(f"{what} not found: {file}") from None
    except OSError as exc:
        raise error(f"cannot read {file}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(status.st_mode):
        raise error(_refusal(file, status.st_mode, what))
    return status


@contextlib.contextmanager
def open_regular(
    path: str | os.PathLike[str],
    what: str = "file",
    error: type[LogisticNeuronError] = DataError,
) -> Iterator[BinaryIO]:
    """Open a regular file for binary reading, never blocking on a FIFO or device.

    The path is checked first (:func:`check_regular_file`), opened with
    ``O_NONBLOCK`` (an ``open`` of a FIFO then returns at once instead of
    waiting for a writer), and the opened descriptor is checked again, so
    replacing the file by a FIFO in between is refused too.

    Yields
    ------
    file object opened ``"rb"``.
    """
    file = Path(path)
    check_regular_file(file, what, error)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(file, flags)
    except OSError as exc:
        raise error(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(_refusal(file, mode, what))
        # Regular files ignore O_NONBLOCK; clear it anyway so reads behave as usual.
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle
