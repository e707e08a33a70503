"""Writing files so that a reader sees the old file or the new one, never half of one.

Data goes to a temporary file in the destination's folder, is flushed and
``fsync``-ed, and then renamed over the destination (``os.replace`` is atomic
on POSIX and Windows within one file system). If anything fails, or the
process is interrupted, the temporary file is removed and the destination is
untouched. Only regular files are replaced: a device (``/dev/null``), FIFO,
socket or folder at the destination is refused, before writing and again just
before the rename. A replaced file keeps its permissions; a new one gets what
a plain ``open()`` would give (the umask applies).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from logistic_neuron.data.files import kind_of
from logistic_neuron.errors import OutputError


def _existing_mode(target: Path) -> int | None:
    """``st_mode`` of what ``target`` names now (links followed), or None if nothing."""
    try:
        return os.stat(target).st_mode
    except OSError:
        return None


def check_output_folder(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written: its folder exists and is writable.

    Raises
    ------
    OutputError
        With a one-line explanation and a fix.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder; give a file name")
    existing = _existing_mode(target)
    if existing is not None and not stat.S_ISREG(existing):
        raise OutputError(
            f"cannot write {target}: it is {kind_of(existing)}, not a regular file; only "
            "regular files are replaced, choose another path"
        )
    if not folder.exists():
        raise OutputError(
            f"cannot write {target}: the folder {folder} does not exist; create it first"
        )
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write {target}: the folder {folder} is read-only; choose another"
        )
    return target


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block ends, then raise KeyboardInterrupt.

    For the few steps that must not stop half-way (rename, clean-up). Outside the
    main thread signal handlers cannot be changed, and the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    names = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
    previous = {signum: signal.signal(signum, hold) for signum in names}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(signum, handler)
    if received:
        raise KeyboardInterrupt


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", **kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or PathLike
        The destination.
    mode : {"wb", "w"}
        Binary or text.
    **kwargs
        Passed to :func:`open` (e.g. ``encoding="utf-8"``).

    Yields
    ------
    file object
        Write to it; it is closed, synced and renamed on exit.

    Raises
    ------
    OutputError
        When the folder is missing or read-only.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write supports modes 'w' and 'wb', got {mode!r}")
    target = check_output_folder(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # A Ctrl-C now would only leave the temporary file behind: it waits.
        with interrupts_deferred():
            # Keep the permissions of the file we replace; a new file gets what a
            # plain open() would give (mkstemp makes 0600).
            existing = _existing_mode(target)
            if existing is not None and not stat.S_ISREG(existing):
                # Checked before writing too; a device or FIFO put there since is kept.
                check_output_folder(target)
            if existing is not None:
                permissions = stat.S_IMODE(existing)
            else:
                umask = os.umask(0)
                os.umask(umask)
                permissions = 0o666 & ~umask
            os.chmod(tmp_name, permissions)
            os.replace(tmp_name, target)
    except BaseException:
        # A second Ctrl-C must not interrupt the clean-up of the first.
        with interrupts_deferred(), contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(text)
