import numpy as np
import pytest

from logistic_neuron.data.loading import load_dataset
from logistic_neuron.engines.resolver import fit
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.pictures.curves import (
    LESSON_ITERATIONS,
    LESSON_LEARNING_RATES,
    RateRun,
    compare_learning_rates,
    default_every,
    overfitting_curve,
    score,
)


@pytest.fixture(scope="module")
def faces():
    data = load_dataset("faces")
    return data.train.pixels(), data.train.Y(), data.test.pixels(), data.test.Y()


def test_lesson_settings():
    assert LESSON_LEARNING_RATES == (0.01, 0.001, 0.0001)
    assert LESSON_ITERATIONS == 1500


def test_overfitting_curve_scores_along_the_way(faces):
    X, Y, X_test, Y_test = faces
    curve = overfitting_curve(X, Y, X_test, Y_test, num_iterations=95, learning_rate=0.01, every=10)
    assert curve.iterations == (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
    # Before training every probability is 0.5, predicted as class 0.
    assert curve.train_accuracy[0] == accuracy(np.zeros_like(Y), Y)
    assert curve.train_cost[0] == pytest.approx(np.log(2)) == curve.test_cost[0]
    # Scoring does not change the training: the same run without it.
    plain = fit(X, Y, num_iterations=95, learning_rate=0.01)
    np.testing.assert_array_equal(curve.result.w, plain.w)
    assert curve.result.costs == plain.costs
    final = score(plain.w, plain.b, X_test / 255.0, Y_test)
    assert curve.final_test_accuracy == final.accuracy
    assert curve.test_cost[-1] == pytest.approx(final.cost)
    assert curve.final_train_accuracy == accuracy(predict(plain.w, plain.b, X / 255.0), Y)
    assert len(set(map(len, (curve.train_accuracy, curve.test_cost, curve.train_cost)))) == 1


def test_best_iteration_is_the_earliest_maximum(faces):
    X, Y, X_test, Y_test = faces
    curve = overfitting_curve(X, Y, X_test, Y_test, num_iterations=200, learning_rate=0.005)
    assert curve.every == default_every(200) == 2
    best = max(curve.test_accuracy)
    assert curve.best_test_accuracy == best
    assert curve.best_index == curve.test_accuracy.index(best)
    assert curve.best_iteration == curve.iterations[curve.best_index]


def test_overfitting_curve_checks_its_inputs(faces):
    X, Y, X_test, Y_test = faces
    with pytest.raises(ValueError, match="features"):
        overfitting_curve(X, Y, X_test[:10], Y_test, num_iterations=5)
    with pytest.raises(ValueError, match="every"):
        overfitting_curve(X, Y, X_test, Y_test, num_iterations=5, every=0)


def test_default_every():
    assert default_every(50) == 1
    assert default_every(2000) == 20


def test_compare_learning_rates_matches_separate_runs(faces):
    X, Y, X_test, Y_test = faces
    comparison = compare_learning_rates(
        X, Y, X_test, Y_test, learning_rates=(0.01, 0.001), num_iterations=250, record_every=50
    )
    assert comparison.learning_rates == (0.01, 0.001)
    assert comparison.num_iterations == 250
    for run in comparison.runs:
        alone = fit(X, Y, num_iterations=250, learning_rate=run.learning_rate, record_every=50)
        assert list(run.costs) == pytest.approx(alone.costs, rel=1e-12)  # K A vs K a rounding
        assert run.cost_iterations == (0, 50, 100, 150, 200)
        assert run.final_cost == pytest.approx(alone.costs[-1], rel=1e-12)
        assert run.train_accuracy == accuracy(predict(alone.w, alone.b, X / 255.0), Y)
        assert run.test_accuracy == accuracy(predict(alone.w, alone.b, X_test / 255.0), Y_test)
        assert not run.diverged and run.flags == ()
    assert comparison.run_for(0.001).learning_rate == 0.001
    with pytest.raises(KeyError):
        comparison.run_for(0.5)


def test_a_diverging_rate_is_flagged_and_the_others_still_run(faces):
    X, Y, X_test, Y_test = faces
    comparison = compare_learning_rates(
        X, Y, X_test, Y_test, learning_rates=(1e307, 0.01), num_iterations=300
    )
    wild, tame = comparison.runs
    assert wild.diverged and "diverged" in wild.message
    assert wild.train_accuracy is None and wild.test_accuracy is None
    assert "diverged" in wild.flags
    assert len(wild.costs) >= 1 and all(np.isfinite(wild.costs))
    assert not tame.diverged and tame.train_accuracy is not None


def test_cost_rose_flag():
    assert RateRun(0.1, (0.7, 0.8, 0.3), 100, 90.0, 80.0).flags == ("cost rose",)
    assert RateRun(0.1, (0.7, 0.5, 0.5), 100, 90.0, 80.0).cost_rose is False
    assert RateRun(0.1, (), 100, None, None, True, "x").final_cost is None


def test_compare_checks_the_rates(faces):
    X, Y, X_test, Y_test = faces
    with pytest.raises(ValueError, match="at least one"):
        compare_learning_rates(X, Y, X_test, Y_test, learning_rates=())
    with pytest.raises(ValueError, match="differ"):
        compare_learning_rates(X, Y, X_test, Y_test, learning_rates=(0.1, 0.1))
    with pytest.raises(ValueError):
        compare_learning_rates(X, Y, X_test, Y_test, learning_rates=(-1.0,))
