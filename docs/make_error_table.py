"""Write docs/errors.md: every case of tests/support/bad_inputs.py and the answer the tool gives.

Run from the repository root:  python docs/make_error_table.py
Each row shows the exit code and the line the command really printed (temporary
folders shortened to ``…/``); tests/test_bad_input.py checks the same cases.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from logistic_neuron.cli.main import main  # noqa: E402
from support.bad_inputs import CASES, WEB_CASES  # noqa: E402

HEADER = """# Bad input: what the tool answers

Every row is a case in `tests/support/bad_inputs.py`; `tests/test_bad_input.py` runs each one
through the command line (exit code, the one-line message, no traceback, no file left behind) and,
where a Python call is named there, through the API (the exception type and message).
Regenerate this page with `python docs/make_error_table.py`.

Exit codes: **0** success, **1** the job failed (bad data, bad file, divergence), **2** the
command line was used wrongly, **130** interrupted (Ctrl-C or SIGTERM; the previous model or
checkpoint stays intact). `--debug` adds the traceback.

Skippable files in an image folder (hidden and system files such as `.DS_Store`, files without
an image ending, nested folders, unreadable links) are **skipped with a warning that names
them**; a file with an image ending that cannot be decoded **stops the load** with its name,
because training on silently incomplete data is worse than an error.
"""


def answer(case) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cwd = os.getcwd()
        os.chdir(work)
        try:
            argv = case.setup(work)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
        finally:
            os.chdir(cwd)
        text = err.getvalue() if case.stream == "stderr" else out.getvalue()
        line = next(line for line in text.splitlines() if case.message in line)
        return code, line.replace(str(work), "…")


def main_table() -> str:
    rows = [HEADER]
    group = None
    for case in CASES:
        if case.group != group:
            group = case.group
            rows += ["", f"## {group.capitalize()}", "", "| case | input | exit | answer |",
                     "|---|---|---|---|"]  # fmt: skip
        code, line = answer(case)
        rows.append(f"| `{case.id}` | {case.what} | {code} | `{line.replace('|', '/')}` |")
        if case.id == "out-not-folder":
            rows.append(
                "| `out-read-only` | --model-out in a read-only folder (tested by denying write "
                "access, since root may write anywhere) | 1 | `logistic-neuron: error: cannot "
                "write …/m.npz: the folder … is read-only; choose another` |"
            )
    return "\n".join(rows) + "\n"


WEB_HEADER = """
## The web page (`logistic-neuron serve`)

Every row is a `WEB_CASES` entry in `tests/support/bad_inputs.py`, sent to the real app by
`tests/web/test_api.py`, which also checks that the server goes on answering after each one and
writes nothing. Errors are JSON `{"error": "one line"}`; the page shows the line. **413** too
large, **415** not multipart, **422** a photo that cannot be used, **400** any other bad request,
**409** a second training run while one is going (one at a time).

| case | request | status | answer |
|---|---|---|---|"""


def web_table() -> str:
    from starlette.testclient import TestClient

    from logistic_neuron.web.app import create_app
    from logistic_neuron.web.settings import ServerSettings
    from support.web import train_small_model

    rows = [WEB_HEADER]
    with tempfile.TemporaryDirectory() as folder:
        model = train_small_model(Path(folder) / "faces.npz")
        for case in WEB_CASES:
            settings = ServerSettings(model_path=model, model_dir=Path(folder), **case.settings)
            with TestClient(create_app(settings)) as client:
                answer = client.post(case.path, **case.request())
            line = answer.json()["error"].replace("|", "/")
            rows.append(f"| `{case.id}` | {case.what} | {answer.status_code} | `{line}` |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "errors.md").write_text(main_table() + web_table(), encoding="utf-8")
    print("wrote docs/errors.md")
