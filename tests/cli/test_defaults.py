"""Defaults that follow the user: one model path, the recorded test data, honest warnings."""

from __future__ import annotations

import json

from logistic_neuron.cli.main import main
from support.imagefactory import make_folder, write_image


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_evaluate_report_read_the_model_train_wrote(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = make_folder(tmp_path / "pets", per_class=8)
    code, _, err = run(capsys, "train", "--data", folder, "--image-size", "8", "--iterations", "50")
    assert code == 0, err
    assert (tmp_path / "model.npz").is_file()
    photo = write_image(tmp_path / "me.png")

    code, out, err = run(capsys, "predict", photo, "--json")
    assert code == 0, err
    assert json.loads(out)["model"] == "model.npz"

    # No --data: the model's recorded test data (the 4 images held out of pets/), no warning.
    code, out, err = run(capsys, "evaluate", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["m"] == 4 and report["data"] == f"held out from {folder}"
    assert "warning" not in err


def test_evaluate_warns_when_scoring_the_training_data(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = make_folder(tmp_path / "pets", per_class=8)
    assert run(capsys, "train", "--data", folder, "--image-size", "8", "--iterations", "20")[0] == 0
    code, out, err = run(capsys, "evaluate", "--data", folder)
    assert code == 0
    assert "examples:  16" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logistic-neuron: warning: ")
    assert "was trained on" in lines[0] and "leave out --data" in lines[0]


def test_missing_default_model_says_how_to_make_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["predict", "x.png"], ["evaluate"], ["report", "--no-overfitting"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == ""
        assert "model file not found: model.npz" in err and "'logistic-neuron train'" in err
