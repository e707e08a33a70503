"""The course's ``model()`` returns the course's dict ``d``, plus our extras."""

import pickle

import numpy as np
import pytest

from logistic_neuron import ModelResult, model
from support.arrays import to_host

#: The course prints its expected values to 8 decimals: compare to that.
EIGHT_DIGITS = {"rtol": 0, "atol": 5e-9}

COURSE_KEYS = {
    "costs",
    "Y_prediction_test",
    "Y_prediction_train",
    "w",
    "b",
    "learning_rate",
    "num_iterations",
}


def course_case():
    """The assignment's published case for model(): the legacy generator seeded with 0."""
    rng = np.random.RandomState(0)  # the course's numbers come from it
    X = rng.randn(4, 7)
    x_test = rng.randn(4, 3)
    Y = np.array([1, 0, 0, 1, 0, 0, 1]).reshape(1, 7)
    y_test = np.array([0, 1, 0])  # flat, as the course passes it
    return X, Y, x_test, y_test


def test_model_returns_the_courses_dict():
    X, Y, x_test, y_test = course_case()
    d = model(X, Y, x_test, y_test, num_iterations=50, learning_rate=0.01)
    assert isinstance(d, dict) and COURSE_KEYS <= set(d)
    assert type(d["costs"]) is list and len(d["costs"]) == 1
    np.testing.assert_allclose(d["costs"], [0.69314718], **EIGHT_DIGITS)
    assert type(d["w"]) is np.ndarray and d["w"].shape == (4, 1)
    np.testing.assert_allclose(
        d["w"], [[0.08639757], [-0.08231268], [-0.11798927], [0.12866053]], **EIGHT_DIGITS
    )
    assert d["b"] == pytest.approx(-0.03983236094816321, rel=1e-12)
    assert type(d["Y_prediction_test"]) is np.ndarray and d["Y_prediction_test"].shape == (1, 3)
    np.testing.assert_array_equal(d["Y_prediction_test"], [[1.0, 1.0, 0.0]])
    assert type(d["Y_prediction_train"]) is np.ndarray and d["Y_prediction_train"].shape == (1, 7)
    np.testing.assert_array_equal(d["Y_prediction_train"], [[1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]])
    assert d["learning_rate"] == 0.01 and d["num_iterations"] == 50


def test_model_dict_has_attributes_and_extras():
    X, Y, x_test, y_test = course_case()
    d = model(X, Y, x_test, y_test, num_iterations=50, learning_rate=0.01)
    assert isinstance(d, ModelResult)
    for key in d:
        assert getattr(d, key) is d[key]
    # Accuracies as the course prints them: 100 - mean(|prediction - label|) * 100.
    assert d.train_accuracy == pytest.approx(100 - 100 * 1 / 7, rel=1e-12)
    assert d.test_accuracy == pytest.approx(100 - 100 * 1 / 3, rel=1e-12)
    assert d.record_every == 100
    clone = pickle.loads(pickle.dumps(d))
    assert type(clone) is ModelResult and clone.keys() == d.keys()
    np.testing.assert_array_equal(clone.w, d.w)


def test_model_on_every_backend_returns_the_dict(xp):
    X, Y, x_test, y_test = course_case()
    d = model(xp.asarray(X), xp.asarray(Y), xp.asarray(x_test), xp.asarray(y_test), 50, 0.01)
    assert COURSE_KEYS <= set(d) and type(d["costs"]) is list
    np.testing.assert_allclose(d["costs"], [0.69314718], **EIGHT_DIGITS)
    np.testing.assert_allclose(
        to_host(d["w"]), [[0.08639757], [-0.08231268], [-0.11798927], [0.12866053]], **EIGHT_DIGITS
    )
    assert tuple(d["Y_prediction_test"].shape) == (1, 3)
    np.testing.assert_array_equal(to_host(d["Y_prediction_test"]), [[1.0, 1.0, 0.0]])
