"""The command line imports only the sub-command it runs."""

from __future__ import annotations

from logistic_neuron.cli.main import COMMAND_HELP, COMMAND_MODULES, build_parser, command_named


def registered_help(parser=None) -> dict[str, str]:
    parser = parser or build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {action.dest: action.help for action in sub._choices_actions}


def test_the_help_table_is_what_the_modules_register():
    assert registered_help() == COMMAND_HELP
    assert tuple(COMMAND_HELP) == COMMAND_MODULES


def test_command_named():
    assert command_named(["--debug", "train", "--iterations", "5"]) == "train"
    assert command_named(["--help"]) is None
    assert command_named(["bogus"]) is None


def test_lazy_parser_lists_every_command_and_parses_the_chosen_one():
    lazy = build_parser(["--help"])
    assert registered_help(lazy) == COMMAND_HELP
    assert "compare-learning-rates" in lazy.format_help()
    args = build_parser(["train"]).parse_args(["train", "--iterations", "7"])
    assert args.iterations == 7 and callable(args.run)
