import warnings

import numpy as np
import pytest

from logistic_neuron.neuron.activation import sigmoid, softplus
from support.arrays import to_host


def test_sigmoid_course_values():
    # The course's check: sigmoid([0, 2]) = [0.5, 0.88079708]
    np.testing.assert_allclose(sigmoid(np.array([0.0, 2.0])), [0.5, 0.88079708], rtol=1e-8)


def test_sigmoid_matches_definition_where_it_is_safe():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_extreme_z_no_warnings(dtype):
    z = np.array([-1e4, -745.0, -100.0, 0.0, 100.0, 745.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            out = sigmoid(z)
    assert out.dtype == np.dtype(dtype)
    assert out[0] == 0.0 and out[-1] == 1.0 and out[3] == 0.5
    assert np.all(np.diff(out) >= 0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_is_stable_and_exact(dtype):
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = softplus(z)
    assert np.all(np.isfinite(out))
    assert out[-1] == pytest.approx(1e4)
    assert out[2] == pytest.approx(np.log(2.0))
    assert out[0] == pytest.approx(0.0, abs=1e-30)


def test_sigmoid_on_every_backend(xp):
    z = xp.asarray([-3.0, 0.0, 3.0], dtype=xp.float64)
    np.testing.assert_allclose(to_host(sigmoid(z)), 1 / (1 + np.exp(-np.array([-3.0, 0.0, 3.0]))))
