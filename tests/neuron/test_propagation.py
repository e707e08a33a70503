import numpy as np
import pytest

from logistic_neuron.neuron.propagation import (
    Gradients,
    cost_from_logits,
    initialize_with_zeros,
    propagate,
)
from support.arrays import to_host

# The course's test case for propagate().
W = np.array([[1.0], [2.0]])
B = 2.0
X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y = np.array([[1, 0, 1]])


def test_initialize_with_zeros_shapes():
    w, b = initialize_with_zeros(2)
    assert w.shape == (2, 1) and w.dtype == np.float64 and not w.any()
    assert b == 0.0 and isinstance(b, float)
    w32, _ = initialize_with_zeros(5, dtype="float32")
    assert w32.dtype == np.float32


@pytest.mark.parametrize("dim", [0, -1, 2.5, True, "3"])
def test_initialize_with_zeros_rejects_bad_dim(dim):
    with pytest.raises(ValueError, match="dim must be"):
        initialize_with_zeros(dim)


def test_propagate_course_values():
    grads, cost = propagate(W, B, X, Y)
    np.testing.assert_allclose(grads.dw, [[0.99845601], [2.39507239]], rtol=1e-7)
    assert grads.db == pytest.approx(0.001455578136784208, rel=1e-12)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
    assert grads["dw"] is grads.dw and grads["db"] == grads.db
    assert isinstance(grads, Gradients) and isinstance(cost, float) and isinstance(grads.db, float)


def test_propagate_matches_the_naive_formula_float64():
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(7, 11))
    Yr = (rng.random((1, 11)) > 0.5).astype(float)
    w = rng.normal(size=(7, 1))
    A = 1 / (1 + np.exp(-(w.T @ Xr + 0.3)))
    naive_cost = -np.mean(Yr * np.log(A) + (1 - Yr) * np.log(1 - A))
    grads, cost = propagate(w, 0.3, Xr, Yr)
    assert cost == pytest.approx(naive_cost, rel=1e-13)
    np.testing.assert_allclose(grads.dw, Xr @ (A - Yr).T / 11, rtol=1e-13)


def test_propagate_float32_keeps_dtype():
    grads, cost = propagate(W.astype(np.float32), B, X.astype(np.float32), Y)
    assert grads.dw.dtype == np.float32
    assert cost == pytest.approx(5.801545319394553, rel=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cost_finite_when_probabilities_saturate(dtype):
    # z = +-1e4: A rounds to exactly 1 and 0; the naive log(1 - A) would be -inf.
    Z = np.array([[1e4, -1e4, 1e4, -1e4]], dtype=dtype)
    Yz = np.array([[0, 1, 1, 0]], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        cost = cost_from_logits(Z, Yz)
    # Two confident mistakes cost 1e4 each, two confident hits cost ~0.
    assert cost == pytest.approx(5e3, rel=1e-6)


def test_propagate_same_on_every_backend(xp):
    w = xp.asarray(W)
    Xb = xp.asarray(X)
    Yb = xp.asarray(Y)
    grads, cost = propagate(w, B, Xb, Yb)
    np.testing.assert_allclose(to_host(grads.dw), [[0.99845601], [2.39507239]], rtol=1e-7)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
    assert grads.db == pytest.approx(0.001455578136784208, rel=1e-12)


@pytest.mark.parametrize(
    ("w", "b", "Xv", "Yv", "message"),
    [
        (W, B, X.ravel(), Y, "X must have shape"),
        (W, B, X.astype(int), Y, "dtype int64"),
        (W, B, np.where(X > 3, np.nan, X), Y, "NaN or infinite"),
        (W, B, X, Y.ravel(), r"Y must have shape \(1, 3\)"),
        (W, B, X, np.array([[1, 2, 0]]), "only the labels 0 and 1"),
        (W, B, X, np.array([[1, 0.5, 0]]), "only the labels 0 and 1"),
        (W[:1], B, X, Y, r"w must have shape \(2, 1\)"),
        (W.astype(np.float32), B, X, Y, "same dtype"),
        (W, float("inf"), X, Y, "b must be finite"),
        (W, "x", X, Y, "b must be a real number"),
        (W, B, np.zeros((2, 0)), np.zeros((1, 0)), "empty"),
        ([[1.0], [2.0]], B, X, Y, "w must be an array"),
    ],
)
def test_propagate_validates_inputs(w, b, Xv, Yv, message):
    with pytest.raises(ValueError, match=message):
        propagate(w, b, Xv, Yv)
