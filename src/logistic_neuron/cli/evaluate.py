"""``logistic-neuron evaluate``: score a saved model on labelled data."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.common import print_json
from logistic_neuron.data.dataset import Split, stratified_split
from logistic_neuron.data.faces import FACES, load_faces
from logistic_neuron.data.loading import load_labelled
from logistic_neuron.neuron.metrics import evaluate_logits
from logistic_neuron.storage.model_file import TrainedModel, load_model


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``evaluate``."""
    parser = subparsers.add_parser(
        "evaluate",
        help="score a saved model on labelled data",
        description="Accuracy, confusion matrix, precision, recall and log loss of a model on "
        "a data set: a course .h5 file, a folder with the model's two class subfolders, or "
        "'faces' (the bundled faces' test split).",
    )
    parser.add_argument("--model", required=True, metavar="PATH", help="a model file from train")
    parser.add_argument("--data", required=True, metavar="SOURCE", help="labelled data")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def evaluation_split(model: TrainedModel, source: str) -> Split:
    """The labelled examples of ``source``, prepared for ``model``."""
    if source == FACES:
        faces, _ = load_faces()
        seed = model.data.split_seed if model.data.split_seed is not None else 0
        fraction = model.data.test_fraction if model.data.test_fraction is not None else 0.25
        return stratified_split(faces, fraction, seed)[1]
    height, width, _ = model.image_shape
    split, _ = load_labelled(
        source, image_size=(height, width), mode=model.mode, classes=model.classes
    )
    return split


def run(args: argparse.Namespace) -> int:
    """Evaluate and report."""
    model = load_model(args.model)
    split = evaluation_split(model, args.data)
    scores = evaluate_logits(model.logits(model.features(split.images)), split.labels)
    if args.json:
        print_json(
            {
                "model": args.model,
                "data": args.data,
                "m": scores.m,
                "accuracy": scores.accuracy,
                "confusion_matrix": [list(row) for row in scores.confusion_matrix],
                "confusion_matrix_layout": "rows: true 0, 1; columns: predicted 0, 1",
                "precision": scores.precision,
                "recall": scores.recall,
                "log_loss": scores.log_loss,
                "classes": list(model.classes),
            }
        )
        return 0
    negative, positive = model.classes
    width = max(len(negative), len(positive), 9)
    print(f"examples:  {scores.m}")
    print(f"accuracy:  {scores.accuracy} %")
    print(f"precision: {scores.precision:.4f}  (of images predicted {positive!r}, share right)")
    print(f"recall:    {scores.recall:.4f}  (of {positive!r} images, share found)")
    print(f"log loss:  {scores.log_loss:.6f}")
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(f"  {'':{width}}  {negative:>{width}}  {positive:>{width}}")
    for name, row in zip(model.classes, scores.confusion_matrix, strict=True):
        print(f"  {name:{width}}  {row[0]:>{width}}  {row[1]:>{width}}")
    return 0
