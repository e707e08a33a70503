"""``logistic-neuron evaluate``: score a saved model on labelled data."""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

from logistic_neuron.cli.common import print_json
from logistic_neuron.cli.options import add_json, add_model_input, open_model
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.data.dataset import Dataset, Split, stratified_split
from logistic_neuron.data.faces import FACES, load_faces
from logistic_neuron.data.loading import load_dataset, load_labelled
from logistic_neuron.data.shown_text import shown
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.metrics import evaluate_logits
from logistic_neuron.storage.model_file import TrainedModel

#: How a model records a test set held out of its training data.
HELD_OUT = "held out from "


class OverlapWarning(UserWarning):
    """The data to score includes the examples the model was trained on."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``evaluate``."""
    parser = subparsers.add_parser(
        "evaluate",
        help="score a saved model on labelled data",
        description="Accuracy, confusion matrix, precision, recall and log loss of a model on "
        "a data set: a course .h5 file, a folder with the model's two class subfolders, or "
        "'faces' (the bundled faces' test split).",
    )
    add_model_input(parser)
    parser.add_argument(
        "--data",
        default=None,
        metavar="SOURCE",
        help="labelled data: a course .h5 file, a folder with the model's two class "
        "subfolders, or 'faces' (default: the model's recorded test data)",
    )
    add_json(parser)
    parser.set_defaults(run=run)


def evaluation_split(model: TrainedModel, source: str) -> Split:
    """The labelled examples of ``source``, prepared for ``model``."""
    if source == FACES:
        faces, _ = load_faces()
        seed = model.data.split_seed if model.data.split_seed is not None else 0
        fraction = model.data.test_fraction if model.data.test_fraction is not None else 0.25
        return stratified_split(faces, fraction, seed)[1]
    height, width, _ = model.image_shape
    with ProgressBar(1, description="reading images", unit="images") as bar:

        def moved(done: int, total: int) -> None:
            bar.set_total(total)
            bar.update(done)

        split, _ = load_labelled(
            source,
            image_size=(height, width),
            mode=model.mode,
            classes=model.classes,
            progress=moved,
        )
    return split


def recorded_dataset(model: TrainedModel) -> Dataset:
    """Reload the training (and test) data recorded in ``model``, split as in training.

    Raises
    ------
    DataError
        When the recorded data cannot be read any more (moved, deleted ...).
    """
    record = model.data
    height, width, _ = model.image_shape
    test = None if record.test_source == HELD_OUT + record.source else record.test_source
    try:
        dataset = load_dataset(
            record.source,
            test,
            image_size=(height, width),
            mode=model.mode,
            positive=model.classes[1] if Path(record.source).is_dir() else None,
            seed=record.split_seed if record.split_seed is not None else 0,
            test_fraction=record.test_fraction if record.test_fraction is not None else 0.25,
        )
    except DataError as exc:
        raise DataError(
            f"cannot reload the model's training data ({exc}); run from the folder it was "
            "trained in, or use --no-overfitting --no-comparison"
        ) from None
    if dataset.train.m != record.m_train or dataset.image_shape != model.image_shape:
        raise DataError(
            f"the model's training data {record.source} changed since training "
            f"({dataset.train.m} examples now, {record.m_train} then); "
            "use --no-overfitting --no-comparison"
        )
    return dataset


def scoring_split(
    model: TrainedModel, source: str | None, recorded: Dataset | None
) -> tuple[Split, str]:
    """The labelled data the report scores the model on, and its description."""
    if source is not None:
        return evaluation_split(model, source), source
    test_source = model.data.test_source
    if not test_source:
        # LogisticNeuronClassifier.save records no data: it never saw a test set.
        raise DataError(
            f"the model records no test data (the {model.made_by} made it): "
            "give the labelled data to score it on with --data"
        )
    if test_source.startswith(HELD_OUT):
        if recorded is None:
            recorded = recorded_dataset(model)
        return recorded.test, test_source
    return evaluation_split(model, test_source), test_source


def overlaps_training(model: TrainedModel, source: str) -> bool:
    """Whether ``source`` is (or holds) the data the model was trained on.

    The bundled faces are split exactly as in training, so only the held-out
    part is scored; a file or folder is scored whole.
    """
    trained_on = model.data.source
    if source == FACES or trained_on == FACES:
        return False
    try:
        return Path(source).resolve() == Path(trained_on).resolve() or os.path.samefile(
            source, trained_on
        )
    except OSError:
        return False


def run(args: argparse.Namespace) -> int:
    """Evaluate and report."""
    model = open_model(args.model)
    if args.data is not None and overlaps_training(model, args.data):
        warnings.warn(
            f"{args.data} is the data {args.model} was trained on ({model.data.m_train} of its "
            "examples were used for training), so this accuracy says little about new images; "
            "leave out --data to score the model's recorded test data",
            OverlapWarning,
            stacklevel=1,
        )
    split, source = scoring_split(model, args.data, None)
    scores = evaluate_logits(model.logits(model.features(split.images)), split.labels)
    if args.json:
        print_json(
            {
                "model": args.model,
                "data": source,
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
    negative, positive = (shown(name) for name in model.classes)
    width = max(len(negative), len(positive), 9)
    print(f"examples:  {scores.m}")
    print(f"accuracy:  {scores.accuracy} %")
    print(f"precision: {scores.precision:.4f}  (of images predicted '{positive}', share right)")
    print(f"recall:    {scores.recall:.4f}  (of '{positive}' images, share found)")
    print(f"log loss:  {scores.log_loss:.6f}")
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(f"  {'':{width}}  {negative:>{width}}  {positive:>{width}}")
    for name, row in zip((negative, positive), scores.confusion_matrix, strict=True):
        print(f"  {name:{width}}  {row[0]:>{width}}  {row[1]:>{width}}")
    return 0
