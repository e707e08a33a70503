r"""Gradient descent over a packed store, a chunk at a time: out of core, and the cluster's maths.

Full-batch gradient descent needs, per iteration, only sums over examples:

.. math:: dw = \frac{1}{m}\sum_i dz_i\, x_i,\quad db = \frac{1}{m}\sum_i dz_i,
          \quad J = \frac{1}{m}\sum_i \big(\mathrm{softplus}(z_i) - y_i z_i\big)

so each chunk of examples gives its share (a :class:`Partial`, computed by the
one-pass kernel of :mod:`logistic_neuron.engines.kernels` with the sums divided
by the whole ``m``), and the shares add up to the whole. The chunks are cut
into a fixed number of contiguous *groups*; a group's partial is the sum of
its chunks' partials in chunk order, and the step sums the groups' partials in
group order. The result depends only on the store and the number of groups,
never on where or when a chunk was computed: the same model, bit for bit,
whether it ran here, on a cluster, or on a cluster that lost a worker.

:class:`StreamingRunner` computes the groups in this process, reading each
chunk from disk when it is needed and dropping it afterwards: peak memory is
about one chunk plus the kernel's scratch, whatever the store's size (out of
core). :mod:`logistic_neuron.engines.distributed` computes them on Dask
workers that keep their chunks in memory. :func:`fit_chunked` is the loop
both share; it mirrors :func:`logistic_neuron.neuron.optimization.optimize`
(recording, printing, callbacks, divergence checks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from logistic_neuron.data.store import ChunkTask, Selection, load_rows
from logistic_neuron.engines import kernels
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.optimization import (
    OptimizationResult,
    Progress,
    check_divergence,
    check_run_settings,
    finished_plain,
)
from logistic_neuron.neuron.prediction import predict
from logistic_neuron.neuron.propagation import Gradients, initialize_with_zeros


@dataclass(frozen=True)
class Partial:
    """One chunk's or group's share of an iteration's sums (already divided by the whole m).

    Attributes
    ----------
    dw : ndarray, shape (n_x,)
    db : float
    cost : float
        ``nan`` when the cost was not asked for.
    finite : bool
        False when some ``z`` overflowed.
    """

    dw: Any
    db: float
    cost: float
    finite: bool


def kernel_name() -> str:
    """The kernel every chunk uses: ``numba`` when installed, else ``numpy-blocked``."""
    return "numba" if kernels.numba_available() else "numpy-blocked"


def chunk_partial(
    rows: Any,
    y: Any,
    w: Any,
    b: float,
    *,
    want_cost: bool,
    m_total: int,
    kernel: str,
    threads: int | None = None,
) -> Partial:
    """One chunk's share with the one-pass kernel.

    Parameters
    ----------
    rows : ndarray, shape (k, n_x), uint8, C-contiguous
    y : ndarray, shape (k,), float64
    w : ndarray, shape (n_x,), float32 or float64
    b : float
    want_cost : bool
    m_total : int
        The number of examples of the whole training set.
    kernel : {"numba", "numpy-blocked"}
    threads : int, optional
        Most threads the numba kernel may use (default: numba's pool).
    """
    if kernel == "numba":
        result = kernels.numba_pass(
            rows, y, w, b, want_cost=want_cost, m_total=m_total, max_threads=threads
        )
    else:
        result = kernels.numpy_pass(rows, y, w, b, want_cost=want_cost, m_total=m_total)
    return Partial(result.dw, result.db, result.cost, result.finite)


def add_partials(parts: Sequence[Partial]) -> Partial:
    """The sum of ``parts`` in the order given (the order is what makes results reproducible)."""
    dw = parts[0].dw.copy()
    db, cost, finite = parts[0].db, parts[0].cost, parts[0].finite
    for part in parts[1:]:
        dw += part.dw
        db += part.db
        cost += part.cost
        finite = finite and part.finite
    return Partial(dw, db, cost, finite)


def group_partial(
    w: Any,
    b: float,
    want_cost: bool,
    m_total: int,
    kernel: str,
    chunks: Sequence[tuple[Any, Any]],
    threads: int | None = None,
) -> Partial:
    """A group's share: its chunks' partials summed in chunk order (runs on Dask workers too)."""
    return add_partials(
        [
            chunk_partial(
                rows, y, w, b, want_cost=want_cost, m_total=m_total, kernel=kernel, threads=threads
            )
            for rows, y in chunks
        ]
    )


def features(rows: Any, dtype: str) -> Any:
    """A chunk as the course's features ``(n_x, k)``, exactly as ``Split.X(dtype)`` makes them."""
    pixels = rows.T
    if dtype == "float32":
        return pixels.astype(np.float32) / np.float32(255)
    return pixels / 255.0


def group_correct(w: Any, b: float, dtype: str, chunks: Sequence[tuple[Any, Any]]) -> int:
    """How many examples of a group the model labels right (runs on Dask workers too)."""
    right = 0
    for rows, y in chunks:
        labels = predict(w.reshape(-1, 1), b, features(rows, dtype))
        right += int(np.count_nonzero(labels.reshape(-1) == y))
    return right


def groups_of(n_tasks: int, n_groups: int) -> list[range]:
    """Cut ``n_tasks`` chunks into ``n_groups`` contiguous groups of (nearly) equal size."""
    n_groups = max(1, min(n_groups, n_tasks))
    return [range(g * n_tasks // n_groups, (g + 1) * n_tasks // n_groups) for g in range(n_groups)]


class Runner(Protocol):
    """Where the groups' partials are computed (this process, or a Dask cluster)."""

    n_groups: int

    def partials(self, w: Any, b: float, want_cost: bool, iteration: int) -> list[Partial]:
        """Every group's partial for parameters ``(w, b)``, in group order."""
        ...

    def correct(self, w: Any, b: float, dtype: str) -> int:
        """How many training examples ``(w, b)`` labels right."""
        ...


class StreamingRunner:
    """Groups computed here, one chunk in memory at a time (out of core).

    Parameters
    ----------
    selection : Selection
        The training examples.
    n_groups : int
        Groups the chunks are cut into; a run on a cluster of ``n_groups``
        workers gives the same model bit for bit.
    kernel : str, optional
    keep : bool
        Keep the chunks in memory after the first read (for stores that fit:
        the same sums without re-reading the disk at every iteration).
    """

    def __init__(
        self,
        selection: Selection,
        n_groups: int = 1,
        kernel: str | None = None,
        *,
        keep: bool = False,
    ) -> None:
        self.selection = selection
        self.tasks: list[ChunkTask] = selection.tasks()
        self.groups = groups_of(len(self.tasks), n_groups)
        self.n_groups = n_groups
        self.kernel = kernel or kernel_name()
        self.m = selection.m
        self.kept: dict[int, tuple[Any, Any]] | None = {} if keep else None

    def _chunks(self, group: range) -> Any:
        for t in group:
            if self.kept is None:
                yield load_rows(self.selection.store.path, self.tasks[t])
                continue
            if t not in self.kept:
                self.kept[t] = load_rows(self.selection.store.path, self.tasks[t])
            yield self.kept[t]

    def partials(self, w: Any, b: float, want_cost: bool, iteration: int) -> list[Partial]:
        out = []
        for group in self.groups:
            # Chunk by chunk, so only one chunk is in memory; same order as group_partial.
            parts = [
                chunk_partial(
                    rows, y, w, b, want_cost=want_cost, m_total=self.m, kernel=self.kernel
                )
                for rows, y in self._chunks(group)
            ]
            out.append(add_partials(parts))
        return out

    def correct(self, w: Any, b: float, dtype: str) -> int:
        return selection_correct(self.selection, w, b, dtype)


def selection_correct(selection: Selection, w: Any, b: float, dtype: str) -> int:
    """How many examples of ``selection`` ``(w, b)`` labels right, read a chunk at a time."""
    return sum(group_correct(w, b, dtype, [chunk]) for chunk in selection.iter_chunks())


def fit_chunked(
    runner: Runner,
    *,
    n_x: int,
    num_iterations: int,
    learning_rate: float,
    dtype: str = "float64",
    record_every: int = 100,
    callback: Callable[[Progress], None] | None = None,
    print_cost: bool = False,
    w: Any = None,
    b: float = 0.0,
    start_iteration: int = 0,
    previous_costs: Sequence[float] = (),
) -> OptimizationResult:
    """Gradient descent whose iterations are computed by ``runner``; mirrors ``optimize``.

    Parameters
    ----------
    runner : Runner
        :class:`StreamingRunner` or :class:`~logistic_neuron.engines.distributed.DaskRunner`.
    n_x : int
        Features per example.
    num_iterations, learning_rate, dtype, record_every, callback, print_cost,
    w, b, start_iteration, previous_costs
        As :func:`logistic_neuron.engines.resolver.fit`.

    Returns
    -------
    OptimizationResult
    """
    num_iterations, learning_rate, record_every = check_run_settings(
        num_iterations, learning_rate, record_every, start_iteration, previous_costs
    )
    compute = np.dtype(dtype)
    if w is None:
        w, b = initialize_with_zeros(n_x, dtype=dtype)
    weights = np.array(w, dtype=compute).reshape(n_x)
    b = float(b)
    costs = [float(c) for c in previous_costs]
    last = Partial(np.zeros(n_x, dtype=compute), 0.0, 0.0, True)
    for i in range(start_iteration, num_iterations):
        record = i % record_every == 0
        last = add_partials(runner.partials(weights, b, record, i))
        if not last.finite:
            check_divergence([*costs, math.inf], i, learning_rate)
        if record:
            costs.append(float(last.cost))
            if print_cost:
                print(f"Cost after iteration {i}: {last.cost:f}")
            check_divergence(costs, i, learning_rate)
        with np.errstate(over="ignore", invalid="ignore"):
            weights = weights - compute.type(learning_rate) * last.dw
        b = b - learning_rate * last.db
        if callback is not None:
            callback(Progress(i + 1, num_iterations, weights.reshape(n_x, 1), b, tuple(costs)))
    gradients = Gradients(dw=last.dw.reshape(n_x, 1), db=last.db)
    return finished_plain(
        weights.reshape(n_x, 1), b, gradients, costs, learning_rate, num_iterations, record_every
    )
