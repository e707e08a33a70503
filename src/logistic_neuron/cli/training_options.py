"""The command line's options beyond plain gradient descent, shared by train and compare-optimizers.

``--optimizer``, ``--batch-size``, ``--beta1``, ``--beta2``, ``--epsilon``,
``--l2``, ``--decay``, ``--decay-interval``, ``--validation-fraction``,
``--patience``, ``--monitor``, ``--solver``: each maps to one field of
:class:`~logistic_neuron.neuron.training_options.TrainingOptions` (``--l2`` is
the course's ``lambd``, ``--decay`` its ``decay_rate``). Values out of range are
usage errors (exit code 2), and so are settings that contradict each other
(``--solver lbfgs`` with ``--batch-size``, ``--patience`` without a validation split).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from logistic_neuron.cli.argtypes import parsed, positive_float, positive_int
from logistic_neuron.errors import UsageError
from logistic_neuron.neuron.early_stopping import MONITORS
from logistic_neuron.neuron.optimizers import OPTIMIZERS
from logistic_neuron.neuron.training_options import SOLVERS, TrainingOptions

#: Command-line destination -> TrainingOptions field.
FIELDS = {
    "optimizer": "optimizer",
    "batch_size": "batch_size",
    "beta1": "beta1",
    "beta2": "beta2",
    "epsilon": "epsilon",
    "l2": "lambd",
    "decay": "decay_rate",
    "decay_interval": "decay_interval",
    "validation_fraction": "validation_fraction",
    "patience": "patience",
    "monitor": "monitor",
    "solver": "solver",
}


def beta_value(text: str) -> float:
    """An averaging factor in [0, 1)."""
    value = parsed(text, float, "a number in [0, 1)")
    if not (math.isfinite(value) and 0 <= value < 1):
        raise argparse.ArgumentTypeError(
            f"expected a number in [0, 1) (the weight of the past in the running average), "
            f"got {text!r}; the course uses 0.9 and 0.999"
        )
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    value = parsed(text, float, "a number >= 0")
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def fraction_value(text: str) -> float:
    """A number in [0, 1)."""
    value = parsed(text, float, "a number in [0, 1)")
    if not (math.isfinite(value) and 0 <= value < 1):
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def add_training_options(
    parser: argparse.ArgumentParser, *, optimizer: bool = True, l2: bool = True, solver: bool = True
) -> None:
    """Add the options (all defaulting to None, so that --resume can tell which were given).

    ``optimizer``, ``l2`` and ``solver`` leave out those flags (compare-optimizers
    has its own, taking several values).
    """
    defaults = TrainingOptions()
    if optimizer:
        parser.add_argument(
            "--optimizer",
            choices=OPTIMIZERS,
            help=f"update rule (default {defaults.optimizer}: plain gradient descent)",
        )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="mini-batches of N examples, reshuffled every epoch from --seed; an iteration is "
        "then one epoch (default: full batches)",
    )
    parser.add_argument(
        "--beta1",
        type=beta_value,
        metavar="B",
        help=f"momentum's beta and Adam's beta1, in [0, 1) (default {defaults.beta1})",
    )
    parser.add_argument(
        "--beta2",
        type=beta_value,
        metavar="B",
        help=f"RMSprop's and Adam's beta2, in [0, 1) (default {defaults.beta2})",
    )
    parser.add_argument(
        "--epsilon",
        type=positive_float,
        metavar="E",
        help=f"RMSprop's and Adam's epsilon, > 0 (default {defaults.epsilon:g})",
    )
    if l2:
        parser.add_argument(
            "--l2",
            type=non_negative_float,
            metavar="LAMBDA",
            help="L2 regularisation strength, the course's lambd (default 0: none)",
        )
    parser.add_argument(
        "--decay",
        type=non_negative_float,
        metavar="RATE",
        help="learning-rate decay: rate / (1 + RATE * epoch) (default 0: none)",
    )
    parser.add_argument(
        "--decay-interval",
        type=positive_int,
        metavar="N",
        help="decay once every N epochs, the course's schedule_lr_decay (default: every epoch)",
    )
    parser.add_argument(
        "--validation-fraction",
        type=fraction_value,
        metavar="F",
        help="hold out this share of the training data (stratified, --seed) to pick the best "
        "iteration and stop early; the test set is never looked at (default 0: none)",
    )
    parser.add_argument(
        "--patience",
        type=positive_int,
        metavar="N",
        help="stop after N recorded evaluations without a better validation score "
        "(default: never stop early)",
    )
    parser.add_argument(
        "--monitor",
        choices=MONITORS,
        help=f"validation score that picks the best parameters (default {defaults.monitor})",
    )
    if not solver:
        return
    parser.add_argument(
        "--solver",
        choices=SOLVERS,
        help="descent (the optimisers above) or lbfgs (SciPy's L-BFGS on the same cost, "
        "scikit-learn's tolerances; --iterations is its limit) (default descent)",
    )


def given_options(args: argparse.Namespace) -> list[str]:
    """The option flags given on the command line."""
    return [
        "--" + name.replace("_", "-") for name in FIELDS if getattr(args, name, None) is not None
    ]


def options_from_args(args: argparse.Namespace, seed: int, **overrides: Any) -> TrainingOptions:
    """Build and check the options; contradictions are usage errors (exit code 2)."""
    values = {
        field: getattr(args, name)
        for name, field in FIELDS.items()
        if getattr(args, name, None) is not None
    }
    values.update(overrides)
    try:
        return TrainingOptions(seed=seed, **values).checked()
    except ValueError as exc:
        message = str(exc)
        for name, field in FIELDS.items():
            flag = "--" + name.replace("_", "-")
            message = message.replace(f"drop {field}", f"drop {flag}").replace(
                f"set {field}", f"set {flag}"
            )
        raise UsageError(message) from None
