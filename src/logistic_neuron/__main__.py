"""``python -m logistic_neuron`` runs the command line."""

from logistic_neuron.cli.main import entry_point

entry_point()
