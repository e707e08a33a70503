"""Runs with options beyond plain gd take the primal path; the validation split."""

import numpy as np
import pytest

from logistic_neuron.engines.general import validation_split
from logistic_neuron.engines.resolver import engine_that_runs, fit
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.training_options import TrainingOptions

RNG = np.random.default_rng(5)
PIXELS = RNG.integers(0, 256, size=(12, 40), dtype=np.uint8)
Y = np.array([[0, 1] * 20], dtype=np.float64)


def test_validation_split_is_stratified_seeded_and_disjoint():
    options = TrainingOptions(validation_fraction=0.25, seed=3)
    kept, held = validation_split(Y, options)
    assert len(held) == 10 and len(kept) == 30
    assert set(kept).isdisjoint(held) and sorted([*kept, *held]) == list(range(40))
    assert Y[0, held].sum() == 5  # each class keeps its share
    again = validation_split(Y, options)
    np.testing.assert_array_equal(again[1], held)
    other = validation_split(Y, TrainingOptions(validation_fraction=0.25, seed=4))
    assert not np.array_equal(other[1], held)


def test_too_small_for_validation():
    with pytest.raises(DataError, match="too few training examples"):
        validation_split(np.array([[0.0, 1.0]]), TrainingOptions(validation_fraction=0.5))


def test_fit_trains_without_the_validation_examples():
    options = TrainingOptions(validation_fraction=0.25, optimizer="adam")
    result = fit(PIXELS, Y, num_iterations=30, learning_rate=0.01, options=options, record_every=10)
    assert len(result.train_indices) == 30 and len(result.validation_indices) == 10
    # the same run on the kept columns alone, with the validation columns given as such
    from logistic_neuron.neuron.descent import descend

    X = PIXELS / 255
    k, h = result.train_indices, result.validation_indices
    direct = descend(np.zeros((12, 1)), 0.0, X[:, k], Y[:, k], 30, 0.01, options=options,
                     record_every=10, X_val=X[:, h], Y_val=Y[:, h])  # fmt: skip
    # (equal up to BLAS's summation order on differently laid-out copies)
    np.testing.assert_allclose(result.w, direct.w, rtol=1e-12)
    assert result.validation.costs == pytest.approx(direct.validation.costs, rel=1e-12)


def test_engine_recorded_for_each_path():
    assert engine_that_runs(PIXELS, "float64", 10, "auto", TrainingOptions()) in (
        "reference",
        "numba",
        "numpy-blocked",
    )
    assert (
        engine_that_runs(PIXELS, "float64", 10, "auto", TrainingOptions(lambd=1.0)) == "reference"
    )
    assert (
        engine_that_runs(PIXELS, "float64", 10, "auto", TrainingOptions(solver="lbfgs")) == "lbfgs"
    )


def test_lbfgs_through_fit():
    pytest.importorskip("scipy")
    result = fit(PIXELS, Y, num_iterations=50, learning_rate=0.01,
                 options=TrainingOptions(solver="lbfgs", lambd=1.0))  # fmt: skip
    assert result.record_every == 1 and result.costs[-1] < result.costs[0]
    assert result.iterations_run == len(result.costs) - 1


def test_plain_options_keep_the_fast_engines_results():
    plain = fit(PIXELS, Y, num_iterations=20, learning_rate=0.01, options=TrainingOptions())
    default = fit(PIXELS, Y, num_iterations=20, learning_rate=0.01)
    np.testing.assert_array_equal(plain.w, default.w)
