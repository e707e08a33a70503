"""Class names, file names and metadata strings are shown, never obeyed."""

from __future__ import annotations

import numpy as np
import pytest

from logistic_neuron.cli.main import main
from logistic_neuron.data.shown_text import shown
from support import hostile_files as hf
from support.imagefactory import make_folder, write_image

EVIL = "cat\x1b]0;pwned\x07\x1b[2J"


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("cat\x1b[31m", "cat\\x1b[31m"),
        ("a.png\nb.png: cat (label 1)", "a.png\\nb.png: cat (label 1)"),
        ("x\rforged", "x\\rforged"),
        ("right\u202eleft", "right\\u202eleft"),
        ("chat noir, été, 猫", "chat noir, été, 猫"),
        ("c1\x9bcontrol", "c1\\x9bcontrol"),
    ],
)
def test_shown_makes_control_characters_visible(text, seen):
    assert shown(text) == seen
    assert shown(text).isprintable()


def test_predict_prints_one_line_per_image_whatever_the_names(tmp_path, capsys):
    model = hf.small_model(tmp_path, classes=("non\ncat", EVIL))
    photos = [
        write_image(tmp_path / "plain.png", (5, 5)),
        write_image(tmp_path / "two\nlines: cat (label 1, p(cat) = 1.0000).png", (5, 5)),
    ]
    assert main(["predict", "--model", str(model), *map(str, photos)]) == 0
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    # One line per image, then the one caution line (issue 15) that names the classes too.
    assert len(lines) == 3, out
    assert lines[2].startswith("the model tells")
    assert "\x1b" not in out + err and "\x07" not in out
    assert "two\\nlines" in lines[1]
    assert "\\x1b]0;pwned\\x07" in out or "non\\ncat" in out


def test_evaluate_shows_escaped_class_names(tmp_path, capsys):
    folder = make_folder(tmp_path / "f", classes=(EVIL, "non-cat"), per_class=2, size=(5, 5))
    model = hf.small_model(tmp_path, classes=("non-cat", EVIL))
    assert main(["evaluate", "--model", str(model), "--data", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out
    assert "cat\\x1b]0;pwned\\x07" in out


def test_error_lines_show_escape_sequences(tmp_path, capsys):
    bad = tmp_path / "evil\x1b[2Jname.npz"
    bad.write_text("not a model")
    assert main(["predict", "--model", str(bad), "x.png"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "evil\\x1b[2Jname.npz" in err
    assert len(err.strip().splitlines()) == 1


def test_warnings_about_skipped_files_show_escape_sequences(tmp_path, capsys):
    folder = make_folder(tmp_path / "f", per_class=3, size=(8, 8))
    (folder / "cat" / "notes\x1b[1A.txt").write_text("x")
    code = main(["train", "--iterations", "5", "--image-size", "8", "--data", str(folder),
                 "--out", str(tmp_path / "m.npz")])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "notes\\x1b[1A.txt" in err


def test_pictures_draw_names_as_plain_text_never_mathtext(tmp_path):
    pytest.importorskip("matplotlib")
    from logistic_neuron.pictures.plots import (
        figure_bytes,
        plot_explanation,
        plot_mistakes,
        plot_weights,
    )

    classes = ("$\\frac{$", "cat \\x $a^$ " + EVIL)
    w = np.linspace(-1, 1, 12).reshape(12, 1)
    figures = [
        plot_weights(w, (2, 2, 3), classes=classes),
        plot_explanation(np.zeros((2, 2, 3), np.uint8), w, 0.0, classes, title="$x_{$.png"),
        plot_mistakes(
            np.zeros((2, 2, 2, 3), np.uint8), np.array([0, 1]), np.array([0.9, 0.1]), classes
        ),
    ]
    for figure in figures:
        svg = figure_bytes(figure, "svg").decode()
        assert "\x1b" not in svg
        assert figure_bytes(figure, "png").startswith(b"\x89PNG")


def test_predict_explain_with_mathtext_class_names(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    model = hf.small_model(tmp_path, classes=("$\\frac{$", "$x^$"))
    photo = write_image(tmp_path / "$a_{$.png", (5, 5))
    pictures = tmp_path / "pictures"
    assert main(["predict", "--model", str(model), "--plots", str(pictures), str(photo)]) == 0
    (drawn,) = pictures.iterdir()
    assert drawn.read_bytes().startswith(b"\x89PNG")
