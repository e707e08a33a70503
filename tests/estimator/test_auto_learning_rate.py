"""learning_rate="auto": a step from the data with which the cost never rises."""

import itertools

import numpy as np
import pytest

from logistic_neuron.engines import step_size
from logistic_neuron.engines.step_size import auto_learning_rate, curvature_bound
from logistic_neuron.estimator import LogisticNeuronClassifier


def problem(scale, offset=3.0, seed=0, n=200, n_features=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(int)
    return (X + offset) * scale, y


def largest_eigenvalue(X_rows):
    extended = np.hstack([X_rows, np.ones((X_rows.shape[0], 1))])
    return np.linalg.eigvalsh(extended.T @ extended)[-1]


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "norm-bound"])
@pytest.mark.parametrize("scale", [1e3, 1.0, 1e-3])
def test_auto_rate_never_raises_the_cost(scale, exact, monkeypatch):
    if not exact:
        monkeypatch.setattr(step_size, "EXACT_MAX_SIDE", 0)
    X, y = problem(scale)
    clf = LogisticNeuronClassifier(num_iterations=400, record_every=1).fit(X, y)
    costs = clf.costs_
    assert len(costs) == 400 and np.all(np.isfinite(costs))
    assert all(later <= earlier for earlier, later in itertools.pairwise(costs))
    assert costs[-1] < costs[0]


@pytest.mark.parametrize("scale", [1e3, 1e-3])
def test_the_auto_rate_is_one_over_the_curvature(scale):
    X, y = problem(scale)
    clf = LogisticNeuronClassifier(num_iterations=10).fit(X, y)
    assert clf.learning_rate_ == pytest.approx(4 * len(X) / largest_eigenvalue(X), rel=1e-5)


def test_auto_rate_learns_features_in_the_thousands():
    # With the course's 0.005 these features (about +-1000) end at a cost of 25 or
    # more; the auto rate (3.3e-6 here) learns them as well as unit-scale ones.
    X, y = problem(1e3, offset=0.0)
    scaled_up = LogisticNeuronClassifier(num_iterations=300).fit(X, y)
    unit = LogisticNeuronClassifier(num_iterations=300).fit(X / 1e3, y)
    assert scaled_up.learning_rate_ < 1e-5
    assert scaled_up.costs_[-1] < 0.2 and scaled_up.score(X, y) > 0.9
    assert scaled_up.costs_[-1] == pytest.approx(unit.costs_[-1], rel=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_the_bound_is_above_the_largest_eigenvalue(seed):
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(50, 8)) * rng.uniform(0.01, 100, size=8)
    truth = largest_eigenvalue(rows)
    exact = curvature_bound(rows.T)
    assert truth <= exact <= truth * (1 + 2e-6)
    step_size.EXACT_MAX_SIDE, saved = 0, step_size.EXACT_MAX_SIDE
    try:
        loose = curvature_bound(rows.T)
    finally:
        step_size.EXACT_MAX_SIDE = saved
    assert loose >= truth


def test_pixels_are_read_as_x_over_255_and_wide_data_uses_the_small_gram():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(30, 700), dtype=np.uint8)  # 30 features, 700 examples
    assert curvature_bound(pixels) == pytest.approx(curvature_bound(pixels / 255.0), rel=1e-12)
    wide = rng.normal(size=(700, 20))  # 700 features, 20 examples: the 20 x 20 Gram matrix
    assert curvature_bound(wide) == pytest.approx(largest_eigenvalue(wide.T), rel=2e-6)
    assert auto_learning_rate(wide) == pytest.approx(4 * 20 / curvature_bound(wide))
