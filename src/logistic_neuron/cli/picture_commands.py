"""What the commands that train on labelled data and draw one picture share.

``compare-learning-rates``, ``overfitting`` and ``compare-optimizers`` each
train on ``--data`` / ``--test``, save one picture to ``--out`` and print a
table of scores, or one JSON object with ``--json``. Their common options,
the loading of their data, the table layout and the JSON frame live here, so
the commands stay spelled and behaving alike. ``report`` shares ``--rates``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from logistic_neuron.cli.argtypes import positive_float
from logistic_neuron.cli.common import dataset_from_args, print_json
from logistic_neuron.cli.figure_options import picture_file
from logistic_neuron.cli.options import add_json, add_out
from logistic_neuron.data.dataset import Dataset
from logistic_neuron.neuron.backend import FLOAT_DTYPE_NAMES, np
from logistic_neuron.pictures.curves import LESSON_LEARNING_RATES
from logistic_neuron.storage.paths import check_outputs


def add_picture_options(parser: argparse.ArgumentParser, *, default_out: str) -> None:
    """``--dtype``, ``--out FILE`` (the picture, .png or .svg) and ``--json``."""
    parser.add_argument(
        "--dtype", choices=FLOAT_DTYPE_NAMES, default="float64", help="floating-point precision"
    )
    add_out(
        parser, what="the picture, .png or .svg", default=default_out, type=picture_file,
        metavar="FILE",
    )  # fmt: skip
    add_json(parser)


def add_rates(parser: argparse.ArgumentParser, *, help: str) -> None:
    """``--rates A ...``: the learning rates to compare (default: the lesson's three)."""
    parser.add_argument(
        "--rates",
        nargs="+",
        type=positive_float,
        default=list(LESSON_LEARNING_RATES),
        metavar="A",
        help=help,
    )


def load_data(args: argparse.Namespace) -> Dataset:
    """Load ``--data`` / ``--test``, once sure that ``--out`` overwrites neither."""
    check_outputs([("--out", args.out)], [("--data", args.data), ("--test", args.test)])
    return dataset_from_args(args)


def train_and_test(dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the commands train and score on.

    Returns
    -------
    tuple
        Raw training pixels (n_x, m_train), training labels (1, m_train), raw
        test pixels (n_x, m_test) and test labels (1, m_test).
    """
    return dataset.train.pixels(), dataset.train.Y(), dataset.test.pixels(), dataset.test.Y()


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def print_result_json(dataset: Dataset, picture: Path, fields: dict[str, Any]) -> None:
    """One JSON object: the data sources, then the command's ``fields``, then the picture."""
    print_json(
        {
            "data": dataset.source,
            "test_data": dataset.test_source,
            **fields,
            "picture": str(picture),
        }
    )
