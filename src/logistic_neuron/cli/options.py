"""The command line's one flag vocabulary: the same idea is spelled the same way everywhere.

Every sub-command builds its options from the helpers here, so a new command
(or a new flag on an old one) follows the table the README shows under
"One vocabulary for every command":

* ``--model PATH`` reads a model (default ``model.npz``, what ``train`` writes);
* ``--out PATH`` is the one file a command makes (model, picture, page);
* ``--plots DIR`` is a folder for the pictures made besides it (``--plot-format``);
* images to classify or explain are positional ``IMAGE ...`` arguments;
* ``--data SOURCE`` / ``--test SOURCE`` are labelled data;
* ``--record-every N`` is how often something is recorded along training;
* ``--examples N`` is how many examples a command uses;
* ``--json`` prints one JSON object on standard output instead of text.

Old spellings users may have in scripts (``--model-out``, ``--every``,
``--image``, ``--explain``, ``--m``) still work for one release as hidden
aliases (:class:`RenamedOption`): they are left out of ``--help`` and print a
one-line warning naming the new spelling. :class:`DefaultsHelpFormatter` makes
every option's help show its default.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable, Sequence
from typing import Any

#: The model file ``train`` writes and ``predict``, ``evaluate`` and ``report`` read.
DEFAULT_MODEL = "model.npz"

#: Defaults that are not worth printing after an option's help.
_SILENT_DEFAULTS = (None, False, argparse.SUPPRESS)


class RenamedOptionWarning(UserWarning):
    """An option was given with a spelling that will be removed in the next release."""


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Help that ends every option's text with its default, unless the text names it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            action.option_strings
            # ``is``: 0 == False, and a default of 0 is worth showing.
            and not any(action.default is silent for silent in _SILENT_DEFAULTS)
            and action.default != []
            and "default" not in text
            and "%(default)" not in text
        ):
            text += " (default: %(default)s)"
        return text


class RenamedOption(argparse.Action):
    """A hidden old spelling of an option: it works, warns once, and is not in ``--help``.

    Parameters
    ----------
    new : str
        The spelling to use instead, named in the warning.
    append : bool
        Append the value to a list (for repeatable options) instead of storing it.
    """

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str,
        *,
        new: str,
        append: bool = False,
        **kwargs: Any,
    ) -> None:
        self.new = new
        self.append = append
        kwargs["help"] = argparse.SUPPRESS
        kwargs["default"] = argparse.SUPPRESS
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        warnings.warn(
            f"{option_string} is now spelled {self.new}; the old spelling will be removed "
            "in the next release",
            RenamedOptionWarning,
            stacklevel=2,
        )
        if self.append:
            items = list(getattr(namespace, self.dest, None) or [])
            items.append(values)
            values = items
        setattr(namespace, self.dest, values)


def add_renamed(
    parser: argparse.ArgumentParser,
    old: str,
    new: str,
    *,
    dest: str,
    type: Callable[[str], Any] | None = None,
    append: bool = False,
    nargs: int | str | None = None,
) -> None:
    """Keep ``old`` as a hidden alias of ``new`` (stored in ``dest``) for one release."""
    extra: dict[str, Any] = {} if type is None else {"type": type}
    parser.add_argument(
        old, dest=dest, action=RenamedOption, new=new, append=append, nargs=nargs, **extra
    )


def add_model_input(parser: argparse.ArgumentParser) -> None:
    """``--model PATH``: the model to read, by default the one ``train`` writes."""
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="PATH",
        help="the model file to use, as written by train",
    )


def add_out(
    parser: argparse.ArgumentParser,
    *,
    what: str,
    default: str | None,
    type: Callable[[str], Any] | None = None,
    metavar: str = "PATH",
) -> None:
    """``--out PATH``: where the one file the command makes goes.

    ``type`` checks the path while the command line is parsed (ending,
    writable folder); with a ``default`` it is applied to the default too.
    """
    if type is None:
        parser.add_argument(
            "--out", default=default, metavar=metavar, help=f"where to write {what}"
        )
    else:
        parser.add_argument(
            "--out", default=default, type=type, metavar=metavar, help=f"where to write {what}"
        )


def add_images(parser: argparse.ArgumentParser, *, required: bool, what: str) -> None:
    """Positional ``IMAGE ...``: the image files a command classifies or explains."""
    parser.add_argument(
        "images", nargs="+" if required else "*", metavar="IMAGE", help=f"image files {what}"
    )


def add_record_every(
    parser: argparse.ArgumentParser,
    *,
    default: int | None,
    what: str,
    old: str | None = None,
) -> None:
    """``--record-every N``: how often something is recorded along training."""
    from logistic_neuron.cli.argtypes import positive_int

    parser.add_argument(
        "--record-every", type=positive_int, default=default, metavar="N", help=what
    )
    if old is not None:
        add_renamed(parser, old, "--record-every", dest="record_every", type=positive_int)


def add_json(parser: argparse.ArgumentParser) -> None:
    """``--json``: one JSON object on standard output instead of text."""
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def open_model(path: str) -> Any:
    """Load the ``--model`` file; a missing default says how to make one.

    Returns
    -------
    TrainedModel
    """
    from pathlib import Path

    from logistic_neuron.errors import ModelFileError
    from logistic_neuron.storage.model_file import load_model

    if path == DEFAULT_MODEL and not Path(path).exists():
        raise ModelFileError(
            f"model file not found: {path} (the default --model); train one first with "
            "'logistic-neuron train', or give --model PATH"
        )
    return load_model(path)
