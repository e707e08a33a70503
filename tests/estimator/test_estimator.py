"""LogisticNeuronClassifier as a scikit-learn citizen: meta-estimators, attributes, refusals."""

import itertools
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from logistic_neuron import LogisticNeuronClassifier, model


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


def small_problem(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] - 0.5 * X[:, 1] > 0, "yes", "no")
    return X, y


def test_pipeline_grid_search_and_cross_validation_on_breast_cancer(cancer):
    X, y = cancer
    pipe = make_pipeline(StandardScaler(), LogisticNeuronClassifier(num_iterations=300))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores)) and scores.min() > 0.9
    search = GridSearchCV(pipe, {"logisticneuronclassifier__num_iterations": [50, 300]}, cv=3).fit(
        X, y
    )
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.9
    assert pipe.fit(X, y).score(X, y) > 0.95
    assert pipe.predict(X[:5]).shape == (5,)


def test_unscaled_breast_cancer_trains_with_the_auto_rate(cancer):
    # Features up to ~4000 and down to ~1e-3: a fixed rate like 0.005 diverges.
    X, y = cancer
    clf = LogisticNeuronClassifier().fit(X, y)
    assert clf.learning_rate_ > 0 and np.isfinite(clf.coef_).all()
    assert all(b <= a for a, b in itertools.pairwise(clf.costs_))
    assert clf.score(X, y) > 0.85


def test_fitted_attributes():
    X, y = small_problem()
    clf = LogisticNeuronClassifier(num_iterations=250, record_every=50).fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.coef_.shape == (1, 3) and clf.intercept_.shape == (1,)
    assert clf.n_features_in_ == 3 and clf.n_iter_ == 250
    assert type(clf.costs_) is list and len(clf.costs_) == 5
    assert clf.engine_ in ("reference", "dual", "numba", "numpy-blocked")
    assert not hasattr(clf, "feature_names_in_")
    assert clf.score(X, y) > 0.9


def test_feature_names_from_a_data_frame():
    pd = pytest.importorskip("pandas")
    X, y = small_problem()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = LogisticNeuronClassifier(num_iterations=50).fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c"]
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)


def test_probabilities_log_probabilities_and_decisions_agree():
    X, y = small_problem()
    clf = LogisticNeuronClassifier(num_iterations=200).fit(X, y)
    z = clf.decision_function(X)
    p = clf.predict_proba(X)
    np.testing.assert_allclose(z, X @ clf.coef_.ravel() + clf.intercept_[0], rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    # Near p = 1, log(p) has lost digits that -softplus(-z) keeps: compare absolutely.
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(p), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(z > 0).astype(int)])
    # Far from the boundary the log-probability stays finite where log(p) is -inf.
    far = clf.predict_log_proba(np.array([[1e4, -1e4, 0.0]]) * np.sign(clf.coef_))
    assert np.all(np.isfinite(far)) and far[0, 0] < -1000


def test_estimator_equals_the_course_model_function(course_data):
    d = course_data
    clf = LogisticNeuronClassifier(learning_rate=0.005, num_iterations=2000)
    clf.fit(d.train.images.reshape(209, -1), d.train.labels)
    reference = model(d.train.X(), d.train.Y(), d.test.X(), d.test.Y(), 2000, 0.005)
    np.testing.assert_allclose(clf.coef_.T, reference.w, rtol=1e-9, atol=1e-12)
    test_rows = d.test.images.reshape(50, -1)
    assert clf.score(test_rows, d.test.labels) == pytest.approx(0.70)
    assert clf.predict_proba(test_rows).shape == (50, 2)


def test_clone_and_pickle_keep_parameters_and_predictions():
    X, y = small_problem()
    clf = LogisticNeuronClassifier(learning_rate=0.3, num_iterations=120, warm_start=True)
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params() and not hasattr(fresh, "coef_")
    clf.fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.costs_ == clf.costs_ and again.get_params() == clf.get_params()


def test_warm_start_goes_on_from_the_last_weights():
    X, y = small_problem()
    once = LogisticNeuronClassifier(learning_rate=0.2, num_iterations=200, record_every=1).fit(X, y)
    clf = LogisticNeuronClassifier(
        learning_rate=0.2, num_iterations=100, record_every=1, warm_start=True
    )
    clf.fit(X, y)
    first_half = clf.coef_.copy()
    clf.fit(X, y)
    assert not np.array_equal(clf.coef_, first_half)
    np.testing.assert_allclose(clf.coef_, once.coef_, rtol=1e-10)
    np.testing.assert_allclose(clf.costs_, once.costs_[100:], rtol=1e-10)
    with pytest.raises(ValueError, match="warm_start: y has the classes"):
        clf.fit(X, np.where(y == "yes", "oui", "non"))
    cold = LogisticNeuronClassifier(learning_rate=0.2, num_iterations=100, record_every=1)
    cold.fit(X, y)
    coef = cold.coef_.copy()
    cold.fit(X, y)
    np.testing.assert_array_equal(cold.coef_, coef)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((4, 2)) + 1j, [0, 1, 0, 1], "Complex data not supported"),
        (np.array([[0.0, np.nan], [1, 2], [3, 4], [5, 6]]), [0, 1, 0, 1], "Input X contains NaN"),
        (np.array([[0.0, np.inf], [1, 2], [3, 4], [5, 6]]), [0, 1, 0, 1], "infinity"),
        (np.ones((4, 2)), [0.0, 1.0, np.nan, 1.0], "Input y contains NaN"),
        (np.ones((4, 2)), np.array(["a", "b", np.nan, "a"], dtype=object), "NaN"),
        (np.ones((4, 2)), [0, 1, 2, 1], "Only binary classification is supported"),
        (np.ones((4, 2)), [0.5, 1.5, 0.2, 1.0], "Unknown label type"),
        (np.ones((4, 2)), [1, 1, 1, 1], "needs samples of 2 classes"),
        (np.ones(4), [0, 1, 0, 1], "Expected 2D array"),
    ],
)
def test_fit_refuses_bad_input_with_scikit_learns_words(X, y, message):
    with pytest.raises(ValueError, match=message):
        LogisticNeuronClassifier(num_iterations=5).fit(X, y)


def test_predict_refuses_bad_input():
    X, y = small_problem()
    clf = LogisticNeuronClassifier(num_iterations=5).fit(X, y)
    for method in (clf.predict, clf.predict_proba, clf.decision_function, clf.predict_log_proba):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            method(np.array([[np.nan, 0.0, 1.0]]))
        with pytest.raises(ValueError, match="infinity"):
            method(np.array([[np.inf, 0.0, 1.0]]))
        with pytest.raises(ValueError, match="Complex data not supported"):
            method(np.ones((2, 3)) + 1j)
        with pytest.raises(ValueError, match="X has 2 features, but LogisticNeuronClassifier"):
            method(np.ones((2, 2)))


def test_unfitted_and_bad_parameters():
    with pytest.raises(NotFittedError):
        LogisticNeuronClassifier().predict(np.zeros((2, 3)))
    X, y = small_problem()
    for params, message in [
        ({"learning_rate": 0}, "learning_rate must be 'auto' or a finite number > 0"),
        ({"learning_rate": "fast"}, "learning_rate must be 'auto'"),
        ({"num_iterations": 0}, "num_iterations must be a whole number >= 1"),
        ({"dtype": "float16"}, "dtype must be one of float64, float32"),
        ({"engine": "gpu"}, "engine must be one of"),
    ]:
        with pytest.raises(ValueError, match=message):
            LogisticNeuronClassifier(**params).fit(X, y)


def test_importing_the_package_does_not_load_scikit_learn():
    code = (
        "import sys, logistic_neuron\n"
        "assert 'sklearn' not in sys.modules, 'sklearn loaded'\n"
        "assert 'LogisticNeuronClassifier' in logistic_neuron.__all__\n"
        "cls = logistic_neuron.LogisticNeuronClassifier\n"
        "assert 'sklearn' in sys.modules and cls.__name__ == 'LogisticNeuronClassifier'\n"
        "from logistic_neuron import LogisticNeuronClassifier as again\n"
        "assert again is cls\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
