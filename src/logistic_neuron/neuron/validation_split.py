"""A validation split: examples held out of the training data, class by class.

Early stopping and keep-best judge the parameters on examples the training
never sees and that are not the test set (looking at the test set to choose
would make the test accuracy an optimistic, biased estimate). The split is
stratified (each class keeps its proportion) and seeded, so it is the same
every time and can be recorded in the model; it works on host label vectors
and returns index arrays, which any array library can ``take``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from logistic_neuron.neuron.backend import np


def check_validation_fraction(fraction: Any) -> float:
    """Check ``validation_fraction``: a number in [0, 1) (0: no validation split)."""
    if isinstance(fraction, bool) or not isinstance(fraction, Real):
        raise ValueError(f"validation_fraction must be a number in [0, 1), got {fraction!r}")
    value = float(fraction)
    if not (math.isfinite(value) and 0 <= value < 1):
        raise ValueError(
            f"validation_fraction must be in [0, 1) (the share of the training data held out "
            f"for validation), got {value:g}; 0.2 is common"
        )
    return value


def stratified_indices(labels: Any, fraction: float, seed: int) -> tuple[Any, Any]:
    """Split example indices into kept and held-out ones, ``fraction`` of each class held out.

    Each class with at least two examples gives at least one and keeps at
    least one. Both index arrays are sorted (the examples keep their order).

    Parameters
    ----------
    labels : array-like of 0/1, shape (m,)
    fraction : float
        In (0, 1).
    seed : int

    Returns
    -------
    kept, held_out : ndarray of int64
        ``held_out`` is empty when there are too few examples.
    """
    values = np.asarray(labels).reshape(-1)
    rng = np.random.default_rng(seed)
    held: list[int] = []
    for label in (0, 1):
        members = np.flatnonzero(values == label)
        count = round(len(members) * fraction)
        count = min(max(count, 1), len(members) - 1) if len(members) >= 2 else 0
        held.extend(rng.permutation(members)[:count].tolist())
    is_held = np.zeros(values.shape[0], dtype=bool)
    is_held[held] = True
    return np.flatnonzero(~is_held).astype(np.int64), np.flatnonzero(is_held).astype(np.int64)
