import numpy as np
import pytest

from logistic_neuron.lesson.per_example import per_example_propagate
from logistic_neuron.neuron.propagation import propagate


def assert_agree(w, b, X, Y, tol=1e-12):
    g1, c1 = per_example_propagate(w, b, X, Y)
    g2, c2 = propagate(w, b, X, Y)
    assert g1.dw.shape == g2.dw.shape
    assert np.max(np.abs(np.asarray(g1.dw) - np.asarray(g2.dw))) <= tol
    assert abs(g1.db - g2.db) <= tol
    assert abs(c1 - c2) <= tol


def test_course_example():
    w, b = np.array([[1.0], [2.0]]), 2.0
    X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    Y = np.array([[1, 0, 1]])
    grads, cost = per_example_propagate(w, b, X, Y)
    np.testing.assert_allclose(grads.dw.ravel(), [0.99845601, 2.39507239], rtol=1e-7)
    assert grads.db == pytest.approx(0.00145558, abs=1e-8)
    assert cost == pytest.approx(5.80154532, abs=1e-8)


@pytest.mark.parametrize(("n_x", "m"), [(1, 1), (2, 5), (7, 40), (300, 13)])
def test_agrees_with_propagate_on_random_data(n_x, m):
    rng = np.random.default_rng(n_x * 1000 + m)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    w = rng.normal(size=(n_x, 1)) / np.sqrt(n_x)
    assert_agree(w, float(rng.normal()), X, Y)


def test_saturated_neuron_stays_finite():
    X = np.array([[50.0, -50.0]])
    Y = np.array([[0.0, 1.0]])
    assert_agree(np.array([[1.0]]), 0.0, X, Y)


def test_agrees_on_course_data(course_data_dir):
    from logistic_neuron.data.course_h5 import load_h5_split

    split, _ = load_h5_split(course_data_dir / "train_catvnoncat.h5")
    X, Y = split.X(), split.Y()
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.01, size=(X.shape[0], 1))
    assert_agree(w, 0.1, X[:, :60], Y[:, :60])


def test_float32_returns_w_dtype():
    X = np.ones((3, 2), dtype=np.float32)
    grads, _ = per_example_propagate(np.zeros((3, 1), np.float32), 0.0, X, np.array([[0, 1]]))
    assert grads.dw.dtype == np.float32


def test_invalid_input():
    with pytest.raises(ValueError, match="shape"):
        per_example_propagate(np.zeros((2, 1)), 0.0, np.zeros((3, 2)), np.array([[0, 1]]))


def test_array_api_strict():
    xps = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 6))
    Y = (rng.random((1, 6)) < 0.5).astype(np.float64)
    w = rng.normal(size=(4, 1))
    grads, cost = per_example_propagate(xps.asarray(w), 0.2, xps.asarray(X), xps.asarray(Y))
    ref, ref_cost = propagate(w, 0.2, X, Y)
    np.testing.assert_allclose(np.asarray(grads.dw), ref.dw, atol=1e-12)
    assert cost == pytest.approx(ref_cost, abs=1e-12)
