"""Argument types for the command line that reject bad values as usage errors."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", int, float)


def parsed(text: str, convert: Callable[[str], T], expected: str) -> T:
    """``convert(text)``; text that is not a number at all says what was ``expected``.

    The argument types below check the range of the number themselves.
    """
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    value = parsed(text, int, "a whole number >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**63 - 1 (NumPy refuses negative seeds)."""
    value = parsed(text, int, "a whole number >= 0")
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to 2**63 - 1, got {value}"
        )
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = parsed(text, float, "a number > 0")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def port_number(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    value = parsed(text, int, "a port number")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value
