"""The course's containers: what a learner's notebook and the assignment's tests rely on.

Every type, key, shape and value the assignment's published tests and its
notebook checks look at, on NumPy (where the course asks for NumPy types) and
on every backend where the check applies. The inputs and expected numbers are
the course's own test cases.
"""

import copy
import pickle

import numpy as np
import pytest

from logistic_neuron import (
    Gradients,
    OptimizationResult,
    initialize_with_zeros,
    optimize,
    predict,
    propagate,
    sigmoid,
)
from support.arrays import to_host

#: The course prints its expected values to 8 decimals: compare to that.
EIGHT_DIGITS = {"rtol": 0, "atol": 5e-9}

# The notebook's example for propagate and optimize: 2 features, 3 examples.
NB_W = np.array([[1.0], [2.0]])
NB_B = 1.5
NB_X = np.array([[1.0, -2.0, -1.0], [3.0, 0.5, -3.2]])
NB_Y = np.array([[1, 1, 0]])


# --- sigmoid ---------------------------------------------------------------------------------


def test_sigmoid_of_an_integer_array_is_a_numpy_array():
    out = sigmoid(np.array([0, 2]))
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, [0.5, 0.88079708], **EIGHT_DIGITS)
    assert str(out) == "[0.5        0.88079708]"  # what the notebook prints


@pytest.mark.parametrize("z", [1, 1.0, np.float64(1.0)])
def test_sigmoid_of_a_scalar_is_a_numpy_float64(z):
    out = sigmoid(z)
    assert type(out) is np.float64
    assert out == pytest.approx(0.7310585786300049, rel=1e-15)


@pytest.mark.parametrize("z", [[0, 2], (0.0, 2.0), [[0.0], [2.0]]])
def test_sigmoid_of_a_list_is_a_numpy_array(z):
    out = sigmoid(z)
    assert type(out) is np.ndarray and out.dtype == np.float64
    np.testing.assert_allclose(out.ravel(), [0.5, 0.8807970779778823], rtol=1e-15)
    assert out.shape == np.shape(z)


def test_sigmoid_of_a_float_array_keeps_shape_and_dtype():
    out = sigmoid(np.array([0.5, 0, 2.0]))
    np.testing.assert_allclose(out, [0.62245933, 0.5, 0.88079708], **EIGHT_DIGITS)
    assert sigmoid(np.zeros((2, 3), np.float32)).dtype == np.float32


def test_sigmoid_on_every_backend_takes_integers_too(xp):
    out = sigmoid(xp.asarray([0, 2]))
    assert type(out) is type(xp.asarray([0.0]))
    assert str(out.dtype).endswith("float64")
    np.testing.assert_allclose(to_host(out), [0.5, 0.8807970779778823], rtol=1e-15)


# --- initialize_with_zeros -------------------------------------------------------------------


@pytest.mark.parametrize("dim", [2, 3, 4])
def test_initialize_with_zeros_returns_a_numpy_column_and_a_python_float(dim):
    w, b = initialize_with_zeros(dim)
    assert type(b) is float and b == 0.0
    assert type(w) is np.ndarray and w.shape == (dim, 1)
    np.testing.assert_array_equal(w, np.zeros((dim, 1)))
    assert str(b) == "0.0"


def test_initialize_with_zeros_on_every_backend(xp):
    w, b = initialize_with_zeros(3, xp=xp)
    assert type(b) is float and b == 0.0
    assert type(w) is type(xp.asarray([0.0])) and tuple(w.shape) == (3, 1)
    np.testing.assert_array_equal(to_host(w), np.zeros((3, 1)))


# --- propagate -------------------------------------------------------------------------------

# The assignment's published case: 3 features, 4 examples.
PT_W = np.array([[1.0], [2.0], [-1]])
PT_B = 2.5
PT_X = np.array([[1.0, 2.0, -1.0, 0], [3.0, 4.0, -3.2, 1], [3.0, 4.0, -3.2, -3.5]])
PT_Y = np.array([[1, 1, 0, 0]])
PT_DW = [[-0.03909333], [0.12501464], [-0.99960809]]
PT_DB = 0.288106326429569
PT_COST = 2.0424567983978403


def test_propagate_returns_the_courses_dict_and_numpy_scalars():
    result = propagate(PT_W, PT_B, PT_X, PT_Y)
    assert type(result) is tuple and len(result) == 2
    grads, cost = result
    assert isinstance(grads, dict) and set(grads) == {"dw", "db"}
    assert type(grads["dw"]) is np.ndarray and grads["dw"].shape == PT_W.shape
    np.testing.assert_allclose(grads["dw"], PT_DW, **EIGHT_DIGITS)
    assert type(grads["db"]) is np.float64 and grads["db"] == pytest.approx(PT_DB, rel=1e-14)
    assert type(cost) is np.float64 and cost == pytest.approx(PT_COST, rel=1e-14)


def test_propagate_prints_the_notebooks_digits():
    grads, cost = propagate(NB_W, NB_B, NB_X, NB_Y)
    assert type(grads["dw"]) is np.ndarray and grads["dw"].shape == (2, 1)
    assert type(grads["db"]) is np.float64
    assert str(grads["dw"]) == "[[ 0.25071532]\n [-0.06604096]]"
    assert str(grads["db"]) == "-0.1250040450043965"
    # The cost is computed from z (never log(0)); the course's log(A) form
    # rounds differently in the 16th digit: 0.15900537707692405.
    assert cost == pytest.approx(0.15900537707692405, rel=1e-15)


def test_gradients_are_a_dict_with_attributes():
    grads, _ = propagate(NB_W, NB_B, NB_X, NB_Y)
    assert isinstance(grads, Gradients)
    assert grads.dw is grads["dw"] and grads.db is grads["db"]
    assert dict(grads).keys() == {"dw", "db"}
    with pytest.raises(AttributeError, match="no attribute or key 'dz'"):
        _ = grads.dz
    for clone in (pickle.loads(pickle.dumps(grads)), copy.deepcopy(grads), copy.copy(grads)):
        assert type(clone) is Gradients and set(clone) == {"dw", "db"}
        np.testing.assert_array_equal(clone.dw, grads.dw)
        assert clone.db == grads.db and type(clone.db) is np.float64


def test_propagate_on_every_backend(xp):
    grads, cost = propagate(xp.asarray(PT_W), PT_B, xp.asarray(PT_X), xp.asarray(PT_Y))
    assert set(grads) == {"dw", "db"}
    assert type(grads["dw"]) is type(xp.asarray([0.0])) and tuple(grads["dw"].shape) == (3, 1)
    np.testing.assert_allclose(to_host(grads["dw"]), PT_DW, **EIGHT_DIGITS)
    assert isinstance(grads["db"], float) and grads["db"] == pytest.approx(PT_DB, rel=1e-14)
    assert isinstance(cost, float) and cost == pytest.approx(PT_COST, rel=1e-14)


# --- optimize --------------------------------------------------------------------------------

# The assignment's published case: w, b = [[1], [2]], 2; 101 iterations at 0.1.
OPT_X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
OPT_Y = np.array([[1, 0, 1]])
OPT_W = [[-0.70916784], [-0.42390859]]
OPT_B = 2.26891346
OPT_DW = [[0.06188603], [-0.01407361]]
OPT_DB = -0.04709353
OPT_COSTS = [5.80154532, 0.31057104]


def test_optimize_unpacks_into_params_grads_and_a_list_of_costs():
    w = np.array([[1.0], [2.0]])
    params, grads, costs = optimize(w, 2.0, OPT_X, OPT_Y, num_iterations=101, learning_rate=0.1)
    assert type(costs) is list and len(costs) == 2
    np.testing.assert_allclose(costs, OPT_COSTS, **EIGHT_DIGITS)
    assert isinstance(grads, dict) and set(grads) == {"dw", "db"}
    assert type(grads["dw"]) is np.ndarray and grads["dw"].shape == w.shape
    np.testing.assert_allclose(grads["dw"], OPT_DW, **EIGHT_DIGITS)
    assert type(grads["db"]) is np.float64 and grads["db"] == pytest.approx(OPT_DB, abs=1e-8)
    assert type(params) is dict and set(params) == {"w", "b"}
    assert type(params["w"]) is np.ndarray and params["w"].shape == w.shape
    np.testing.assert_allclose(params["w"], OPT_W, **EIGHT_DIGITS)
    assert params["b"] == pytest.approx(OPT_B, abs=5e-9)
    np.testing.assert_array_equal(w, [[1.0], [2.0]])  # the caller's w is untouched


def test_optimize_prints_the_notebooks_digits():
    params, grads, costs = optimize(NB_W, NB_B, NB_X, NB_Y, 100, 0.009, False)
    assert str(params["w"]) == "[[0.80956046]\n [2.0508202 ]]"
    assert str(params["b"]) == "1.5948713189708588"
    assert str(grads["dw"]) == "[[ 0.17860505]\n [-0.04840656]]"
    assert str(grads["db"]) == "-0.08888460336847771"
    assert costs == [pytest.approx(0.15900537707692405, rel=1e-15)]


def test_optimize_result_is_a_tuple_with_attributes():
    result = optimize(NB_W, NB_B, NB_X, NB_Y, 250, 0.009)
    assert isinstance(result, tuple) and isinstance(result, OptimizationResult)
    assert len(result) == 3 and len(list(result)) == 3
    params, grads, costs = result
    assert result.params is params and result.gradients is grads and result.costs is costs
    assert result.w is params["w"] and result.b == params["b"] and type(result.b) is float
    assert result.learning_rate == 0.009 and result.num_iterations == 250
    assert result.record_every == 100 and result.cost_iterations == (0, 100, 200)
    with pytest.raises(AttributeError, match="read-only"):
        result.learning_rate = 1.0  # type: ignore[misc]
    for clone in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
        assert type(clone) is OptimizationResult and len(clone) == 3
        np.testing.assert_array_equal(clone.w, result.w)
        assert clone.costs == result.costs and clone.b == result.b
        assert clone.num_iterations == 250 and clone.record_every == 100


def test_optimize_on_every_backend(xp):
    params, grads, costs = optimize(
        xp.asarray([[1.0], [2.0]], dtype=xp.float64),
        2.0,
        xp.asarray(OPT_X),
        xp.asarray(OPT_Y),
        101,
        0.1,
    )
    assert type(costs) is list and len(costs) == 2
    np.testing.assert_allclose(costs, OPT_COSTS, **EIGHT_DIGITS)
    assert type(params["w"]) is type(xp.asarray([0.0]))
    np.testing.assert_allclose(to_host(params["w"]), OPT_W, **EIGHT_DIGITS)
    np.testing.assert_allclose(to_host(grads["dw"]), OPT_DW, **EIGHT_DIGITS)
    assert params["b"] == pytest.approx(OPT_B, abs=5e-9)


# --- predict ---------------------------------------------------------------------------------

PRED_W = np.array([[0.3], [0.5], [-0.2]])
PRED_B = -0.33333
PRED_X = np.array([[1.0, -0.3, 1.5], [2, 0, 1], [0, -1.5, 2]])


def test_predict_returns_a_numpy_row_of_zeros_and_ones():
    pred = predict(PRED_W, PRED_B, PRED_X)
    assert type(pred) is np.ndarray and pred.shape == (1, 3)
    np.testing.assert_array_equal(pred, [[1.0, 0.0, 1.0]])  # the bias matters here
    w = np.array([[0.1124579], [0.23106775]])
    assert str(predict(w, -0.3, np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]]))) == "[[1. 1. 0.]]"


def test_predict_on_every_backend(xp):
    pred = predict(xp.asarray(PRED_W), PRED_B, xp.asarray(PRED_X))
    assert type(pred) is type(xp.asarray([0.0])) and tuple(pred.shape) == (1, 3)
    np.testing.assert_array_equal(to_host(pred), [[1.0, 0.0, 1.0]])
