"""The general loop: plain gd unchanged, resume bit for bit, keep-best, early stopping."""

import dataclasses

import numpy as np
import pytest

from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.descent import descend
from logistic_neuron.neuron.optimization import CostRoseWarning, optimize
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.propagation import cost_from_logits, linear
from logistic_neuron.neuron.training_options import TrainingOptions
from support.arrays import to_host

RNG = np.random.default_rng(0)
X = RNG.normal(size=(5, 30))
Y = (X[0:1] + 0.5 * RNG.normal(size=(1, 30)) > 0).astype(np.float64)
XV = RNG.normal(size=(5, 12))
YV = (XV[0:1] + 0.5 * RNG.normal(size=(1, 12)) > 0).astype(np.float64)
W0 = np.zeros((5, 1))

ALL = [
    TrainingOptions(),
    TrainingOptions(optimizer="momentum", beta1=0.8),
    TrainingOptions(optimizer="rmsprop"),
    TrainingOptions(optimizer="adam", batch_size=7, lambd=0.3, decay_rate=0.01),
    TrainingOptions(optimizer="momentum", batch_size=8, decay_rate=0.5, decay_interval=10),
    TrainingOptions(optimizer="adam", batch_size=4, validation_fraction=0.2, patience=3),
]
IDS = ["gd", "momentum", "rmsprop", "adam-mini-l2-decay", "momentum-staircase", "adam-valid"]


def test_plain_gd_is_optimize_bit_for_bit():
    expected = optimize(W0, 0.0, X, Y, 250, 0.1, record_every=10)
    result = descend(W0, 0.0, X, Y, 250, 0.1, record_every=10)
    np.testing.assert_array_equal(result.w, expected.w)
    assert result.b == expected.b and result.costs == expected.costs


@pytest.mark.parametrize("options", ALL, ids=IDS)
def test_resume_is_bit_for_bit(options):
    lr = 0.01 if options.optimizer in ("rmsprop", "adam") else 0.1
    val = {"X_val": XV, "Y_val": YV} if options.validation_fraction else {}
    states = {}

    def grab(progress):
        states[progress.iteration] = progress.state

    full = descend(W0, 0.0, X, Y, 60, lr, options=options, record_every=5, callback=grab, **val)
    for stop in (1, 17, 35):
        if stop not in states:
            continue
        resumed = descend(
            W0, 0.0, X, Y, 60, lr, options=options, record_every=5, resume=states[stop], **val
        )
        np.testing.assert_array_equal(resumed.w, full.w)
        assert resumed.b == full.b
        assert resumed.costs == full.costs
        assert resumed.iterations_run == full.iterations_run
        if full.validation is not None:
            assert resumed.validation.costs == full.validation.costs
            assert resumed.best_iteration == full.best_iteration


@pytest.mark.parametrize("options", ALL[1:5], ids=IDS[1:5])
def test_every_option_learns(options):
    lr = 0.01 if options.optimizer in ("rmsprop", "adam") else 0.1
    result = descend(W0, 0.0, X, Y, 100, lr, options=options, record_every=10)
    assert result.costs[-1] < 0.7 * result.costs[0]
    assert result.options == options.checked()


def test_recorded_cost_includes_the_penalty():
    options = TrainingOptions(lambd=2.0)
    result = descend(W0, 0.0, X, Y, 11, 0.1, options=options, record_every=10)
    # after 10 steps: the cost of w, b on all examples + lambd/(2m) |w|^2
    partial = descend(W0, 0.0, X, Y, 10, 0.1, options=options, record_every=10)
    expected = cost_from_logits(linear(partial.w, partial.b, X), Y) + 2.0 / 60 * float(
        np.sum(partial.w**2)
    )
    assert result.costs[1] == pytest.approx(expected, rel=1e-14)


def test_keep_best_returns_the_best_iterations_parameters():
    snapshots = {}

    def grab(progress):
        snapshots[progress.iteration] = (progress.w, progress.b)

    options = TrainingOptions(validation_fraction=0.2, keep_best=True)
    result = descend(
        W0, 0.0, X, Y, 300, 2.0, options=options, record_every=20, X_val=XV, Y_val=YV,
        callback=grab,
    )  # fmt: skip
    v = result.validation
    best = int(np.argmin(v.costs))
    assert result.best_iteration == v.iterations[best]
    w, b = snapshots[result.best_iteration] if result.best_iteration else (W0, 0.0)
    np.testing.assert_array_equal(result.w, w)
    assert result.b == b
    # and it really is the best on the validation set
    for it in v.iterations[1:]:
        wi, bi = snapshots[it]
        assert cost_from_logits(linear(wi, bi, XV), YV) >= v.costs[best]
    last = descend(W0, 0.0, X, Y, 300, 2.0, options=dataclasses.replace(options, keep_best=False),
                   record_every=20, X_val=XV, Y_val=YV)  # fmt: skip
    np.testing.assert_array_equal(last.w, snapshots[300][0])


def test_keep_best_by_accuracy():
    options = TrainingOptions(validation_fraction=0.2, monitor="accuracy")
    result = descend(W0, 0.0, X, Y, 200, 1.0, options=options, record_every=10, X_val=XV, Y_val=YV)
    v = result.validation
    assert max(v.accuracies) == accuracy(predict(result.w, result.b, XV), YV)
    # ties keep the earliest evaluation
    assert result.best_iteration == v.iterations[v.accuracies.index(max(v.accuracies))]


def test_early_stopping_after_patience_evaluations():
    # A huge learning rate on separable-ish data overfits the validation cost quickly.
    options = TrainingOptions(validation_fraction=0.2, patience=2)
    result = descend(W0, 0.0, X, Y, 5000, 5.0, options=options, record_every=50, X_val=XV, Y_val=YV)
    v = result.validation
    assert result.stopped_early
    assert result.iterations_run == v.iterations[-1] < 5000
    # stopped exactly when the last `patience` evaluations did not improve on the best
    assert len(v.costs) - 1 - v.costs.index(min(v.costs)) == 2


@pytest.mark.filterwarnings("ignore::logistic_neuron.neuron.optimization.CostRoseWarning")
@pytest.mark.parametrize("name", ["gd", "momentum", "rmsprop", "adam"])
def test_divergence_is_detected_for_each_optimizer(name):
    big = X * 1e150
    with pytest.raises(TrainingDivergedError, match="diverged"):
        descend(W0, 0.0, big, Y, 50, 1e10, options=TrainingOptions(optimizer=name), record_every=1)


def test_rising_cost_diverges_with_momentum():
    with pytest.raises(TrainingDivergedError), pytest.warns(CostRoseWarning):
        descend(W0, 0.0, X * 50, Y, 500, 50.0, options=TrainingOptions(optimizer="momentum"),
                record_every=1)  # fmt: skip


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
def test_every_backend_agrees(name, xp):
    # On Dask every step is a small task graph: fewer, full-batch steps keep it quick.
    lazy = "dask" in xp.__name__
    options = TrainingOptions(optimizer=name, batch_size=None if lazy else 8, lambd=0.1)
    n = 3 if lazy else 20
    ref = descend(W0, 0.0, X, Y, n, 0.01, options=options, record_every=5)
    got = descend(
        xp.asarray(W0), 0.0, xp.asarray(X), xp.asarray(Y), n, 0.01, options=options,
        record_every=5,
    )  # fmt: skip
    np.testing.assert_allclose(to_host(got.w), ref.w, rtol=1e-10, atol=1e-13)
    assert got.costs == pytest.approx(ref.costs, rel=1e-12)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"beta1": 1.0}, "beta1 must be in"),
        ({"beta2": -0.5}, "beta2 must be in"),
        ({"epsilon": 0.0}, "epsilon must be"),
        ({"patience": 0, "validation_fraction": 0.2}, "patience must be at least 1"),
        ({"patience": 3}, "patience needs a validation split"),
        ({"solver": "lbfgs", "batch_size": 10}, "drop batch_size"),
        ({"optimizer": "sgd"}, "unknown optimizer"),
        ({"validation_fraction": 1.0}, "validation_fraction must be in"),
    ],
)
def test_bad_options(change, message):
    with pytest.raises(ValueError, match=message):
        TrainingOptions(**change).checked()


def test_options_record_round_trip():
    options = ALL[5].checked()
    assert TrainingOptions.from_record(options.record()) == options
    with pytest.raises(ValueError, match="unknown training options: momentum"):
        TrainingOptions.from_record({"momentum": 0.9})
