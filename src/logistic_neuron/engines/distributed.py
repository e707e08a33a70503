"""Training on a Dask cluster: workers keep their chunks, one round trip per iteration.

Built on Dask's distributed scheduler (``pip install "logistic-neuron[distributed]"``):

* **Data loaded once.** :class:`DaskRunner` submits one task per chunk of the
  store (:func:`logistic_neuron.data.store.load_rows`: read, check the chunk's
  digest, keep the uint8 pixels) and holds the futures for the whole run, so
  each worker keeps its chunks in memory (persisted). The chunks are cut into
  one contiguous group per worker and each group's loads are placed on one
  worker (a loose restriction: Dask may move them when that worker dies).
* **One round trip per iteration.** One task per group carries ``w`` and
  ``b`` (each worker receives them once), runs the one-pass kernel over the
  group's chunks (:func:`logistic_neuron.engines.chunked.group_partial`) and
  sends back one partial ``(dw, db, cost)``; the client sums them in group
  order. (``client.scatter(w, broadcast=True)`` sends the same bytes but
  costs extra round trips with the scheduler: measured 33 ms against 13 ms
  for a whole no-op task on the busy 2-core machine, so ``w`` travels inside
  the task.) Tasks per iteration: one per group, with fresh keys, released after
  use, so the scheduler's graph does not grow with iterations.
* **Faults.** When a worker dies, the scheduler still knows how to make its
  chunks (the load tasks) and recomputes them from the store on another
  worker; the interrupted group task is rerun. The groups are fixed at the
  start, so the sums, and the model, are the same bit for bit. When the
  scheduler or every worker is gone, :class:`~logistic_neuron.errors.ClusterError`
  says so in one line (the CLI adds how to resume from the last checkpoint).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from logistic_neuron.data.store import ChunkTask, Selection, load_rows
from logistic_neuron.engines.chunked import (
    Partial,
    group_correct,
    group_partial,
    groups_of,
    kernel_name,
)
from logistic_neuron.errors import ClusterError, LogisticNeuronError
from logistic_neuron.neuron.backend import require

EXTRA = "distributed"
#: Seconds to wait for a scheduler to answer, and for a first worker.
CONNECT_TIMEOUT = 10.0
#: Seconds a run waits with no worker at all before it gives up, unless Dask's
#: own ``distributed.scheduler.no-workers-timeout`` setting says otherwise.
NO_WORKERS_GRACE = 30.0
#: Seconds between checks of the cluster's health while waiting for results.
POLL_INTERVAL = 1.0


def _distributed() -> Any:
    return require("distributed", EXTRA)


class _AbandonedGatherFilter(logging.Filter):
    """Drops asyncio's report of a gather that Dask's client abandoned with ``AllExit``.

    :meth:`DaskRunner._results` waits on futures in bounded polls. Each poll that
    times out leaves the client's internal ``gather`` task behind; when the
    cluster is then lost, that task ends with ``AllExit`` and, as nobody awaits it,
    asyncio logs "Task exception was never retrieved" with a traceback, possibly
    at interpreter exit, after the run's own one-line error. Only that record is
    dropped; every other asyncio message passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None and isinstance(record.args, dict):
            exc = record.args.get("exception")
        abandoned = record.getMessage().startswith("Task exception was never retrieved")
        return not (abandoned and type(exc).__name__ == "AllExit")


_GATHER_FILTER = _AbandonedGatherFilter()


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextlib.contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: to the scheduler at ``scheduler``, or to a new local cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler, ``tcp://HOST:PORT``.
    workers : int, optional
        Without ``scheduler``: start a ``LocalCluster`` of this many worker
        processes (each with ``cores // workers`` threads), closed on exit.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached or has no workers.
    """
    distributed = _distributed()
    # Installed for the life of the process: the abandoned task may be collected at exit.
    logging.getLogger("asyncio").addFilter(_GATHER_FILTER)
    cluster = None
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {scheduler} ({_reason(exc)}); start one "
                "with 'dask scheduler' and workers with 'dask worker ADDRESS', or use "
                "--workers N for a cluster on this machine"
            ) from None
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise ClusterError(
                f"the Dask scheduler at {scheduler} has no workers ({_reason(exc)}); start "
                f"some with 'dask worker {scheduler}'"
            ) from None
    else:
        count = max(1, int(workers or 1))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        cluster = distributed.LocalCluster(
            n_workers=count,
            threads_per_worker=max(1, cores // count),
            processes=True,
            # No dashboard, and the scheduler's small HTTP server on a free port: the
            # default 8787 may be taken (another cluster), which Dask warns about.
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
        )
        client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=CONNECT_TIMEOUT)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def no_workers_timeout() -> float:
    """Seconds without workers before a run stops: Dask's setting, else :data:`NO_WORKERS_GRACE`."""
    import dask
    from dask.utils import parse_timedelta

    value = dask.config.get("distributed.scheduler.no-workers-timeout", None)
    return float(parse_timedelta(value)) if value is not None else NO_WORKERS_GRACE


def n_workers(client: Any) -> int:
    """How many workers the cluster has now."""
    return len(client.nthreads())


def _worker_threads() -> int | None:
    # numba's pool spans every core of the machine; a worker uses only its own
    # threads, so that workers sharing a machine do not oversubscribe it.
    from distributed import get_worker

    try:
        return int(get_worker().state.nthreads)
    except ValueError:  # not on a worker
        return None


def worker_group_partial(
    w: Any, b: float, want_cost: bool, m_total: int, kernel: str, chunks: Sequence[Any]
) -> Partial:
    """:func:`~logistic_neuron.engines.chunked.group_partial` on a worker, with its threads."""
    return group_partial(w, b, want_cost, m_total, kernel, chunks, _worker_threads())


class DaskRunner:
    """Groups computed on a Dask cluster whose workers keep their chunks.

    Parameters
    ----------
    client : distributed.Client
    selection : Selection
        The training examples.
    n_groups : int
        Groups the chunks are cut into (normally the number of workers at the
        start; recorded in checkpoints so that a resumed run sums alike).
    kernel : str, optional
    no_workers_grace : float, optional
        Seconds without any worker before :class:`ClusterError`
        (default: :func:`no_workers_timeout`).
    """

    def __init__(
        self,
        client: Any,
        selection: Selection,
        n_groups: int,
        *,
        kernel: str | None = None,
        no_workers_grace: float | None = None,
    ) -> None:
        self.client = client
        self.m = selection.m
        self.kernel = kernel or kernel_name()
        self.no_workers_grace = (
            no_workers_grace if no_workers_grace is not None else no_workers_timeout()
        )
        self.token = uuid.uuid4().hex[:12]
        tasks: list[ChunkTask] = selection.tasks()
        self.groups = groups_of(len(tasks), n_groups)
        self.n_groups = n_groups
        self.tasks_per_iteration = len(self.groups)
        path = str(selection.store.path)
        workers = sorted(self._call(client.nthreads))
        self.chunks: list[Any] = [None] * len(tasks)
        for g, group in enumerate(self.groups):
            where = [workers[g % len(workers)]]
            for t in group:
                self.chunks[t] = client.submit(
                    load_rows,
                    path,
                    tasks[t],
                    key=f"logistic-neuron-chunk-{self.token}-{t}",
                    workers=where,
                    allow_other_workers=True,
                    pure=False,
                )
        self._results(self.chunks, keep=True)

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except LogisticNeuronError:
            raise
        except Exception as exc:
            raise ClusterError(
                f"lost the Dask cluster ({type(exc).__name__}: {_reason(exc)})"
            ) from None

    def _results(self, futures: list[Any], *, keep: bool = False) -> list[Any]:
        """Wait for ``futures`` while watching the cluster; their results unless ``keep``.

        Each wait is bounded (:data:`POLL_INTERVAL`) so that a lost scheduler or
        the loss of every worker is noticed instead of waited on forever.
        """
        alone_since: float | None = None
        results: list[Any] = []
        for future in futures:
            while True:
                try:
                    if keep:
                        with self.client.as_current():
                            _distributed().wait([future], timeout=POLL_INTERVAL)
                        self._check(future)
                        break
                    results.append(future.result(timeout=POLL_INTERVAL))
                    break
                except TimeoutError:
                    pass
                except LogisticNeuronError:
                    raise
                except Exception as exc:
                    self._check(future)
                    raise ClusterError(
                        f"lost the Dask cluster ({type(exc).__name__}: {_reason(exc)})"
                    ) from None
                if self.client.status not in ("running", "connecting"):
                    raise ClusterError(f"lost the Dask scheduler (client {self.client.status})")
                workers = (
                    self._call(self.client.nthreads) if self.client.status == "running" else {}
                )
                if workers:
                    alone_since = None
                elif alone_since is None:
                    alone_since = time.monotonic()
                elif time.monotonic() - alone_since > self.no_workers_grace:
                    raise ClusterError(
                        "every Dask worker was lost and none came back within "
                        f"{self.no_workers_grace:g} s; start workers and resume"
                    )
        return results

    def _check(self, future: Any) -> None:
        """Raise the error of a failed or cancelled future (ours as is, others as ClusterError)."""
        if future.status == "error":
            failure = future.exception()
            if isinstance(failure, LogisticNeuronError):
                raise failure
            raise ClusterError(
                f"a task failed on the Dask cluster ({type(failure).__name__}: {_reason(failure)})"
            )
        if future.status == "cancelled":
            raise ClusterError("lost the Dask scheduler (the run's tasks were cancelled)")

    def partials(self, w: Any, b: float, want_cost: bool, iteration: int) -> list[Partial]:
        """One task per group, carrying ``w``; partials back in group order."""
        futures = [
            self.client.submit(
                worker_group_partial,
                w,
                b,
                want_cost,
                self.m,
                self.kernel,
                [self.chunks[t] for t in group],
                key=f"logistic-neuron-step-{self.token}-{iteration}-{g}",
                pure=False,
            )
            for g, group in enumerate(self.groups)
        ]
        results: list[Partial] = self._results(futures)
        del futures  # released: the graph does not grow
        return results

    def correct(self, w: Any, b: float, dtype: str) -> int:
        """Correct predictions on the training chunks, counted where they live."""
        futures = [
            self.client.submit(
                group_correct,
                w,
                b,
                dtype,
                [self.chunks[t] for t in group],
                key=f"logistic-neuron-correct-{self.token}-{g}",
                pure=False,
            )
            for g, group in enumerate(self.groups)
        ]
        return int(sum(self._results(futures)))

    def close(self) -> None:
        """Release the chunks held on the workers."""
        with contextlib.suppress(Exception):
            self.client.cancel(self.chunks)
        self.chunks = []
