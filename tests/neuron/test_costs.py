"""Recorded costs grow in amortised O(1): snapshots are views, checks are constant time."""

import tracemalloc

import numpy as np

from logistic_neuron.neuron.costs import CostLog, CostSnapshot
from logistic_neuron.neuron.optimization import optimize


def test_snapshots_do_not_change_when_the_log_grows():
    log = CostLog([0.7, 0.6])
    snap = log.snapshot()
    log.append(0.5)
    assert snap == (0.7, 0.6) and len(snap) == 2 and snap[-1] == 0.6
    assert log.snapshot() == [0.7, 0.6, 0.5]
    assert snap[0:1] == (0.7,)


def test_first_rise_is_said_once():
    log = CostLog([0.7])
    facts = []
    for cost in (0.6, 0.8, 0.9, 0.5, 0.95):
        log.append(cost)
        facts.append(log.first_rise)
    assert facts == [False, True, False, False, False]


def test_a_snapshot_per_record_stays_linear_in_memory():
    # A cost recorded at every iteration and a snapshot handed out at each: copying
    # all costs each time would keep n^2 / 2 references (20000 -> 1.6 GB);
    # views of one list keep it linear (about 2.5 MB here).
    log = CostLog()
    kept = []
    tracemalloc.start()
    for i in range(20_000):
        log.append(1.0 / (i + 1))
        kept.append(log.snapshot())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8_000_000, peak
    assert len(kept[9]) == 10 and kept[-1][-1] == 1.0 / 20_000


def test_optimize_hands_callbacks_views():
    X = np.linspace(-1, 1, 20).reshape(2, 10)
    Y = (X[:1] > 0).astype(float)
    kept = []
    result = optimize(np.zeros((2, 1)), 0.0, X, Y, 30, 0.1, record_every=1, callback=kept.append)
    assert isinstance(kept[0].costs, CostSnapshot)
    assert kept[9].costs == tuple(result.costs[:10])
