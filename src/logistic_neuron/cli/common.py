"""Pieces the sub-commands share: data options and JSON output."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from logistic_neuron.cli.argtypes import positive_int, seed
from logistic_neuron.data.dataset import Dataset
from logistic_neuron.data.faces import FACES
from logistic_neuron.data.loading import load_dataset

#: Defaults of the data options.
DATA_DEFAULTS: dict[str, Any] = {
    "data": FACES,
    "test": None,
    "image_size": 64,
    "mode": "RGB",
    "positive": None,
    "seed": 0,
}


def add_data_options(
    parser: argparse.ArgumentParser, *, test: bool = True, defaults: bool = True
) -> None:
    """Add ``--data``, ``--test`` and the image-folder options to ``parser``.

    With ``defaults=False`` every option defaults to ``None``, so a command can
    tell which were given (see :data:`DATA_DEFAULTS` for the real defaults).
    """

    def default(name: str) -> Any:
        return DATA_DEFAULTS[name] if defaults else None

    parser.add_argument(
        "--data",
        default=default("data"),
        metavar="SOURCE",
        help="'faces' (bundled, the default), a course .h5 file, or a folder with two class "
        "subfolders",
    )
    if test:
        parser.add_argument(
            "--test",
            default=None,
            metavar="SOURCE",
            help="test data (.h5 file or folder) (default: 25%% of --data, held out)",
        )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=default("image_size"),
        metavar="N",
        help="image folders are resized to N x N pixels (default 64)",
    )
    parser.add_argument(
        "--mode",
        choices=("RGB", "L"),
        default=default("mode"),
        help="colour mode for image folders: RGB (default) or L (grey)",
    )
    parser.add_argument(
        "--positive",
        default=None,
        metavar="CLASS",
        help="which class subfolder of an image folder is the positive class (label 1) "
        "(default: understood from pairs like cat/non-cat)",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        default=default("seed"),
        help="seed of the stratified hold-out split (default 0)",
    )


def dataset_from_args(args: argparse.Namespace) -> Dataset:
    """Load the data set the data options name."""
    settings = {name: getattr(args, name, None) for name in DATA_DEFAULTS}
    return dataset_from_settings(settings)


def dataset_from_settings(settings: dict[str, Any]) -> Dataset:
    """Load the data set described by data options (missing ones take their defaults)."""
    value: dict[str, Any] = {
        name: settings.get(name) if settings.get(name) is not None else default
        for name, default in DATA_DEFAULTS.items()
    }
    return load_dataset(
        value["data"],
        value["test"],
        image_size=(value["image_size"], value["image_size"]),
        mode=value["mode"],
        positive=value["positive"],
        seed=value["seed"],
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
