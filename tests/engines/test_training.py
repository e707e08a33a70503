"""The course's classic run, reproduced to the last printed digit."""

import numpy as np
import pytest

from logistic_neuron.engines.training import model
from support.arrays import to_host
from support.course import COURSE_OUTPUT


#: The course notebook's output of
#: model(..., num_iterations=2000, learning_rate=0.005, print_cost=True).
def test_classic_run_reproduces_the_course(course_data, capsys):
    d = course_data
    result = model(d.train.X(), d.train.Y(), d.test.X(), d.test.Y(), 2000, 0.005, print_cost=True)
    assert capsys.readouterr().out == COURSE_OUTPUT
    assert result.train_accuracy == 99.04306220095694
    assert result.test_accuracy == 70.0
    assert len(result.costs) == 20
    assert result.w.shape == (12288, 1)
    assert result.Y_prediction_train.shape == (1, 209)
    assert result.Y_prediction_test.shape == (1, 50)
    assert result.learning_rate == 0.005 and result.num_iterations == 2000
    # What the notebook does with the dict after the run.
    assert type(result["costs"]) is list and np.squeeze(result["costs"]).shape == (20,)
    assert int(result["Y_prediction_test"][0, 1]) in (0, 1)
    assert result["learning_rate"] == 0.005


def test_classic_run_float32_prints_the_same_digits(course_data, capsys):
    d = course_data
    model(d.train.X("float32"), d.train.Y(), d.test.X("float32"), d.test.Y(), 2000, 0.005, True)
    assert capsys.readouterr().out == COURSE_OUTPUT


def test_model_on_every_backend_agrees_with_numpy(xp):
    rng = np.random.default_rng(7)
    Xtr, Xte = rng.random((30, 40)), rng.random((30, 10))
    Ytr = (Xtr[:1] + Xtr[1:2] > 1).astype(float)
    Yte = (Xte[:1] + Xte[1:2] > 1).astype(float)
    reference = model(Xtr, Ytr, Xte, Yte, 300, 0.1)
    other = model(xp.asarray(Xtr), xp.asarray(Ytr), xp.asarray(Xte), xp.asarray(Yte), 300, 0.1)
    np.testing.assert_allclose(to_host(other.w), reference.w, rtol=1e-10)
    assert other.costs == pytest.approx(reference.costs, rel=1e-12)
    assert other.train_accuracy == reference.train_accuracy
    assert other.test_accuracy == reference.test_accuracy


def test_model_checks_feature_counts():
    with pytest.raises(ValueError, match="X_test has 3 features but X_train has 2"):
        model(np.ones((2, 4)), np.ones((1, 4)), np.ones((3, 4)), np.ones((1, 4)), 10, 0.1)
    with pytest.raises(ValueError, match=r"Y_test must have shape \(1, 4\)"):
        model(np.ones((2, 4)), np.ones((1, 4)), np.ones((2, 4)), np.ones((1, 3)), 10, 0.1)


def test_model_takes_the_next_lessons_options():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 40))
    Y = (X[0:1] > 0).astype(np.float64)
    plain = model(X, Y, X[:, :10], Y[:, :10], num_iterations=50, learning_rate=0.1)
    assert "training" not in plain
    d = model(X, Y, X[:, :10], Y[:, :10], 50, 0.1, optimizer="adam", batch_size=16, lambd=0.5,
              validation_fraction=0.25, monitor="accuracy", record_every=10)  # fmt: skip
    assert d.training.options.optimizer == "adam" and d.training.options.batch_size == 16
    assert len(d.training.validation_indices) == 10
    assert d.training.best_iteration in d.training.validation.iterations
    assert d.costs[-1] < d.costs[0] and d.num_iterations == 50


def test_model_refuses_unknown_options():
    X = np.ones((2, 4))
    Y = np.array([[0, 1, 0, 1]])
    with pytest.raises(ValueError, match="unknown keyword arguments momentum"):
        model(X, Y, X, Y, 5, 0.1, momentum=0.9)
    with pytest.raises(ValueError, match="beta2 must be in"):
        model(X, Y, X, Y, 5, 0.1, optimizer="adam", beta2=1.0)
