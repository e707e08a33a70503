import io
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install matplotlib)")

from matplotlib.figure import Figure

from logistic_neuron.errors import MissingDependencyError, OutputError
from logistic_neuron.neuron.optimization import OptimizationResult
from logistic_neuron.neuron.propagation import Gradients
from logistic_neuron.pictures import plots
from logistic_neuron.pictures.curves import OverfittingCurve, RateComparison, RateRun

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.width > 100 and image.height > 100
    return image


def texts_of(fig):
    """Every piece of text drawn on a figure (titles, labels, legends, annotations)."""
    found = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return "\n".join(found)


def make_curve():
    iterations = (0, 10, 20, 30)
    result = OptimizationResult(
        w=np.zeros((4, 1)), b=0.0, gradients=Gradients(np.zeros((4, 1)), 0.0),
        costs=(0.69,), learning_rate=0.1, num_iterations=30, record_every=100,
    )  # fmt: skip
    return OverfittingCurve(
        iterations=iterations,
        train_accuracy=(50.0, 70.0, 80.0, 90.0),
        test_accuracy=(50.0, 75.0, 75.0, 60.0),
        train_cost=(0.69, 0.5, 0.4, 0.3),
        test_cost=(0.69, 0.55, 0.56, 0.6),
        learning_rate=0.1,
        num_iterations=30,
        every=10,
        result=result,
    )


def make_comparison():
    return RateComparison(
        runs=(
            RateRun(0.5, (0.69, 0.8, 0.4), 100, 90.0, 70.0),
            RateRun(0.01, (0.69, 0.6, 0.5), 100, 80.0, 75.0),
            RateRun(100.0, (0.69, 2.0, 5.0), 100, None, None, True, "diverged at 300"),
        ),
        num_iterations=300,
        record_every=100,
    )


def test_no_pyplot_figures_are_created():
    pyplot = pytest.importorskip("matplotlib.pyplot")
    before = list(pyplot.get_fignums())
    plots.plot_learning_curve([0.7, 0.5])
    plots.plot_weights(np.zeros(12), (2, 2, 3))
    assert pyplot.get_fignums() == before


def test_learning_curve_draws_the_costs_and_names_the_rate():
    costs = [0.69, 0.5, 0.4, 0.35]
    fig = plots.plot_learning_curve(costs, record_every=50, learning_rate=0.005)
    assert isinstance(fig, Figure)
    (axes,) = fig.axes
    (line,) = axes.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 50, 100, 150])
    np.testing.assert_array_equal(line.get_ydata(), costs)
    assert "0.005" in axes.get_title()
    assert axes.get_xlabel() == "iteration" and "cost" in axes.get_ylabel()


def test_learning_curve_draws_into_given_axes():
    fig = plots.new_figure(4, 3)
    axes = fig.add_subplot()
    assert plots.plot_learning_curve([0.7, 0.6], ax=axes, title="mine") is fig
    assert axes.get_title() == "mine"


def test_learning_curve_without_costs_is_refused():
    with pytest.raises(ValueError, match="no costs"):
        plots.plot_learning_curve([])


def test_learning_rates_legend_flags_and_divergence_mark():
    fig = plots.plot_learning_rates(make_comparison())
    (axes,) = fig.axes
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels == [
        "learning rate 0.5 (cost rose)",
        "learning rate 0.01",
        "learning rate 100 (diverged, cost rose)",
    ]
    markers = [line for line in axes.get_lines() if line.get_marker() == "x"]
    assert len(markers) == 1 and list(markers[0].get_ydata()) == [5.0]
    assert "300 iterations" in axes.get_title()


def test_overfitting_marks_the_best_test_accuracy():
    curve = make_curve()
    assert curve.best_iteration == 10  # the earliest of the tied 75 %
    fig = plots.plot_overfitting(curve)
    top, bottom = fig.axes
    vertical = [ln for ln in top.get_lines() if list(ln.get_xdata()) == [10, 10]]
    assert vertical, "no line marks the best iteration"
    text = texts_of(fig)
    assert "best test accuracy 75 % (iteration 10)" in text
    assert top.get_ylabel() == "accuracy (%)" and bottom.get_xlabel() == "iteration"


def test_weights_colour_panels_show_each_channel():
    w = np.arange(2 * 3 * 3, dtype=np.float64) - 8.5
    fig = plots.plot_weights(w.reshape(-1, 1), (2, 3, 3), classes=("non-cat", "cat"))
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 5  # red, green, blue, sum, colour
    np.testing.assert_array_equal(images[0].get_array(), w.reshape(2, 3, 3)[:, :, 0])
    np.testing.assert_array_equal(images[3].get_array(), w.reshape(2, 3, 3).sum(axis=2))
    low, high = images[0].get_clim()
    assert low == -high == -8.5  # centred on zero: white means no influence
    assert "'cat'" in texts_of(fig) and "'non-cat'" in texts_of(fig)


def test_weights_grey_is_one_panel():
    fig = plots.plot_weights(np.ones((4, 1)), (2, 2, 1))
    assert len([ax for ax in fig.axes if ax.get_images()]) == 1


def test_weights_of_the_wrong_size_are_refused():
    with pytest.raises(ValueError, match="w has 5 weights"):
        plots.plot_weights(np.ones(5), (2, 2, 1))


def gallery_inputs():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 4, 4, 3), dtype=np.uint8)
    labels = np.array([1, 0, 1, 0, 1, 0])
    probabilities = np.array([0.9, 0.6, 0.1, 0.2, 0.45, 0.99])
    return images, labels, probabilities


def test_mistakes_gallery_shows_the_wrong_ones_most_confident_first():
    images, labels, probabilities = gallery_inputs()
    fig = plots.plot_mistakes(images, labels, probabilities, ("dog", "cat"))
    tiles = [ax for ax in fig.axes if ax.get_images()]
    titles = [ax.get_title() for ax in tiles]
    # Wrong: #1 (p 0.6), #2 (p 0.1), #4 (p 0.45), #5 (p 0.99), by distance from 0.5.
    assert [t.splitlines()[0] for t in titles] == ["#5", "#2", "#1", "#4"]
    assert titles[0].splitlines()[1:] == ["true: dog", "predicted: cat", "p(cat) = 0.99"]
    np.testing.assert_array_equal(tiles[0].get_images()[0].get_array(), images[5])
    assert "4 of 6 images wrong" in fig.get_suptitle()


def test_mistakes_gallery_limits_and_names():
    images, labels, probabilities = gallery_inputs()
    names = [f"img{i}.png" for i in range(6)]
    fig = plots.plot_mistakes(
        images, labels, probabilities, ("dog", "cat"), names=names, max_images=2
    )
    tiles = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title().splitlines()[0] for ax in tiles] == ["img5.png", "img2.png"]
    assert "the 2 most confident shown" in fig.get_suptitle()


def test_mistakes_gallery_without_mistakes_says_so():
    images, labels, _ = gallery_inputs()
    fig = plots.plot_mistakes(images, labels, labels * 0.8 + 0.1, ("dog", "cat"))
    assert "No mistakes" in texts_of(fig)


def test_mistakes_gallery_checks_lengths():
    images, labels, probabilities = gallery_inputs()
    with pytest.raises(ValueError, match="need images"):
        plots.plot_mistakes(images, labels[:3], probabilities)


def test_pixel_contributions_add_up_to_the_logit():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8)
    w = rng.normal(size=(36, 1))
    contribution = plots.pixel_contributions(image, w)
    assert contribution.shape == (3, 4)
    z = float(w[:, 0] @ (image.reshape(-1) / 255.0))
    assert contribution.sum() == pytest.approx(z)


def test_explanation_shows_probability_and_heat_map():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, size=(5, 5, 1), dtype=np.uint8)
    w = rng.normal(size=(25, 1))
    b = -0.25
    fig = plots.plot_explanation(image, w, b, ("non-face", "face"), title="me.png")
    z = float(w[:, 0] @ (image.reshape(-1) / 255.0)) + b
    p = 1 / (1 + np.exp(-z))
    assert f"p(face) = {p:.4f}" in fig.get_suptitle()
    assert "me.png" in fig.get_suptitle()
    assert f"= {z:.3f})" in fig.get_suptitle()
    heat = fig.axes[1].get_images()[0]
    np.testing.assert_allclose(heat.get_array(), plots.pixel_contributions(image, w))


def test_save_png_and_svg(tmp_path):
    fig = plots.plot_learning_curve([0.7, 0.5, 0.4], learning_rate=0.1)
    png = plots.save_figure(fig, tmp_path / "curve.png")
    check_png(png.read_bytes())
    svg = plots.save_figure(fig, tmp_path / "curve.SVG")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.SVG", "curve.png"]


def test_rendering_is_reproducible():
    fig = plots.plot_learning_curve([0.7, 0.5, 0.4], learning_rate=0.1)
    assert plots.figure_bytes(fig, "svg") == plots.figure_bytes(fig, "svg")
    assert plots.figure_bytes(fig, "png") == plots.figure_bytes(fig, "png")


def test_save_refuses_unknown_endings_and_missing_folders(tmp_path):
    fig = plots.plot_learning_curve([0.7, 0.5])
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.save_figure(fig, tmp_path / "curve.jpg")
    with pytest.raises(OutputError, match="does not exist"):
        plots.save_figure(fig, tmp_path / "nowhere" / "curve.png")
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"logistic-neuron\[plot\]"):
        plots.plot_learning_curve([0.7, 0.5])


def test_weights_colour_scale_is_labelled_in_words():
    """Issue 15 item 8: no bare "red channel" next to a map where red means the positive class."""
    fig = plots.plot_weights(
        np.linspace(-1, 1, 12).reshape(-1, 1), (2, 2, 3), classes=("dog", "cat")
    )
    titles = [ax.get_title() for ax in fig.axes]
    assert not any(t.strip().endswith("channel") for t in titles)
    assert any("red value" in t for t in titles)
    bars = [ax for ax in fig.axes if not ax.get_images()]  # the colour bars
    labels = [" ".join(t.get_text().split()) for ax in bars for t in ax.get_yticklabels()]
    assert any("towards 'cat'" in t for t in labels) and any("towards 'dog'" in t for t in labels)
    assert any("no effect" in t for t in labels)


def test_mistake_captions_are_readable_in_the_report():
    """Captions at least 11 pt and the gallery no wider than the report's page at its dpi."""
    from logistic_neuron.pictures.report import REPORT_DPI

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(40, 8, 8, 3), dtype=np.uint8)
    labels = np.zeros(40, dtype=np.int64)
    fig = plots.plot_mistakes(images, labels, np.full(40, 0.9), ("dog", "cat"))
    tiles = [ax for ax in fig.axes if ax.get_images()]
    assert all(ax.title.get_fontsize() >= 11 for ax in tiles)
    width_px = fig.get_figwidth() * REPORT_DPI
    assert width_px <= 1180  # the report's page: shown at full size, captions not shrunk
