r"""Learning-rate decay: smaller steps as training goes on.

The course's two schedules, with ``epoch_num`` counted from 0:

* :func:`update_lr`: :math:`\alpha = \alpha_0 / (1 + \text{decay\_rate} \cdot \text{epoch\_num})`,
  a little smaller every epoch;
* :func:`schedule_lr_decay`: the same, but the epoch number only counts whole
  ``time_interval`` s: :math:`\alpha = \alpha_0 / (1 + \text{decay\_rate} \cdot
  \lfloor \text{epoch\_num} / \text{time\_interval} \rfloor)`, a staircase.

With ``decay_rate = 0`` the rate stays :math:`\alpha_0`.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any


def check_decay_rate(decay_rate: Any) -> float:
    """Check ``decay_rate``: a finite number >= 0 (0 turns decay off)."""
    if isinstance(decay_rate, bool) or not isinstance(decay_rate, Real):
        raise ValueError(f"decay_rate must be a number >= 0, got {decay_rate!r}")
    value = float(decay_rate)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"decay_rate must be a finite number >= 0, got {value:g}; 0 turns it off")
    return value


def check_time_interval(time_interval: Any) -> int | None:
    """Check the staircase's ``time_interval`` (None for decay every epoch)."""
    if time_interval is None:
        return None
    if isinstance(time_interval, bool) or not isinstance(time_interval, Integral):
        raise ValueError(f"decay_interval must be a whole number >= 1, got {time_interval!r}")
    if time_interval < 1:
        raise ValueError(f"decay_interval must be at least 1, got {time_interval}")
    return int(time_interval)


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """The course's ``update_lr``: ``learning_rate0 / (1 + decay_rate * epoch_num)``."""
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(
    learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000
) -> float:
    """The course's ``schedule_lr_decay``: decay once per ``time_interval`` epochs."""
    return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))


def decayed_learning_rate(
    learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int | None
) -> float:
    """The rate of epoch ``epoch_num``: :func:`update_lr`, or the staircase when
    ``time_interval`` is given; exactly ``learning_rate0`` when ``decay_rate`` is 0."""
    if decay_rate == 0:
        return learning_rate0
    if time_interval is None:
        return update_lr(learning_rate0, epoch_num, decay_rate)
    return schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval)
