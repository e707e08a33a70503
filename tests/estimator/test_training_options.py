"""The estimator's training options: parameters, GridSearchCV, L-BFGS against scikit-learn."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from logistic_neuron import LogisticNeuronClassifier
from logistic_neuron.storage.model_file import load_model

RNG = np.random.default_rng(4)
X = RNG.normal(size=(120, 5))
y = (X[:, 0] - X[:, 1] + 0.5 * RNG.normal(size=120) > 0).astype(int)


def test_options_are_parameters():
    clf = LogisticNeuronClassifier(optimizer="adam", batch_size=16, lambd=0.5, random_state=3)
    params = clf.get_params()
    assert params["optimizer"] == "adam" and params["batch_size"] == 16
    assert clone(clf).get_params() == params


def test_grid_search_over_optimizers_and_l2():
    grid = GridSearchCV(
        LogisticNeuronClassifier(learning_rate=0.05, num_iterations=100),
        {"optimizer": ["gd", "adam"], "lambd": [0.0, 10.0]},
        cv=3,
    ).fit(X, y)
    assert set(grid.cv_results_["param_optimizer"]) == {"gd", "adam"}
    assert grid.best_score_ > 0.7


def test_validation_and_keep_best():
    clf = LogisticNeuronClassifier(
        learning_rate=0.05, num_iterations=200, record_every=10, optimizer="momentum",
        validation_fraction=0.25, patience=3, random_state=1,
    ).fit(X, y)  # fmt: skip
    assert clf.engine_ == "reference"
    assert clf.best_iteration_ is not None and clf.n_iter_ <= 200
    again = clone(clf).fit(X, y)
    np.testing.assert_array_equal(again.coef_, clf.coef_)


# scikit-learn 1.6.0 (the oldest supported, run by .ci/run) passes L-BFGS-B options that
# newer SciPy deprecates; that warning is about the reference, not about our code.
@pytest.mark.filterwarnings("ignore:scipy.optimize:DeprecationWarning")
def test_lbfgs_matches_logistic_regression():
    pytest.importorskip("scipy")
    ours = LogisticNeuronClassifier(solver="lbfgs", lambd=1.0, num_iterations=100).fit(X, y)
    theirs = LogisticRegression(C=1.0).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-4)
    assert ours.engine_ == "lbfgs" and ours.n_iter_ == theirs.n_iter_[0]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"optimizer": "adam", "beta1": 1.5}, "beta1 must be in"),
        ({"epsilon": -1.0}, "epsilon must be"),
        ({"solver": "lbfgs", "batch_size": 8}, "drop batch_size"),
    ],
)
def test_bad_options(params, message):
    with pytest.raises(ValueError, match=message):
        LogisticNeuronClassifier(**params).fit(X, y)


def test_save_and_load_keep_the_options(tmp_path):
    clf = LogisticNeuronClassifier(
        learning_rate=0.05, num_iterations=300, record_every=10, optimizer="adam",
        batch_size=32, validation_fraction=0.25, patience=2, random_state=2,
    ).fit(X, y)  # fmt: skip
    path = tmp_path / "m.npz"
    clf.save(path)
    loaded = LogisticNeuronClassifier.load(path)
    assert loaded.get_params()["optimizer"] == "adam" and loaded.random_state == 2
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_a_loaded_model_has_the_best_iteration_of_its_run(tmp_path):
    clf = LogisticNeuronClassifier(
        learning_rate=0.05, num_iterations=200, record_every=10, optimizer="momentum",
        validation_fraction=0.25, patience=3, random_state=1,
    ).fit(X, y)  # fmt: skip
    assert clf.best_iteration_ is not None
    clf.save(tmp_path / "m.npz")
    loaded = LogisticNeuronClassifier.load(tmp_path / "m.npz")
    assert loaded.best_iteration_ == clf.best_iteration_ and loaded.n_iter_ == clf.n_iter_
    run = load_model(tmp_path / "m.npz").run
    assert run["best_iteration"] == clf.best_iteration_ and run["m_validation"] == 30
    # Saved again, the loaded estimator keeps the run's record.
    loaded.save(tmp_path / "again.npz")
    assert load_model(tmp_path / "again.npz").run == run


def test_a_loaded_plain_model_has_no_best_iteration(tmp_path):
    clf = LogisticNeuronClassifier(learning_rate=0.05, num_iterations=30).fit(X, y)
    clf.save(tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz").run is None
    assert LogisticNeuronClassifier.load(tmp_path / "m.npz").best_iteration_ is None


def test_a_model_from_train_gives_its_best_iteration(tmp_path, capsys):
    from logistic_neuron.cli.main import main

    out = tmp_path / "m.npz"
    argv = ["train", "--iterations", "60", "--record-every", "10", "--learning-rate", "0.01",
            "--validation-fraction", "0.25", "--monitor", "accuracy",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    best = load_model(out).run["best_iteration"]
    assert best is not None
    loaded = LogisticNeuronClassifier.load(out)
    assert loaded.best_iteration_ == best and loaded.made_by_ == "command line"
