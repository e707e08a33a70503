"""The dual engine for gd and momentum with L2, mini-batches, decay and validation."""

import numpy as np
import pytest

from logistic_neuron.engines.dual_descent import fit_dual_descent
from logistic_neuron.engines.resolver import engine_that_runs, fit
from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.descent import descend
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.storage.checkpoint import Checkpoint, load_checkpoint, save_checkpoint

RNG = np.random.default_rng(11)
# More features than examples, as images are: "auto" picks the dual for these shapes.
PIXELS = RNG.integers(0, 256, size=(300, 60), dtype=np.uint8)
Y = (RNG.random((1, 60)) < 0.4).astype(np.float64)
Y[0, :4] = [0, 1, 0, 1]

RUNS = {
    "gd-l2": TrainingOptions(lambd=0.7),
    "momentum": TrainingOptions(optimizer="momentum", beta1=0.8),
    "momentum-mini-l2-staircase": TrainingOptions(
        optimizer="momentum", batch_size=16, lambd=2.0, decay_rate=0.3, decay_interval=5, seed=3
    ),
    "gd-mini-decay": TrainingOptions(batch_size=7, decay_rate=0.05, seed=1),
    "gd-valid-patience-accuracy": TrainingOptions(
        validation_fraction=0.25, patience=3, monitor="accuracy", seed=2
    ),
    "momentum-valid-l2": TrainingOptions(validation_fraction=0.2, optimizer="momentum", lambd=1.0),
}


#: What a checkpoint of these runs records about them (validated on load).
SETTINGS = {"data": "random", "iterations": 60, "record_every": 5, "learning_rate": 0.01}


def run(engine, options, **kwargs):
    settings = {"num_iterations": 60, "learning_rate": 0.01, "record_every": 5, **kwargs}
    return fit(PIXELS, Y, engine=engine, options=options, **settings)


@pytest.mark.parametrize("options", RUNS.values(), ids=RUNS.keys())
def test_same_run_as_the_primal_loop(options):
    dual, primal = run("dual", options), run("reference", options)
    scale = float(np.max(np.abs(primal.w))) or 1.0
    np.testing.assert_allclose(dual.w, primal.w, rtol=0, atol=1e-12 * scale)
    assert dual.b == pytest.approx(primal.b, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(dual.costs, primal.costs, rtol=1e-12)
    assert dual.w.shape == (300, 1) and dual.w.dtype == np.float64
    assert (dual.iterations_run, dual.stopped_early, dual.best_iteration) == (
        primal.iterations_run,
        primal.stopped_early,
        primal.best_iteration,
    )
    np.testing.assert_array_equal(dual.validation_indices, primal.validation_indices)
    if primal.validation is not None:
        assert dual.validation.accuracies == primal.validation.accuracies
        assert dual.validation.iterations == primal.validation.iterations
        np.testing.assert_allclose(dual.validation.costs, primal.validation.costs, rtol=1e-12)
        # the kept parameters come back as weights, like every engine's
        assert dual.validation.w.shape == (300, 1)
        np.testing.assert_allclose(dual.validation.w, primal.validation.w, atol=1e-12 * scale)


def test_gradients_are_the_last_batch_ones():
    options = RUNS["gd-l2"]
    dual, primal = run("dual", options), run("reference", options)
    np.testing.assert_allclose(dual.gradients["dw"], primal.gradients["dw"], atol=1e-14)
    assert dual.gradients["db"] == pytest.approx(primal.gradients["db"], abs=1e-15)


def test_float32_weights_from_float64_iterations():
    options = RUNS["momentum"]
    single = run("dual", options, dtype="float32")
    double = run("dual", options)
    assert single.w.dtype == np.float32
    np.testing.assert_allclose(single.w, double.w, rtol=1e-5, atol=1e-7)
    assert single.costs == double.costs  # the iterations are the same float64 ones


@pytest.mark.parametrize("options", RUNS.values(), ids=RUNS.keys())
def test_resume_is_bit_for_bit_through_a_checkpoint_file(options, tmp_path):
    states = {}

    def grab(progress):
        states[progress.iteration] = (progress.state, progress.alpha, np.asarray(progress.w))

    full = run("dual", options, callback=grab)
    stops = [i for i in (1, 17, 35) if i in states]
    assert stops, "the run ended before any stop"
    for stop in stops:
        state, alpha, w = states[stop]
        assert state.dual and state.w.shape == alpha.shape
        path = save_checkpoint(
            Checkpoint(w, state.b, stop, tuple(state.costs), SETTINGS, "x", alpha, state),
            tmp_path / "c",
        )
        loaded = load_checkpoint(path).state
        assert loaded.dual
        resumed = run("dual", options, resume=loaded)
        np.testing.assert_array_equal(resumed.w, full.w)
        assert resumed.b == full.b and resumed.costs == full.costs
        assert resumed.iterations_run == full.iterations_run
        assert resumed.best_iteration == full.best_iteration
        if full.validation is not None:
            assert resumed.validation.costs == full.validation.costs
            np.testing.assert_array_equal(resumed.validation.w, full.validation.w)


def test_a_state_resumes_only_on_its_own_engine():
    options = RUNS["momentum"]
    dual_states, primal_states = [], []
    run("dual", options, callback=lambda p: dual_states.append(p.state))
    run("reference", options, callback=lambda p: primal_states.append(p.state))
    with pytest.raises(ValueError, match="resume it with the engine it started with"):
        run("reference", options, resume=dual_states[10])
    with pytest.raises(ValueError, match="resume it with the engine it started with"):
        run("dual", options, resume=primal_states[10])


def test_checkpoint_mixing_weights_and_coefficients_is_refused(tmp_path):
    options = RUNS["momentum"]
    states = []
    run("dual", options, callback=lambda p: states.append(p))
    progress = states[9]
    w = np.asarray(progress.w)
    # A dual state saved without its alpha cannot be resumed.
    path = save_checkpoint(
        Checkpoint(w, progress.b, 10, tuple(progress.costs), SETTINGS, "x", None, progress.state),
        tmp_path / "c",
    )
    from logistic_neuron.errors import ModelFileError

    with pytest.raises(ModelFileError, match="holds no alpha"):
        load_checkpoint(path)


def test_auto_runs_gd_and_momentum_on_the_dual_and_adam_on_the_primal():
    assert engine_that_runs(PIXELS, "float64", 60, "auto", RUNS["momentum"]) == "dual"
    assert engine_that_runs(PIXELS, "float64", 60, "auto", RUNS["gd-valid-patience-accuracy"]) == (
        "dual"
    )
    adam = TrainingOptions(optimizer="adam")
    assert engine_that_runs(PIXELS, "float64", 60, "auto", adam) == "reference"
    # more examples than the dual pays for: the primal loop
    many = RNG.integers(0, 256, size=(3, 400), dtype=np.uint8)
    assert engine_that_runs(many, "float64", 60, "auto", RUNS["momentum"]) == "reference"


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_dual_refuses_rules_that_leave_the_span(optimizer):
    with pytest.raises(ValueError, match=f"optimizer '{optimizer}' does not"):
        run("dual", TrainingOptions(optimizer=optimizer))


def test_dual_starts_from_zero_weights():
    with pytest.raises(ValueError, match="starts from w = 0"):
        run("dual", RUNS["gd-l2"], w=np.ones((300, 1)))


@pytest.mark.filterwarnings("ignore::logistic_neuron.neuron.optimization.CostRoseWarning")
def test_divergence_is_detected():
    with pytest.raises(TrainingDivergedError, match="diverged"):
        run("dual", RUNS["momentum-mini-l2-staircase"], learning_rate=1e6)


def test_direct_call_matches_descend_on_given_validation_examples():
    X = PIXELS / 255
    options = TrainingOptions(optimizer="momentum", batch_size=9, monitor="accuracy", seed=4)
    direct = fit_dual_descent(PIXELS[:, :45], Y[:, :45], options=options, num_iterations=40,
                              learning_rate=0.05, dtype="float64", record_every=4,
                              X_val=PIXELS[:, 45:], Y_val=Y[:, 45:])  # fmt: skip
    primal = descend(np.zeros((300, 1)), 0.0, X[:, :45], Y[:, :45], 40, 0.05, options=options,
                     record_every=4, X_val=X[:, 45:], Y_val=Y[:, 45:])  # fmt: skip
    np.testing.assert_allclose(direct.w, primal.w, atol=1e-12)
    assert direct.validation.accuracies == primal.validation.accuracies
    assert direct.best_iteration == primal.best_iteration


def test_auto_resumes_a_state_on_the_engine_it_came_from():
    # A checkpoint written before gd and momentum ran on the dual (engine "auto", weights
    # in its state) still resumes on the primal loop, bit for bit.
    options = RUNS["momentum-mini-l2-staircase"]
    states = []
    full = run("reference", options, callback=lambda p: states.append(p.state))
    assert engine_that_runs(PIXELS, "float64", 60, "auto", options) == "dual"
    assert engine_that_runs(PIXELS, "float64", 60, "auto", options, resume=states[20]) == (
        "reference"
    )
    resumed = run("auto", options, resume=states[20])
    np.testing.assert_array_equal(resumed.w, full.w)
    assert resumed.costs == full.costs
