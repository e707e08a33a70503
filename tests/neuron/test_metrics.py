import math

import numpy as np
import pytest

from logistic_neuron.neuron.metrics import evaluate_logits


def test_confusion_precision_recall():
    z = np.array([3.0, 2.0, -1.0, 0.5, -4.0, -2.0])
    y = np.array([1, 1, 1, 0, 0, 0])
    e = evaluate_logits(z, y)
    assert e.confusion_matrix == ((2, 1), (1, 2))
    assert e.precision == pytest.approx(2 / 3) and e.recall == pytest.approx(2 / 3)
    assert e.accuracy == pytest.approx(100 * 4 / 6)
    p = 1 / (1 + np.exp(-z))
    assert e.log_loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def test_saturated_log_loss_is_finite():
    e = evaluate_logits(np.array([1e4, -1e4]), np.array([0, 1]))
    assert e.log_loss == pytest.approx(1e4)


def test_undefined_precision_is_nan():
    e = evaluate_logits(np.array([-1.0, -2.0]), np.array([0, 0]))
    assert math.isnan(e.precision) and math.isnan(e.recall)


def test_mismatch():
    with pytest.raises(ValueError, match="as many probabilities as labels"):
        evaluate_logits(np.zeros(3), np.zeros(2))
