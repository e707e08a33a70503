"""A reader that leaves early (``| head``) stops the printing, not the work (issue 15, item 2).

Real subprocesses write into a real pipe whose reading end is closed, as
``head`` closes it; nothing here depends on timing: the reading end is closed
before the command writes (or after it wrote more than a pipe holds), so every
later write meets a closed pipe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from logistic_neuron.storage.model_file import load_model


def run_into_closed_pipe(argv, cwd):
    """Run ``python -m logistic_neuron argv`` with its stdout a pipe nobody reads."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has left before the first line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "logistic_neuron", *argv],
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=600,
        )
    finally:
        os.close(write_end)
    return result


def assert_quiet(stderr):
    assert "Traceback" not in stderr
    assert "Broken pipe" not in stderr and "BrokenPipeError" not in stderr
    assert "error" not in stderr.lower(), stderr


def test_train_into_a_closed_pipe_still_saves_the_model(tmp_path):
    result = run_into_closed_pipe(["train", "--iterations", "300", "--out", "m.npz"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert_quiet(result.stderr)
    assert load_model(tmp_path / "m.npz").num_iterations == 300


def test_json_and_graph_into_a_closed_pipe(tmp_path):
    for argv in (
        ["graph", "--example", "logistic"],
        ["train", "--iterations", "10", "--out", "j.npz", "--json"],
        ["--help"],
    ):
        result = run_into_closed_pipe(argv, tmp_path)
        assert result.returncode == 0, (argv, result.stderr)
        assert_quiet(result.stderr)
    assert (tmp_path / "j.npz").is_file()


@pytest.mark.skipif(shutil.which("head") is None or shutil.which("bash") is None, reason="no bash")
def test_train_piped_into_head(tmp_path):
    """The issue's own command: ``train ... | head -3`` shows 3 lines, saves, exits 0."""
    # --record-every 1 prints ~5000 lines (over 100 KB), more than a pipe holds, so the
    # run is still printing when head exits after its third line.
    command = (
        "set -o pipefail; "
        f"{sys.executable} -m logistic_neuron train --iterations 5000 --record-every 1 "
        "--out piped.npz | head -3"
    )
    result = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("data: the bundled faces")
    assert_quiet(result.stderr)
    assert load_model(tmp_path / "piped.npz").num_iterations == 5000


def test_other_output_errors_are_still_reported(capsys):
    """Only a closed pipe is forgiven: a full disk is still an error."""
    import errno
    import io

    from logistic_neuron.cli.output import ReaderMayLeave

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        ReaderMayLeave(Full()).write("x")
