"""``logistic-neuron predict``: classify image files with a saved model."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from logistic_neuron.cli import figure_options
from logistic_neuron.cli.common import print_json
from logistic_neuron.cli.main import error_line
from logistic_neuron.cli.options import add_images, add_json, add_model_input, open_model
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.data.images import LoadedImage
from logistic_neuron.data.parallel import read_images_parallel
from logistic_neuron.data.shown_text import shown
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.prediction import THRESHOLD
from logistic_neuron.storage.model_file import TrainedModel
from logistic_neuron.storage.paths import check_outputs


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``predict``."""
    parser = subparsers.add_parser(
        "predict",
        help="classify images with a saved model",
        description="Print the predicted class and the probability of the positive class for "
        "each image. Images are resized and converted to the model's size and colour mode "
        "exactly as in training.",
    )
    add_model_input(parser)
    add_images(parser, required=True, what="to classify")
    add_json(parser)
    figure_options.add_plot_options(
        parser,
        what="for each image, the image as the model sees it, its probability and the "
        "per-pixel contribution w * x (IMAGE-explained.png)",
    )
    figure_options.add_explain_alias(parser)
    parser.set_defaults(run=run)


def caution(model: TrainedModel) -> str:
    """How far to trust an answer: the model's own test score and what it was trained on."""
    negative, positive = model.classes
    if model.test_accuracy is None:
        # Models saved by the estimator record no test set.
        score = "its file records no test accuracy (it was not scored on held-out data)"
        trained_on = ""
    else:
        score = (
            f"{model.test_accuracy:g} % right on its {model.data.m_test} test examples "
            f"({model.data.test_source})"
        )
        trained_on = f" ({model.data.source})"
    return (
        f"the model tells {positive} from {negative}: {score}; it answers {positive} or "
        f"{negative} for any image, so a picture unlike its training data{trained_on} gets a "
        "meaningless answer"
    )


def run(args: argparse.Namespace) -> int:
    """Predict every image; a bad image is reported and the others still predicted."""
    check_outputs(
        figure_options.explanation_outputs(args),
        [("--model", args.model), ("IMAGE", args.images)],
    )
    model = open_model(args.model)
    height, width, _ = model.image_shape
    loaded: list[tuple[str, LoadedImage]] = []
    failures: list[str] = []
    # Decoding and resizing run on all cores (Pillow releases the GIL).
    with ProgressBar(len(args.images), description="reading images", unit="images") as bar:
        outcomes = read_images_parallel(
            args.images, (height, width), model.mode, progress=bar.counter()
        )
    for path, outcome in zip(args.images, outcomes, strict=True):
        if isinstance(outcome, DataError):
            failures.append(str(outcome))
        else:
            loaded.append((path, outcome))
    results: list[dict[str, Any]] = []
    if loaded:
        images = np.stack([image.pixels for _, image in loaded])
        probabilities = model.predict_proba_images(images)
        for (path, image), probability in zip(loaded, probabilities, strict=True):
            label = int(probability > THRESHOLD)
            results.append(
                {
                    "image": path,
                    "label": label,
                    "class": model.classes[label],
                    "probability": float(probability),
                    "preprocessing": image.changes(),
                }
            )
    pictures = figure_options.write_explanation(args, model, loaded)
    if args.json:
        print_json(
            {
                "model": args.model,
                "positive_class": model.classes[1],
                "classes": list(model.classes),
                "model_test_accuracy": model.test_accuracy,
                "model_test_examples": model.data.m_test,
                "model_trained_on": model.data.source,
                "caution": caution(model),
                "predictions": results,
                "errors": failures,
                "pictures": pictures,
            }
        )
    else:
        for result in results:
            notes = f"  ({'; '.join(result['preprocessing'])})" if result["preprocessing"] else ""
            # File and class names are untrusted: one prediction stays one line.
            print(
                f"{shown(result['image'])}: {shown(result['class'])} (label {result['label']}, "
                f"p({shown(model.classes[1])}) = {result['probability']:.4f}){notes}"
            )
        for picture in pictures:
            print(f"picture saved to {picture}")
        if results:
            # The caution names the classes: untrusted text, shown on one line too.
            print(shown(caution(model)))
    for failure in failures:
        print(error_line(failure), file=sys.stderr)
    return 1 if failures else 0
