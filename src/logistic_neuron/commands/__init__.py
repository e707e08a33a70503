"""The sub-commands of ``logistic-neuron``, one module each.

Each module provides ``add_parser(subparsers)``; see :mod:`logistic_neuron.cli`.
"""
