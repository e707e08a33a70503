"""Helpers for the tests that interrupt a training run and resume it."""

from __future__ import annotations

from logistic_neuron.cli import train


def interrupt_at(monkeypatch, iteration):
    """Make the run stop like Ctrl-C once it reaches ``iteration``."""
    original = train.CostPrinter.__call__

    def interrupted(self, progress):
        original(self, progress)
        if progress.iteration >= iteration:
            raise KeyboardInterrupt

    monkeypatch.setattr(train.CostPrinter, "__call__", interrupted)


def timeless(text):
    """The lines of a run's output but its wall time, which differs from run to run."""
    return [line for line in text.splitlines() if not line.startswith("trained in ")]
