"""Options that make ``train`` and ``predict`` write pictures.

``train --plots DIR`` and ``predict --explain OUT.png`` are registered here so
that the plotting code stays out of the train and predict modules. The option
values are checked while the command line is parsed (matplotlib installed, a
usable folder or file ending), so a long training never ends in "cannot plot".
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from logistic_neuron.neuron.backend import np, require
from logistic_neuron.storage.atomic import check_output_folder

#: File names ``train --plots DIR`` writes (without the ending).
TRAIN_PICTURES = ("learning-curve", "weights", "mistakes")

PICTURE_ENDINGS = (".png", ".svg")


def plots_folder(text: str) -> Path:
    """Argument type of ``--plots``: a folder that exists or can be created, and matplotlib."""
    require("matplotlib", "plot")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    if not folder.exists():
        # The folder itself may be new, but its parent must exist (like mkdir without -p).
        check_output_folder(folder)
    return folder


def picture_file(text: str) -> Path:
    """Argument type of picture outputs: a file name ending with .png or .svg, and matplotlib."""
    require("matplotlib", "plot")
    path = Path(text)
    if path.suffix.lower() not in PICTURE_ENDINGS:
        raise argparse.ArgumentTypeError(
            f"{text}: end the picture's file name with {' or '.join(PICTURE_ENDINGS)}"
        )
    check_output_folder(path)
    return path


def add_train_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--plots DIR`` and ``--plot-format`` to ``train``."""
    parser.add_argument(
        "--plots",
        default=None,
        type=plots_folder,
        metavar="DIR",
        help="write pictures into this folder (created if needed): the learning curve, "
        "what the neuron sees (its weights) and the test images it gets wrong",
    )
    parser.add_argument(
        "--plot-format",
        choices=("png", "svg"),
        default="png",
        help="file format of --plots pictures (default png)",
    )


def train_plot_paths(args: argparse.Namespace) -> list[Path]:
    """The files ``train --plots`` will write (none without ``--plots``)."""
    if getattr(args, "plots", None) is None or not Path(args.plots).is_dir():
        return []  # a folder still to be created holds nothing that could be clobbered
    ending = "." + getattr(args, "plot_format", "png")
    return [Path(args.plots) / f"{name}{ending}" for name in TRAIN_PICTURES]


def write_train_plots(args: argparse.Namespace, trained: Any, dataset: Any) -> list[str]:
    """Write the pictures ``train --plots`` asks for; return the paths written.

    Parameters
    ----------
    args : argparse.Namespace
        With ``plots`` (a folder or None) and ``plot_format``.
    trained : TrainedModel
        The model just trained.
    dataset : Dataset
        Its data (the mistakes gallery shows the test split).
    """
    if args.plots is None:
        return []
    from logistic_neuron.pictures.plots import (
        plot_learning_curve,
        plot_mistakes,
        plot_weights,
        save_figure,
    )

    folder = Path(args.plots)
    folder.mkdir(exist_ok=True)
    ending = "." + getattr(args, "plot_format", "png")
    probabilities = trained.predict_proba_images(dataset.test.images)
    figures = {
        "learning-curve": plot_learning_curve(
            trained.costs, record_every=trained.record_every, learning_rate=trained.learning_rate
        ),
        "weights": plot_weights(trained.w, trained.image_shape, classes=trained.classes),
        "mistakes": plot_mistakes(
            dataset.test.images,
            dataset.test.labels,
            probabilities,
            trained.classes,
            title=None,
        ),
    }
    written = []
    for name in TRAIN_PICTURES:
        written.append(str(save_figure(figures[name], folder / f"{name}{ending}")))
    return written


def add_predict_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--explain OUT.png`` to ``predict``."""
    parser.add_argument(
        "--explain",
        default=None,
        type=picture_file,
        metavar="OUT.png",
        help="draw the image as the model sees it, its probability and the per-pixel "
        "contribution w * x (.png or .svg); with several images, OUT-1.png, OUT-2.png ...",
    )


def explanation_paths(out: Path, count: int) -> list[Path]:
    """Where the explanations of ``count`` images go: ``out`` itself for one image."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


def write_explanation(args: argparse.Namespace, model: Any, loaded: list[Any]) -> list[str]:
    """Write the picture ``predict --explain`` asks for; return the paths written.

    ``loaded`` is a list of ``(path, LoadedImage)`` pairs (images that could
    not be read are not in it and get no picture).
    """
    if args.explain is None or not loaded:
        return []
    from logistic_neuron.pictures.plots import plot_explanation, save_figure

    written = []
    for (path, image), out in zip(
        loaded, explanation_paths(Path(args.explain), len(loaded)), strict=True
    ):
        notes = image.changes()
        title = f"{Path(path).name}" + (f" ({'; '.join(notes)})" if notes else "")
        fig = plot_explanation(
            np.asarray(image.pixels), model.w, model.b, model.classes, title=title
        )
        written.append(str(save_figure(fig, out)))
    return written
