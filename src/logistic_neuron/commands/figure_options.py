"""Options that make ``train`` and ``predict`` write pictures (owned by the plotting work).

``train --plots DIR`` and ``predict --explain OUT.png`` are registered here so
that the plotting code stays out of the train and predict modules.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_train_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--plots DIR`` to ``train``."""
    parser.add_argument(
        "--plots",
        default=None,
        metavar="DIR",
        help="write the learning curve (and other pictures) into this folder",
    )


def write_train_plots(args: argparse.Namespace, trained: Any, dataset: Any) -> list[str]:
    """Write the pictures ``train --plots`` asks for; return the paths written."""
    if args.plots is None:
        return []
    raise NotImplementedError("train --plots is not available yet")


def add_predict_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--explain OUT.png`` to ``predict``."""
    parser.add_argument(
        "--explain",
        default=None,
        metavar="OUT.png",
        help="draw the image as the model sees it, its probability and the per-pixel "
        "contribution w * x (one image only)",
    )


def write_explanation(args: argparse.Namespace, model: Any, loaded: list[Any]) -> list[str]:
    """Write the picture ``predict --explain`` asks for; return the paths written.

    ``loaded`` is a list of ``(path, LoadedImage)`` pairs.
    """
    if args.explain is None:
        return []
    raise NotImplementedError("predict --explain is not available yet")
