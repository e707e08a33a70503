"""A progress bar for long trainings, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Redraw at most this often (seconds): drawing is cheap, but not free.
REDRAW_INTERVAL = 0.1


class ProgressBar:
    """A one-line text bar on ``stream`` that redraws itself in place.

    It draws nothing when ``stream`` is not a terminal (logs, CI, pipes), so
    output captured in files holds no control characters.

    Parameters
    ----------
    total : int
        The count that means 100 %.
    stream : text stream, optional
        Standard error by default.
    width : int
        Characters of the bar itself.
    """

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._start = time.monotonic()
        self._shown = False

    def update(self, done: int, note: str = "") -> None:
        """Show that ``done`` of ``total`` are complete (redraws at most every 0.1 s)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self._last_draw < REDRAW_INTERVAL:
            return
        self._last_draw = now
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self._start
        self.stream.write(f"\r[{bar}] {done}/{self.total} {elapsed:5.1f}s {note}")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the bar so that other output can be printed on a clean line."""
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def close(self) -> None:
        """Finish the bar (it is erased)."""
        self.clear()
