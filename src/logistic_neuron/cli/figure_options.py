"""Options that make ``train`` and ``predict`` write pictures.

``--plots DIR`` (and ``--plot-format``) is registered here for both commands,
so that the plotting code stays out of the train and predict modules. The
option values are checked while the command line is parsed (matplotlib
installed, a usable folder or file ending), so a long training never ends in
"cannot plot". ``predict --explain OUT.png``, the old spelling, still works
for one release.
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


def add_plot_options(parser: argparse.ArgumentParser, *, what: str, remember: bool = False) -> None:
    """Add ``--plots DIR`` and ``--plot-format`` (``what`` says which pictures).

    With ``remember`` the format defaults to None (meaning png), so that a
    resumed run can tell whether it was given.
    """
    parser.add_argument(
        "--plots",
        default=None,
        type=plots_folder,
        metavar="DIR",
        help=f"write pictures into this folder (created if needed): {what} (default: none)",
    )
    parser.add_argument(
        "--plot-format",
        choices=("png", "svg"),
        default=None if remember else "png",
        help="file format of the --plots pictures" + (" (default png)" if remember else ""),
    )


def train_plot_paths(args: argparse.Namespace) -> list[Path]:
    """The files ``train --plots`` will write (none without ``--plots``)."""
    if getattr(args, "plots", None) is None or not Path(args.plots).is_dir():
        return []  # a folder still to be created holds nothing that could be clobbered
    ending = "." + (getattr(args, "plot_format", None) or "png")
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
    ending = "." + (getattr(args, "plot_format", None) or "png")
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


def add_explain_alias(parser: argparse.ArgumentParser) -> None:
    """``predict --explain OUT.png``: the old spelling of ``--plots DIR``, for one release."""
    from logistic_neuron.cli.options import add_renamed

    add_renamed(parser, "--explain", "--plots DIR", dest="explain", type=picture_file)


def explanation_paths(out: Path, count: int) -> list[Path]:
    """Where ``--explain OUT`` puts the explanations of ``count`` images: ``out`` for one."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


def explanation_paths_in(folder: Path, images: list[str], ending: str) -> list[Path]:
    """``--plots DIR``: ``DIR/<image name>-explained<ending>``, numbered when names repeat."""
    stems = [Path(image).stem for image in images]
    paths = []
    for index, stem in enumerate(stems, start=1):
        name = f"{stem}-explained" if stems.count(stem) == 1 else f"{stem}-{index}-explained"
        paths.append(folder / f"{name}{ending}")
    return paths


def explanation_outputs(args: argparse.Namespace) -> list[tuple[str, list[Path]]]:
    """The files ``predict --plots`` (or the old ``--explain``) will write, by option."""
    explain = getattr(args, "explain", None)
    if args.plots is not None:
        if not Path(args.plots).is_dir():
            return []  # a folder still to be created holds nothing that could be clobbered
        paths = explanation_paths_in(Path(args.plots), args.images, "." + args.plot_format)
        return [("--plots", paths)]
    if explain is not None:
        return [("--explain", explanation_paths(Path(explain), len(args.images)))]
    return []


def write_explanation(args: argparse.Namespace, model: Any, loaded: list[Any]) -> list[str]:
    """Write the explanations ``predict --plots DIR`` asks for; return the paths written.

    ``loaded`` is a list of ``(path, LoadedImage)`` pairs (images that could
    not be read are not in it and get no picture).
    """
    explain = getattr(args, "explain", None)
    if (args.plots is None and explain is None) or not loaded:
        return []
    from logistic_neuron.pictures.plots import plot_explanation, save_figure

    if args.plots is not None:
        folder = Path(args.plots)
        folder.mkdir(exist_ok=True)
        names = [path for path, _ in loaded]
        outs = explanation_paths_in(folder, names, "." + args.plot_format)
    else:
        assert explain is not None
        outs = explanation_paths(Path(explain), len(loaded))
    written = []
    for (path, image), out in zip(loaded, outs, strict=True):
        notes = image.changes()
        title = f"{Path(path).name}" + (f" ({'; '.join(notes)})" if notes else "")
        fig = plot_explanation(
            np.asarray(image.pixels), model.w, model.b, model.classes, title=title
        )
        written.append(str(save_figure(fig, out)))
    return written
