"""Say what ran and what it means (issue 15, item 6)."""

from __future__ import annotations

import json

from logistic_neuron.cli.main import main
from support.imagefactory import write_image


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_json_says_data_classes_split_engine_and_wall_time(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "--iterations", "50", "--out", tmp_path / "m.npz", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["data"] == "faces" and "not the course's cats" in report["data_description"]
    assert report["classes"] == ["non-face", "face"]
    assert report["split"] == {"seed": 0, "test_fraction": 0.25}
    assert report["m_train"] == 150 and report["m_test"] == 50
    from logistic_neuron.engines.resolver import ENGINES

    assert report["engine"] in ENGINES and report["engine"] != "auto"
    assert isinstance(report["wall_time_s"], float) and report["wall_time_s"] >= 0


def test_predict_weighs_its_answer_with_the_test_accuracy(tmp_path, capsys):
    model = tmp_path / "m.npz"
    code, out, _ = run(capsys, "train", "--iterations", "100", "--out", model, "--json")
    accuracy = json.loads(out)["test_accuracy"]
    photo = write_image(tmp_path / "astronaut.png", size=(64, 48))

    code, out, _ = run(capsys, "predict", "--model", model, photo)
    assert code == 0
    caution = out.splitlines()[-1]
    assert "tells face from non-face" in caution
    assert f"{accuracy:g} % right on its 50 test examples" in caution
    assert "unlike its training data (faces)" in caution

    code, out, _ = run(capsys, "predict", "--model", model, photo, "--json")
    report = json.loads(out)
    assert report["model_test_accuracy"] == accuracy
    assert report["model_test_examples"] == 50 and report["model_trained_on"] == "faces"
    assert report["caution"] == caution


def test_readme_opens_by_saying_what_the_default_data_is():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2] / "README.md"
    opening = readme.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "faces" in opening and "not the course's cats" in opening
