"""The costs a training run records, in amortised O(1) per record and per iteration.

A run records a cost every ``record_every`` iterations and hands its progress
to a callback after every iteration. Copying all costs into a new tuple for
each callback, or scanning them all for each divergence check, makes a long
run with ``record_every=1`` quadratic. :class:`CostLog` appends in amortised
O(1), answers "is this the first cost above the first one?" in O(1), and hands
out :class:`CostSnapshot` views in O(1): a snapshot shows the costs recorded
when it was taken and never changes, because the log only ever appends.

Written by hand: a list does the appending; what no container does is the
O(1) frozen view of a growing list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload


class CostSnapshot(Sequence[float]):
    """The first ``length`` costs of a :class:`CostLog`, read-only, taken in O(1).

    Compares equal to any sequence (tuple, list) with the same costs.
    """

    __slots__ = ("_length", "_values")

    def __init__(self, values: list[float], length: int) -> None:
        self._values = values
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[float, ...]: ...

    def __getitem__(self, index: int | slice) -> float | tuple[float, ...]:
        if isinstance(index, slice):
            return tuple(self._values[: self._length][index])
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("cost index out of range")
        return self._values[index]

    def __iter__(self) -> Iterator[float]:
        for index in range(self._length):
            yield self._values[index]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CostSnapshot({list(self)!r})"


class CostLog(Sequence[float]):
    """Recorded costs of one run: append, snapshot and divergence facts in O(1)."""

    def __init__(self, previous: Iterable[Any] = ()) -> None:
        self._values: list[float] = []
        #: Highest cost recorded after the first one (``-inf`` while there is none).
        self._peak_after_first = -math.inf
        self._first_rise = False
        for cost in previous:
            self.append(float(cost))

    def append(self, cost: float) -> None:
        """Record one cost (amortised O(1))."""
        if self._values:
            first = self._values[0]
            self._first_rise = cost > first and self._peak_after_first <= first
            self._peak_after_first = max(self._peak_after_first, cost)
        self._values.append(cost)

    @property
    def first_rise(self) -> bool:
        """Whether the last cost is the first one recorded above the first cost."""
        return self._first_rise

    def snapshot(self) -> CostSnapshot:
        """The costs recorded so far, as a view that will not change (O(1))."""
        return CostSnapshot(self._values, len(self._values))

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> list[float]: ...

    def __getitem__(self, index: int | slice) -> float | list[float]:
        return self._values[index]

    def __iter__(self) -> Iterator[float]:
        return iter(self._values)
