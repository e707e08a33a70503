import numpy as np
import pytest

from logistic_neuron.neuron.prediction import accuracy, predict, predict_proba
from support.arrays import to_host


def test_predict_course_values():
    w = np.array([[0.1124579], [0.23106775]])
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    prediction = predict(w, -0.3, X)
    assert prediction.shape == (1, 3)
    np.testing.assert_array_equal(prediction, [[1.0, 1.0, 0.0]])


def test_predict_threshold_is_strictly_above_half():
    w = np.zeros((2, 1))
    X = np.ones((2, 4))
    # z = 0 gives exactly 0.5, which is not > 0.5.
    np.testing.assert_array_equal(predict(w, 0.0, X), [[0, 0, 0, 0]])
    np.testing.assert_array_equal(predict(w, 1e-9, X), [[1, 1, 1, 1]])


def test_predict_proba_shape_and_range():
    rng = np.random.default_rng(3)
    A = predict_proba(rng.normal(size=(5, 1)), 0.1, rng.normal(size=(5, 8)))
    assert A.shape == (1, 8)
    assert np.all((A > 0) & (A < 1))


def test_accuracy_course_formula():
    Y = np.array([[1] * 207 + [0, 0]])
    pred = np.array([[1] * 209], dtype=float)
    assert accuracy(pred, Y) == 99.04306220095694
    with pytest.raises(ValueError, match="differ in shape"):
        accuracy(pred, Y[:, :5])


def test_predict_on_every_backend(xp):
    w = xp.asarray([[0.1124579], [0.23106775]])
    X = xp.asarray([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    np.testing.assert_array_equal(to_host(predict(w, -0.3, X)), [[1.0, 1.0, 0.0]])
