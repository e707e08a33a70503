"""Pieces the sub-commands share: data options and JSON output."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from logistic_neuron.argtypes import positive_int
from logistic_neuron.datasets import FACES, Dataset, load_dataset


def add_data_options(parser: argparse.ArgumentParser, *, test: bool = True) -> None:
    """Add ``--data``, ``--test`` and the image-folder options to ``parser``."""
    parser.add_argument(
        "--data",
        default=FACES,
        metavar="SOURCE",
        help="'faces' (bundled, the default), a course .h5 file, or a folder with two class "
        "subfolders",
    )
    if test:
        parser.add_argument(
            "--test",
            default=None,
            metavar="SOURCE",
            help="test data (.h5 file or folder); without it 25%% of --data is held out",
        )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=64,
        metavar="N",
        help="image folders are resized to N x N pixels (default 64)",
    )
    parser.add_argument(
        "--mode",
        choices=("RGB", "L"),
        default="RGB",
        help="colour mode for image folders: RGB (default) or L (grey)",
    )
    parser.add_argument(
        "--positive",
        default=None,
        metavar="CLASS",
        help="which class subfolder of an image folder is the positive class (label 1)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the stratified hold-out split (default 0)"
    )


def dataset_from_args(args: argparse.Namespace) -> Dataset:
    """Load the data set the data options name."""
    return load_dataset(
        args.data,
        getattr(args, "test", None),
        image_size=(args.image_size, args.image_size),
        mode=args.mode,
        positive=args.positive,
        seed=args.seed,
    )


def _json_safe(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) by ``None``, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def print_json(document: dict[str, Any]) -> None:
    """Print one JSON object on standard output."""
    print(json.dumps(_json_safe(document), indent=2, allow_nan=False))
