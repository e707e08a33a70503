"""scikit-learn's own estimator checks, all of them, none skipped."""

from unittest import SkipTest

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from logistic_neuron.estimator import LogisticNeuronClassifier


@parametrize_with_checks([LogisticNeuronClassifier()])
def test_passes_every_scikit_learn_check(estimator, check):
    # parametrize_with_checks turns a check that cannot run into a skip; here a
    # skip is a failure, so "every check passed" means every check ran.
    try:
        check(estimator)
    except SkipTest as exc:
        pytest.fail(f"scikit-learn skipped this check: {exc}")
