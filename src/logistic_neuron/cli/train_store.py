"""``train`` from a packed store, a chunk at a time: on a Dask cluster, or out of core.

``logistic-neuron train`` comes here (from :mod:`logistic_neuron.cli.train`)
when ``--scheduler`` or ``--workers`` is given, when resuming a run that
trained this way, or when ``--data`` is a store whose training examples do
not fit in the memory this process may use
(:func:`logistic_neuron.data.store.memory_budget`). The pixels are never all
in this process: the cluster's workers hold them, or they stream from disk
(:class:`~logistic_neuron.engines.chunked.StreamingRunner`). The output, the
checkpoints and the model file are those of the in-memory path.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from logistic_neuron.cli.train import (
    CheckpointWriter,
    check_same_data,
    report_run,
    resume_arguments,
    training_callback,
)
from logistic_neuron.data.dataset import DEFAULT_TEST_FRACTION, Split, held_out_indices
from logistic_neuron.data.loading import load_labelled
from logistic_neuron.data.store import Selection, Store, is_store, memory_budget, open_store
from logistic_neuron.engines.chunked import (
    StreamingRunner,
    fit_chunked,
    kernel_name,
    selection_correct,
)
from logistic_neuron.errors import ClusterError, DataError, UsageError
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.storage.checkpoint import Checkpoint
from logistic_neuron.storage.model_file import DataRecord, TrainedModel, save_model

#: The settings key that marks a run trained a chunk at a time, with its group count.
GROUPS = "groups"


def wanted(args: argparse.Namespace, settings: dict[str, Any], options: Any = None) -> bool:
    """True when this run trains from a store a chunk at a time."""
    on_cluster = args.scheduler is not None or args.workers is not None
    if on_cluster and options is not None and not options.is_plain:
        raise UsageError(
            "--scheduler and --workers run plain full-batch gradient descent; the optimiser, "
            "mini-batch, L2, decay and validation options train in memory: drop them"
        )
    if on_cluster and not is_store(settings["data"]):
        raise UsageError(
            f"--scheduler and --workers train from a packed store; make one with "
            f"'logistic-neuron pack {settings['data']} DATA.zarr' and use --data DATA.zarr"
        )
    if on_cluster and settings["engine"] != "auto":
        raise UsageError(
            f"--engine {settings['engine']} trains in memory; on a cluster every worker runs "
            "the one-pass kernel: drop --engine"
        )
    if on_cluster or settings.get(GROUPS) is not None:
        return True
    if not is_store(settings["data"]):
        return False
    store = open_store(settings["data"])
    return store.nbytes > memory_budget()


def _accuracy(right: int, m: int) -> float:
    # The course's formula, 100 - mean(|prediction - y|) * 100, from a count of
    # right answers: the mean of m zeros and ones is exactly (m - right) / m.
    return float(100 - ((m - right) / m) * 100)


def _parts(
    store: Store, settings: dict[str, Any]
) -> tuple[Selection, Selection | Split, str, int | None, float | None]:
    """Training selection, test data, test source, split seed and fraction."""
    test = settings.get("test")
    if test is None:
        fraction = DEFAULT_TEST_FRACTION
        is_test = held_out_indices(store.labels, fraction, settings["seed"])
        train = Selection(store, np.flatnonzero(~is_test))
        held = Selection(store, np.flatnonzero(is_test))
        return train, held, f"held out from {settings['data']}", settings["seed"], fraction
    if is_store(test):
        other = open_store(test)
        if other.image_shape != store.image_shape or other.classes != store.classes:
            raise DataError(
                f"the test store {test} holds {other.image_shape} images of {other.classes}, "
                f"the training store {store.image_shape} images of {store.classes}"
            )
        return Selection(store), Selection(other), test, None, None
    split, classes = load_labelled(
        test, image_size=store.image_shape[:2], mode=store.mode, classes=store.classes
    )
    if split.image_shape != store.image_shape or classes != store.classes:
        raise DataError(
            f"the test set {test} holds {split.image_shape} images of {classes}, the training "
            f"store {store.image_shape} images of {store.classes}"
        )
    return Selection(store), split, test, None, None


def run(
    args: argparse.Namespace,
    settings: dict[str, Any],
    checkpoint: Checkpoint | None,
    model_path: Path,
    checkpoint_path: Path,
) -> int:
    """Train from the store a chunk at a time, evaluate, save and report."""
    if args.plots is not None:
        raise UsageError(
            "--plots needs the data in memory; draw them afterwards with 'logistic-neuron report'"
        )
    store = open_store(settings["data"])
    train, test, test_source, seed, fraction = _parts(store, settings)
    data_fingerprint = train.fingerprint()
    check_same_data(args, settings, checkpoint, data_fingerprint)
    on_cluster = args.scheduler is not None or args.workers is not None
    if on_cluster:
        from logistic_neuron.engines.distributed import DaskRunner, cluster_client, n_workers

        context: Any = cluster_client(args.scheduler, args.workers)
    else:
        context = contextlib.nullcontext(None)
    with context as client:
        groups = settings.get(GROUPS) or (n_workers(client) if client is not None else 1)
        settings[GROUPS] = groups
        runner: Any
        if client is not None:
            runner = DaskRunner(client, train, groups)
            where = f"a Dask cluster of {n_workers(client)} workers"
        else:
            runner = StreamingRunner(train, groups)
            where = f"chunks streamed from disk ({store.nbytes / 2**20:.0f} MB of pixels)"
        if not args.json:
            print(f"Training on {where}, {len(runner.groups)} groups", file=sys.stderr)
        result, writer = _train(args, settings, checkpoint, checkpoint_path, runner, store.n_x,
                                data_fingerprint)  # fmt: skip
        w = np.asarray(result.w)
        right = runner.correct(w.reshape(-1), result.b, settings["dtype"])
    train_accuracy = _accuracy(right, train.m)
    if isinstance(test, Selection):
        test_accuracy = _accuracy(selection_correct(test, w, result.b, settings["dtype"]), test.m)
    else:
        test_accuracy = accuracy(predict(w, result.b, test.X(settings["dtype"])), test.Y())
    engine = ("distributed" if on_cluster else "streaming") + f"/{kernel_name()}"
    trained = TrainedModel(
        w=w,
        b=result.b,
        dtype=settings["dtype"],
        image_shape=store.image_shape,
        mode=store.mode,
        classes=store.classes,
        learning_rate=result.learning_rate,
        num_iterations=result.num_iterations,
        costs=tuple(result.costs),
        record_every=result.record_every,
        train_accuracy=train_accuracy,
        test_accuracy=test_accuracy,
        data=DataRecord(settings["data"], test_source, train.m, test.m, seed, fraction),
        engine=engine,
        made_by="command line",
    )
    save_model(trained, model_path)
    if writer is not None:
        writer.remove()
    report_run(args, trained, model_path, [], settings["data"], test_source)
    return 0


def _train(
    args: argparse.Namespace,
    settings: dict[str, Any],
    checkpoint: Checkpoint | None,
    checkpoint_path: Path,
    runner: Any,
    n_x: int,
    data_fingerprint: str,
) -> tuple[Any, CheckpointWriter | None]:
    """Run the chunked loop with the cost printer and checkpoints of ``train``."""
    writer = (
        CheckpointWriter(checkpoint_path, args.checkpoint_every, settings, data_fingerprint)
        if args.checkpoint_every is not None
        else None
    )
    # A store run is plain gradient descent on the primal: w, b and the costs so far.
    resume = resume_arguments(checkpoint)
    try:
        with training_callback(args, settings, checkpoint, writer) as callback:
            result = fit_chunked(
                runner,
                n_x=n_x,
                num_iterations=settings["iterations"],
                learning_rate=settings["learning_rate"],
                dtype=settings["dtype"],
                record_every=settings["record_every"],
                callback=callback,
                **resume,
            )
    except ClusterError as exc:
        if writer is not None and writer.resumable:
            raise ClusterError(f"{exc}; {writer.hint()} and --scheduler or --workers") from None
        raise
    return result, writer
