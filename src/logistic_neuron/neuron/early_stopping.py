"""Early stopping and keep-best: watch the validation set, keep the best parameters.

At every recorded iteration the parameters are evaluated on the validation
examples (cost without the L2 penalty, and accuracy). :class:`KeepBest`
remembers the parameters of the best evaluation so far: the lowest cost, or
the highest accuracy (ties keep the earlier, simpler model), and the iteration
they come from. With ``patience = p`` training stops once ``p`` evaluations in
a row have not improved on the best; the model then holds the best parameters,
not the last ones. Its whole state is a few numbers and one copy of ``w``, so
checkpoints store it and a resumed run decides exactly as the uninterrupted one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from numbers import Integral
from typing import Any

from logistic_neuron.neuron.backend import Array

#: What keep-best and early stopping compare.
MONITORS = ("cost", "accuracy")


def check_patience(patience: Any) -> int | None:
    """Check ``patience``: None (never stop early) or a whole number >= 1."""
    if patience is None:
        return None
    if isinstance(patience, bool) or not isinstance(patience, Integral):
        raise ValueError(f"patience must be a whole number >= 1, got {patience!r}")
    if patience < 1:
        raise ValueError(
            f"patience must be at least 1 (recorded evaluations without improvement before "
            f"stopping), got {patience}"
        )
    return int(patience)


def check_monitor(monitor: Any) -> str:
    """Check what to monitor: ``"cost"`` or ``"accuracy"`` on the validation set."""
    if monitor not in MONITORS:
        raise ValueError(f"unknown monitor {monitor!r}: use one of {', '.join(MONITORS)}")
    return str(monitor)


@dataclass(frozen=True)
class KeepBest:
    """The validation history and the best parameters seen so far.

    Attributes
    ----------
    monitor : {"cost", "accuracy"}
    costs, accuracies : tuple of float
        Validation cost and accuracy (percent) at each evaluation.
    iterations : tuple of int
        The iteration of each evaluation.
    best_index : int
        Index of the best evaluation (-1 before the first).
    w : array, shape (n_x, 1), or None
        Parameters of the best evaluation.
    b : float
    """

    monitor: str = "cost"
    costs: tuple[float, ...] = ()
    accuracies: tuple[float, ...] = ()
    iterations: tuple[int, ...] = ()
    best_index: int = -1
    w: Array | None = None
    b: float = 0.0

    @property
    def best_iteration(self) -> int | None:
        """The iteration whose parameters are the best (None before any evaluation)."""
        return self.iterations[self.best_index] if self.best_index >= 0 else None

    @property
    def since_best(self) -> int:
        """Evaluations since the best one (0 when the last one is the best)."""
        return len(self.costs) - 1 - self.best_index

    def _better(self, cost: float, accuracy: float) -> bool:
        if self.best_index < 0:
            return True
        if self.monitor == "cost":
            return cost < self.costs[self.best_index]
        return accuracy > self.accuracies[self.best_index]

    def update(self, iteration: int, cost: float, accuracy: float, w: Array, b: float) -> KeepBest:
        """Add one evaluation of the parameters ``w, b`` after ``iteration`` iterations."""
        better = self._better(cost, accuracy)
        return replace(
            self,
            costs=(*self.costs, cost),
            accuracies=(*self.accuracies, accuracy),
            iterations=(*self.iterations, iteration),
            best_index=len(self.costs) if better else self.best_index,
            w=w if better else self.w,
            b=b if better else self.b,
        )

    def should_stop(self, patience: int | None) -> bool:
        """True when ``patience`` evaluations in a row brought no improvement."""
        return patience is not None and self.since_best >= patience
