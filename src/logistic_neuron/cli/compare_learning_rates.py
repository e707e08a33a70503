"""``logistic-neuron compare-learning-rates``: the course's learning-rate comparison."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.argtypes import positive_float, positive_int
from logistic_neuron.cli.common import add_data_options, dataset_from_args, print_json
from logistic_neuron.cli.figure_options import picture_file
from logistic_neuron.cli.options import add_json, add_out, add_record_every
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.neuron.backend import FLOAT_DTYPE_NAMES
from logistic_neuron.pictures.curves import (
    LESSON_ITERATIONS,
    LESSON_LEARNING_RATES,
    RateComparison,
    compare_learning_rates,
)
from logistic_neuron.pictures.report import number, percent
from logistic_neuron.storage.paths import check_outputs

DEFAULT_OUT = "learning-rates.png"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``compare-learning-rates``."""
    parser = subparsers.add_parser(
        "compare-learning-rates",
        help="train one model per learning rate and plot their costs together",
        description="Train one model per learning rate (the course's comparison: 1500 "
        "iterations at 0.01, 0.001 and 0.0001), draw the cost curves on one plot, and print "
        "the final cost, train accuracy and test accuracy of each. A rate whose cost rose "
        "between two records, or whose training diverged, is flagged.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--rates",
        nargs="+",
        type=positive_float,
        default=list(LESSON_LEARNING_RATES),
        metavar="A",
        help="learning rates to compare (default: 0.01 0.001 0.0001)",
    )
    parser.add_argument(
        "--iterations",
        type=positive_int,
        default=LESSON_ITERATIONS,
        metavar="N",
        help=f"iterations per rate (default {LESSON_ITERATIONS})",
    )
    add_record_every(parser, default=100, what="record the cost every N iterations")
    parser.add_argument(
        "--dtype", choices=FLOAT_DTYPE_NAMES, default="float64", help="floating-point precision"
    )
    add_out(
        parser, what="the picture, .png or .svg", default=DEFAULT_OUT, type=picture_file,
        metavar="FILE",
    )  # fmt: skip
    add_json(parser)
    parser.set_defaults(run=run)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def comparison_rows(comparison: RateComparison) -> list[list[str]]:
    """One row of text per learning rate."""
    return [
        [
            f"{run.learning_rate:g}",
            number(run.final_cost),
            percent(run.train_accuracy),
            percent(run.test_accuracy),
            ", ".join(run.flags) or "-",
        ]
        for run in comparison.runs
    ]


def run(args: argparse.Namespace) -> int:
    """Compare, plot, report."""
    from logistic_neuron.pictures.plots import plot_learning_rates, save_figure

    out = args.out
    if len(set(args.rates)) != len(args.rates):
        raise ValueError("--rates lists a learning rate twice; give each rate once")
    check_outputs([("--out", out)], [("--data", args.data), ("--test", args.test)])
    dataset = dataset_from_args(args)
    with ProgressBar(
        len(args.rates) * args.iterations, description="one model per learning rate"
    ) as bar:
        comparison = compare_learning_rates(
            dataset.train.pixels(),
            dataset.train.Y(),
            dataset.test.pixels(),
            dataset.test.Y(),
            learning_rates=args.rates,
            num_iterations=args.iterations,
            record_every=args.record_every,
            dtype=args.dtype,
            progress=bar.counter(),
        )
    picture = save_figure(plot_learning_rates(comparison), out)
    if args.json:
        print_json(
            {
                "data": dataset.source,
                "test_data": dataset.test_source,
                "iterations": comparison.num_iterations,
                "record_every": comparison.record_every,
                "runs": [
                    {
                        "learning_rate": r.learning_rate,
                        "final_cost": r.final_cost,
                        "train_accuracy": r.train_accuracy,
                        "test_accuracy": r.test_accuracy,
                        "cost_rose": r.cost_rose,
                        "diverged": r.diverged,
                        "message": r.message,
                        "costs": list(r.costs),
                    }
                    for r in comparison.runs
                ],
                "picture": str(picture),
            }
        )
        return 0
    print(
        f"{comparison.num_iterations} iterations per learning rate on {dataset.source} "
        f"({dataset.train.m} training, {dataset.test.m} test examples)"
    )
    header = ["learning rate", "final cost", "train accuracy", "test accuracy", "flags"]
    print(format_table(header, comparison_rows(comparison)))
    for r in comparison.runs:
        if r.diverged:
            print(f"learning rate {r.learning_rate:g}: {r.message}")
    print(f"picture saved to {picture}")
    return 0
