"""Update rules against values computed by hand for two or three steps, on every backend."""

import math

import numpy as np
import pytest

from logistic_neuron.neuron.optimizers import (
    OptimizerSettings,
    check_beta,
    check_epsilon,
    initial_state,
    initialize_adam,
    initialize_velocity,
    step,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
    update_parameters_with_rmsprop,
)
from support.arrays import to_host

LR = 0.1
W0, B0 = [1.0, 2.0], 0.5
G1 = ([0.1, -0.2], 0.3)
G2 = ([-0.4, 0.05], -0.1)


def params(xp):
    return {"w": xp.asarray([[W0[0]], [W0[1]]], dtype=xp.float64), "b": B0}


def grads(xp, g):
    return {"dw": xp.asarray([[g[0][0]], [g[0][1]]], dtype=xp.float64), "db": g[1]}


def column(values):
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def test_gd_two_steps(xp):
    p = update_parameters_with_gd(params(xp), grads(xp, G1), LR)
    p = update_parameters_with_gd(p, grads(xp, G2), LR)
    # 1 - 0.1*0.1 - 0.1*(-0.4) = 1.03; 2 + 0.02 - 0.005 = 2.015; 0.5 - 0.03 + 0.01 = 0.48
    np.testing.assert_allclose(to_host(p["w"]), column([1.03, 2.015]), rtol=1e-15)
    assert p["b"] == pytest.approx(0.48, rel=1e-15)


def test_momentum_three_steps(xp):
    p, v = params(xp), initialize_velocity(params(xp))
    for g in (G1, G2, G1):
        p, v = update_parameters_with_momentum(p, grads(xp, g), v, 0.9, LR)
    # v1 = 0.1 g1; v2 = 0.9 v1 + 0.1 g2; v3 = 0.9 v2 + 0.1 g1, each coordinate by hand:
    v1 = [0.01, -0.02, 0.03]
    v2 = [0.009 - 0.04, -0.018 + 0.005, 0.027 - 0.01]  # -0.031, -0.013, 0.017
    v3 = [0.9 * v2[0] + 0.01, 0.9 * v2[1] - 0.02, 0.9 * v2[2] + 0.03]  # -0.0179, -0.0317, 0.0453
    expected = [x0 - LR * (a + b + c) for x0, a, b, c in zip([*W0, B0], v1, v2, v3, strict=True)]
    np.testing.assert_allclose(to_host(v["dw"]), column([-0.0179, -0.0317]), rtol=1e-12)
    assert v["db"] == pytest.approx(0.0453, rel=1e-12)
    np.testing.assert_allclose(to_host(p["w"]), column(expected[:2]), rtol=1e-12)
    assert p["b"] == pytest.approx(expected[2], rel=1e-12)
    # the numbers themselves: w0 = 1 - 0.1 * (0.01 - 0.031 - 0.0179) = 1.00389
    assert expected[0] == pytest.approx(1.00389, rel=1e-12)


def test_rmsprop_two_steps(xp):
    beta2, eps = 0.999, 1e-8
    p, s = params(xp), initialize_velocity(params(xp))
    for g in (G1, G2):
        p, s = update_parameters_with_rmsprop(p, grads(xp, g), s, beta2, LR, eps)
    expected = []
    for k, x0 in enumerate([*W0, B0]):
        g1 = G1[0][k] if k < 2 else G1[1]
        g2 = G2[0][k] if k < 2 else G2[1]
        s1 = 0.001 * g1 * g1
        x1 = x0 - LR * g1 / (math.sqrt(s1) + eps)
        s2 = 0.999 * s1 + 0.001 * g2 * g2
        expected.append(x1 - LR * g2 / (math.sqrt(s2) + eps))
    # w0: 1 - 0.1 * 0.1 / sqrt(1e-5) = -2.16228, then + 0.1 * 0.4 / sqrt(0.00016001) = 0.90568
    assert expected[0] == pytest.approx(0.905680, abs=1e-6)
    np.testing.assert_allclose(to_host(p["w"]), column(expected[:2]), rtol=1e-12)
    assert p["b"] == pytest.approx(expected[2], rel=1e-12)


def test_adam_bias_correction_at_t_1_and_2(xp):
    b1, b2, eps = 0.9, 0.999, 1e-8
    p = params(xp)
    v, s = initialize_adam(p)
    p, v, s, vc, sc = update_parameters_with_adam(p, grads(xp, G1), v, s, 1, LR, b1, b2, eps)
    # t = 1: the corrected moments are exactly the gradient and its square.
    np.testing.assert_allclose(to_host(vc["dw"]), column(G1[0]), rtol=1e-14)
    np.testing.assert_allclose(to_host(sc["dw"]), column(np.square(G1[0])), rtol=1e-12)
    assert vc["db"] == pytest.approx(0.3, rel=1e-14)
    # so the first step is lr * g / (|g| + eps): lr against the gradient's sign.
    np.testing.assert_allclose(to_host(p["w"]), column([0.9, 2.1]), rtol=1e-7)
    assert p["b"] == pytest.approx(0.4, rel=1e-7)
    p, v, s, vc, sc = update_parameters_with_adam(p, grads(xp, G2), v, s, 2, LR, b1, b2, eps)
    # t = 2 by hand for w0: v = 0.09*0.1... = 0.9*0.01 + 0.1*(-0.4) = -0.031, v^ = -0.031/0.19
    v_hat = -0.031 / (1 - 0.81)
    s_raw = 0.999 * 0.001 * 0.01 + 0.001 * 0.16
    s_hat = s_raw / (1 - 0.999**2)
    assert to_host(vc["dw"])[0, 0] == pytest.approx(v_hat, rel=1e-12)
    assert to_host(sc["dw"])[0, 0] == pytest.approx(s_hat, rel=1e-12)
    assert to_host(v["dw"])[0, 0] == pytest.approx(-0.031, rel=1e-12)
    assert to_host(s["dw"])[0, 0] == pytest.approx(s_raw, rel=1e-12)
    assert to_host(p["w"])[0, 0] == pytest.approx(0.9 - LR * v_hat / (math.sqrt(s_hat) + eps))


def test_adam_counts_t_from_one():
    p = params(np)
    v, s = initialize_adam(p)
    with pytest.raises(ValueError, match="starts at 1"):
        update_parameters_with_adam(p, grads(np, G1), v, s, 0)


@pytest.mark.parametrize("name", ["gd", "momentum", "rmsprop", "adam"])
def test_step_matches_course_function(name, xp):
    settings = OptimizerSettings(name, 0.8, 0.99, 1e-7)
    w, b = params(xp)["w"], B0
    state = initial_state(settings, w)
    pc, v, s = params(xp), initialize_velocity(params(xp)), initialize_velocity(params(xp))
    for t, g in enumerate((G1, G2, G1), start=1):
        w, b, state = step(settings, state, w, b, grads(xp, g), LR)
        if name == "gd":
            pc = update_parameters_with_gd(pc, grads(xp, g), LR)
        elif name == "momentum":
            pc, v = update_parameters_with_momentum(pc, grads(xp, g), v, 0.8, LR)
        elif name == "rmsprop":
            pc, s = update_parameters_with_rmsprop(pc, grads(xp, g), s, 0.99, LR, 1e-7)
        else:
            pc, v, s, _, _ = update_parameters_with_adam(
                pc, grads(xp, g), v, s, t, LR, 0.8, 0.99, 1e-7
            )
    assert state.t == 3
    np.testing.assert_array_equal(to_host(w), to_host(pc["w"]))
    assert b == pc["b"]


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan"), "0.9", True])
def test_beta_outside_unit_interval_is_refused(bad):
    with pytest.raises(ValueError, match=r"beta1 must be"):
        check_beta(bad, "beta1")


@pytest.mark.parametrize("bad", [0.0, -1e-8, float("inf"), None])
def test_epsilon_must_be_positive(bad):
    with pytest.raises(ValueError, match="epsilon must be"):
        check_epsilon(bad)


def test_float32_stays_float32():
    w = np.zeros((2, 1), dtype=np.float32)
    settings = OptimizerSettings("adam")
    state = initial_state(settings, w)
    g = {"dw": np.ones((2, 1), dtype=np.float32), "db": 1.0}
    w, _b, state = step(settings, state, w, 0.0, g, 0.01)
    assert w.dtype == np.float32 and state.v_w.dtype == np.float32
