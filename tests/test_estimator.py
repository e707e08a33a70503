import numpy as np
import pytest

from logistic_neuron import LogisticNeuronClassifier, model


def test_estimator_equals_model_function(course_data):
    d = course_data
    clf = LogisticNeuronClassifier(learning_rate=0.005, num_iterations=2000)
    clf.fit(d.train.images.reshape(209, -1), d.train.labels)
    reference = model(d.train.X(), d.train.Y(), d.test.X(), d.test.Y(), 2000, 0.005)
    np.testing.assert_allclose(clf.coef_.T, reference.w, rtol=1e-9, atol=1e-12)
    test_rows = d.test.images.reshape(50, -1)
    assert clf.score(test_rows, d.test.labels) == pytest.approx(0.70)
    assert clf.predict_proba(test_rows).shape == (50, 2)


def test_any_two_labels_and_params():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = LogisticNeuronClassifier(learning_rate=0.5, num_iterations=300).fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.score(X, y) > 0.9
    assert set(clf.predict(X)) <= {"yes", "no"}
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert clf.get_params()["learning_rate"] == 0.5
    clf.set_params(num_iterations=10)
    assert clf.num_iterations == 10
    with pytest.raises(ValueError, match="unknown parameter"):
        clf.set_params(alpha=1)
    assert "LogisticNeuronClassifier(learning_rate=0.5" in repr(clf)


def test_estimator_errors():
    clf = LogisticNeuronClassifier()
    with pytest.raises(ValueError, match="not fitted yet"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="exactly two classes"):
        clf.fit(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match="n_samples, n_features"):
        clf.fit(np.zeros(3), [0, 1, 1])
    clf.set_params(num_iterations=5).fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="fitted with 4"):
        clf.predict(np.zeros((2, 3)))
