"""``logistic-neuron compare-learning-rates``: the course's learning-rate comparison."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.argtypes import positive_int
from logistic_neuron.cli.common import add_data_options
from logistic_neuron.cli.options import add_record_every
from logistic_neuron.cli.picture_commands import (
    add_picture_options,
    add_rates,
    format_table,
    load_data,
    print_result_json,
    train_and_test,
)
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.pictures.curves import (
    LESSON_ITERATIONS,
    RateComparison,
    compare_learning_rates,
)
from logistic_neuron.pictures.report import COMPARISON_COLUMNS, comparison_cells

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
    add_rates(parser, help="learning rates to compare (default: 0.01 0.001 0.0001)")
    parser.add_argument(
        "--iterations",
        type=positive_int,
        default=LESSON_ITERATIONS,
        metavar="N",
        help=f"iterations per rate (default {LESSON_ITERATIONS})",
    )
    add_record_every(parser, default=100, what="record the cost every N iterations")
    add_picture_options(parser, default_out=DEFAULT_OUT)
    parser.set_defaults(run=run)


def comparison_rows(comparison: RateComparison) -> list[list[str]]:
    """One row of text per learning rate (``-`` where a rate has no flags)."""
    return [list(row) for row in comparison_cells(comparison, none="-")]


def run(args: argparse.Namespace) -> int:
    """Compare, plot, report."""
    from logistic_neuron.pictures.plots import plot_learning_rates, save_figure

    if len(set(args.rates)) != len(args.rates):
        raise ValueError("--rates lists a learning rate twice; give each rate once")
    dataset = load_data(args)
    with ProgressBar(
        len(args.rates) * args.iterations, description="one model per learning rate"
    ) as bar:
        comparison = compare_learning_rates(
            *train_and_test(dataset),
            learning_rates=args.rates,
            num_iterations=args.iterations,
            record_every=args.record_every,
            dtype=args.dtype,
            progress=bar.counter(),
        )
    picture = save_figure(plot_learning_rates(comparison), args.out)
    if args.json:
        print_result_json(
            dataset,
            picture,
            {
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
            },
        )
        return 0
    print(
        f"{comparison.num_iterations} iterations per learning rate on {dataset.source} "
        f"({dataset.train.m} training, {dataset.test.m} test examples)"
    )
    print(format_table(list(COMPARISON_COLUMNS), comparison_rows(comparison)))
    for r in comparison.runs:
        if r.diverged:
            print(f"learning rate {r.learning_rate:g}: {r.message}")
    print(f"picture saved to {picture}")
    return 0
