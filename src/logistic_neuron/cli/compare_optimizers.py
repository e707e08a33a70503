"""``logistic-neuron compare-optimizers``: several optimisers and L2 strengths on the same data."""

from __future__ import annotations

import argparse
import itertools

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
from logistic_neuron.cli.training_options import (
    add_training_options,
    non_negative_float,
    options_from_args,
)
from logistic_neuron.errors import UsageError
from logistic_neuron.neuron.optimizers import OPTIMIZERS
from logistic_neuron.pictures.optimizer_comparison import (
    OptimizerComparison,
    OptimizerRun,
    compare_optimizers,
)
from logistic_neuron.pictures.report import number

DEFAULT_OUT = "optimizers.png"
DEFAULT_OPTIMIZERS = ["gd", "momentum", "adam@0.0005"]
DEFAULT_ITERATIONS = 1000
#: The name that puts SciPy's L-BFGS (``--solver lbfgs`` in ``train``) in the comparison.
LBFGS = "lbfgs"
#: What the descent runs take and L-BFGS does not: it uses every example at each step
#: and chooses its own steps.
DESCENT_ONLY = {"batch_size": None, "decay_rate": 0.0, "patience": None}


def optimizer_spec(text: str) -> tuple[str, float | None]:
    """``NAME`` or ``NAME@RATE`` (an optimiser and its own learning rate), or ``lbfgs``."""
    name, _, rate = text.partition("@")
    if name == LBFGS:
        if rate:
            raise argparse.ArgumentTypeError(
                f"lbfgs chooses its own steps: give it as 'lbfgs', without @{rate}"
            )
        return name, None
    if name not in OPTIMIZERS:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}, optionally "
            f"with @RATE (e.g. adam@0.001), or {LBFGS}"
        )
    return name, positive_float(rate) if rate else None


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``compare-optimizers``."""
    parser = subparsers.add_parser(
        "compare-optimizers",
        help="train with several optimisers and L2 strengths, plot cost against iterations "
        "and seconds",
        description="Train the same data once per optimiser and L2 strength (every "
        "combination), plot the cost against iterations and against seconds, and print a table "
        "of iterations, seconds and train / validation / test accuracy. With "
        "--validation-fraction the runs keep their best iteration on a split of the training "
        "data (and stop early with --patience); the test set is only scored.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--optimizers",
        nargs="+",
        type=optimizer_spec,
        default=[optimizer_spec(s) for s in DEFAULT_OPTIMIZERS],
        metavar="NAME[@RATE]",
        help=f"optimisers to compare, each with its own learning rate after @, and "
        f"{LBFGS} for SciPy's L-BFGS on the same cost (it takes no rate, no mini-batches, no "
        f"decay, no patience; --iterations caps its iterations) (default: "
        f"{' '.join(DEFAULT_OPTIMIZERS)})",
    )
    parser.add_argument(
        "--l2",
        nargs="+",
        type=non_negative_float,
        default=[0.0],
        metavar="LAMBDA",
        help="L2 strengths to compare (default: 0)",
    )
    parser.add_argument(
        "--iterations",
        type=positive_int,
        default=DEFAULT_ITERATIONS,
        metavar="N",
        help=f"iterations (epochs with mini-batches) per run (default {DEFAULT_ITERATIONS})",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=0.005,
        metavar="A",
        help="learning rate of the optimisers given without @RATE (default 0.005)",
    )
    add_training_options(parser, optimizer=False, l2=False, solver=False)
    add_record_every(parser, default=100, what="record the cost every N iterations")
    add_picture_options(parser, default_out=DEFAULT_OUT)
    parser.set_defaults(run=run)


def runs_from_args(args: argparse.Namespace) -> list[OptimizerRun]:
    """One run per (optimiser, L2 strength), in the order given."""
    runs = []
    for (name, rate), lambd in itertools.product(args.optimizers, args.l2):
        learning_rate = rate if rate is not None else args.learning_rate
        if name == LBFGS:
            # The descent runs' mini-batches, decay and patience do not apply to it.
            options = options_from_args(
                args, args.seed, optimizer="gd", lambd=lambd, solver=LBFGS, **DESCENT_ONLY
            )
            label = LBFGS
        else:
            options = options_from_args(args, args.seed, optimizer=name, lambd=lambd)
            label = f"{name} ({learning_rate:g})"
        label += f" L2 {lambd:g}" if lambd else ""
        runs.append(OptimizerRun(label, options, learning_rate))
    labels = [r.label for r in runs]
    if len(set(labels)) != len(labels):
        raise UsageError("--optimizers or --l2 names the same run twice; give each once")
    return runs


def percent(value: float | None) -> str:
    """``93.3 %``, or ``-`` when there is no score."""
    return "-" if value is None else f"{value:.1f} %"


def table_rows(comparison: OptimizerComparison) -> list[list[str]]:
    """One row of text per run."""
    return [
        [
            o.run.label,
            o.engine,
            str(o.iterations_run) if not o.message else "diverged",
            f"{o.seconds:.1f}",
            number(o.costs[-1]) if o.costs else "-",
            percent(o.train_accuracy),
            percent(o.validation_accuracy),
            percent(o.test_accuracy),
            "-" if o.best_iteration is None else str(o.best_iteration),
        ]
        for o in comparison.outcomes
    ]


def run(args: argparse.Namespace) -> int:
    """Compare, plot, report."""
    from logistic_neuron.pictures.optimizer_comparison import plot_optimizers
    from logistic_neuron.pictures.plots import save_figure

    runs = runs_from_args(args)
    dataset = load_data(args)
    comparison = compare_optimizers(
        *train_and_test(dataset),
        runs,
        num_iterations=args.iterations,
        record_every=args.record_every,
        dtype=args.dtype,
    )
    picture = save_figure(plot_optimizers(comparison), args.out)
    if args.json:
        print_result_json(
            dataset,
            picture,
            {
                "iterations": comparison.num_iterations,
                "record_every": comparison.record_every,
                "runs": [
                    {
                        "label": o.run.label,
                        "options": o.run.options.record(),
                        "learning_rate": (
                            None if o.run.options.solver == LBFGS else o.run.learning_rate
                        ),
                        "engine": o.engine,
                        "iterations_run": o.iterations_run,
                        "seconds": o.seconds,
                        "costs": o.costs,
                        "cost_seconds": o.cost_seconds,
                        "train_accuracy": o.train_accuracy,
                        "validation_accuracy": o.validation_accuracy,
                        "test_accuracy": o.test_accuracy,
                        "best_iteration": o.best_iteration,
                        "stopped_early": o.stopped_early,
                        "message": o.message,
                    }
                    for o in comparison.outcomes
                ],
            },
        )
        return 0
    print(
        f"up to {comparison.num_iterations} iterations per run on {dataset.source} "
        f"({dataset.train.m} training, {dataset.test.m} test examples)"
    )
    header = ["run", "engine", "iterations", "seconds", "final cost", "train", "validation", "test",
              "kept iteration"]  # fmt: skip
    print(format_table(header, table_rows(comparison)))
    for o in comparison.outcomes:
        if o.message:
            print(f"{o.run.label}: {o.message}")
    if any(o.engine == LBFGS for o in comparison.outcomes):
        print(
            f"{LBFGS}: SciPy's L-BFGS on the same cost (+ L2), stopped by scikit-learn's "
            "tolerance; it uses every example at each step and picks its own steps (learning "
            "rates, mini-batches, decay and patience are the other runs'); its seconds are "
            "spread evenly over its run"
        )
    print(f"picture saved to {picture}")
    return 0
