"""The ``logistic-neuron`` command line: the top of the package, and thin.

* :mod:`~logistic_neuron.cli.main`: the parser, dispatch, exit codes and one-line errors;
* :mod:`~logistic_neuron.cli.options`: the one flag vocabulary every sub-command uses
  (``--model``, ``--out``, ``--plots``, ``--record-every``, ``--json`` ..., with hidden old
  spellings) and help that shows defaults;
* :mod:`~logistic_neuron.cli.output`: standard output whose reader may leave (``| head``);
* :mod:`~logistic_neuron.cli.argtypes`: argument types; :mod:`~logistic_neuron.cli.progress`:
  progress output on a terminal; :mod:`~logistic_neuron.cli.common` and
  :mod:`~logistic_neuron.cli.figure_options`: options several commands share;
* one module per sub-command (``train``, ``predict``, ``evaluate``, ``graph``,
  ``vectorization``, ``gradcheck``, ``compare-learning-rates``, ``overfitting``, ``report``,
  ``serve``).

May import: anything in the package. Nothing imports it. It does no maths:
each sub-command parses, calls the rooms below, and prints.
"""

from logistic_neuron.cli.main import entry_point, main

__all__ = ["entry_point", "main"]
