import json
import runpy
import sys

import numpy as np
import pytest
from PIL import Image

from logistic_neuron.cli.main import main
from logistic_neuron.storage.model_file import load_model
from support.course import COURSE_OUTPUT
from support.imagefactory import make_folder, write_image


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("logistic-neuron: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_train_faces_default(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "train", "--iterations", "300")
    assert code == 0
    lines = out.splitlines()
    # What runs is said first: the data (not the course's cats), classes, split, engine.
    assert lines[0].startswith("data: the bundled faces") and "not the course's cats" in lines[0]
    assert lines[1].startswith("classes: non-face (label 0), face (label 1); 150 training")
    assert lines[2] == "test: 50 examples held out from faces (25% of each class, seed 0)"
    assert lines[3].startswith("engine: ") and "300 iterations at learning rate 0.005" in lines[3]
    lines = lines[4:]
    assert lines[0].startswith("Cost after iteration 0: 0.693147")
    assert lines[1].startswith("Cost after iteration 100: ")
    assert lines[-4].startswith("train accuracy: ") and lines[-3].startswith("test accuracy: ")
    assert lines[-2].startswith("trained in ") and lines[-2].endswith(
        " s (wall time, with the accuracies)"
    )
    assert lines[-1] == "model saved to model.npz"
    assert "Traceback" not in err
    model = load_model(tmp_path / "model.npz")
    assert model.classes == ("non-face", "face") and model.image_shape == (25, 25, 1)
    assert model.data.m_train == 150 and model.data.split_seed == 0
    assert float(lines[-4].split()[2]) > 80


def classic_argv(course_data_dir, model_path, *extra):
    """The course's classic run: 2000 iterations at learning rate 0.005 on the cat files."""
    return [
        "train",
        "--data", str(course_data_dir / "train_catvnoncat.h5"),
        "--test", str(course_data_dir / "test_catvnoncat.h5"),
        "--iterations", "2000",
        "--learning-rate", "0.005",
        "--out", str(model_path),
        *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def cat_model(course_data_dir, tmp_path_factory):
    """The classic run's model file and what train printed, made once for this module."""
    import contextlib
    import io

    path = tmp_path_factory.mktemp("cat") / "cat.npz"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(classic_argv(course_data_dir, path))
    assert code == 0
    return path, out.getvalue()


def test_classic_run_through_the_cli(cat_model, course_data_dir, capsys):
    model_path, out = cat_model
    lines = out.splitlines(keepends=True)
    # The course's lines, digit for digit, between what ran and how long it took.
    assert lines[0].startswith("data: ") and lines[3].startswith("engine: ")
    assert "".join(lines[4:-2]) == COURSE_OUTPUT
    assert lines[-2].startswith("trained in ") and lines[-1] == f"model saved to {model_path}\n"
    code, out, _ = run(
        capsys, "evaluate", "--model", str(model_path),
        "--data", str(course_data_dir / "test_catvnoncat.h5"), "--json",
    )  # fmt: skip
    report = json.loads(out)
    assert code == 0
    assert report["accuracy"] == 70.0
    assert report["confusion_matrix"] == [[12, 5], [10, 23]]
    assert report["precision"] == pytest.approx(23 / 28)
    assert report["recall"] == pytest.approx(23 / 33)


def test_train_json_float32(course_data_dir, tmp_path, capsys):
    argv = classic_argv(course_data_dir, tmp_path / "m.npz", "--json", "--dtype", "float32")
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert len(document["costs"]) == 20
    assert f"{document['costs'][-1]:f}" == "0.140872"
    assert document["train_accuracy"] == 99.04306220095694
    assert document["test_accuracy"] == 70.0
    assert document["iterations"] == 2000 and document["learning_rate"] == 0.005
    assert document["model_path"] == str(tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz").dtype == "float32"


def test_predict_images(cat_model, course_data_dir, tmp_path, capsys):
    model_path, _ = cat_model
    import h5py

    with h5py.File(course_data_dir / "test_catvnoncat.h5") as f:
        first = f["test_set_x"][1]
    Image.fromarray(first).save(tmp_path / "exact.png")
    Image.fromarray(first).convert("RGBA").resize((128, 128)).save(tmp_path / "big.png")
    code, out, err = run(
        capsys, "predict", "--model", str(model_path),
        str(tmp_path / "exact.png"), str(tmp_path / "big.png"), "--json",
    )  # fmt: skip
    assert code == 0 and err == ""
    result = json.loads(out)["predictions"]
    model = load_model(model_path)
    expected = model.predict_proba_images(first[np.newaxis])[0]
    assert result[0]["probability"] == pytest.approx(expected, rel=1e-12)
    assert result[0]["preprocessing"] == []
    assert result[1]["preprocessing"] == [
        "resized from 128x128 to 64x64",
        "converted from RGBA to RGB",
    ]
    code, out, err = run(capsys, "predict", "--model", str(model_path), str(tmp_path / "exact.png"))
    assert code == 0 and out.startswith(f"{tmp_path / 'exact.png'}: ")
    assert "p(cat) = " in out


def test_predict_reports_bad_images_and_continues(tmp_path, capsys):
    assert main(["train", "--iterations", "100", "--out", str(tmp_path / "m.npz"), "--json"]) == 0
    capsys.readouterr()
    good = write_image(tmp_path / "ok.png", size=(25, 25), mode="L")
    (tmp_path / "text.jpg").write_text("not an image")
    code, out, err = run(
        capsys, "predict", "--model", str(tmp_path / "m.npz"), str(good), str(tmp_path / "text.jpg")
    )
    assert code == 1
    assert out.startswith(str(good))
    assert_one_line_error(err, "text.jpg is not an image file")


def test_image_folder_end_to_end(tmp_path, capsys):
    train = make_folder(tmp_path / "train", per_class=6)
    test = make_folder(tmp_path / "test", per_class=2)
    (train / "cat" / ".DS_Store").write_bytes(b"x")
    code, out, err = run(
        capsys,
        "train",
        "--data",
        str(train),
        "--test",
        str(test),
        "--iterations",
        "500",
        "--learning-rate",
        "0.05",
        "--image-size",
        "16",
        "--out",
        str(tmp_path / "m.npz"),
    )
    assert code == 0
    assert "logistic-neuron: warning: skipped" in err and ".DS_Store" in err
    assert "test accuracy: 100.0 %" in out
    model = load_model(tmp_path / "m.npz")
    assert model.classes == ("non-cat", "cat") and model.image_shape == (16, 16, 3)
    code, out, _ = run(capsys, "evaluate", "--model", str(tmp_path / "m.npz"), "--data", str(test))
    assert code == 0 and "accuracy:  100.0 %" in out and "confusion matrix" in out


def test_evaluate_faces_text(tmp_path, capsys):
    main(["train", "--iterations", "200", "--out", str(tmp_path / "m.npz"), "--json"])
    capsys.readouterr()
    code, out, _ = run(capsys, "evaluate", "--model", str(tmp_path / "m.npz"), "--data", "faces")
    assert code == 0
    assert "examples:  50" in out and "non-face" in out and "log loss:" in out


@pytest.mark.parametrize(
    ("argv", "code", "fragments"),
    [
        (["train", "--iterations", "0"], 2, ["--iterations", "expected a whole number >= 1"]),
        (["train", "--iterations", "ten"], 2, ["expected a whole number"]),
        (["train", "--learning-rate", "-1"], 2, ["--learning-rate", "finite number > 0"]),
        (["train", "--learning-rate", "nan"], 2, ["finite number > 0"]),
        (["train", "--learning-rate", "inf"], 2, ["finite number > 0"]),
        (["train", "--dtype", "float16"], 2, ["invalid choice: 'float16'"]),
        (["train", "--bogus"], 2, ["unrecognized arguments: --bogus"]),
        (["frobnicate"], 2, ["invalid choice: 'frobnicate'"]),
        (["train", "--data", "nowhere.h5"], 1, ["data file not found: nowhere.h5"]),
        (["train", "--data", "nowhere"], 1, ["data source not found: nowhere"]),
        (["train", "--out", "/no/such/dir/m.npz"], 1, ["folder /no/such/dir does not exist"]),
        (["predict", "--model", "none.npz", "x.png"], 1, ["model file not found: none.npz"]),
        (["predict", "x.png"], 1, ["model file not found: model.npz", "logistic-neuron train"]),
        (["evaluate", "--model", "none.npz", "--data", "faces"], 1, ["model file not found"]),
    ],
)
def test_errors_are_one_line(tmp_path, capsys, monkeypatch, argv, code, fragments):
    monkeypatch.chdir(tmp_path)
    got, _, err = run(capsys, *argv)
    assert got == code
    assert_one_line_error(err, *fragments)
    assert not (tmp_path / "model.npz").exists()


def test_debug_shows_traceback(tmp_path, capsys):
    code, _, err = run(capsys, "--debug", "train", "--data", str(tmp_path / "none.h5"))
    assert code == 1 and "Traceback" in err


def test_version_and_module_entry(capsys, monkeypatch):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("logistic-neuron 0.1.0")
    monkeypatch.setattr(sys, "argv", ["logistic-neuron", "train", "--iterations", "x"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("logistic_neuron", run_name="__main__")
    assert exit_info.value.code == 2


def test_same_command_same_model_bytes(tmp_path, capsys):
    for name in ("a.npz", "b.npz"):
        assert main(["train", "--iterations", "200", "--out", str(tmp_path / name), "--json"]) == 0
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_progress_bar_on_a_terminal(tmp_path, capsys, monkeypatch):
    class Terminal:
        def __init__(self):
            self.text = []

        def write(self, text):
            self.text.append(text)

        def flush(self):
            pass

        def isatty(self):
            return True

    from logistic_neuron.cli import progress

    monkeypatch.setattr(progress, "REDRAW_INTERVAL", 0.0)  # draw every update, not by the clock
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", "--iterations", "300", "--out", str(tmp_path / "m.npz")]) == 0
    drawn = "".join(terminal.text)
    assert "300/300 iterations" in drawn and "elapsed" in drawn and "left]" in drawn
    assert "Cost after iteration 200" in capsys.readouterr().out


def test_model_records_the_engine_that_ran(tmp_path, capsys):
    assert main(["train", "--iterations", "20", "--out", str(tmp_path / "m.npz"), "--json"]) == 0
    # 150 x 625 x 20 multiply-adds: too small for the compiled engine to pay for its compile.
    assert load_model(tmp_path / "m.npz").engine == "reference"
