import base64
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install matplotlib)")

from logistic_neuron.cli.train import build_model
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.engines.resolver import fit
from logistic_neuron.pictures.curves import compare_learning_rates, overfitting_curve
from logistic_neuron.pictures.report import (
    Picture,
    Section,
    Table,
    build_report,
    render_html,
    write_report,
)


class PageParser(HTMLParser):
    """Collects images, tables, headings and cell texts of a page."""

    def __init__(self):
        super().__init__()
        self.images = []
        self.tables = 0
        self.headings = []
        self.cells = []
        self.links = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        if tag == "table":
            self.tables += 1
        if tag in ("h2", "td", "th"):
            self._in = tag
            if tag != "h2":
                self.cells.append("")
        for name in ("href", "src"):
            if name in attributes:
                self.links.append(attributes[name])

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings.append(data)
        elif self._in in ("td", "th"):
            self.cells[-1] += data


def parse(page):
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def decode_png(src):
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    data = base64.b64decode(src[len(prefix) :], validate=True)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture(scope="module")
def faces_model():
    data = load_dataset("faces")
    result = fit(data.train.pixels(), data.train.Y(), num_iterations=300, learning_rate=0.005)
    return build_model(result, data, "float64", "auto"), data


def test_text_is_escaped():
    hostile = '<script>alert("x")</script>'
    page = render_html(
        hostile,
        [Section(hostile, (hostile,), (Table((hostile,), ((hostile,),), hostile),))],
        subtitle=hostile,
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert parse(page).headings == [hostile]


def test_numbers_are_right_aligned():
    html = Table(("a", "b"), (("x", "12.5 %"),)).html()
    assert '<td class="num">12.5 %</td>' in html and "<td>x</td>" in html


def test_picture_is_embedded():
    png = b"\x89PNG\r\n\x1a\nrest"
    html = Picture(png, "a caption", 'alt "quoted"').html()
    assert base64.b64encode(png).decode() in html
    assert "<figcaption>a caption</figcaption>" in html
    assert 'alt="alt &quot;quoted&quot;"' in html


def test_full_report(faces_model, tmp_path):
    model, data = faces_model
    X, Y, X_test, Y_test = data.train.pixels(), data.train.Y(), data.test.pixels(), data.test.Y()
    curve = overfitting_curve(X, Y, X_test, Y_test, num_iterations=300, every=30)
    comparison = compare_learning_rates(
        X, Y, X_test, Y_test, learning_rates=(0.01, 0.001), num_iterations=200
    )
    page = build_report(
        model,
        model_name="faces <1>.npz",
        split=data.test,
        split_name="held out from faces",
        overfitting=curve,
        comparison=comparison,
        explanations=[("mine.png", data.test.images[0])],
    )
    path = write_report(tmp_path / "report.html", page)
    parsed = parse(path.read_text(encoding="utf-8"))
    assert parsed.headings == [
        "Training summary",
        "Accuracy",
        "Mistakes",
        "What the neuron sees",
        "Overfitting",
        "Learning rates",
        "Your images, explained",
    ]
    assert len(parsed.images) == 6
    for image in parsed.images:
        picture = decode_png(image["src"])
        assert picture.width > 200 and picture.height > 100
        assert image["alt"]
    # Self-contained: nothing is fetched from elsewhere.
    assert all(link.startswith(("#", "data:")) for link in parsed.links)
    assert parsed.tables == 5
    cells = parsed.cells
    assert "faces <1>.npz" in cells
    assert f"{model.train_accuracy} %" in cells and f"{model.test_accuracy} %" in cells
    assert f"{curve.best_test_accuracy} %" in cells
    for run in comparison.runs:
        assert f"{run.test_accuracy} %" in cells
    # The confusion matrix adds up to the test set.
    predicted = model.predict_proba_images(data.test.images) > 0.5
    tp = int(np.sum(predicted & (data.test.labels == 1)))
    index = cells.index("face", cells.index("true class \\ predicted") + 3)
    assert int(cells[index + 2]) == tp


def test_minimal_report(faces_model):
    model, _ = faces_model
    parsed = parse(build_report(model))
    assert parsed.headings == ["Training summary", "What the neuron sees"]
    assert len(parsed.images) == 2
    assert re.search(r"0\.005", " ".join(parsed.cells))
