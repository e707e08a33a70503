"""L-BFGS reaches scikit-learn's LogisticRegression optimum with the same penalty."""

import numpy as np
import pytest

from logistic_neuron.neuron.lbfgs import minimize_lbfgs, objective
from logistic_neuron.neuron.propagation import propagate
from logistic_neuron.neuron.regularization import l2_cost

pytest.importorskip("scipy", reason="SciPy is not installed (pip install 'logistic-neuron[lbfgs]')")


def sklearn_fit(X, Y, lambd, tol=1e-4):
    linear_model = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is absent")
    clf = linear_model.LogisticRegression(C=1 / lambd, tol=tol, max_iter=100)
    clf.fit(X.T, Y.ravel())
    return np.r_[clf.coef_.ravel(), clf.intercept_], int(clf.n_iter_[0])


def our_cost(theta, X, Y, lambd):
    w = theta[:-1].reshape(-1, 1)
    return propagate(w, theta[-1], X, Y)[1] + l2_cost(w, lambd, X.shape[1])


def compare(X, Y, lambd):
    result = minimize_lbfgs(np.zeros((X.shape[0], 1)), 0.0, X, Y, lambd=lambd)
    ours = np.r_[result.w.ravel(), result.b]
    theirs, n_iter = sklearn_fit(X, Y, lambd)
    relative = np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)
    return result, relative, our_cost(theirs, X, Y, lambd), n_iter


def test_small_problem_matches_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 80))
    Y = (X[0:1] - X[1:2] + rng.normal(size=(1, 80)) > 0).astype(np.float64)
    result, relative, their_cost, n_iter = compare(X, Y, 1.0)
    assert relative < 1e-4
    assert abs(result.cost - their_cost) < 1e-8
    assert result.n_iter == n_iter and result.converged
    assert result.costs[0] == pytest.approx(np.log(2)) and result.costs[-1] == result.cost


def test_objective_gradient_is_the_regularized_gradient():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(3, 9)), (rng.random((1, 9)) > 0.5).astype(np.float64)
    import array_api_compat

    theta = rng.normal(size=4)
    cost, grad = objective(theta, X, Y, 0.5, array_api_compat.array_namespace(X), X.dtype)
    eps = 1e-6
    for k in range(4):
        e = np.zeros(4)
        e[k] = eps
        numeric = (our_cost(theta + e, X, Y, 0.5) - our_cost(theta - e, X, Y, 0.5)) / (2 * eps)
        assert grad[k] == pytest.approx(numeric, rel=1e-6)
    assert cost == pytest.approx(our_cost(theta, X, Y, 0.5), rel=1e-14)


@pytest.mark.slow
def test_cat_data_matches_sklearn(course_data):
    # C = 100 (lambd = 0.01): both stop on scikit-learn's tolerances after the same iterations.
    X, Y = course_data.train.X(), course_data.train.Y().astype(np.float64)
    result, relative, their_cost, _n_iter = compare(X, Y, 0.01)
    assert relative < 1e-4
    assert abs(result.cost - their_cost) < 1e-8
    assert result.converged
