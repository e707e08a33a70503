import base64
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from PIL import Image

pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install matplotlib)")

from logistic_neuron.cli.main import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    with Image.open(path) as image:
        image.load()
        assert image.width > 100 and image.height > 100


def check_svg(path):
    assert path.stat().st_size > 0
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.fixture(scope="module")
def faces_model(tmp_path_factory):
    """A quickly trained faces model (25x25 grey)."""
    import contextlib

    path = tmp_path_factory.mktemp("faces") / "faces.npz"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", "--iterations", "300", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "me.png"
    Image.new("RGB", (40, 30), (200, 120, 40)).save(path)
    return path


def test_train_plots(tmp_path, capsys):
    plots = tmp_path / "pictures"
    code, out, _ = run(
        capsys, "train", "--iterations", "200", "--out", tmp_path / "m.npz",
        "--plots", plots,
    )  # fmt: skip
    assert code == 0
    names = ["learning-curve.png", "weights.png", "mistakes.png"]
    for name in names:
        check_png(plots / name)
        assert f"picture saved to {plots / name}" in out
    assert sorted(p.name for p in plots.iterdir()) == sorted(names)


def test_train_plots_svg_and_json(tmp_path, capsys):
    code, out, _ = run(
        capsys, "train", "--iterations", "100", "--out", tmp_path / "m.npz",
        "--plots", tmp_path, "--plot-format", "svg", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert [p.rsplit("/", 1)[-1] for p in report["plots"]] == [
        "learning-curve.svg", "weights.svg", "mistakes.svg"
    ]  # fmt: skip
    for picture in report["plots"]:
        check_svg(tmp_path / picture.rsplit("/", 1)[-1])


def test_train_plots_into_a_file_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "train", "--out", tmp_path / "m.npz", "--plots", blocker)
    assert code == 2 and "is a file, not a folder" in err
    assert not (tmp_path / "m.npz").exists()


def test_missing_matplotlib_stops_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run(capsys, "train", "--out", tmp_path / "m.npz", "--plots", tmp_path / "p")
    assert code == 1 and 'pip install "logistic-neuron[plot]"' in err
    assert out == "" and not (tmp_path / "m.npz").exists()


def test_predict_explain(faces_model, photo, tmp_path, capsys):
    out_file = tmp_path / "why" / "me-explained.png"
    code, out, _ = run(
        capsys, "predict", "--model", faces_model, photo, "--plots", tmp_path / "why"
    )
    assert code == 0
    check_png(out_file)
    assert f"picture saved to {out_file}" in out
    probability = re.search(r"p\(face\) = ([0-9.]+)", out).group(1)
    assert probability  # the same probability is drawn in the picture (see test_plots)


def test_predict_explain_several_images(faces_model, photo, tmp_path, capsys):
    code, out, _ = run(
        capsys, "predict", "--model", faces_model, photo, photo,
        "--plots", tmp_path, "--plot-format", "svg", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["pictures"] == [
        str(tmp_path / "me-1-explained.svg"), str(tmp_path / "me-2-explained.svg")
    ]  # fmt: skip
    check_svg(tmp_path / "me-1-explained.svg")


def test_predict_explain_old_spelling(faces_model, photo, tmp_path, capsys):
    """``--explain OUT`` (renamed ``--plots DIR``) still works for one release, with a warning."""
    code, out, err = run(
        capsys, "predict", "--model", faces_model, photo, photo,
        "--explain", tmp_path / "why.svg", "--json",
    )  # fmt: skip
    assert code == 0
    assert "--explain is now spelled --plots DIR" in err
    assert json.loads(out)["pictures"] == [str(tmp_path / "why-1.svg"), str(tmp_path / "why-2.svg")]
    check_svg(tmp_path / "why-1.svg")
    check_svg(tmp_path / "why-2.svg")


def test_predict_explain_needs_a_picture_ending(faces_model, photo, tmp_path, capsys):
    code, _, err = run(
        capsys, "predict", "--model", faces_model, photo, "--explain", tmp_path / "why.jpg"
    )
    assert code == 2 and ".png or .svg" in err


def test_compare_learning_rates_json(tmp_path, capsys):
    out_file = tmp_path / "rates.png"
    code, out, _ = run(
        capsys, "compare-learning-rates", "--iterations", "300",
        "--rates", "0.01", "0.001", "1e307", "--out", out_file, "--json",
    )  # fmt: skip
    assert code == 0
    check_png(out_file)
    report = json.loads(out)
    assert report["iterations"] == 300 and report["data"] == "faces"
    rates = [r["learning_rate"] for r in report["runs"]]
    assert rates == [0.01, 0.001, 1e307]
    wild = report["runs"][2]
    assert wild["diverged"] and wild["train_accuracy"] is None and "diverged" in wild["message"]
    assert all(r["train_accuracy"] > 50 for r in report["runs"][:2])


def test_compare_learning_rates_text_default_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "compare-learning-rates", "--iterations", "200", "--rates", "0.01")
    assert code == 0
    check_png(tmp_path / "learning-rates.png")
    assert out.splitlines()[-1] == "picture saved to learning-rates.png"


def test_compare_learning_rates_rejects_repeated_rates(tmp_path, capsys):
    code, _, err = run(
        capsys, "compare-learning-rates", "--rates", "0.1", "0.1", "--out", tmp_path / "r.png"
    )
    assert code == 1 and "twice" in err


def test_lesson_learning_rate_comparison(course_data_dir, tmp_path, capsys):
    """The course's comparison: 1500 iterations at 0.01, 0.001 and 0.0001 on the cat data."""
    out_file = tmp_path / "rates.svg"
    code, out, _ = run(
        capsys, "compare-learning-rates",
        "--data", course_data_dir / "train_catvnoncat.h5",
        "--test", course_data_dir / "test_catvnoncat.h5",
        "--out", out_file,
    )  # fmt: skip
    assert code == 0
    check_svg(out_file)
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:5]}
    assert rows["0.01"][2:6] == ["99.52153110047847", "%", "68.0", "%"]
    assert rows["0.001"][2:6] == ["88.99521531100478", "%", "64.0", "%"]
    assert rows["0.0001"][2:6] == ["68.42105263157895", "%", "36.0", "%"]
    # The lesson's 0.01 curve jumps up at iteration 100 before it falls.
    assert rows["0.01"][-2:] == ["cost", "rose"]
    assert rows["0.001"][-1] == rows["0.0001"][-1] == "-"


def test_overfitting(tmp_path, capsys):
    out_file = tmp_path / "over.svg"
    code, out, _ = run(
        capsys,
        "overfitting",
        "--iterations",
        "200",
        "--record-every",
        "20",
        "--out",
        out_file,
        "--json",
    )
    assert code == 0
    check_svg(out_file)
    report = json.loads(out)
    points = report["points"]
    assert points["iteration"] == list(range(0, 201, 20))
    best = points["test_accuracy"].index(max(points["test_accuracy"]))
    assert report["best_iteration"] == points["iteration"][best]
    assert report["final_test_accuracy"] == points["test_accuracy"][-1]


def test_overfitting_text(tmp_path, capsys):
    out_file = tmp_path / "over.png"
    code, out, _ = run(capsys, "overfitting", "--iterations", "100", "--out", out_file)
    assert code == 0
    check_png(out_file)
    assert "<- best test accuracy" in out
    assert re.search(r"best test accuracy: [0-9.]+ % at iteration \d+", out)


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []
        self.headings = 0

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])
        if tag == "h2":
            self.headings += 1


def embedded_images(path):
    parser = Images()
    parser.feed(path.read_text(encoding="utf-8"))
    images = []
    for src in parser.sources:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)
        image = Image.open(io.BytesIO(data))
        image.load()
        images.append(image)
    return images, parser.headings


def test_report(faces_model, photo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out_file = tmp_path / "report.html"
    code, out, err = run(
        capsys, "report", "--model", faces_model, "--out", out_file, photo,
        "--rates", "0.01", "0.001",
    )  # fmt: skip
    assert code == 0, err
    assert out == f"report saved to {out_file}\n"
    images, headings = embedded_images(out_file)
    assert len(images) == 6 and headings == 7
    page = out_file.read_text(encoding="utf-8")
    assert "held out from faces" in page and "me.png" in page


def test_report_without_retraining(faces_model, tmp_path, capsys):
    out_file = tmp_path / "report.html"
    code, _, _ = run(
        capsys, "report", "--model", faces_model, "--data", "faces", "--out", out_file,
        "--no-overfitting", "--no-comparison",
    )  # fmt: skip
    assert code == 0
    images, headings = embedded_images(out_file)
    assert len(images) == 3 and headings == 4


def test_report_needs_an_html_ending(faces_model, tmp_path, capsys):
    code, _, err = run(capsys, "report", "--model", faces_model, "--out", tmp_path / "r.txt")
    assert code == 2 and ".html" in err
