"""train with optimisers, mini-batches, L2, decay, validation and L-BFGS; resume bit for bit."""

import json

import pytest

from logistic_neuron.cli.main import main
from logistic_neuron.storage.checkpoint import load_checkpoint
from logistic_neuron.storage.model_file import load_model
from support.runs import interrupt_at, timeless

RUNS = {
    "gd-l2-decay": ["--l2", "0.5", "--decay", "0.01"],
    "momentum-mini": ["--optimizer", "momentum", "--beta1", "0.8", "--batch-size", "40"],
    "rmsprop-mini": ["--optimizer", "rmsprop", "--learning-rate", "0.0005", "--batch-size", "64"],
    "adam-valid": ["--optimizer", "adam", "--learning-rate", "0.001", "--batch-size", "50",
                   "--validation-fraction", "0.2", "--patience", "20", "--l2", "1"],
}  # fmt: skip


@pytest.mark.parametrize("extra", RUNS.values(), ids=RUNS.keys())
def test_interrupt_then_resume_is_bit_for_bit(extra, tmp_path, capsys, monkeypatch):
    common = ["train", "--iterations", "60", "--record-every", "10", *extra]
    assert main([*common, "--out", str(tmp_path / "full.npz")]) == 0
    uninterrupted = capsys.readouterr().out
    with monkeypatch.context() as patch:
        interrupt_at(patch, 35)
        code = main([*common, "--checkpoint-every", "15", "--out", str(tmp_path / "part.npz")])
    assert code == 130
    capsys.readouterr()
    checkpoint = load_checkpoint(tmp_path / "part.checkpoint.npz")
    assert checkpoint.iteration == 30 and checkpoint.state is not None
    assert checkpoint.settings["options"]["optimizer"] in ("gd", "momentum", "rmsprop", "adam")
    if "--batch-size" in extra:
        assert checkpoint.state.generator is not None
    # gd and momentum keep w a combination of the examples: "auto" runs them on the dual engine.
    dual = checkpoint.settings["options"]["optimizer"] in ("gd", "momentum")
    assert checkpoint.state.dual == dual and (checkpoint.alpha is not None) == dual
    assert load_model(tmp_path / "full.npz").engine == ("dual" if dual else "reference")
    assert main(["train", "--resume", str(tmp_path / "part.checkpoint.npz"),
                 "--out", str(tmp_path / "part.npz")]) == 0  # fmt: skip
    resumed = capsys.readouterr().out
    assert (tmp_path / "part.npz").read_bytes() == (tmp_path / "full.npz").read_bytes()

    assert timeless(resumed.replace("part.npz", "full.npz")) == timeless(uninterrupted)


def test_model_file_records_every_setting(tmp_path, capsys):
    out = tmp_path / "m.npz"
    argv = ["train", "--iterations", "40", "--record-every", "10", "--optimizer", "adam",
            "--learning-rate", "0.001", "--batch-size", "32", "--beta1", "0.85", "--beta2", "0.99",
            "--epsilon", "1e-7", "--l2", "0.3", "--decay", "0.1", "--decay-interval", "5",
            "--validation-fraction", "0.25", "--monitor", "accuracy", "--seed", "3",
            "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    model = load_model(out)
    assert model.engine == "reference"
    assert model.options == {
        "optimizer": "adam", "beta1": 0.85, "beta2": 0.99, "epsilon": 1e-7, "batch_size": 32,
        "lambd": 0.3, "decay_rate": 0.1, "decay_interval": 5, "seed": 3,
        "validation_fraction": 0.25, "patience": None, "monitor": "accuracy", "keep_best": True,
        "solver": "descent", "tol": 1e-4,
    }  # fmt: skip
    run = model.run
    assert run["m_validation"] > 0 and run["validation"]["monitor"] == "accuracy"
    assert run["best_iteration"] in run["validation"]["iterations"]
    assert report["options"] == model.options
    assert report["run"] == json.loads(json.dumps(run))
    # the training accuracy is measured on the examples trained on, not the held-out ones
    assert model.data.m_train == report["m_train"]


def test_plain_run_writes_no_options(tmp_path, capsys):
    assert main(["train", "--iterations", "20", "--out", str(tmp_path / "m.npz"), "--json"]) == 0
    model = load_model(tmp_path / "m.npz")
    assert model.options is None and model.run is None


def test_early_stopping_says_so(tmp_path, capsys):
    argv = ["train", "--iterations", "3000", "--record-every", "10", "--learning-rate", "0.5",
            "--validation-fraction", "0.3", "--patience", "2",
            "--out", str(tmp_path / "m.npz")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "stopped early at iteration" in out and "validation accuracy:" in out
    model = load_model(tmp_path / "m.npz")
    assert model.run["stopped_early"] and model.run["iterations_run"] < 3000


def test_lbfgs_from_the_command_line(tmp_path, capsys):
    pytest.importorskip("scipy")
    argv = ["train", "--solver", "lbfgs", "--l2", "1", "--iterations", "100",
            "--out", str(tmp_path / "m.npz")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "L-BFGS converged after" in out
    model = load_model(tmp_path / "m.npz")
    assert model.engine == "lbfgs" and model.run["converged"]


def test_resume_refuses_new_options(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "none.npz"), "--optimizer", "adam"]) == 2
    assert "drop --optimizer" in capsys.readouterr().err
