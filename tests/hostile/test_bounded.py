"""Hostile files are refused in bounded time and memory, in a child process.

Each case runs in a fresh Python process under a hard timeout (a hang guard,
generous: correctness never depends on timing) and an address-space limit
(RLIMIT_AS, so a regression fails instead of exhausting the shared machine);
the child reports its own peak resident memory, which must stay near what
Python with NumPy and h5py needs anyway.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support import hostile_files as hf

TESTS = Path(__file__).resolve().parents[1]

#: Hang guard: far above what any refusal takes, far below "forever".
TIMEOUT = 120
#: Address space the child may map (Python, NumPy, h5py and their libraries fit).
ADDRESS_SPACE = 3 * 1024**3
#: How far a refusal may raise the peak resident memory above what the imported
#: libraries already take: inflating the bomb (600 MB) or the fill value
#: (1.2 GB) would pass this by far.
PEAK_MB = 100


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_child(body: str, *, stdin=subprocess.DEVNULL) -> dict:
    """Run ``body`` in a child; return the error it raised and the memory it added.

    ``body``'s first line imports what it needs: the peak resident memory after
    that line is the baseline (the libraries), and ``peak_mb`` is how far the
    rest of ``body`` raised the peak above it.
    """
    imports, _, action = textwrap.dedent(body).strip().partition("\n")
    script = textwrap.dedent(
        """
        import json, resource, sys
        sys.path.insert(0, {tests!r})
        {imports}
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        message = None
        try:
        {action}
        except Exception as exc:
            message = f"{{type(exc).__name__}}: {{exc}}"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
        print(json.dumps({{"message": message, "peak_mb": peak}}))
        """
    ).format(
        tests=str(TESTS),
        imports=imports.strip(),
        action=textwrap.indent(action.strip() + "\n", "    "),
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit,
        stdin=stdin,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


MODEL_CASES = {
    "zip_bomb_model": "a possible zip bomb",
    "lying_size_model": "inflates to other than its declared size",
    "many_members_model": "it declares 65535 entries",
    "encrypted_model": "is encrypted",
    "bzip2_model": "only stored and deflate are read",
    "deeply_nested": "nested deeper than 16 levels",
    "huge_number": "1e400, a number out of range",
}


@pytest.mark.parametrize("builder", sorted(MODEL_CASES))
def test_hostile_model_files_are_refused_in_bounded_memory(builder, tmp_path):
    path = getattr(hf, builder)(tmp_path)
    result = run_child(
        f"""
        from logistic_neuron.storage.model_file import load_model
        load_model({str(path)!r})
        """
    )
    assert result["message"].startswith("ModelFileError: "), result
    assert MODEL_CASES[builder] in result["message"]
    assert "\n" not in result["message"]
    assert result["peak_mb"] < PEAK_MB, result


H5_CASES = {
    "h5_external_storage": "uses external storage",
    "h5_external_link": "is an external link",
    "h5_virtual": "is a virtual data set",
    "h5_fill_value": "the rest would be fill value",
}


@pytest.mark.parametrize("builder", sorted(H5_CASES))
def test_hdf5_that_points_elsewhere_is_refused(builder, tmp_path):
    path = getattr(hf, builder)(tmp_path)
    result = run_child(
        f"""
        from logistic_neuron.data.course_h5 import load_h5_split
        load_h5_split({str(path)!r})
        """
    )
    assert result["message"].startswith("DataError: "), result
    assert H5_CASES[builder] in result["message"]
    assert "hunter2" not in result["message"]
    assert result["peak_mb"] < PEAK_MB, result


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_external_storage_on_a_device_or_fifo_neither_hangs_nor_fills_memory(target, tmp_path):
    source = str(hf.fifo(tmp_path / "pipe")) if target == "fifo" else target
    path = hf.h5_external_storage(tmp_path, source)
    result = run_child(
        f"""
        from logistic_neuron.data.course_h5 import load_h5_split
        load_h5_split({str(path)!r})
        """
    )
    assert "uses external storage" in result["message"]
    assert result["peak_mb"] < PEAK_MB, result


def cli(*argv: str, cwd: Path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "logistic_neuron", *argv],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        stdin=stdin,
        preexec_fn=_limit,
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["predict", "--model", "{fifo}", "{image}"], "is a pipe (FIFO), not a regular file"),
        (["predict", "--model", "{model}", "{fifo}"], "is a pipe (FIFO), not a regular file"),
        (["train", "--data", "{fifo}"], "is a pipe (FIFO), not a regular file"),
        (["predict", "--model", "/dev/zero", "{image}"], "is a character device"),
        (["predict", "--model", "/dev/stdin", "{image}"], "/dev/stdin is a pipe (FIFO)"),
    ],
    ids=["model-fifo", "image-fifo", "data-fifo", "model-dev-zero", "model-dev-stdin"],
)
def test_special_files_as_inputs_answer_at_once(argv, message, tmp_path):
    from support.imagefactory import write_image

    names = {
        "fifo": str(hf.fifo(tmp_path / "x.h5")),
        "model": str(hf.small_model(tmp_path)),
        "image": str(write_image(tmp_path / "i.png", (5, 5))),
    }
    # A pipe on standard input that nobody writes to: reading it would block forever.
    read_end, write_end = os.pipe()
    try:
        done = cli(*(a.format(**names) for a in argv), cwd=tmp_path, stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr


def test_report_does_not_retrain_for_as_long_as_a_file_says(tmp_path):
    model = hf.edited_model(
        tmp_path,
        lambda m: m["hyperparameters"].update(num_iterations=10**9, record_every=1000),
    )
    done = cli("report", "--model", str(model), "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "records 1000000000 iterations; report retrains for at most 100000" in done.stderr
    assert not (tmp_path / "r.html").exists()
