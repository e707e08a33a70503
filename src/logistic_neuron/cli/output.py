"""Standard output that a reader may leave early (``| head``) without losing the work.

A command whose standard output is a pipe closed by its reader gets
``BrokenPipeError`` at its next ``print``. Well-behaved Unix tools stop
printing and say nothing about it; a training run should also finish and save
its model, because that, not the printed costs, is the result. So
:class:`ReaderMayLeave` wraps ``sys.stdout`` while a command runs: the first
broken-pipe error points file descriptor 1 at ``/dev/null`` (so the
interpreter's last flush cannot fail either), and every later write is
dropped. The command finishes and exits with its own exit code.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class ReaderMayLeave(io.TextIOBase):
    """A text stream that forwards to ``stream`` until its reader goes away.

    Attributes
    ----------
    reader_left : bool
        True once a write or flush met a closed pipe.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.reader_left = False

    def _left(self) -> None:
        self.reader_left = True
        # Unwritten bytes stay in the stream's buffer; sending them to /dev/null
        # lets the final flush at exit succeed instead of printing an error.
        try:
            fd = self.stream.fileno()
        except (OSError, ValueError, AttributeError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)

    def write(self, text: str) -> int:
        if not self.reader_left:
            try:
                return self.stream.write(text)
            except OSError as exc:
                if not _is_closed_pipe(exc):
                    raise
                self._left()
        return len(text)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self.stream.flush()
            except OSError as exc:
                if not _is_closed_pipe(exc):
                    raise
                self._left()

    def isatty(self) -> bool:
        return not self.reader_left and self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


def _is_closed_pipe(exc: OSError) -> bool:
    return isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE


@contextmanager
def stdout_reader_may_leave() -> Iterator[ReaderMayLeave]:
    """Replace ``sys.stdout`` by a :class:`ReaderMayLeave` for the duration of the block."""
    original = sys.stdout
    guarded = ReaderMayLeave(original)
    sys.stdout = guarded
    try:
        yield guarded
    finally:
        try:
            guarded.flush()
        finally:
            sys.stdout = original
