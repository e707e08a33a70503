"""``logistic-neuron train``: learn a model from a data set and save it."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from logistic_neuron.cli import figure_options
from logistic_neuron.cli.argtypes import positive_float, positive_int
from logistic_neuron.cli.common import (
    DATA_DEFAULTS,
    add_data_options,
    dataset_from_settings,
    print_json,
)
from logistic_neuron.cli.main import PROG
from logistic_neuron.cli.options import (
    DEFAULT_MODEL,
    add_json,
    add_out,
    add_record_every,
    add_renamed,
)
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.cli.training_options import (
    add_training_options,
    given_options,
    options_from_args,
)
from logistic_neuron.data.dataset import Dataset
from logistic_neuron.data.faces import FACES
from logistic_neuron.engines.resolver import ENGINES, check_engine_options, engine_that_runs, fit
from logistic_neuron.errors import DataError, UsageError
from logistic_neuron.neuron.backend import FLOAT_DTYPE_NAMES, np
from logistic_neuron.neuron.optimization import OptimizationResult, Progress
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.storage.atomic import check_output_folder
from logistic_neuron.storage.checkpoint import (
    Checkpoint,
    fingerprint,
    load_checkpoint,
    save_checkpoint,
)
from logistic_neuron.storage.model_file import TrainedModel, package_result, save_model
from logistic_neuron.storage.paths import (
    Identity,
    check_outputs,
    file_identity,
    remove_if_ours,
    same_file,
)

DEFAULT_MODEL_PATH = DEFAULT_MODEL


#: Defaults of the training options (the course's classic run).
TRAINING_DEFAULTS: dict[str, Any] = {
    "iterations": 2000,
    "learning_rate": 0.005,
    "dtype": "float64",
    "engine": "auto",
    "record_every": 100,
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``train``."""
    parser = subparsers.add_parser(
        "train",
        help="train a model and save it",
        description="Train the logistic neuron by gradient descent, report the cost every 100 "
        "iterations and the train/test accuracy, and save the model.",
    )
    # Data and training options default to None so that --resume can tell which
    # were given; their real defaults are DATA_DEFAULTS and TRAINING_DEFAULTS.
    add_data_options(parser, defaults=False)
    parser.add_argument(
        "--iterations", type=positive_int, metavar="N", help="gradient-descent steps (default 2000)"
    )
    parser.add_argument(
        "--learning-rate", type=positive_float, metavar="A", help="step size (default 0.005)"
    )
    parser.add_argument(
        "--dtype", choices=FLOAT_DTYPE_NAMES, help="floating-point precision (default float64)"
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="how to run gradient descent (default auto: the fastest for the data)",
    )
    add_training_options(parser)
    add_record_every(
        parser, default=None, what="record (and print) the cost every N iterations (default 100)"
    )
    # Outputs default to None too: a resumed run writes where its checkpoint says.
    add_out(parser, what=f"the model (default {DEFAULT_MODEL_PATH})", default=None)
    add_renamed(parser, "--model-out", "--out", dest="out")
    parser.add_argument(
        "--checkpoint-every",
        type=positive_int,
        metavar="N",
        help="save a checkpoint every N iterations, to resume an interrupted run (default: "
        "none, or the cadence recorded in the checkpoint given to --resume)",
    )
    parser.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="where to save checkpoints (default: the model path with .checkpoint.npz)",
    )
    parser.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        help="continue an interrupted run from its checkpoint, with the settings it was "
        "started with (default: start a new run)",
    )
    add_json(parser)
    figure_options.add_plot_options(
        parser,
        what="the learning curve, what the neuron sees (its weights) and the test images it "
        "gets wrong",
        remember=True,
    )
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="train on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT); "
        "--data must be a store made by 'pack' (default: train in this process)",
    )
    cluster.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="train on a Dask cluster of N worker processes started on this machine; "
        "--data must be a store made by 'pack' (default: train in this process)",
    )
    parser.set_defaults(run=run)


def checkpoint_path_for(model_path: Path) -> Path:
    """``model.npz`` -> ``model.checkpoint.npz``."""
    return model_path.with_name(model_path.stem + ".checkpoint.npz")


def resolve_outputs(args: argparse.Namespace, checkpoint: Checkpoint | None) -> dict[str, Any]:
    """Where the run writes: the command line's output options, else the checkpoint's.

    A resumed run writes its model, pictures and checkpoints where the
    interrupted run would have, at the same cadence, unless an option says
    otherwise; it keeps checkpointing into the file it resumed from.
    """
    recorded = (checkpoint.outputs if checkpoint is not None else None) or {}
    out = args.out or recorded.get("out") or DEFAULT_MODEL_PATH
    plots = args.plots
    if plots is None and recorded.get("plots"):
        plots = figure_options.plots_folder(recorded["plots"])
    if args.checkpoint:
        checkpoint_path = args.checkpoint
    elif checkpoint is not None:
        checkpoint_path = args.resume
    else:
        checkpoint_path = str(checkpoint_path_for(Path(out)))
    return {
        "out": str(out),
        "plots": None if plots is None else str(plots),
        "plot_format": args.plot_format or recorded.get("plot_format") or "png",
        "checkpoint": str(checkpoint_path),
        "checkpoint_every": args.checkpoint_every or recorded.get("checkpoint_every"),
    }


def resolve_settings(args: argparse.Namespace) -> tuple[dict[str, Any], Checkpoint | None]:
    """The run's settings: from the command line, or from the checkpoint to resume."""
    names = [*DATA_DEFAULTS, *TRAINING_DEFAULTS]
    if args.resume is None:
        settings = {
            name: getattr(args, name) if getattr(args, name) is not None else default
            for name, default in {**DATA_DEFAULTS, **TRAINING_DEFAULTS}.items()
        }
        return settings, None
    given = ["--" + name.replace("_", "-") for name in names if getattr(args, name) is not None]
    given += given_options(args)
    if given:
        options = ", ".join(given)
        raise UsageError(
            f"--resume continues the run with the settings it was started with; drop {options}"
        )
    checkpoint = load_checkpoint(args.resume)
    return dict(checkpoint.settings), checkpoint


def training_options(
    args: argparse.Namespace, settings: dict[str, Any], checkpoint: Checkpoint | None
) -> TrainingOptions:
    """The run's options: from the command line, or as recorded in the checkpoint."""
    if checkpoint is None:
        options = options_from_args(args, settings["seed"])
        try:
            check_engine_options(settings["engine"], options)
        except ValueError as exc:
            raise UsageError(str(exc).replace("engine '", "--engine '")) from None
        return options
    record = settings.get("options")
    if record is None:
        return TrainingOptions()
    try:
        return TrainingOptions.from_record(record)
    except ValueError as exc:
        raise DataError(f"the checkpoint {args.resume} records invalid options: {exc}") from None


def resume_arguments(checkpoint: Checkpoint | None) -> dict[str, Any]:
    """The keyword arguments that continue ``checkpoint``'s run ({} for a new run).

    The general loop resumes from its whole state (optimiser moments, shuffling
    generator, validation history); plain gradient descent from ``w``, ``b``
    and the costs so far, plus the dual engine's coefficients ``alpha``.
    """
    if checkpoint is None:
        return {}
    if checkpoint.state is not None:
        return {"resume": checkpoint.state}
    resume: dict[str, Any] = {
        "w": checkpoint.w,
        "b": checkpoint.b,
        "start_iteration": checkpoint.iteration,
        "previous_costs": checkpoint.costs,
    }
    if checkpoint.alpha is not None:
        resume["alpha"] = checkpoint.alpha
    return resume


class CheckpointWriter:
    """Training callback: saves a checkpoint every ``every`` iterations."""

    def __init__(
        self,
        path: Path,
        every: int,
        settings: dict[str, Any],
        data_fingerprint: str,
        outputs: dict[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.every = every
        self.settings = settings
        self.data_fingerprint = data_fingerprint
        self.outputs = outputs
        self.saved = False
        #: Identity of the checkpoint last written: only that file is removed at the end.
        self.identity: Identity | None = None

    def __call__(self, progress: Progress) -> None:
        if progress.iteration % self.every or progress.iteration >= progress.num_iterations:
            return
        save_checkpoint(
            Checkpoint(
                w=np.asarray(progress.w),
                b=progress.b,
                iteration=progress.iteration,
                costs=tuple(progress.costs),
                settings=self.settings,
                data_fingerprint=self.data_fingerprint,
                # The dual engine resumes from its coefficients (w = X alpha), bit for bit.
                alpha=getattr(progress, "alpha", None),
                # The general loop resumes from its optimiser state and shuffling generator.
                state=progress.state,
                outputs=self.outputs,
            ),
            self.path,
        )
        self.saved = True
        self.identity = file_identity(self.path)

    @property
    def resumable(self) -> bool:
        """True when a checkpoint of this run is on disk to resume from."""
        return self.saved or self.identity is not None

    def hint(self) -> str:
        """How to continue the run from its checkpoint, in words."""
        return (
            f"the last checkpoint is {self.path}; continue with '{PROG} train --resume {self.path}'"
        )

    def remove(self) -> None:
        """The run is complete: the model supersedes its checkpoint.

        Only the very file this run wrote is removed (never a file that took its
        name since).
        """
        remove_if_ours(self.path, self.identity)


def check_same_data(
    args: argparse.Namespace,
    settings: dict[str, Any],
    checkpoint: Checkpoint | None,
    data_fingerprint: str,
) -> None:
    """A run resumes only on the training data its checkpoint was saved from."""
    if checkpoint is not None and checkpoint.data_fingerprint != data_fingerprint:
        raise DataError(
            f"the training data of {settings['data']} changed since the checkpoint "
            f"{args.resume} was saved; it cannot be resumed on other data"
        )


def build_model(
    result: OptimizationResult, dataset: Dataset, dtype: str, engine: str
) -> TrainedModel:
    """Evaluate a training result on both splits and package it as a model."""
    return package_result(result, dataset, dtype=dtype, engine=engine, made_by="command line")


class CostPrinter:
    """Training callback: prints each recorded cost and moves the progress bar."""

    def __init__(self, total: int, record_every: int, *, quiet: bool) -> None:
        self.record_every = record_every
        self.quiet = quiet
        self.bar = ProgressBar(total, description="training") if not quiet else None
        self.printed = 0

    def replay(self, costs: tuple[float, ...]) -> None:
        """Print costs recorded before a resumed run started."""
        if not self.quiet:
            for index, cost in enumerate(costs):
                print(f"Cost after iteration {index * self.record_every}: {cost:f}", flush=True)
        self.printed = len(costs)

    def __call__(self, progress: Progress) -> None:
        if self.quiet:
            return
        assert self.bar is not None
        if len(progress.costs) > self.printed:
            self.bar.clear()
            for index in range(self.printed, len(progress.costs)):
                cost = progress.costs[index]
                print(f"Cost after iteration {index * self.record_every}: {cost:f}", flush=True)
            self.printed = len(progress.costs)
        self.bar.update(progress.iteration)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def training_callback(
    args: argparse.Namespace,
    settings: dict[str, Any],
    checkpoint: Checkpoint | None,
    writer: CheckpointWriter | None,
) -> Iterator[Callable[[Progress], None]]:
    """The callback of a training loop, and what ``train`` says around the loop.

    Both ways ``train`` runs (in memory here, a chunk at a time in
    :mod:`logistic_neuron.cli.train_store`) use it. The callback prints each
    recorded cost and moves the progress bar (:class:`CostPrinter`), and saves
    checkpoints with ``writer`` when there is one. A resumed run first prints
    the costs recorded before it and where it resumes from. When the loop is
    interrupted (Ctrl-C), the bar is cleared and, if a checkpoint is on disk,
    a line says how to continue.
    """
    printer = CostPrinter(settings["iterations"], settings["record_every"], quiet=args.json)

    def callback(progress: Progress) -> None:
        printer(progress)
        if writer is not None:
            writer(progress)

    if checkpoint is not None:
        printer.replay(checkpoint.costs)
        if not args.json:
            print(
                f"Resuming from iteration {checkpoint.iteration} of {args.resume}", file=sys.stderr
            )
    try:
        yield callback
    except KeyboardInterrupt:
        printer.close()
        if writer is not None and writer.resumable:
            print(f"{PROG}: {writer.hint()}", file=sys.stderr)
        raise
    finally:
        printer.close()


def describe_source(source: str) -> str:
    """What a data source is, in words (the bundled faces are not the course's cats)."""
    if source == FACES:
        return (
            "the bundled faces: 25x25 grey photos of faces and non-faces from scikit-image "
            "(not the course's cats; --data train_catvnoncat.h5 for those)"
        )
    return source


def describe_run(dataset: Dataset, settings: dict[str, Any], engine: str) -> list[str]:
    """The lines ``train`` prints before training: data, classes, split, engine."""
    height, width, _ = dataset.image_shape
    negative, positive = dataset.classes
    if dataset.split_seed is not None:
        share = f"{dataset.test_fraction:.0%} of each class" if dataset.test_fraction else "some"
        test = (
            f"test: {dataset.test.m} examples held out from {dataset.source} "
            f"({share}, seed {dataset.split_seed})"
        )
    else:
        test = f"test: {dataset.test.m} examples from {dataset.test_source}"
    return [
        f"data: {describe_source(dataset.source)}",
        f"classes: {negative} (label 0), {positive} (label 1); "
        f"{dataset.train.m} training examples of {height}x{width} {dataset.mode} images",
        test,
        f"engine: {engine}, {settings['dtype']}, {settings['iterations']} iterations at "
        f"learning rate {settings['learning_rate']:g}",
    ]


def run(args: argparse.Namespace) -> int:
    """Train (or resume), evaluate, save, report."""
    settings, checkpoint = resolve_settings(args)
    options = training_options(args, settings, checkpoint)
    if checkpoint is None and not options.is_plain:
        settings["options"] = options.record()
    where = resolve_outputs(args, checkpoint)
    model_path = check_output_folder(where["out"])
    checkpoint_every = where["checkpoint_every"]
    checkpoint_path = Path(where["checkpoint"])
    # The picture options as resolved (a resumed run's come from its checkpoint).
    args.plots, args.plot_format = where["plots"], where["plot_format"]
    outputs: list[tuple[str, Any]] = [("--out", model_path)]
    if checkpoint_every is not None:
        outputs.append(("--checkpoint", checkpoint_path))
    outputs.append(("--plots", figure_options.train_plot_paths(args)))
    inputs: list[tuple[str, Any]] = [("--data", settings["data"]), ("--test", settings["test"])]
    if args.resume is not None and not same_file(args.resume, checkpoint_path):
        inputs.append(("--resume", args.resume))
    check_outputs(outputs, inputs)
    from logistic_neuron.cli import train_store

    if train_store.wanted(args, settings, options):
        # A packed store on a cluster, or larger than memory: read a chunk at a time.
        return train_store.run(args, settings, checkpoint, model_path, checkpoint_path)
    dataset = dataset_from_settings(settings)
    data_fingerprint = fingerprint(dataset.train)
    check_same_data(args, settings, checkpoint, data_fingerprint)
    # Say what runs before it runs: the data, its classes, the split, the engine.
    engine = engine_that_runs(
        dataset.train.pixels(),
        settings["dtype"],
        settings["iterations"],
        settings["engine"],
        options,
        # A resumed run stays on the engine its checkpoint's state comes from.
        resume=None if checkpoint is None else checkpoint.state,
    )
    if not args.json:
        for line in describe_run(dataset, settings, engine):
            print(line)
    writer = (
        CheckpointWriter(
            checkpoint_path,
            checkpoint_every,
            settings,
            data_fingerprint,
            outputs={**where, "checkpoint_every": checkpoint_every},
        )
        if checkpoint_every is not None
        else None
    )
    if writer is not None and args.resume is not None and same_file(args.resume, checkpoint_path):
        # The checkpoint resumed from is this run's own: removed when the run completes,
        # even if the run ends before it is written again.
        writer.identity = file_identity(checkpoint_path)
    resume = resume_arguments(checkpoint)
    with training_callback(args, settings, checkpoint, writer) as callback:
        started = time.perf_counter()
        result = fit(
            dataset.train.pixels(),
            dataset.train.Y(),
            num_iterations=settings["iterations"],
            learning_rate=settings["learning_rate"],
            dtype=settings["dtype"],
            engine=settings["engine"],
            record_every=settings["record_every"],
            callback=callback,
            options=options,
            **resume,
        )
    # The model records the engine that really ran ("auto" resolved), as its provenance.
    trained = build_model(result, dataset, settings["dtype"], engine)
    wall_time = time.perf_counter() - started
    save_model(trained, model_path)
    if writer is not None:
        writer.remove()
    plots = figure_options.write_train_plots(args, trained, dataset)
    report_run(
        args,
        trained,
        model_path,
        plots,
        dataset.source,
        dataset.test_source,
        wall_time=wall_time,
        extra={
            "data_description": describe_source(dataset.source),
            "split": {"seed": dataset.split_seed, "test_fraction": dataset.test_fraction},
            "wall_time_s": round(wall_time, 3),
        },
    )
    return 0


def report_run(
    args: argparse.Namespace,
    trained: TrainedModel,
    model_path: Path,
    plots: list[str],
    source: str,
    test_source: str,
    *,
    wall_time: float | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print the accuracies, what the run did and where the model went (or one JSON object).

    ``wall_time`` (seconds) is printed when known; ``extra`` adds fields to the JSON.
    """
    if args.json:
        print_json(
            {
                "costs": list(trained.costs),
                "record_every": trained.record_every,
                "train_accuracy": trained.train_accuracy,
                "test_accuracy": trained.test_accuracy,
                "iterations": trained.num_iterations,
                "learning_rate": trained.learning_rate,
                "dtype": trained.dtype,
                "classes": list(trained.classes),
                "image_shape": list(trained.image_shape),
                "m_train": trained.data.m_train,
                "m_test": trained.data.m_test,
                "data": source,
                "test_data": test_source,
                **(extra or {}),
                "model_path": str(Path(model_path)),
                "plots": plots,
                "engine": trained.engine,
                "options": trained.options,
                "run": trained.run,
            }
        )
    else:
        print(f"train accuracy: {trained.train_accuracy} %")
        print(f"test accuracy: {trained.test_accuracy} %")
        for line in run_summary(trained):
            print(line)
        if wall_time is not None:
            print(f"trained in {wall_time:.1f} s (wall time, with the accuracies)")
        print(f"model saved to {model_path}")
        for plot in plots:
            print(f"picture saved to {plot}")


def run_summary(trained: TrainedModel) -> list[str]:
    """Lines about what a run beyond plain gradient descent did (none for the course's run)."""
    run = trained.run
    if run is None:
        return []
    lines = []
    if trained.options and trained.options.get("solver") == "lbfgs":
        state = "converged" if run["converged"] else "stopped at its iteration limit"
        lines.append(f"L-BFGS {state} after {run['iterations_run']} iterations")
    if run["validation_accuracy"] is not None:
        lines.append(
            f"validation accuracy: {run['validation_accuracy']} % "
            f"({run['m_validation']} examples held out of the training data)"
        )
    if run["best_iteration"] is not None:
        lines.append(f"kept the parameters of iteration {run['best_iteration']} (best validation)")
    if run["stopped_early"]:
        lines.append(f"stopped early at iteration {run['iterations_run']}")
    return lines
