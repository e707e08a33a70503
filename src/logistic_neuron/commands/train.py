"""``logistic-neuron train``: learn a model from a data set and save it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from logistic_neuron.argtypes import positive_float, positive_int
from logistic_neuron.atomic import check_output_folder
from logistic_neuron.backend import FLOAT_DTYPE_NAMES, np
from logistic_neuron.commands import figure_options
from logistic_neuron.commands.common import add_data_options, dataset_from_args, print_json
from logistic_neuron.datasets import Dataset
from logistic_neuron.engines import ENGINES, fit
from logistic_neuron.model_file import DataRecord, TrainedModel, save_model
from logistic_neuron.optimization import OptimizationResult, Progress
from logistic_neuron.prediction import accuracy, predict
from logistic_neuron.progress import ProgressBar

DEFAULT_MODEL_PATH = "model.npz"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``train``."""
    parser = subparsers.add_parser(
        "train",
        help="train a model and save it",
        description="Train the logistic neuron by gradient descent, report the cost every 100 "
        "iterations and the train/test accuracy, and save the model.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--iterations", type=positive_int, default=2000, metavar="N", help="default 2000"
    )
    parser.add_argument(
        "--learning-rate", type=positive_float, default=0.005, metavar="A", help="default 0.005"
    )
    parser.add_argument("--dtype", choices=FLOAT_DTYPE_NAMES, default="float64")
    parser.add_argument(
        "--engine", choices=ENGINES, default="auto", help="how to run gradient descent"
    )
    parser.add_argument(
        "--record-every",
        type=positive_int,
        default=100,
        metavar="N",
        help="record the cost every N iterations (default 100)",
    )
    parser.add_argument(
        "--model-out",
        default=DEFAULT_MODEL_PATH,
        metavar="PATH",
        help=f"where to save the model (default {DEFAULT_MODEL_PATH})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    figure_options.add_train_options(parser)
    parser.set_defaults(run=run)


def build_model(
    result: OptimizationResult, dataset: Dataset, dtype: str, engine: str
) -> TrainedModel:
    """Evaluate a training result on both splits and package it as a model."""
    w = np.asarray(result.w)
    train_pred = predict(w, result.b, dataset.train.X(dtype))
    test_pred = predict(w, result.b, dataset.test.X(dtype))
    return TrainedModel(
        w=w,
        b=result.b,
        dtype=dtype,
        image_shape=dataset.image_shape,
        mode=dataset.mode,
        classes=dataset.classes,
        learning_rate=result.learning_rate,
        num_iterations=result.num_iterations,
        costs=result.costs,
        record_every=result.record_every,
        train_accuracy=accuracy(train_pred, dataset.train.Y()),
        test_accuracy=accuracy(test_pred, dataset.test.Y()),
        data=DataRecord(
            source=dataset.source,
            test_source=dataset.test_source,
            m_train=dataset.train.m,
            m_test=dataset.test.m,
            split_seed=dataset.split_seed,
            test_fraction=dataset.test_fraction,
        ),
        engine=engine,
    )


class CostPrinter:
    """Training callback: prints each recorded cost and moves the progress bar."""

    def __init__(self, total: int, record_every: int, *, quiet: bool) -> None:
        self.record_every = record_every
        self.quiet = quiet
        self.bar = ProgressBar(total) if not quiet else None
        self.printed = 0

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


def run(args: argparse.Namespace) -> int:
    """Train, evaluate, save, report."""
    model_path = check_output_folder(args.model_out)
    dataset = dataset_from_args(args)
    if not args.json and dataset.split_seed is not None:
        print(
            f"Test set: {dataset.test.m} examples held out from {dataset.source} "
            f"(stratified, seed {dataset.split_seed})",
            file=sys.stderr,
        )
    printer = CostPrinter(args.iterations, args.record_every, quiet=args.json)
    try:
        result = fit(
            dataset.train.pixels(),
            dataset.train.Y(),
            num_iterations=args.iterations,
            learning_rate=args.learning_rate,
            dtype=args.dtype,
            engine=args.engine,
            record_every=args.record_every,
            callback=printer,
        )
    finally:
        printer.close()
    trained = build_model(result, dataset, args.dtype, args.engine)
    save_model(trained, model_path)
    plots = figure_options.write_train_plots(args, trained, dataset)
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
                "m_train": dataset.train.m,
                "m_test": dataset.test.m,
                "data": dataset.source,
                "test_data": dataset.test_source,
                "model_path": str(Path(model_path)),
                "plots": plots,
            }
        )
    else:
        print(f"train accuracy: {trained.train_accuracy} %")
        print(f"test accuracy: {trained.test_accuracy} %")
        print(f"model saved to {model_path}")
        for plot in plots:
            print(f"picture saved to {plot}")
    return 0
