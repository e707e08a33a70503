"""Progress of long commands on a terminal: elapsed time and time left, on standard error.

The bars are tqdm's (a well-kept library), which replaced the hand-written bar
this module used to hold: tqdm estimates the time left from a smoothed rate,
fits the terminal's width, throttles its redraws (at most every 0.1 s here)
and is what Python users already know from pip-like tools. Every bar is drawn
on standard error and only when that is a terminal: logs, CI and pipes get no
control characters, and standard output stays the command's result.

:class:`ProgressBar` is the one door the commands use (``train``,
``compare-learning-rates``, ``overfitting``, ``report``, ``predict``);
``tqdm`` is imported only when a bar is really drawn, so ``--help`` and runs
in pipes never load it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

#: Redraw at most this often (seconds).
REDRAW_INTERVAL = 0.1

#: What a bar shows: what runs, the share done, the count, elapsed and left.
BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} "
    "[{elapsed} elapsed, {remaining} left]"
)


def on_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A progress bar on ``stream`` (standard error) that is drawn only on a terminal.

    Parameters
    ----------
    total : int
        The count that means 100 %.
    stream : text stream, optional
        Standard error by default.
    description : str
        What runs ("training", "learning rate 0.01" ...).
    unit : str
        What is counted ("iterations", "images" ...).
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        description: str = "working",
        unit: str = "iterations",
    ) -> None:
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        self.enabled = on_terminal(self.stream)
        self._bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                desc=description,
                unit=unit,
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=REDRAW_INTERVAL,
                miniters=1,
                bar_format=BAR_FORMAT,
            )

    def update(self, done: int, note: str = "") -> None:
        """Show that ``done`` of ``total`` are complete."""
        if self._bar is None:
            return
        if note:
            self._bar.set_description_str(note, refresh=False)
        self._bar.update(min(int(done), self.total) - self._bar.n)

    def set_total(self, total: int) -> None:
        """Change the count that means 100 % (known only once the work has started)."""
        self.total = max(int(total), 1)
        if self._bar is not None:
            self._bar.total = self.total

    def clear(self) -> None:
        """Erase the bar so that other output can be printed on a clean line (it comes back)."""
        if self._bar is not None:
            self._bar.clear()

    def close(self) -> None:
        """Finish the bar (it is erased)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def counter(self, offset: int = 0) -> Callable[[int], None]:
        """A callback ``done -> None`` that moves the bar to ``offset + done``."""
        return lambda done: self.update(offset + done)
