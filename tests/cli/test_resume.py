"""A resumed run writes where the interrupted run would have (issue 15, item 1)."""

from __future__ import annotations

from logistic_neuron.cli.main import main
from logistic_neuron.storage.checkpoint import load_checkpoint
from logistic_neuron.storage.model_file import load_model
from support.runs import interrupt_at


def test_resume_keeps_outputs_cadence_and_removes_the_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    start = ["train", "--iterations", "500", "--checkpoint-every", "100",
             "--out", "out/r.npz", "--plots", "pics", "--plot-format", "svg"]  # fmt: skip
    with monkeypatch.context() as patch:
        interrupt_at(patch, 250)
        assert main(start) == 130
    checkpoint = tmp_path / "out" / "r.checkpoint.npz"
    assert "train --resume out/r.checkpoint.npz" in capsys.readouterr().err
    recorded = load_checkpoint(checkpoint)
    assert recorded.iteration == 200
    assert recorded.outputs == {
        "out": "out/r.npz", "plots": "pics", "plot_format": "svg",
        "checkpoint": "out/r.checkpoint.npz", "checkpoint_every": 100,
    }  # fmt: skip

    # The resumed run goes on checkpointing at the recorded cadence (300 here) ...
    with monkeypatch.context() as patch:
        interrupt_at(patch, 350)
        assert main(["train", "--resume", "out/r.checkpoint.npz"]) == 130
    assert load_checkpoint(checkpoint).iteration == 300
    capsys.readouterr()

    # ... and, resumed again, saves the model and pictures where the first run would have,
    # then removes the checkpoint.
    assert main(["train", "--resume", "out/r.checkpoint.npz"]) == 0
    out = capsys.readouterr().out
    assert "model saved to out/r.npz" in out
    assert load_model(tmp_path / "out" / "r.npz").num_iterations == 500
    assert not (tmp_path / "model.npz").exists()
    assert sorted(p.name for p in (tmp_path / "pics").iterdir()) == [
        "learning-curve.svg", "mistakes.svg", "weights.svg",
    ]  # fmt: skip
    assert not checkpoint.exists()


def test_resume_options_override_the_recorded_outputs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as patch:
        interrupt_at(patch, 150)
        main(["train", "--iterations", "300", "--checkpoint-every", "100", "--out", "a.npz"])
    assert main(["train", "--resume", "a.checkpoint.npz", "--out", "b.npz"]) == 0
    assert (tmp_path / "b.npz").is_file() and not (tmp_path / "a.npz").exists()
    # The run ended before its next checkpoint was due; the one it resumed from is gone too.
    assert not (tmp_path / "a.checkpoint.npz").exists()
