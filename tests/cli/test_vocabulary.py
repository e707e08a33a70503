"""One flag vocabulary: every option is in the README's table, has help, and shows its default."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from logistic_neuron.cli.main import build_parser, main
from logistic_neuron.cli.options import DefaultsHelpFormatter

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_HEADING = "### One vocabulary for every command"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def visible_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if a.option_strings and a.help != argparse.SUPPRESS and "--help" not in a.option_strings
    ]


def readme_table_flags() -> set[str]:
    """The flags named in the first column of the README's vocabulary table."""
    text = README.read_text(encoding="utf-8")
    assert TABLE_HEADING in text, f"the README lost its section {TABLE_HEADING!r}"
    section = text.split(TABLE_HEADING, 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    flags: set[str] = set()
    for row in rows:
        first_cell = row.replace("\\|", "/").split("|")[1]
        flags.update(re.findall(r"--[a-z][a-z0-9-]*", first_cell))
    return flags


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_is_in_the_readme_table(name):
    documented = readme_table_flags()
    for action in visible_options(subcommands()[name]):
        for flag in action.option_strings:
            if flag.startswith("--"):
                assert flag in documented, (
                    f"option {flag} of '{name}' is not in the README's table under "
                    f"{TABLE_HEADING!r}: add it there (same idea, same spelling as the others)"
                )


def test_the_readme_table_names_only_real_options():
    real = {
        flag
        for parser in [build_parser(), *subcommands().values()]
        for action in visible_options(parser)
        for flag in action.option_strings
    }
    assert readme_table_flags() - real == set()


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_has_help_that_shows_its_default(name):
    formatter = DefaultsHelpFormatter(prog=name)
    for action in visible_options(subcommands()[name]):
        text = formatter._get_help_string(action)
        assert text and len(text) > 10, f"{name} {action.option_strings} has no help"
        if isinstance(action, argparse._StoreTrueAction):
            continue
        assert "default" in text, f"{name} {action.option_strings}: help does not give a default"


def test_defaults_appear_in_rendered_help():
    help_text = subcommands()["compare-learning-rates"].format_help()
    assert "(default: learning-rates.png)" in " ".join(help_text.split())


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["train", "--model-out", "m.npz"], "out", "m.npz"),
        (["overfitting", "--every", "20"], "record_every", 20),
        (["report", "--every", "20"], "record_every", 20),
        (["vectorization", "--m", "30"], "examples", 30),
        (["report", "--image", "a.png", "--image", "b.png"], "old_images", ["a.png", "b.png"]),
    ],
)
def test_old_spellings_still_work_hidden_and_warn(argv, dest, value, recwarn):
    from logistic_neuron.cli.options import RenamedOptionWarning

    args = build_parser().parse_args(argv)
    assert getattr(args, dest) == value
    assert any(issubclass(w.category, RenamedOptionWarning) for w in recwarn)
    help_text = subcommands()[argv[0]].format_help()
    assert argv[1] + " " not in help_text


def test_old_spelling_warns_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["train", "--iterations", "1", "--model-out", "m.npz", "--json"])
    _, err = capsys.readouterr()
    assert code == 0 and (tmp_path / "m.npz").is_file()
    assert "logistic-neuron: warning: --model-out is now spelled --out" in err


def test_bare_command_prints_help(capsys):
    code = main([])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out.startswith("usage: logistic-neuron")
    for name in subcommands():
        assert name in out
