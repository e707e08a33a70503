"""``logistic-neuron overfitting``: train and test accuracy along training."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.argtypes import positive_float, positive_int
from logistic_neuron.cli.common import add_data_options
from logistic_neuron.cli.options import add_record_every
from logistic_neuron.cli.picture_commands import (
    add_picture_options,
    format_table,
    load_data,
    print_result_json,
    train_and_test,
)
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.pictures.curves import OverfittingCurve, overfitting_curve
from logistic_neuron.pictures.report import number, percent

DEFAULT_OUT = "overfitting.png"

#: Rows of the printed table (besides the best one and the last one).
TABLE_ROWS = 10


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``overfitting``."""
    parser = subparsers.add_parser(
        "overfitting",
        help="plot train and test accuracy and cost along training",
        description="Train once, scoring the model on the training and the test set every few "
        "iterations; plot both accuracies and costs against the iterations, mark the iteration "
        "with the best test accuracy, and print a table of the scores.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--iterations", type=positive_int, default=2000, metavar="N", help="gradient-descent steps"
    )
    parser.add_argument(
        "--learning-rate", type=positive_float, default=0.005, metavar="A", help="step size"
    )
    add_record_every(
        parser,
        default=None,
        what="score both sets every N iterations (default: about 100 points over the run)",
        old="--every",
    )
    add_picture_options(parser, default_out=DEFAULT_OUT)
    parser.set_defaults(run=run)


def table_indices(curve: OverfittingCurve, rows: int = TABLE_ROWS) -> list[int]:
    """Indices of the points to print: evenly spread, plus the best and the last."""
    count = len(curve.iterations)
    step = max(1, -(-(count - 1) // rows))
    chosen = set(range(0, count, step)) | {curve.best_index, count - 1}
    return sorted(chosen)


def run(args: argparse.Namespace) -> int:
    """Train while scoring, plot, report."""
    from logistic_neuron.pictures.plots import plot_overfitting, save_figure

    dataset = load_data(args)
    with ProgressBar(args.iterations, description="training and scoring") as bar:
        curve = overfitting_curve(
            *train_and_test(dataset),
            num_iterations=args.iterations,
            learning_rate=args.learning_rate,
            every=args.record_every,
            dtype=args.dtype,
            progress=bar.counter(),
        )
    picture = save_figure(plot_overfitting(curve), args.out)
    if args.json:
        print_result_json(
            dataset,
            picture,
            {
                "iterations": curve.num_iterations,
                "learning_rate": curve.learning_rate,
                "record_every": curve.every,
                "best_iteration": curve.best_iteration,
                "best_test_accuracy": curve.best_test_accuracy,
                "final_train_accuracy": curve.final_train_accuracy,
                "final_test_accuracy": curve.final_test_accuracy,
                "points": {
                    "iteration": list(curve.iterations),
                    "train_accuracy": list(curve.train_accuracy),
                    "test_accuracy": list(curve.test_accuracy),
                    "train_cost": list(curve.train_cost),
                    "test_cost": list(curve.test_cost),
                },
            },
        )
        return 0
    header = ["iteration", "train accuracy", "test accuracy", "train cost", "test cost", ""]
    rows = [
        [
            str(curve.iterations[i]),
            percent(curve.train_accuracy[i]),
            percent(curve.test_accuracy[i]),
            number(curve.train_cost[i]),
            number(curve.test_cost[i]),
            "<- best test accuracy" if i == curve.best_index else "",
        ]
        for i in table_indices(curve)
    ]
    print(format_table(header, rows))
    print(
        f"best test accuracy: {curve.best_test_accuracy} % at iteration {curve.best_iteration}; "
        f"at the end ({curve.num_iterations}): train {curve.final_train_accuracy} %, "
        f"test {curve.final_test_accuracy} %"
    )
    print(f"picture saved to {picture}")
    return 0
