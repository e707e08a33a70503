"""Pictures of a logistic neuron: learning curves, learning rates, overfitting, weights, mistakes.

Every function takes plain data (arrays, costs, or the results of
:mod:`logistic_neuron.pictures.curves`) and returns a :class:`matplotlib.figure.Figure`.
Figures are built directly, without :mod:`matplotlib.pyplot`: nothing is
shown, no global figure list grows, and no display is needed (rendering
uses Agg). In a notebook a returned figure displays itself; in a script, save
it with :func:`save_figure`::

    from logistic_neuron.pictures.plots import plot_learning_curve, save_figure

    fig = plot_learning_curve(model.costs, record_every=100, learning_rate=0.005)
    save_figure(fig, "learning-curve.png")

matplotlib is an optional dependency (``pip install "logistic-neuron[plot]"``),
imported only when a picture is drawn.

Colours: weights and contributions use a diverging map (red pushes towards
the positive class, blue towards the negative one), centred on zero so that
white means "no influence".
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistic_neuron.data.shown_text import shown
from logistic_neuron.neuron.backend import np, require, to_numpy
from logistic_neuron.neuron.prediction import THRESHOLD
from logistic_neuron.storage.atomic import atomic_write

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from logistic_neuron.pictures.curves import OverfittingCurve, RateComparison

#: File endings :func:`save_figure` understands, and the format each one means.
FORMATS = {".png": "png", ".svg": "svg"}

#: Resolution of saved PNGs (pixels per inch).
DEFAULT_DPI = 100

#: Diverging colour map for weights and contributions: red > 0, white = 0, blue < 0.
DIVERGING = "RdBu_r"

#: Most mistakes drawn in one gallery.
MAX_GALLERY = 30

CHANNEL_NAMES = ("red", "green", "blue")

#: Show every pixel as a sharp square: the pictures show what the model sees, not a smoothed
#: version (and sharp squares compress far better in PNG).
NEAREST: dict[str, Any] = {"interpolation": "nearest"}


def _figure_class() -> Any:
    require("matplotlib", "plot")
    module = require("matplotlib.figure", "plot")
    return module.Figure


def new_figure(width: float, height: float) -> Figure:
    """A blank figure of ``width`` x ``height`` inches with constrained layout.

    Constrained layout keeps titles, labels and colour bars from overlapping.
    """
    figure_class = _figure_class()
    fig: Figure = figure_class(figsize=(width, height), layout="constrained")
    return fig


def _format_of(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the picture format of {path}: end the file name with "
            f"{' or '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def figure_bytes(fig: Figure, fmt: str = "png", *, dpi: int = DEFAULT_DPI) -> bytes:
    """Render ``fig`` to PNG or SVG bytes (without the date, so output is reproducible)."""
    if fmt not in FORMATS.values():
        raise ValueError(f"unknown picture format {fmt!r}: use png or svg")
    matplotlib = require("matplotlib", "plot")
    text_module = require("matplotlib.text", "plot")
    # Titles hold class and file names from files anyone can write: draw them as
    # plain text, never as mathtext ("$\\frac{$" would crash the renderer).
    for text in fig.findobj(text_module.Text):
        text.set_parse_math(False)
        text.set_text("\n".join(shown(line) for line in text.get_text().split("\n")))
    buffer = io.BytesIO()
    # Dates and random ids would make every rendering of the same figure differ.
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    with matplotlib.rc_context({"svg.hashsalt": "logistic-neuron"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = DEFAULT_DPI) -> Path:
    """Save ``fig`` atomically as PNG or SVG, chosen by the file ending.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or PathLike
        Ends with ``.png`` or ``.svg``.
    dpi : int
        Resolution of PNGs.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        For another file ending.
    OutputError
        When the folder is missing or read-only.
    """
    data = figure_bytes(fig, _format_of(path), dpi=dpi)
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def _axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig = new_figure(width, height)
    return fig, fig.add_subplot()


def _as_float(x: Any) -> np.ndarray:
    return np.asarray(to_numpy(x), dtype=np.float64)


def plot_learning_curve(
    costs: Sequence[float],
    *,
    record_every: int = 100,
    learning_rate: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The cost against the iterations of one training run.

    Parameters
    ----------
    costs : sequence of float
        Recorded every ``record_every`` iterations, from iteration 0.
    record_every : int
    learning_rate : float, optional
        Shown in the title, as in the course.
    title : str, optional
        Replaces the default title.
    ax : matplotlib Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = _as_float(costs).reshape(-1)
    if values.size == 0:
        raise ValueError("no costs to plot: the run recorded none")
    fig, axes = _axes(ax, 6.4, 4.2)
    iterations = np.arange(values.size) * record_every
    axes.plot(iterations, values, marker="o" if values.size <= 40 else None, markersize=3)
    axes.set_xlabel("iteration")
    axes.set_ylabel("cost J (cross-entropy)")
    if title is None:
        title = "Learning curve"
        if learning_rate is not None:
            title += f": learning rate = {learning_rate:g}"
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)
    return fig


def plot_learning_rates(
    comparison: RateComparison, *, title: str | None = None, ax: Axes | None = None
) -> Figure:
    """The cost curves of several learning rates on one plot (the course's comparison).

    A rate whose cost rose is marked "(cost rose)" in the legend; a diverged
    one "(diverged)", with an ``x`` at its last finite cost.

    Parameters
    ----------
    comparison : RateComparison
        From :func:`logistic_neuron.pictures.curves.compare_learning_rates`.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _axes(ax, 7.0, 4.6)
    for run in comparison.runs:
        label = f"learning rate {run.learning_rate:g}"
        if run.flags:
            label += f" ({', '.join(run.flags)})"
        if not run.costs:
            axes.plot([], [], label=label)
            continue
        (line,) = axes.plot(run.cost_iterations, run.costs, label=label)
        if run.diverged:
            axes.plot(
                run.cost_iterations[-1], run.costs[-1], "x", color=line.get_color(), markersize=10
            )
    axes.set_xlabel("iteration")
    axes.set_ylabel("cost J (cross-entropy)")
    axes.set_title(title or f"Cost per learning rate ({comparison.num_iterations} iterations each)")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", framealpha=0.9)
    return fig


def plot_overfitting(curve: OverfittingCurve, *, title: str | None = None) -> Figure:
    """Train and test accuracy (top) and cost (bottom) along training.

    A dashed line marks the iteration with the best test accuracy; when the
    training accuracy keeps rising after it while the test accuracy does not,
    the model is learning the training set by heart.

    Parameters
    ----------
    curve : OverfittingCurve
        From :func:`logistic_neuron.pictures.curves.overfitting_curve`.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(7.0, 6.4)
    top, bottom = fig.subplots(2, 1, sharex=True)
    iterations = np.asarray(curve.iterations)
    top.plot(iterations, curve.train_accuracy, label="train accuracy", color="tab:blue")
    top.plot(iterations, curve.test_accuracy, label="test accuracy", color="tab:orange")
    best = curve.best_iteration
    for axes in (top, bottom):
        axes.axvline(best, color="grey", linestyle="--", linewidth=1)
        axes.grid(True, alpha=0.3)
    top.plot(
        [best],
        [curve.best_test_accuracy],
        "o",
        color="tab:orange",
        label=f"best test accuracy {curve.best_test_accuracy:.4g} % (iteration {best})",
    )
    top.set_ylabel("accuracy (%)")
    top.set_ylim(-2, 102)
    top.legend(loc="best", framealpha=0.9)
    bottom.plot(iterations, curve.train_cost, label="train cost", color="tab:blue")
    bottom.plot(iterations, curve.test_cost, label="test cost", color="tab:orange")
    bottom.set_xlabel("iteration")
    bottom.set_ylabel("cost J (cross-entropy)")
    bottom.legend(loc="best", framealpha=0.9)
    fig.suptitle(
        title
        or f"Train vs test along training (learning rate {curve.learning_rate:g}, "
        f"scored every {curve.every} iterations)"
    )
    return fig


def _image_for_display(image: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """An (H, W, C) uint8 image as imshow wants it, with the arguments to show it unscaled."""
    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        return pixels[:, :, 0], {"cmap": "gray", "vmin": 0, "vmax": 255, **NEAREST}
    return pixels, dict(NEAREST)


def _symmetric_limit(values: np.ndarray) -> float:
    limit = float(np.max(np.abs(values))) if values.size else 0.0
    return limit if limit > 0 else 1.0


def _hide_ticks(axes: Axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])


def _words_on_scale(colorbar: Any, limit: float, negative: str, positive: str) -> None:
    """Say in words what the colour scale's ends and middle mean for the prediction."""
    colorbar.set_ticks([-limit, 0.0, limit])
    colorbar.set_ticklabels(
        [
            f"{-limit:.2g}: towards\n{negative!r}",
            "0: no\neffect",
            f"{limit:.2g}: towards\n{positive!r}",
        ]
    )


def plot_weights(
    w: Any,
    image_shape: tuple[int, int, int],
    *,
    classes: tuple[str, str] = ("negative", "positive"),
    title: str | None = None,
) -> Figure:
    """What the neuron sees: the learned weights ``w`` laid out as an image.

    Each weight multiplies one pixel value; red weights push towards
    ``classes[1]``, blue ones towards ``classes[0]``. Colour images get one
    panel per channel (one shared colour scale), their sum over channels, and
    the weights as a colour picture (each channel rescaled to 0..1 around
    0.5).

    Parameters
    ----------
    w : array, shape (n_x, 1) or (n_x,)
        ``n_x = H * W * C`` in the course's layout (row-major ``(H, W, C)``).
    image_shape : (H, W, C)
    classes : (negative, positive)
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    height, width, channels = image_shape
    values = _as_float(w).reshape(-1)
    if values.size != height * width * channels:
        raise ValueError(
            f"w has {values.size} weights but images of shape {image_shape} have "
            f"{height * width * channels} pixels values"
        )
    grid = values.reshape(height, width, channels)
    negative, positive = classes
    heading = title or (
        f"What the neuron sees\nred pushes towards {positive!r}, blue towards {negative!r}"
    )
    if channels == 1:
        fig = new_figure(5.6, 4.8)
        axes = fig.add_subplot()
        limit = _symmetric_limit(grid)
        shown = axes.imshow(grid[:, :, 0], cmap=DIVERGING, vmin=-limit, vmax=limit, **NEAREST)
        _hide_ticks(axes)
        axes.set_title("weight of each pixel")
        _words_on_scale(fig.colorbar(shown, ax=axes), limit, negative, positive)
        fig.suptitle(heading)
        return fig
    fig = new_figure(14.0, 4.2)
    panels = fig.subplots(1, channels + 2)
    limit = _symmetric_limit(grid)
    channel_images = []
    for channel in range(channels):
        name = CHANNEL_NAMES[channel] if channels == 3 else f"channel {channel}"
        channel_images.append(
            panels[channel].imshow(
                grid[:, :, channel], cmap=DIVERGING, vmin=-limit, vmax=limit, **NEAREST
            )
        )
        # Which pixels' weights (the red, green or blue part of each pixel), not a colour:
        # the colour of the map says where the weight pushes.
        panels[channel].set_title(f"weights on each\npixel's {name} value")
    # One shared scale, so the channels' weights can be compared by colour.
    _words_on_scale(
        fig.colorbar(channel_images[0], ax=list(panels[:channels]), shrink=0.85),
        limit,
        negative,
        positive,
    )
    total = grid.sum(axis=2)
    total_limit = _symmetric_limit(total)
    summed = panels[channels].imshow(
        total, cmap=DIVERGING, vmin=-total_limit, vmax=total_limit, **NEAREST
    )
    panels[channels].set_title("the three weights\nof each pixel, added")
    _words_on_scale(
        fig.colorbar(summed, ax=panels[channels], shrink=0.85), total_limit, negative, positive
    )
    colour = np.clip(grid / (2 * limit) + 0.5, 0.0, 1.0)
    panels[channels + 1].imshow(colour, **NEAREST)
    panels[channels + 1].set_title("the weights shown\nas a colour image")
    for axes in panels:
        _hide_ticks(axes)
    fig.suptitle(heading)
    return fig


def plot_mistakes(
    images: np.ndarray,
    labels: Any,
    probabilities: Any,
    classes: tuple[str, str] = ("negative", "positive"),
    *,
    names: Sequence[str] = (),
    max_images: int = MAX_GALLERY,
    columns: int = 5,
    title: str | None = None,
) -> Figure:
    """A gallery of the images the model got wrong.

    Each tile shows the image with its index, its true class, the predicted
    class and the probability of the positive class. The most confident
    mistakes come first.

    Parameters
    ----------
    images : ndarray, shape (m, H, W, C), uint8
    labels : array, shape (m,) or (1, m)
        True labels 0/1.
    probabilities : array, shape (m,) or (1, m)
        Probability of ``classes[1]`` for each image.
    classes : (negative, positive)
    names : sequence of str, optional
        Shown instead of ``#index`` when given.
    max_images : int
        At most this many tiles (the title says how many were left out).
    columns : int
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    pixels = np.asarray(images)
    truth = np.asarray(to_numpy(labels)).reshape(-1).astype(np.int64)
    p = _as_float(probabilities).reshape(-1)
    if not (pixels.ndim == 4 and pixels.shape[0] == truth.size == p.size):
        raise ValueError(
            f"need images (m, H, W, C) and m labels and probabilities, got {pixels.shape}, "
            f"{truth.size} and {p.size}"
        )
    predicted = (p > THRESHOLD).astype(np.int64)
    wrong = np.flatnonzero(predicted != truth)
    # Most confident mistakes first: they say most about what the model learned wrong.
    confidence = np.abs(p[wrong] - 0.5)
    wrong = wrong[np.argsort(-confidence, kind="stable")]
    shown = wrong[:max_images]
    positive = classes[1]
    heading = title or (
        f"Mistakes: {wrong.size} of {truth.size} images wrong "
        f"(accuracy {100 * (1 - wrong.size / max(truth.size, 1)):.4g} %)"
    )
    if wrong.size > shown.size:
        heading += f"\nthe {shown.size} most confident shown"
    if shown.size == 0:
        fig = new_figure(6.0, 1.8)
        axes = fig.add_subplot()
        axes.text(0.5, 0.5, "No mistakes: every image is classified right.", ha="center")
        axes.set_axis_off()
        fig.suptitle(heading)
        return fig
    columns = max(1, min(columns, shown.size))
    rows = -(-shown.size // columns)
    # At least 6.5 inches wide, so that the title fits above a gallery of one or two.
    # Tiles and captions are sized so that the report's page (about 12 inches wide at
    # most) shows the captions at the size of the page's text, not smaller.
    fig = new_figure(max(2.3 * columns + 0.2, 6.5), 3.0 * rows + 0.7)
    tiles = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).reshape(-1)
    for tile, index in zip(tiles, shown, strict=False):
        image, kwargs = _image_for_display(pixels[index])
        tile.imshow(image, **kwargs)
        _hide_ticks(tile)
        name = names[index] if len(names) == truth.size else f"#{index}"
        tile.set_title(
            f"{name}\ntrue: {classes[truth[index]]}\npredicted: {classes[predicted[index]]}\n"
            f"p({positive}) = {p[index]:.2f}",
            fontsize=12,
        )
        for spine in tile.spines.values():
            spine.set_edgecolor("tab:red")
            spine.set_linewidth(2)
    for tile in tiles[shown.size :]:
        tile.set_axis_off()
    fig.suptitle(heading)
    return fig


def pixel_contributions(image: np.ndarray, w: Any) -> np.ndarray:
    """Each pixel's contribution to ``z = w . x + b``, summed over channels.

    Parameters
    ----------
    image : ndarray, shape (H, W, C), uint8
        The image as the model sees it (already resized and converted).
    w : array, shape (n_x, 1), ``n_x = H * W * C``

    Returns
    -------
    ndarray, shape (H, W), float64
        ``sum_c w[h, w, c] * x[h, w, c]`` with ``x = pixels / 255``; these
        add up to ``z - b``.
    """
    pixels = np.asarray(image)
    weights = _as_float(w).reshape(-1)
    if pixels.ndim != 3 or weights.size != pixels.size:
        raise ValueError(
            f"the image has shape {pixels.shape} ({pixels.size} values) but w has "
            f"{weights.size} weights"
        )
    x = pixels.astype(np.float64) / 255.0
    return (weights.reshape(pixels.shape) * x).sum(axis=2)


def plot_explanation(
    image: np.ndarray,
    w: Any,
    b: float,
    classes: tuple[str, str] = ("negative", "positive"),
    *,
    title: str | None = None,
) -> Figure:
    """One image explained: what the model sees, its probability, and each pixel's push.

    Three panels: the image as the model sees it (after resizing), the
    contribution ``w * x`` of every pixel (summed over channels) as a
    diverging heat map, and that heat map over a grey copy of the image.

    Parameters
    ----------
    image : ndarray, shape (H, W, C), uint8
        As the model sees it (``logistic_neuron.data.images.load_image`` with the
        model's size and mode).
    w : array, shape (n_x, 1)
    b : float
    classes : (negative, positive)
    title : str, optional
        Shown above the panels (e.g. the file name).

    Returns
    -------
    matplotlib.figure.Figure
    """
    contribution = pixel_contributions(image, w)
    z = float(contribution.sum()) + float(b)
    probability = float(0.5 * (1.0 + np.tanh(0.5 * z)))  # sigmoid, without overflow
    label = int(probability > THRESHOLD)
    negative, positive = classes
    pixels = np.asarray(image)
    height, width = pixels.shape[:2]
    fig = new_figure(12.0, 4.3)
    left, middle, right = fig.subplots(1, 3)
    shown, kwargs = _image_for_display(pixels)
    left.imshow(shown, **kwargs)
    left.set_title(f"what the model sees ({width}x{height})")
    limit = _symmetric_limit(contribution)
    heat = middle.imshow(contribution, cmap=DIVERGING, vmin=-limit, vmax=limit, **NEAREST)
    middle.set_title("contribution w·x per pixel")
    fig.colorbar(heat, ax=middle, shrink=0.85, label=f"red → {positive}, blue → {negative}")
    grey = pixels.astype(np.float64).mean(axis=2)
    right.imshow(grey, cmap="gray", vmin=0, vmax=255, **NEAREST)
    right.imshow(contribution, cmap=DIVERGING, vmin=-limit, vmax=limit, alpha=0.6, **NEAREST)
    right.set_title("contribution over the image")
    for axes in (left, middle, right):
        _hide_ticks(axes)
    summary = (
        f"p({positive}) = {probability:.4f}  →  predicted: {classes[label]}    "
        f"(z = Σ w·x + b = {z - float(b):.3f} {'-' if b < 0 else '+'} {abs(float(b)):.3f} "
        f"= {z:.3f})"
    )
    fig.suptitle(f"{title}\n{summary}" if title else summary)
    return fig
