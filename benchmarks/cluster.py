"""Distributed section of the benchmarks: the Dask cluster engine against one process.

For m = 50,000 and 200,000 synthetic 64x64x3 uint8 images packed into a store
(``logistic-neuron pack``'s format), it times one gradient-descent iteration:

* ``single``: the in-memory ``numba`` engine in this process, on the same
  number of threads as the cluster has in all (the baseline);
* ``cluster-1``: a LocalCluster of 1 worker process with all threads;
* ``cluster-2``: a LocalCluster of 2 worker processes with 1 thread each;

and for each cluster the tasks per iteration (counted from Dask's task stream),
the bytes sent per iteration (the serialized size of each task's ``w``/``b``
and of each partial it sends back), the peak RSS of every worker, and the time
of the one-pass kernel per chunk measured on a worker. It prints a Markdown
table; BENCHMARKS.md records a run and an estimate for 10 and 100 machines.

Run:  python benchmarks/cluster.py [--sizes 50000,200000] [--iterations 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_rss_kb() -> int:
    # VmHWM, not ru_maxrss: a spawned worker inherits its parent's ru_maxrss
    # across exec, VmHWM starts afresh.
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _kernel_time_per_chunk(chunks: list[Any], kernel: str, repeats: int = 3) -> float:
    # Runs on a worker: the one-pass kernel alone over the worker's chunks.
    import numpy as np

    from logistic_neuron.engines.distributed import worker_group_partial

    w = np.zeros(chunks[0][0].shape[1])
    m = sum(len(y) for _, y in chunks)
    worker_group_partial(w, 0.0, True, m, kernel, chunks)
    start = time.perf_counter()
    for _ in range(repeats):
        worker_group_partial(w, 0.0, True, m, kernel, chunks)
    return (time.perf_counter() - start) / repeats / len(chunks)


def single(store_path: Path, iterations: int) -> dict[str, Any]:
    """The in-memory numba engine: per-iteration time."""
    import numpy as np

    from logistic_neuron.data.store import open_store
    from logistic_neuron.engines import kernels

    split = open_store(store_path).to_split()
    rows = split.pixels().T
    y = split.labels.astype(np.float64)
    w = np.zeros(rows.shape[1])
    workspace = kernels.Workspace(*rows.shape, w.dtype)
    times = []
    for _ in range(iterations + 1):
        start = time.perf_counter()
        result = kernels.numba_pass(rows, y, w, 0.0, want_cost=True, learning_rate=0.005,
                                    workspace=workspace)  # fmt: skip
        times.append(time.perf_counter() - start)
        w = result.w_next
    del split, rows
    return {"per_iteration": statistics.median(times[1:])}


def cluster(store_path: Path, workers: int, threads: int, iterations: int) -> dict[str, Any]:
    """A LocalCluster of ``workers`` processes: per-iteration time, tasks, bytes, memory."""
    import numpy as np
    from distributed import get_task_stream

    from logistic_neuron.data.store import Selection, open_store
    from logistic_neuron.engines.chunked import Partial
    from logistic_neuron.engines.distributed import DaskRunner, cluster_client

    store = open_store(store_path)
    selection = Selection(store)
    with cluster_client(workers=workers) as client:
        client.run(lambda: None)
        start = time.perf_counter()
        runner = DaskRunner(client, selection, workers)
        load_seconds = time.perf_counter() - start
        w = np.zeros(store.n_x)
        runner.partials(w, 0.0, True, 0)  # warm-up: the kernel compiles or loads from cache
        times = []
        with get_task_stream(client) as stream:
            for i in range(1, iterations + 1):
                start = time.perf_counter()
                parts = runner.partials(w, 0.0, True, i)
                times.append(time.perf_counter() - start)
        tasks = len(stream.data) / iterations
        sent = len(pickle.dumps((w, 0.0, True, store.m, runner.kernel)))
        back = len(pickle.dumps(Partial(parts[0].dw, 0.0, 0.0, True)))
        peaks = client.run(_peak_rss_kb)
        per_chunk = [
            client.submit(_kernel_time_per_chunk, [runner.chunks[t] for t in group],
                          runner.kernel, pure=False).result()
            for group in runner.groups
        ]  # fmt: skip
        runner.close()
    return {
        "per_iteration": statistics.median(times),
        "load": load_seconds,
        "tasks": tasks,
        "bytes_out": sent * len(runner.groups),
        "bytes_back": back * len(runner.groups),
        "peak_worker_mb": max(peaks.values()) / 1024,
        "per_chunk": statistics.median(per_chunk),
        "chunk_examples": store.chunk_examples,
        "threads": threads,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="cores given to each contender")
    parser.add_argument("--folder", help="where to pack the stores (default: a temporary folder)")
    args = parser.parse_args(argv)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    from logistic_neuron.data.store import pack, synthetic_source

    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        for m in (int(s) for s in args.sizes.split(",")):
            start = time.perf_counter()
            path = pack(synthetic_source(m, (64, 64, 3), seed=m), Path(folder) / f"s{m}.zarr")
            print(f"packed m={m} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
            base = single(path, args.iterations)
            one = cluster(path, 1, args.threads, args.iterations)
            two = cluster(path, 2, args.threads, args.iterations)
            rows.append((m, base, one, two))
            print(m, base, one, two, file=sys.stderr)
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print(
        "| m | single process | 1 worker | 2 workers | ratio 1w / single | ratio 2w / single "
        "| tasks / iteration (1w, 2w) | bytes sent / iteration (2w: out + back) "
        "| peak RSS per worker (1w, 2w) | kernel time per chunk (1w, 2w) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for m, base, one, two in rows:
        print(
            f"| {m:,} | {base['per_iteration'] * 1e3:.0f} ms | {one['per_iteration'] * 1e3:.0f} ms "
            f"| {two['per_iteration'] * 1e3:.0f} ms "
            f"| {one['per_iteration'] / base['per_iteration']:.2f} "
            f"| {two['per_iteration'] / base['per_iteration']:.2f} "
            f"| {one['tasks']:.0f}, {two['tasks']:.0f} "
            f"| {two['bytes_out'] / 1e3:.0f} kB + {two['bytes_back'] / 1e3:.0f} kB "
            f"| {one['peak_worker_mb']:.0f} MB, {two['peak_worker_mb']:.0f} MB "
            f"| {one['per_chunk'] * 1e3:.1f} ms, {two['per_chunk'] * 1e3:.1f} ms "
            f"({two['chunk_examples']} images) |"
        )
    print("\nloading the chunks into the workers (read, check, keep), 2 workers: "
          + ", ".join(f"m={m:,}: {two['load']:.1f} s" for m, _, _, two in rows))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
