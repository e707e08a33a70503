import numpy as np
import pytest

from logistic_neuron.cli.main import main
from logistic_neuron.data.faces import load_faces
from logistic_neuron.errors import ModelFileError
from logistic_neuron.storage.checkpoint import (
    Checkpoint,
    fingerprint,
    load_checkpoint,
    save_checkpoint,
)
from support.runs import interrupt_at, timeless

SETTINGS = {"data": "faces", "iterations": 500, "record_every": 100, "learning_rate": 0.005}


def make_checkpoint(iteration=200, costs=(0.69, 0.5)):
    w = np.linspace(-1, 1, 625).reshape(625, 1)
    return Checkpoint(w, 0.25, iteration, costs, dict(SETTINGS), "abc")


def test_round_trip(tmp_path):
    path = save_checkpoint(make_checkpoint(), tmp_path / "c.npz")
    loaded = load_checkpoint(path)
    np.testing.assert_array_equal(loaded.w, make_checkpoint().w)
    assert loaded.b == 0.25 and loaded.iteration == 200 and loaded.costs == (0.69, 0.5)
    assert SETTINGS.items() <= loaded.settings.items() and loaded.data_fingerprint == "abc"


def test_inconsistent_checkpoint_is_refused(tmp_path):
    path = save_checkpoint(make_checkpoint(costs=(0.69,)), tmp_path / "c.npz")
    with pytest.raises(ModelFileError, match="do not fit its settings"):
        load_checkpoint(path)


def test_model_is_not_a_checkpoint(tmp_path, capsys):
    assert main(["train", "--iterations", "10", "--out", str(tmp_path / "m.npz"), "--json"]) == 0
    with pytest.raises(ModelFileError, match="is a finished model, not a checkpoint"):
        load_checkpoint(tmp_path / "m.npz")


def test_fingerprint_changes_with_the_data():
    split, _ = load_faces()
    assert fingerprint(split) == fingerprint(split.subset(np.arange(200)))
    assert fingerprint(split) != fingerprint(split.subset(np.arange(199)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_interrupt_then_resume_equals_uninterrupted_bit_for_bit(
    tmp_path, capsys, monkeypatch, dtype
):
    common = ["train", "--iterations", "500", "--dtype", dtype]
    assert main([*common, "--out", str(tmp_path / "full.npz")]) == 0
    uninterrupted = capsys.readouterr().out

    with monkeypatch.context() as patch:
        interrupt_at(patch, 250)
        code = main([*common, "--checkpoint-every", "100", "--out", str(tmp_path / "part.npz")])
    assert code == 130
    err = capsys.readouterr().err
    checkpoint = tmp_path / "part.checkpoint.npz"
    assert f"train --resume {checkpoint}" in err
    assert not (tmp_path / "part.npz").exists()
    assert load_checkpoint(checkpoint).iteration == 200

    assert main(["train", "--resume", str(checkpoint), "--out", str(tmp_path / "part.npz")]) == 0
    resumed = capsys.readouterr().out
    assert (tmp_path / "part.npz").read_bytes() == (tmp_path / "full.npz").read_bytes()

    assert timeless(resumed.replace("part.npz", "full.npz")) == timeless(uninterrupted)


def test_completed_run_removes_its_checkpoint(tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert (
        main(["train", "--iterations", "300", "--checkpoint-every", "100", "--out", str(out)]) == 0
    )
    assert out.exists() and not (tmp_path / "m.checkpoint.npz").exists()


def test_resume_refuses_other_settings_and_other_data(tmp_path, capsys, monkeypatch):
    with monkeypatch.context() as patch:
        interrupt_at(patch, 150)
        main(["train", "--iterations", "300", "--checkpoint-every", "100",
              "--out", str(tmp_path / "m.npz")])  # fmt: skip
    checkpoint = tmp_path / "m.checkpoint.npz"
    capsys.readouterr()
    assert main(["train", "--resume", str(checkpoint), "--learning-rate", "0.1"]) == 2
    assert "drop --learning-rate" in capsys.readouterr().err
    loaded = load_checkpoint(checkpoint)
    other = Checkpoint(loaded.w, loaded.b, loaded.iteration, loaded.costs,
                       {**loaded.settings, "seed": 5}, loaded.data_fingerprint)  # fmt: skip
    save_checkpoint(other, tmp_path / "other.npz")
    assert main(["train", "--resume", str(tmp_path / "other.npz"),
                 "--out", str(tmp_path / "x.npz")]) == 1  # fmt: skip
    assert "changed since the checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_dual_checkpoint_keeps_alpha(tmp_path):
    alpha = np.linspace(-2, 2, 150)
    base = make_checkpoint()
    saved = Checkpoint(base.w, base.b, base.iteration, base.costs, dict(SETTINGS), "abc", alpha)
    loaded = load_checkpoint(save_checkpoint(saved, tmp_path / "c.npz"))
    np.testing.assert_array_equal(loaded.alpha, alpha)
    assert load_checkpoint(save_checkpoint(base, tmp_path / "p.npz")).alpha is None


def test_the_classic_cli_run_is_dual_and_resumes_from_alpha(tmp_path, capsys, monkeypatch):
    from logistic_neuron.storage.model_file import load_model

    with monkeypatch.context() as patch:
        interrupt_at(patch, 150)
        main(["train", "--iterations", "300", "--checkpoint-every", "100",
              "--model-out", str(tmp_path / "m.npz")])  # fmt: skip
    checkpoint = load_checkpoint(tmp_path / "m.checkpoint.npz")
    assert checkpoint.settings["engine"] == "auto"
    assert checkpoint.alpha is not None and checkpoint.alpha.shape == (150,)
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "m.checkpoint.npz"),
                 "--model-out", str(tmp_path / "m.npz")]) == 0  # fmt: skip
    assert load_model(tmp_path / "m.npz").engine == "dual"


def test_dual_coefficients_may_outnumber_the_features(tmp_path):
    # alpha has one number per example: bounded on its own, not by the size of w.
    base = make_checkpoint()
    alpha = np.linspace(0.0, 1.0, 5000)
    with_alpha = Checkpoint(base.w, base.b, base.iteration, base.costs, base.settings,
                            base.data_fingerprint, alpha)  # fmt: skip
    loaded = load_checkpoint(save_checkpoint(with_alpha, tmp_path / "c.npz"))
    np.testing.assert_array_equal(loaded.alpha, alpha)
