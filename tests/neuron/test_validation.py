"""Input checks shared by the maths: labels of any dtype, arrays from one library."""

import numpy as np
import pytest

from logistic_neuron import model, optimize, predict, propagate

X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
W = np.array([[1.0], [2.0]])


def test_boolean_labels_work_on_every_backend(xp):
    labels = np.array([[True, False, True]])
    grads, cost = propagate(xp.asarray(W), 2.0, xp.asarray(X), xp.asarray(labels))
    reference, ref_cost = propagate(W, 2.0, X, labels.astype(float))
    assert cost == pytest.approx(ref_cost, rel=1e-15)
    assert grads["db"] == pytest.approx(reference["db"], rel=1e-15)


def test_mixing_array_libraries_is_named():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    Xt = torch.asarray(X)
    message = r"different array libraries \(w is a NumPy array, X is a PyTorch array"
    with pytest.raises(ValueError, match=message):
        propagate(W, 2.0, Xt, torch.asarray([[1, 0, 1]]))
    with pytest.raises(ValueError, match=r"X is a PyTorch array, Y is a NumPy array"):
        optimize(torch.asarray(W), 2.0, Xt, np.array([[1, 0, 1]]), 10, 0.1)
    with pytest.raises(ValueError, match="different array libraries"):
        predict(W, 2.0, Xt)
    with pytest.raises(ValueError, match="different array libraries"):
        model(Xt, np.array([[1, 0, 1]]), Xt, torch.asarray([[1, 0, 1]]), 10, 0.1)
