"""L2: cost and gradient against finite differences and the lesson's graph engine."""

import numpy as np
import pytest

from logistic_neuron.lesson.graph import Graph, logistic_loss, sum_nodes
from logistic_neuron.neuron.propagation import propagate
from logistic_neuron.neuron.regularization import check_lambd, l2_cost, l2_gradients
from support.arrays import to_host

RNG = np.random.default_rng(3)
X = RNG.normal(size=(4, 7))
Y = (RNG.random((1, 7)) > 0.5).astype(np.float64)
W = RNG.normal(size=(4, 1))
B = 0.3
LAMBD = 0.7


def regularized(w, b):
    grads, cost = propagate(w, b, X, Y)
    return l2_gradients(grads, w, LAMBD, 7), cost + l2_cost(w, LAMBD, 7)


def test_cost_is_cross_entropy_plus_penalty():
    _, plain = propagate(W, B, X, Y)
    _, cost = regularized(W, B)
    assert cost == pytest.approx(plain + LAMBD / 14 * float(np.sum(W**2)), rel=1e-14)


def test_gradient_matches_finite_differences():
    grads, _ = regularized(W, B)
    eps = 1e-6
    for j in range(4):
        plus, minus = W.copy(), W.copy()
        plus[j, 0] += eps
        minus[j, 0] -= eps
        numeric = (regularized(plus, B)[1] - regularized(minus, B)[1]) / (2 * eps)
        assert grads.dw[j, 0] == pytest.approx(numeric, rel=1e-7, abs=1e-10)
    numeric_b = (regularized(W, B + eps)[1] - regularized(W, B - eps)[1]) / (2 * eps)
    # b is not penalised: its gradient is the plain one.
    assert grads.db == pytest.approx(numeric_b, rel=1e-7)
    assert grads.db == propagate(W, B, X, Y)[0].db


def test_gradient_matches_the_graph_engine():
    g = Graph()
    weights = [g.value(float(W[j, 0]), f"w{j + 1}") for j in range(4)]
    bias = g.value(B, "b")
    losses = []
    for i in range(7):
        z = sum_nodes([*(wj * float(X[j, i]) for j, wj in enumerate(weights)), bias], g)
        losses.append(logistic_loss(z.sigmoid(), float(Y[0, i])))
    penalty = sum_nodes([wj * wj for wj in weights], g) * (LAMBD / (2 * 7))
    J = sum_nodes(losses, g) / 7 + penalty
    J.backward()
    grads, cost = regularized(W, B)
    assert J.value == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(to_host(grads.dw).ravel(), [w.grad for w in weights], rtol=1e-10)
    assert grads.db == pytest.approx(bias.grad, rel=1e-10)


def test_on_every_backend(xp):
    w = xp.asarray(W)
    grads = l2_gradients(propagate(w, B, xp.asarray(X), xp.asarray(Y))[0], w, LAMBD, 7)
    np.testing.assert_allclose(to_host(grads.dw), regularized(W, B)[0].dw, rtol=1e-12)
    assert l2_cost(w, LAMBD, 7) == pytest.approx(l2_cost(W, LAMBD, 7), rel=1e-14)


def test_zero_lambd_changes_nothing():
    grads, _ = propagate(W, B, X, Y)
    assert l2_gradients(grads, W, 0.0, 7) is grads
    assert l2_cost(W, 0.0, 7) == 0.0


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "1", None])
def test_bad_lambd(bad):
    with pytest.raises(ValueError, match="lambd"):
        check_lambd(bad)
