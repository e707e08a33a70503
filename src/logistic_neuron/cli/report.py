"""``logistic-neuron report``: one self-contained HTML page about a model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from logistic_neuron.cli.argtypes import positive_int
from logistic_neuron.cli.evaluate import recorded_dataset, scoring_split
from logistic_neuron.cli.options import (
    add_images,
    add_model_input,
    add_out,
    add_record_every,
    add_renamed,
    open_model,
)
from logistic_neuron.cli.picture_commands import add_rates
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.data.images import read_image
from logistic_neuron.errors import UsageError
from logistic_neuron.neuron.backend import require
from logistic_neuron.pictures.curves import (
    OverfittingCurve,
    RateComparison,
    compare_learning_rates,
    overfitting_curve,
)
from logistic_neuron.pictures.report import build_report, write_report
from logistic_neuron.storage.atomic import check_output_folder
from logistic_neuron.storage.paths import check_outputs

DEFAULT_OUT = "report.html"

#: Most iterations ``report`` retrains for without being asked: a model file
#: says how long its run was, and a crafted one could say 10^9.
DEFAULT_MAX_RETRAIN = 100_000


def html_file(text: str) -> Path:
    """Argument type of ``--out``: an .html file in an existing folder, and matplotlib."""
    require("matplotlib", "plot")
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"{text}: end the report's file name with .html")
    return check_output_folder(path)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``report``."""
    parser = subparsers.add_parser(
        "report",
        help="write one self-contained HTML page about a model",
        description="Write an HTML page (pictures embedded; opens in a browser without a "
        "server) with the model's training summary and learning curve, its accuracy and "
        "confusion matrix on labelled data, the test images it gets wrong, what the neuron "
        "sees (its weights), the train/test accuracy along a retraining (overfitting view), "
        "a learning-rate comparison, and explanations of your own images.",
    )
    add_model_input(parser)
    parser.add_argument(
        "--data",
        default=None,
        metavar="SOURCE",
        help="labelled data to score the model on (default: the model's recorded test data)",
    )
    add_out(parser, what="the HTML page", default=DEFAULT_OUT, type=html_file, metavar="FILE")
    add_images(parser, required=False, what="of yours to explain in the page")
    add_renamed(parser, "--image", "IMAGE (a positional argument)", dest="old_images", append=True)
    parser.add_argument(
        "--no-overfitting",
        action="store_true",
        help="skip the overfitting view (it retrains the model on its recorded training data)",
    )
    add_record_every(
        parser,
        default=None,
        what="overfitting view: score both sets every N iterations (default: about 100 points)",
        old="--every",
    )
    parser.add_argument(
        "--no-comparison",
        action="store_true",
        help="skip the learning-rate comparison (it trains one model per rate)",
    )
    add_rates(
        parser,
        help="learning rates to compare (default 0.01 0.001 0.0001), each trained for the "
        "model's number of iterations",
    )
    parser.add_argument(
        "--max-iterations",
        type=positive_int,
        default=DEFAULT_MAX_RETRAIN,
        metavar="N",
        help="retrain only if the model records at most N iterations (default "
        f"{DEFAULT_MAX_RETRAIN}): the number comes from the model file",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Gather everything, draw, write the page."""
    images = [*args.images, *getattr(args, "old_images", [])]
    check_outputs(
        [("--out", args.out)],
        [("--model", args.model), ("--data", args.data), ("IMAGE", images)],
    )
    model = open_model(args.model)
    height, width, _ = model.image_shape
    explanations = [
        (Path(path).name, read_image(path, (height, width), model.mode).pixels) for path in images
    ]
    needs_training_data = not (args.no_overfitting and args.no_comparison)
    if needs_training_data and model.num_iterations > args.max_iterations:
        raise UsageError(
            f"{args.model} records {model.num_iterations} iterations; report retrains for at "
            f"most {args.max_iterations}: raise --max-iterations, or skip retraining with "
            "--no-overfitting --no-comparison"
        )
    recorded = recorded_dataset(model) if needs_training_data else None
    split, split_name = scoring_split(model, args.data, recorded)
    overfitting: OverfittingCurve | None = None
    comparison: RateComparison | None = None
    if recorded is not None:
        train_x, train_y = recorded.train.pixels(), recorded.train.Y()
        test_x, test_y = model.features(split.images), split.Y()
        if not args.no_overfitting:
            print(
                f"retraining for the overfitting view ({model.num_iterations} iterations)...",
                file=sys.stderr,
            )
            with ProgressBar(model.num_iterations, description="overfitting view") as bar:
                overfitting = overfitting_curve(
                    train_x,
                    train_y,
                    test_x,
                    test_y,
                    num_iterations=model.num_iterations,
                    learning_rate=model.learning_rate,
                    every=args.record_every,
                    dtype=model.dtype,
                    record_every=model.record_every,
                    progress=bar.counter(),
                )
        if not args.no_comparison:
            print(
                f"training one model per learning rate ({', '.join(f'{r:g}' for r in args.rates)})"
                "...",
                file=sys.stderr,
            )
            total = len(args.rates) * model.num_iterations
            with ProgressBar(total, description="one model per learning rate") as bar:
                comparison = compare_learning_rates(
                    train_x,
                    train_y,
                    test_x,
                    test_y,
                    learning_rates=args.rates,
                    num_iterations=model.num_iterations,
                    record_every=model.record_every,
                    dtype=model.dtype,
                    progress=bar.counter(),
                )
    page = build_report(
        model,
        model_name=Path(args.model).name,
        split=split,
        split_name=split_name,
        overfitting=overfitting,
        comparison=comparison,
        explanations=explanations,
    )
    path = write_report(args.out, page)
    print(f"report saved to {path}")
    return 0
