"""The ``logistic-neuron`` command line: argument parsing and error reporting.

Each sub-command lives in its own module under :mod:`logistic_neuron.cli`
and provides ``add_parser(subparsers)``, which registers the command and sets
``run`` (a function ``argparse.Namespace -> int``) as its default. This module
only dispatches and turns errors into one line on stderr and an exit code:

* 0: success;
* 1: the job failed (bad data, unreadable file, divergence ...);
* 2: usage error (unknown option, invalid value);
* 130: interrupted with Ctrl-C.

A closed standard output (``logistic-neuron train | head -3``) is not an
error: printing stops, the command finishes its work (the model is saved) and
exits with its own code, silently (:mod:`logistic_neuron.cli.output`).

``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn, TextIO

from logistic_neuron.cli.output import stdout_reader_may_leave
from logistic_neuron.errors import LogisticNeuronError, UsageError

PROG = "logistic-neuron"

#: Sub-command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "train",
    "pack",
    "predict",
    "evaluate",
    "graph",
    "vectorization",
    "gradcheck",
    "compare-learning-rates",
    "compare-optimizers",
    "overfitting",
    "report",
    "serve",
)

#: Each sub-command's one-line help, for the top-level ``--help`` without importing
#: every command module (and the numerical stack behind them): ``logistic-neuron
#: --help`` then costs about a Python start-up. tests/cli/test_lazy_commands.py checks
#: that these are the lines the modules register.
COMMAND_HELP = {
    "train": "train a model and save it",
    "pack": "decode a data set once into a chunked, compressed Zarr store",
    "predict": "classify images with a saved model",
    "evaluate": "score a saved model on labelled data",
    "graph": "show a computation graph with values and derivatives",
    "vectorization": "time the lesson's for-loop against vectorised propagate",
    "gradcheck": "check the backward pass against finite differences and the graph engine",
    "compare-learning-rates": "train one model per learning rate and plot their costs together",
    "compare-optimizers": "train with several optimisers and L2 strengths, plot cost against "
    "iterations and seconds",
    "overfitting": "plot train and test accuracy and cost along training",
    "report": "write one self-contained HTML page about a model",
    "serve": "serve the web page: try your own photo, watch the neuron learn",
}

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and do not call ``sys.exit``.

    Its help shows every option's default
    (:class:`~logistic_neuron.cli.options.DefaultsHelpFormatter`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from logistic_neuron.cli.options import DefaultsHelpFormatter

        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def command_named(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names (its first word that is not an option), if known."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMAND_HELP else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> OneLineParser:
    """Build the parser: every sub-command, or only the one ``argv`` names.

    With ``argv``, only the module of the sub-command it names is imported; the
    others are registered by name and one-line help (:data:`COMMAND_HELP`), which
    is all the top-level help and argparse's "invalid choice" message need.
    """
    from logistic_neuron.version import __version__

    parser = OneLineParser(
        prog=PROG,
        description="Logistic regression as a neural network: train, predict, explain.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when something fails"
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    # No sub-command at all prints the help (see main), not an error line.
    subparsers.required = False
    chosen = None if argv is None else command_named(argv)
    for name in COMMAND_MODULES:
        if argv is None or name == chosen:
            module = importlib.import_module(f"logistic_neuron.cli.{name.replace('-', '_')}")
            module.add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=COMMAND_HELP[name])
    return parser


def error_line(message: str) -> str:
    """Format a one-line error message."""
    from logistic_neuron.data.shown_text import shown  # lazily: data loads Pillow

    first = " ".join(str(message).split())
    # Messages quote file and class names: their control characters are shown, not obeyed.
    return f"{PROG}: error: {shown(first)}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` when omitted).

    Returns
    -------
    int
        The exit code; nothing here calls ``sys.exit`` except ``--help``
        and ``--version`` (argparse's own exit with code 0).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        parser = build_parser(args_list)
        with warnings.catch_warnings():
            # Warnings (e.g. a skipped .DS_Store, an old option spelling) reach the
            # user as one line each.
            warnings.simplefilter("always")
            warnings.showwarning = show_warning
            # A reader that leaves early (``| head``) stops the printing, not the work.
            with stdout_reader_may_leave():
                args = parser.parse_args(args_list)
                if args.command is None:
                    # A bare ``logistic-neuron`` is someone finding their way: show the way.
                    parser.print_help()
                    return EXIT_OK
                return int(args.run(args))
    except UsageError as exc:
        if debug:
            traceback.print_exc()
        print(error_line(str(exc)), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # A second Ctrl-C while saying so must not end in a traceback.
        with _interrupts_ignored():
            print(f"{PROG}: interrupted; nothing half-written was left behind", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (LogisticNeuronError, ValueError, OSError, MemoryError) as exc:
        if debug:
            traceback.print_exc()
        code = getattr(exc, "exit_code", EXIT_FAILURE)
        message = str(exc) or type(exc).__name__
        if isinstance(exc, OSError) and not isinstance(exc, LogisticNeuronError):
            message = describe_os_error(exc)
        elif isinstance(exc, MemoryError):
            message = (
                f"not enough memory for this job ({message}); use smaller images or data, "
                "or a machine with more memory"
            )
        print(error_line(message), file=sys.stderr)
        return code


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
    **_: Any,
) -> None:
    """Print a warning as one line on stderr (no source line, no file name)."""
    from logistic_neuron.data.shown_text import shown

    text = " ".join(str(message).split())
    print(f"{PROG}: warning: {shown(text)}", file=sys.stderr)


def describe_os_error(exc: OSError) -> str:
    """A one-line description of a file-system error."""
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{reason}: {exc.filename}"
    return reason


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C for the block (main thread only; elsewhere it runs as is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _terminate(signum: int, frame: object) -> None:
    # A polite kill (SIGTERM) unwinds like Ctrl-C: temporary files are removed
    # and the previous model or checkpoint stays intact.
    raise KeyboardInterrupt


def entry_point() -> NoReturn:
    """Console-script entry point (also turns SIGTERM into a clean interruption)."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
