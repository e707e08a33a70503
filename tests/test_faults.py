"""Killing a process while it writes never leaves a broken file behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from logistic_neuron.storage.checkpoint import load_checkpoint
from logistic_neuron.storage.model_file import load_model

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from logistic_neuron.storage.model_file import DataRecord, TrainedModel, save_model

    path = sys.argv[1]
    side = 512  # 512 x 512 x 3 weights: 6 MB of float64, so a save takes a while
    rng = np.random.default_rng(0)
    models = [
        TrainedModel(
            w=rng.normal(size=(side * side * 3, 1)), b=float(k), dtype="float64",
            image_shape=(side, side, 3), mode="RGB", classes=("a", "b"), learning_rate=0.1,
            num_iterations=1, costs=(0.5,), record_every=100, train_accuracy=50.0,
            test_accuracy=50.0, data=DataRecord("x", "y", 1, 1),
        )
        for k in (1, 2)
    ]
    save_model(models[0], path)
    print("ready", flush=True)
    k = 0
    while True:
        k += 1
        save_model(models[k % 2], path)
    """
)


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.45])
def test_sigkill_during_save_leaves_old_or_new_model(tmp_path, delay):
    path = tmp_path / "model.npz"
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(delay)  # the assertion below must hold wherever the kill lands
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    model = load_model(path)  # never a half-written file
    assert model.b in (1.0, 2.0)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.npz"]
    # SIGKILL cannot be caught: at most the temporary file of the interrupted save remains,
    # hidden and named after its target, never in place of the model.
    assert all(name.startswith(".model.npz.") and name.endswith(".tmp") for name in leftovers)


def test_sigterm_during_training_stops_cleanly(tmp_path):
    model = tmp_path / "m.npz"
    checkpoint = tmp_path / "m.checkpoint.npz"
    with subprocess.Popen(
        [sys.executable, "-m", "logistic_neuron", "train", "--iterations", "1000000",
         "--checkpoint-every", "200", "--out", str(model), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as child:  # fmt: skip
        try:
            assert wait_for(checkpoint.exists), "no checkpoint was written"
            child.send_signal(signal.SIGTERM)
            _, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert f"train --resume {checkpoint}" in err
    assert not model.exists()
    state = load_checkpoint(checkpoint)
    assert state.iteration % 200 == 0 and state.iteration > 0
    assert sorted(os.listdir(tmp_path)) == ["m.checkpoint.npz"]
    assert np.all(np.isfinite(state.w))


@pytest.mark.parametrize("delay", [0.1, 0.3])
def test_sigkill_of_a_training_process_saving_every_iteration(tmp_path, delay):
    # Saving a checkpoint after every iteration, the process spends most of its
    # time writing: a SIGKILL lands mid-save most of the time, wherever it lands
    # the checkpoint on disk must be a whole one.
    checkpoint = tmp_path / "m.checkpoint.npz"
    with subprocess.Popen(
        [sys.executable, "-m", "logistic_neuron", "train", "--iterations", "1000000",
         "--checkpoint-every", "1", "--out", str(tmp_path / "m.npz"), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as child:  # fmt: skip
        try:
            assert wait_for(checkpoint.exists), "no checkpoint was written"
            time.sleep(delay)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    state = load_checkpoint(checkpoint)
    assert state.iteration >= 1 and np.all(np.isfinite(state.w))
    assert not (tmp_path / "m.npz").exists()
