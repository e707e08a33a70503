"""Array helpers for tests that run on every backend."""

from __future__ import annotations

from typing import Any


def to_host(x: Any) -> Any:
    """Any backend's array as NumPy, for comparisons in tests."""
    from logistic_neuron.neuron.backend import to_numpy

    return to_numpy(x)
