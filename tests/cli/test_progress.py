"""Progress of long commands (issue 15, item 3): tqdm bars on a terminal's stderr only."""

from __future__ import annotations

import io
import sys

import pytest

from logistic_neuron.cli import progress
from logistic_neuron.cli.main import main
from logistic_neuron.cli.progress import ProgressBar


@pytest.fixture(autouse=True)
def draw_every_update(monkeypatch):
    """Redraw at every update: tqdm's 0.1 s throttle would make what is drawn depend on time."""
    monkeypatch.setattr(progress, "REDRAW_INTERVAL", 0.0)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_draws_elapsed_and_time_left_on_a_terminal_and_clears():
    stream = FakeTerminal()
    bar = ProgressBar(10, stream, description="training")
    bar.update(5)
    bar.update(10)
    drawn = stream.getvalue()
    assert "training:" in drawn and "10/10 iterations" in drawn
    assert "elapsed" in drawn and "left]" in drawn
    bar.close()
    assert stream.getvalue().endswith("\r")  # erased when done (leave=False)


def test_silent_in_logs_and_pipes():
    stream = io.StringIO()
    bar = ProgressBar(10, stream)
    bar.update(5)
    bar.update(10)
    bar.close()
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["compare-learning-rates", "--iterations", "200", "--rates", "0.01", "0.001"],
         "one model per learning rate"),
        (["overfitting", "--iterations", "200"], "training and scoring"),
        (["train", "--iterations", "200"], "training"),
    ],
)  # fmt: skip
def test_long_commands_show_progress_on_a_terminal_only(argv, what, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for terminal in (True, False):
        err = FakeTerminal() if terminal else io.StringIO()
        out = io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdout", out)
        assert main(argv) == 0
        monkeypatch.setattr(sys, "stderr", sys.__stderr__)
        monkeypatch.setattr(sys, "stdout", sys.__stdout__)
        shown = err.getvalue()
        if terminal:
            assert what in shown and "elapsed" in shown and "left]" in shown
        else:
            assert "elapsed" not in shown and "\r" not in shown
        # The result on stdout never holds a bar.
        assert "elapsed" not in out.getvalue() and "\r" not in out.getvalue()


def test_predict_shows_reading_progress_on_a_terminal(tmp_path, monkeypatch):
    from support.imagefactory import write_image

    monkeypatch.chdir(tmp_path)
    assert main(["train", "--iterations", "10", "--json"]) == 0
    photos = [str(write_image(tmp_path / f"p{i}.png", seed=i)) for i in range(3)]
    err = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["predict", *photos]) == 0
    monkeypatch.setattr(sys, "stderr", sys.__stderr__)
    assert "reading images" in err.getvalue() and "3/3 images" in err.getvalue()
