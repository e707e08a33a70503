"""compare-optimizers: a picture, a table, JSON; bad specs are usage errors."""

import json

import pytest

from logistic_neuron.cli.main import main

pytest.importorskip("matplotlib", reason="matplotlib is not installed")


def test_table_and_picture(tmp_path, capsys):
    out = tmp_path / "opt.png"
    argv = ["compare-optimizers", "--iterations", "40", "--record-every", "10",
            "--optimizers", "gd", "adam@0.001", "--l2", "0", "1", "--batch-size", "50",
            "--validation-fraction", "0.2", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    for label in ("gd (0.005)", "gd (0.005) L2 1", "adam (0.001)", "adam (0.001) L2 1"):
        assert label in text
    assert "validation" in text and f"picture saved to {out}" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_runs(tmp_path, capsys):
    argv = ["compare-optimizers", "--iterations", "30", "--record-every", "10",
            "--optimizers", "momentum", "rmsprop@0.0005", "--json",
            "--out", str(tmp_path / "o.svg")]  # fmt: skip
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    runs = report["runs"]
    assert [r["options"]["optimizer"] for r in runs] == ["momentum", "rmsprop"]
    assert runs[1]["learning_rate"] == 0.0005
    for r in runs:
        assert len(r["costs"]) == 3 and len(r["cost_seconds"]) == 3
        assert r["cost_seconds"] == sorted(r["cost_seconds"]) and r["cost_seconds"][0] == 0.0
        assert r["validation_accuracy"] is None and r["test_accuracy"] is not None
        assert r["costs"][-1] < r["costs"][0]


def test_early_stopping_in_the_comparison(tmp_path, capsys):
    argv = ["compare-optimizers", "--iterations", "3000", "--record-every", "10",
            "--optimizers", "gd@0.5", "--validation-fraction", "0.3", "--patience", "2",
            "--json", "--out", str(tmp_path / "o.png")]  # fmt: skip
    assert main(argv) == 0
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert run["stopped_early"] and run["iterations_run"] < 3000
    assert run["best_iteration"] is not None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--optimizers", "sgd"], "unknown optimizer 'sgd'"),
        (["--optimizers", "adam@-1"], "expected a finite number > 0"),
        (["--optimizers", "gd", "gd"], "names the same run twice"),
        (["--patience", "3"], "patience needs a validation split"),
        (["--l2", "-1"], "expected a finite number >= 0"),
        (["--optimizers", "lbfgs@0.1"], "lbfgs chooses its own steps: give it as 'lbfgs'"),
    ],
)
def test_bad_settings_are_usage_errors(argv, message, tmp_path, capsys):
    assert main(["compare-optimizers", *argv, "--out", str(tmp_path / "o.png")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.png").exists()


def test_lbfgs_in_the_comparison(tmp_path, capsys):
    pytest.importorskip("scipy", reason="SciPy is not installed")
    out = tmp_path / "o.png"
    argv = ["compare-optimizers", "--iterations", "200", "--record-every", "10",
            "--optimizers", "gd@0.01", "lbfgs", "--l2", "0", "1", "--batch-size", "50",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    rows = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    assert "lbfgs" in rows and "lbfgs L2 1" in rows and "gd (0.01) L2 1" in rows
    assert rows["lbfgs"].split()[1] == "lbfgs"  # the engine column
    assert "lbfgs: SciPy's L-BFGS on the same cost" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lbfgs_costs_per_iteration_in_json(tmp_path, capsys):
    pytest.importorskip("scipy", reason="SciPy is not installed")
    argv = ["compare-optimizers", "--iterations", "300", "--record-every", "10",
            "--optimizers", "gd", "lbfgs", "--l2", "1", "--json",
            "--out", str(tmp_path / "o.svg")]  # fmt: skip
    assert main(argv) == 0
    gd, lbfgs = json.loads(capsys.readouterr().out)["runs"]
    assert lbfgs["options"]["solver"] == "lbfgs" and lbfgs["engine"] == "lbfgs"
    assert lbfgs["learning_rate"] is None and gd["learning_rate"] == 0.005
    # one cost per L-BFGS iteration, the start included; it stopped on its tolerance
    assert len(lbfgs["costs"]) == lbfgs["iterations_run"] + 1 < 300
    assert lbfgs["costs"][0] == pytest.approx(0.6931471805599453)
    assert lbfgs["costs"] == sorted(lbfgs["costs"], reverse=True)
    assert lbfgs["cost_seconds"] == sorted(lbfgs["cost_seconds"])
    # the optimum of the same cost: lower than where 300 steps of gradient descent got
    assert lbfgs["costs"][-1] < gd["costs"][-1]
    assert (tmp_path / "o.svg").read_bytes().startswith(b"<?xml")
