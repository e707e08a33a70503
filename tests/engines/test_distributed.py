"""Training on a real Dask cluster: the course's numbers, faults, and the dask commands.

Every test starts real schedulers and worker processes (``distributed.LocalCluster``
or the ``dask scheduler`` / ``dask worker`` commands); nothing is mocked.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip(
    "distributed", reason='Dask is not installed (pip install "logistic-neuron[distributed]")'
)
pytest.importorskip(
    "zarr", reason='Zarr is not installed (pip install "logistic-neuron[distributed]")'
)

from logistic_neuron.cli.main import main
from logistic_neuron.data.dataset import Split, held_out_indices
from logistic_neuron.data.store import Selection, open_store, pack, source_of_split
from logistic_neuron.engines.chunked import StreamingRunner, fit_chunked
from logistic_neuron.engines.distributed import DaskRunner, cluster_client
from logistic_neuron.storage.model_file import load_model
from support.course import COURSE_OUTPUT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cat_store(course_data_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "cat.zarr"
    assert (
        main(["pack", str(course_data_dir / "train_catvnoncat.h5"), str(out), "--chunk-size", "64"])
        == 0
    )
    return out


def small_store(folder: Path, m=120, chunk=16, seed=0) -> Path:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (m, 6, 6, 3), dtype=np.uint8)
    labels = (images.reshape(m, -1).mean(axis=1) > 127.5).astype(np.int64)
    labels[:2] = [0, 1]
    return pack(
        source_of_split(Split(images, labels), ("no", "yes"), "small"),
        folder / "s.zarr",
        chunk_examples=chunk,
    )


def test_classic_run_on_two_workers_prints_the_course_numbers(
    cat_store, course_data_dir, tmp_path, capsys
):
    test_file = str(course_data_dir / "test_catvnoncat.h5")
    # The scheduler of a LocalCluster runs in this process: record what it logs.
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    scheduler_log = logging.getLogger("distributed.scheduler")
    scheduler_log.addHandler(handler)
    try:
        code = main(["train", "--data", str(cat_store), "--test", test_file, "--workers", "2",
                     "--out", str(tmp_path / "cluster.npz")])  # fmt: skip
    finally:
        scheduler_log.removeHandler(handler)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == COURSE_OUTPUT + f"model saved to {tmp_path / 'cluster.npz'}\n"
    assert "Training on a Dask cluster of 2 workers, 2 groups" in err
    assert "warning" not in err.lower()
    assert not records, [r.getMessage() for r in records]
    # The single-machine run on the same store prints the same costs and accuracies.
    code = main(
        [
            "train",
            "--data",
            str(cat_store),
            "--test",
            test_file,
            "--out",
            str(tmp_path / "one.npz"),
        ]
    )
    single, _ = capsys.readouterr()
    assert code == 0

    def course_lines(text):  # the single run also says what ran and how long it took
        starts = ("Cost after", "train accuracy", "test accuracy")
        return [line for line in text.splitlines() if line.startswith(starts)]

    assert course_lines(single) == course_lines(out)
    cluster, one = load_model(tmp_path / "cluster.npz"), load_model(tmp_path / "one.npz")
    assert cluster.engine == "distributed/numba" and cluster.costs == pytest.approx(
        one.costs, rel=1e-12
    )
    np.testing.assert_allclose(cluster.w, one.w, rtol=1e-9, atol=1e-12)


def test_losing_a_worker_gives_the_identical_model(tmp_path):
    store = open_store(small_store(tmp_path))
    selection = Selection(store)
    settings = dict(n_x=store.n_x, num_iterations=60, learning_rate=0.01, record_every=10)
    reference = fit_chunked(StreamingRunner(selection, 3, keep=True), **settings)
    killed = {}
    with cluster_client(workers=3) as client:
        runner = DaskRunner(client, selection, 3)
        victim_chunks = [runner.chunks[t] for t in runner.groups[1]]
        # The group's loads are placed on one worker, loosely: Dask may put one elsewhere
        # (a worker still starting), so the victim is one worker holding some of them.
        victim = min({w for ws in client.who_has(victim_chunks).values() for w in ws})
        pids = client.run(os.getpid)

        def kill_at_20(progress):
            if progress.iteration == 20:
                os.kill(pids[victim], signal.SIGKILL)
                killed["pid"] = pids[victim]

        result = fit_chunked(runner, callback=kill_at_20, **settings)
        holders = {w for ws in client.who_has(victim_chunks).values() for w in ws}
        survivors = set(client.nthreads())
    assert killed, "the worker was not killed"
    assert victim not in survivors and victim not in holders  # its chunks were made elsewhere
    assert holders <= survivors
    np.testing.assert_array_equal(result.w, reference.w)
    assert result.b == reference.b and result.costs == reference.costs


def test_groups_fix_the_sums_whatever_the_cluster(tmp_path):
    # The same groups on 1 worker or 2 give the same bits; the chunked engine
    # agrees with the in-memory numba engine within rounding.
    from logistic_neuron.engines.resolver import fit

    store = open_store(small_store(tmp_path))
    selection = Selection(store)
    settings = dict(n_x=store.n_x, num_iterations=30, learning_rate=0.01, record_every=10)
    with cluster_client(workers=1) as client:
        one = fit_chunked(DaskRunner(client, selection, 2), **settings)
    local = fit_chunked(StreamingRunner(selection, 2), **settings)
    np.testing.assert_array_equal(one.w, local.w)
    split = store.to_split()
    memory = fit(
        split.pixels(),
        split.Y(),
        num_iterations=30,
        learning_rate=0.01,
        engine="numba",
        record_every=10,
    )
    np.testing.assert_allclose(local.w, memory.w, rtol=1e-10, atol=1e-14)
    assert local.costs == pytest.approx(memory.costs, rel=1e-12)


def _start(argv, log):
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def _wait_for(condition, what, limit=120.0):
    # A bound so that a broken cluster fails the test instead of hanging it;
    # the outcome never depends on how fast things are.
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_dask_commands_lost_worker_then_resume(tmp_path):
    """`dask scheduler` + `dask worker` on localhost; the only worker dies; resume on a new one."""
    store = small_store(tmp_path, m=240, chunk=16)
    bindir = Path(sys.executable).parent
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__NO_WORKERS_TIMEOUT": "2s"}
    log = open(tmp_path / "dask.log", "w")
    scheduler = _start([str(bindir / "dask"), "scheduler", "--scheduler-file", str(scheduler_file),
                        "--port", "0", "--no-dashboard", "--host", "127.0.0.1"], log)  # fmt: skip
    worker_argv = [str(bindir / "dask"), "worker", "--scheduler-file", str(scheduler_file),
                   "--nthreads", "1", "--no-nanny", "--no-dashboard",
                   "--host", "127.0.0.1"]  # fmt: skip
    processes = [scheduler]
    try:
        _wait_for(scheduler_file.exists, "the scheduler file")
        import json

        _wait_for(
            lambda: (
                "address" in scheduler_file.read_text()
                and bool(json.loads(scheduler_file.read_text()))
            ),
            "the address",
        )
        address = json.loads(scheduler_file.read_text())["address"]
        worker = _start(worker_argv, log)
        processes.append(worker)
        model = tmp_path / "m.npz"
        checkpoint = tmp_path / "m.checkpoint.npz"
        cli = [sys.executable, "-m", "logistic_neuron", "train", "--scheduler", address]
        train = subprocess.Popen(
            [*cli, "--data", str(store), "--iterations", "1500", "--learning-rate", "0.01",
             "--checkpoint-every", "5", "--out", str(model)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            start_new_session=True,
        )  # fmt: skip
        processes.append(train)
        _wait_for(lambda: checkpoint.exists() or train.poll() is not None, "a first checkpoint")
        assert train.poll() is None, train.communicate()
        os.killpg(worker.pid, signal.SIGKILL)
        _, err = train.communicate(timeout=600)
        assert train.returncode == 1, err
        lines = err.strip().splitlines()
        assert lines[-1].startswith("logistic-neuron: error: ") and "Traceback" not in err, err
        assert "the last checkpoint is" in lines[-1] and "--resume" in lines[-1]
        assert not model.exists() and checkpoint.exists()
        # A new worker joins; the run resumes and ends with the model of an uninterrupted run.
        processes.append(_start(worker_argv, log))
        resumed = subprocess.run(
            [*cli, "--resume", str(checkpoint), "--out", str(model)],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        assert "Resuming from iteration" in resumed.stderr
    finally:
        for process in reversed(processes):
            _stop(process)
        log.close()
    packed = open_store(store)
    # The run held out a test set (no --test): the reference trains on the same examples.
    selection = Selection(packed, np.flatnonzero(~held_out_indices(packed.labels, 0.25, 0)))
    reference = fit_chunked(StreamingRunner(selection, 1, keep=True), n_x=selection.store.n_x,
                            num_iterations=1500, learning_rate=0.01)  # fmt: skip
    trained = load_model(model)
    np.testing.assert_array_equal(trained.w, reference.w)
    assert trained.b == reference.b and list(trained.costs) == list(reference.costs)


def test_abandoned_gather_report_is_dropped_and_other_task_errors_are_kept() -> None:
    """A lost cluster must not print asyncio's traceback after the run's one-line error."""
    import asyncio

    from logistic_neuron.engines.distributed import _GATHER_FILTER

    class AllExit(Exception):  # distributed.client.AllExit, by name
        pass

    async def lost() -> None:
        raise AllExit()

    async def broken() -> None:
        raise ValueError("a real bug")

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(_GATHER_FILTER)
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    try:
        loop = asyncio.new_event_loop()
        for coroutine in (lost(), broken()):
            task = loop.create_task(coroutine)
            loop.run_until_complete(asyncio.wait([task]))
            del task  # never retrieved: asyncio reports it when the task is collected
        loop.close()
        import gc

        gc.collect()
    finally:
        logger.removeHandler(handler)
    reported = [record.getMessage() for record in records]
    assert len(reported) == 1 and "a real bug" in str(records[0].__dict__), reported
