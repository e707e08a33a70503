"""Every code block in the README runs, so none can rot (issue 15, item 7).

The README's fenced blocks are read in order and each becomes one test:

* ``python`` blocks run. A block written as a doctest (``>>>`` lines) has its
  printed values compared (``...`` matches anything, whitespace is normalised);
  any other python block is executed and must not raise.
* blocks whose first line starts with ``$ `` are terminal transcripts: every
  ``$ logistic-neuron ...`` command runs in a real subprocess
  (``python -m logistic_neuron``), and the lines shown under it are compared
  with what it printed: lines starting with ``logistic-neuron:`` (the tool's
  one-line messages) must appear in that order on standard error or standard
  output, other lines may come between; all others must be standard output,
  exactly (``...`` inside a line matches anything; a line that is only ``...``
  matches any number of lines). A command shown with an
  error line must fail; any other must exit with 0. A ``^C`` line under a
  command interrupts it (SIGINT) once it has written its first checkpoint, as
  a person pressing Ctrl-C would. ``$ pip ...`` lines install software and are
  not run here (``.ci/run`` installs on a fresh machine).
* a block right after ``<!-- readme-test: synopsis -->`` is a command synopsis
  (``[--option VALUE]`` in brackets is not a command): every
  ``logistic-neuron COMMAND`` in it must exist and every ``--option`` on its
  lines must be an option of that command.
* a block right after ``<!-- readme-test: skip: REASON -->`` is not run, and the
  test says why. Only what truly cannot run in a test may use it, and the
  reason must be given.

Any other block fails with a message saying how to make it testable.

All blocks share one working folder, in README order, as a reader following
the README would: ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` (links to
the course's files, never copies) and ``me.jpg`` (scikit-image's photo of a
cat) are there. Blocks that mention the course's files, or ``cat.npz`` made from
them, skip when the files are absent, with the reason.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MARKER = re.compile(r"<!--\s*readme-test:\s*([a-z]+)\s*(?::\s*(.*?))?\s*-->")
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
#: Words that tie a block to the course's data files.
COURSE_WORDS = ("catvnoncat", "cat.npz")
#: A README command that runs longer than this is stuck (a server, a prompt ...).
COMMAND_TIMEOUT = 900


@dataclass(frozen=True)
class Block:
    """One fenced code block of the README."""

    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: str | None = None
    reason: str | None = None

    @property
    def id(self) -> str:
        first = next((ln.strip() for ln in self.text.splitlines() if ln.strip()), "")
        return f"line{self.line}-{(self.lang or 'text')}-{first[:30]}"


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with the marker comment just above each."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, lang = opening.groups()
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end])
            end += 1
        marker = reason = None
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        found = MARKER.search(lines[before]) if before >= 0 else None
        if found:
            marker, reason = found.group(1), found.group(2)
        blocks.append(Block(index + 1, lang.lower(), "\n".join(body) + "\n", marker, reason))
        index = end + 1
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """The folder every README block runs in (see the module docstring)."""
    from PIL import Image
    from skimage import data as skimage_data

    from conftest import TEST_FILE, TRAIN_FILE, find_course_data

    folder = tmp_path_factory.mktemp("readme")
    course = find_course_data()
    if course is not None:
        for name in (TRAIN_FILE, TEST_FILE):
            (folder / name).symlink_to(course / name)
    Image.fromarray(skimage_data.chelsea()).save(folder / "me.jpg", quality=90)
    return folder


def needs_course_data(block: Block, sandbox: Path) -> None:
    if (
        any(word in block.text for word in COURSE_WORDS)
        and not (sandbox / "train_catvnoncat.h5").exists()
    ):
        pytest.skip(
            f"README block at line {block.line} uses the course's data files, which are "
            "absent: set LOGISTIC_NEURON_DATA to the folder holding train_catvnoncat.h5 and "
            "test_catvnoncat.h5, or put them in ../shared/datasets"
        )


# --- python blocks -----------------------------------------------------------------------


def run_python(block: Block, sandbox: Path) -> None:
    if re.search(r"^\s*(import torch|from torch)", block.text, re.M):
        pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch==2.13.0)")
    name = f"README.md:{block.line}"
    if ">>> " in block.text:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.text, {"__name__": "readme"}, name, str(README), 0)
        runner = doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.REPORT_NDIFF
        )
        output: list[str] = []
        result = runner.run(test, out=output.append)
        assert result.failed == 0, f"README block at line {block.line}:\n" + "".join(output)
    else:
        exec(compile(block.text, name, "exec"), {"__name__": "readme"})


# --- transcripts ---------------------------------------------------------------------------


@dataclass
class Step:
    """One ``$`` command of a transcript and the lines shown under it."""

    command: str
    expected: list[str]


def transcript_steps(text: str) -> list[Step]:
    steps: list[Step] = []
    pending = ""
    for raw in text.splitlines():
        if pending:
            pending += " " + raw.strip()
        elif raw.startswith("$ "):
            pending = raw[2:].strip()
        else:
            if steps and raw.strip():
                steps[-1].expected.append(raw.rstrip())
            continue
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        # A comment after the command (two spaces and #) is for the reader.
        steps.append(Step(re.split(r"\s{2,}#", pending)[0].strip(), []))
        pending = ""
    return steps


def line_matches(expected: str, got: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, got.rstrip()) is not None


def lines_match(expected: list[str], got: list[str]) -> bool:
    """Whole-output match where a line that is only ``...`` stands for any lines."""
    if not expected:
        return not got
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(lines_match(rest, got[i:]) for i in range(len(got) + 1))
    return bool(got) and line_matches(head, got[0]) and lines_match(rest, got[1:])


def appears_in_order(expected: list[str], got: list[str]) -> bool:
    position = 0
    for line in expected:
        while position < len(got) and not line_matches(line, got[position]):
            position += 1
        if position == len(got):
            return False
        position += 1
    return True


def checkpoint_files(folder: Path) -> set[Path]:
    return set(folder.rglob("*.checkpoint.npz"))


def run_command(step: Step, sandbox: Path, interrupt: bool) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(step.command)
    if argv[:1] == ["logistic-neuron"]:
        argv = [sys.executable, "-m", "logistic_neuron", *argv[1:]]
    elif argv[:3] == ["python", "-m", "logistic_neuron"]:
        argv = [sys.executable, *argv[1:]]
    else:
        pytest.fail(
            f"README command {step.command!r}: a transcript may run logistic-neuron (or python -m "
            "logistic_neuron) only; mark the block <!-- readme-test: skip: REASON --> if it "
            "truly cannot run in a test"
        )
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("LOGISTIC_NEURON_DATA", None)
    if not interrupt:
        try:
            return subprocess.run(
                argv,
                cwd=sandbox,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"README command {step.command!r} did not finish in {COMMAND_TIMEOUT} s; if it "
                "runs until stopped (a server), mark the block <!-- readme-test: skip: REASON -->"
            )
    # ^C: interrupt the command once it has printed every line shown above the ^C and, when
    # it checkpoints, saved its first checkpoint (events, not delays), as a person would.
    shown_before = [ln for ln in step.expected[: step.expected.index("^C")] if ln.strip()]
    wants_checkpoint = "--checkpoint-every" in argv
    before = checkpoint_files(sandbox)
    process = subprocess.Popen(
        argv,
        cwd=sandbox,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: list[str] = []
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: printed.extend(iter(process.stdout.readline, ""))),
        threading.Thread(target=lambda: errors.extend(iter(process.stderr.readline, ""))),
    ]
    for reader in readers:
        reader.start()

    def ready() -> bool:
        lines = [ln.rstrip("\n") for ln in [*printed, *errors]]
        if not appears_in_order([ln for ln in shown_before if ln != "..."], lines):
            return False
        return not wants_checkpoint or bool(checkpoint_files(sandbox) - before)

    deadline = time.monotonic() + COMMAND_TIMEOUT
    while not ready() and process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{step.command!r} never reached the point where the README presses ^C")
        time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    for reader in readers:
        reader.join()
    process.stdout.close()
    process.stderr.close()
    return subprocess.CompletedProcess(argv, process.returncode, "".join(printed), "".join(errors))


def run_transcript(block: Block, sandbox: Path) -> None:
    for step in transcript_steps(block.text):
        if step.command.startswith("pip "):
            continue  # installing is .ci/run's job, on a fresh machine
        interrupt = "^C" in step.expected
        expected = [ln for ln in step.expected if ln != "^C"]
        result = run_command(step, sandbox, interrupt)
        shown_err = [ln for ln in expected if ln.startswith("logistic-neuron:")]
        shown_out = [ln for ln in expected if not ln.startswith("logistic-neuron:")]
        where = f"README block at line {block.line}, '$ {step.command}'"
        fails = any(ln.startswith("logistic-neuron: error:") for ln in shown_err)
        if interrupt:
            # 130 for a job cut short; a server that stops cleanly on Ctrl-C may say 0.
            assert result.returncode in (0, 130), (
                f"{where}: exit {result.returncode}\n{result.stderr}"
            )
        elif fails:
            assert result.returncode != 0, f"{where}: the README shows an error, but it worked"
        else:
            assert result.returncode == 0, f"{where}: exit {result.returncode}\n{result.stderr}"
        # The tool's own one-line messages may go to either stream.
        got_out = [ln for ln in result.stdout.splitlines() if not ln.startswith("logistic-neuron:")]
        if shown_out:
            assert lines_match(shown_out, got_out), (
                f"{where}: the README shows\n" + "\n".join(shown_out) + "\nbut it printed\n"
                + result.stdout
            )  # fmt: skip
        assert appears_in_order(shown_err, result.stderr.splitlines()) or appears_in_order(
            shown_err, result.stdout.splitlines()
        ), (
            f"{where}: the README shows on stderr\n" + "\n".join(shown_err)
            + "\nbut stderr was\n" + result.stderr
        )  # fmt: skip


# --- synopses ------------------------------------------------------------------------------


def check_synopsis(block: Block) -> None:
    import argparse

    from logistic_neuron.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = dict(sub.choices)
    current: argparse.ArgumentParser | None = None
    for line in block.text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "logistic-neuron":
            names = [w for w in words[1:] if not w.startswith(("-", "[", "("))][:1]
            current = None
            for name in re.split(r"\s*\|\s*", " ".join(words[1:]).split("(")[0]):
                name = name.split()[0] if name.split() else ""
                if name and not name.startswith(("-", "[")):
                    assert name in commands, f"README line {block.line}: no command {name!r}"
            if names and names[0] in commands:
                current = commands[names[0]]
        if current is None:
            continue
        known = {s for a in current._actions for s in a.option_strings}
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line):
            assert flag in known, f"README synopsis at line {block.line}: {flag} is not an option"


# --- the tests -----------------------------------------------------------------------------


def kind_of(block: Block) -> str:
    if block.marker in ("skip", "synopsis"):
        return block.marker
    if block.lang in ("python", "py", "pycon"):
        return "python"
    first = next((ln for ln in block.text.splitlines() if ln.strip()), "")
    if first.startswith("$ "):
        return "transcript"
    return "unknown"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_block(block: Block, sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = kind_of(block)
    if kind == "skip":
        pytest.skip(f"README block at line {block.line} is not run: {block.reason}")
    if kind == "synopsis":
        check_synopsis(block)
        return
    if kind == "unknown":
        pytest.fail(
            f"README block at line {block.line} cannot be tested: write it as python, as a "
            "transcript ('$ logistic-neuron ...' lines, output under them), or put "
            "<!-- readme-test: synopsis --> or <!-- readme-test: skip: REASON --> above it"
        )
    needs_course_data(block, sandbox)
    monkeypatch.chdir(sandbox)
    if kind == "python":
        run_python(block, sandbox)
    else:
        run_transcript(block, sandbox)


def test_every_skip_says_why() -> None:
    for block in BLOCKS:
        if block.marker == "skip":
            assert block.reason and len(block.reason) >= 20, (
                f"README block at line {block.line} is skipped without a reason"
            )
        assert block.marker in (None, "skip", "synopsis"), f"unknown marker {block.marker!r}"


def test_the_readme_has_blocks_of_every_kind() -> None:
    kinds = {kind_of(block) for block in BLOCKS}
    assert {"python", "transcript"} <= kinds


@pytest.mark.parametrize(
    ("expected", "got", "same"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a", "..."], ["a", "b", "c"], True),
        (["a", "...", "z"], ["a", "z"], True),
        (["wall time ... s"], ["wall time 1.2 s"], True),
        (["a"], ["a", "extra"], False),
    ],
)
def test_transcript_matching(expected, got, same) -> None:
    assert lines_match(expected, got) is same


def test_transcript_parsing() -> None:
    text = "$ logistic-neuron train \\\n      --out m.npz   # note\nline 1\n^C\n$ pip install x\n"
    steps = transcript_steps(text)
    assert [s.command for s in steps] == ["logistic-neuron train --out m.npz", "pip install x"]
    assert steps[0].expected == ["line 1", "^C"]
