"""Output paths never clobber inputs, other outputs or non-regular files."""

import os
import stat

import pytest

from logistic_neuron.errors import OutputError
from logistic_neuron.storage.atomic import atomic_write, write_bytes_atomic
from logistic_neuron.storage.paths import (
    check_outputs,
    file_identity,
    remove_if_ours,
    same_file,
)


def test_same_file_existing_links_and_future_paths(tmp_path):
    data = tmp_path / "d.h5"
    data.write_bytes(b"x")
    os.link(data, tmp_path / "hard.h5")
    os.symlink(data, tmp_path / "soft.h5")
    assert same_file(data, tmp_path / "hard.h5")
    assert same_file(tmp_path / "soft.h5", data)
    assert same_file(tmp_path / "new.npz", tmp_path / "sub" / ".." / "new.npz")
    assert not same_file(tmp_path / "new.npz", data)


def test_output_equal_to_an_input_is_refused(tmp_path):
    data = tmp_path / "d.h5"
    data.write_bytes(b"data")
    with pytest.raises(OutputError, match="--model-out .* is the same file as the input --data"):
        check_outputs([("--model-out", data)], [("--data", str(data))])
    assert data.read_bytes() == b"data"


def test_two_outputs_on_one_path_are_refused(tmp_path):
    out = tmp_path / "m.npz"
    with pytest.raises(OutputError, match="--checkpoint .* is the same file as --model-out"):
        check_outputs([("--model-out", out), ("--checkpoint", out)], [])


def test_image_list_inputs_are_checked(tmp_path):
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"png")
    with pytest.raises(OutputError, match="the input IMAGE"):
        check_outputs([("--explain", [tmp_path / "x.png", photo])], [("IMAGE", [str(photo)])])


def test_sources_that_are_not_files_are_fine(tmp_path):
    assert check_outputs([("--model-out", tmp_path / "m.npz")], [("--data", "faces")]) == [
        tmp_path / "m.npz"
    ]


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_non_regular_outputs_are_refused(tmp_path, kind):
    target = tmp_path / "out.npz"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        check_outputs([("--model-out", target)], [])
    with pytest.raises(OutputError, match="cannot write"):
        write_bytes_atomic(target, b"model")
    assert not target.is_file()


def test_device_output_is_refused():
    with pytest.raises(OutputError, match="a character device, not a regular file"):
        check_outputs([("--model-out", "/dev/null")], [])


def test_replacing_keeps_permissions(tmp_path):
    target = tmp_path / "m.npz"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "n.txt", "w") as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o640


def test_remove_if_ours_only_removes_the_file_we_wrote(tmp_path):
    checkpoint = tmp_path / "c.npz"
    checkpoint.write_bytes(b"ours")
    ours = file_identity(checkpoint)
    checkpoint.rename(tmp_path / "moved.npz")  # still alive, so its inode is not reused
    checkpoint.write_bytes(b"someone else's")  # a new file took the name
    assert not remove_if_ours(checkpoint, ours)
    assert checkpoint.read_bytes() == b"someone else's"
    assert remove_if_ours(checkpoint, file_identity(checkpoint))
    assert not checkpoint.exists()


def test_a_ctrl_c_during_the_rename_waits_until_it_is_done(tmp_path, monkeypatch):
    import signal

    from logistic_neuron.storage import atomic

    target = tmp_path / "m.npz"
    target.write_bytes(b"old")
    real_replace = os.replace

    def replace_interrupted(src, dst):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives in the middle of the save
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace_interrupted)
    # Ctrl-C must raise here even when the test runner itself was started with SIGINT
    # ignored (a background job of a non-interactive shell is).
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            write_bytes_atomic(target, b"new")
        handler_after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, outer)
    # The save finished before the interruption was honoured: no half state, no temp file.
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    assert handler_after is signal.default_int_handler
