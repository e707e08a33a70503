import os

import pytest

from logistic_neuron.errors import OutputError
from logistic_neuron.storage.atomic import atomic_write, write_text_atomic


def test_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target, "w") as handle:
        handle.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_success_replaces(tmp_path):
    target = tmp_path / "f.txt"
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_bad_destinations(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_text_atomic(tmp_path / "missing" / "f.txt", "x")
    with pytest.raises(OutputError, match="is a folder"):
        write_text_atomic(tmp_path, "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="read-only"):
            write_text_atomic(folder / "f.txt", "x")
    finally:
        folder.chmod(0o700)
