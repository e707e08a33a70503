"""Every bad input in tests/bad_inputs.py gets one clear line, the right exit code,
no traceback, and leaves no file behind; the Python API raises the named error."""

import os
from pathlib import Path

import pytest

from logistic_neuron.cli.main import main
from support.bad_inputs import CASES, WEB_CASES, Case

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_command_line_answer(case: Case, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    argv = case.setup(work)
    capsys.readouterr()
    before = files_in(work)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == case.code, (out, err)
    assert "Traceback" not in out + err
    text = err if case.stream == "stderr" else out
    assert case.message in text, text
    if case.code != 0:
        lines = err.strip().splitlines()
        errors = [line for line in lines if line.startswith("logistic-neuron: error: ")]
        assert len(errors) == 1 and case.message in errors[0], err
        # Nothing new is left behind: no model, no temporary file.
        assert files_in(work) == before
    else:
        for line in err.strip().splitlines():
            assert line.startswith(("logistic-neuron: warning: ", "Test set: ")), line


API_CASES = [c for c in CASES if c.api is not None]


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_python_answer(case: Case, tmp_path):
    with pytest.raises(case.api_error) as raised:
        case.api(tmp_path)
    assert str(raised.value)


def test_read_only_output_folder(tmp_path, capsys, monkeypatch):
    # As root every folder is writable, so the check is exercised by denying write access.
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: False if mode & os.W_OK else real_access(path, mode)
    )
    code = main(["train", "--out", str(tmp_path / "m.npz")])
    assert code == 1
    assert "is read-only; choose another" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_every_case_is_in_the_docs_table():
    table = DOCS.read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert rows == {c.id for c in CASES} | {c.id for c in WEB_CASES} | {"out-read-only"}
