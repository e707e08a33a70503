"""Array helpers for tests that run on every backend."""

from __future__ import annotations

from typing import Any


def to_host(x: Any) -> Any:
    """Any backend's array as NumPy, for comparisons in tests."""
    from logistic_neuron.neuron.backend import to_numpy

    return to_numpy(x)


def pixel_problem(n_x: int, m: int, kind: str, seed: int = 0) -> tuple[Any, Any]:
    """Random ``X`` (n_x, m) with each example contiguous (as ``split.pixels()``) and labels (1, m).

    ``kind`` is ``"uint8"`` (raw pixels) or a float dtype (pixels / 255).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(m, n_x), dtype=np.uint8)
    Y = (rng.random((1, m)) > 0.5).astype(np.int64)
    if kind == "uint8":
        return pixels.T, Y
    return (pixels.T / 255).astype(kind), Y
