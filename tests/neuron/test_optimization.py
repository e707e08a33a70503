import warnings

import numpy as np
import pytest

from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.optimization import CostRoseWarning, check_divergence, optimize
from support.arrays import to_host

W = np.array([[1.0], [2.0]])
B = 2.0
X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y = np.array([[1, 0, 1]])


def test_optimize_course_values():
    result = optimize(W, B, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False)
    np.testing.assert_allclose(result.w, [[0.19033591], [0.12259159]], rtol=1e-7)
    assert result.b == pytest.approx(1.92535983008, rel=1e-10)
    np.testing.assert_allclose(result.gradients.dw, [[0.67752042], [1.41625495]], rtol=1e-7)
    assert result.gradients.db == pytest.approx(0.219194504541, rel=1e-10)
    assert result.costs == pytest.approx((5.801545319394553,))
    assert result.params["w"] is result.w
    # The inputs are not modified.
    np.testing.assert_array_equal(W, [[1.0], [2.0]])


def test_optimize_records_every_100_including_zero(capsys):
    result = optimize(W, B, X, Y, num_iterations=301, learning_rate=0.009, print_cost=True)
    assert len(result.costs) == 4
    assert result.cost_iterations == (0, 100, 200, 300)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Cost after iteration 0: 5.801545"
    assert [line.split(":")[0] for line in lines] == [
        f"Cost after iteration {i}" for i in (0, 100, 200, 300)
    ]


def test_optimize_finer_recording():
    result = optimize(W, B, X, Y, num_iterations=50, learning_rate=0.009, record_every=10)
    assert result.cost_iterations == (0, 10, 20, 30, 40)
    assert all(b < a for a, b in zip(result.costs, result.costs[1:], strict=False))


def test_callback_sees_every_iteration():
    seen = []
    optimize(W, B, X, Y, 25, 0.009, callback=lambda p: seen.append((p.iteration, p.num_iterations)))
    assert seen == [(i, 25) for i in range(1, 26)]


def test_resume_is_bit_identical():
    full = optimize(W, B, X, Y, 350, 0.009)
    stop = {}

    def grab(progress):
        if progress.iteration == 170:
            stop["w"], stop["b"], stop["costs"] = progress.w, progress.b, progress.costs

    optimize(W, B, X, Y, 350, 0.009, callback=grab)
    resumed = optimize(
        stop["w"], stop["b"], X, Y, 350, 0.009, start_iteration=170, previous_costs=stop["costs"]
    )
    assert np.array_equal(resumed.w, full.w)
    assert resumed.b == full.b
    assert resumed.costs == full.costs


def test_resume_checks_previous_costs():
    with pytest.raises(ValueError, match="previous_costs must hold the 2 costs"):
        optimize(W, B, X, Y, 350, 0.009, start_iteration=170, previous_costs=())
    with pytest.raises(ValueError, match="start_iteration must be between"):
        optimize(W, B, X, Y, 10, 0.009, start_iteration=10)


@pytest.mark.parametrize(
    ("iterations", "rate", "message"),
    [
        (0, 0.1, "num_iterations must be at least 1"),
        (-5, 0.1, "num_iterations must be at least 1"),
        (2.5, 0.1, "num_iterations must be a whole number"),
        (10, 0.0, "learning_rate must be a finite number > 0"),
        (10, -0.1, "learning_rate must be a finite number > 0"),
        (10, float("nan"), "learning_rate must be a finite number > 0"),
        (10, float("inf"), "learning_rate must be a finite number > 0"),
        (10, "0.1", "learning_rate must be a number"),
    ],
)
def test_optimize_rejects_bad_settings(iterations, rate, message):
    with pytest.raises(ValueError, match=message):
        optimize(W, B, X, Y, iterations, rate)


def test_divergence_is_detected_and_names_the_learning_rate():
    rng = np.random.default_rng(0)
    Xbig = rng.normal(scale=50, size=(20, 40))
    Ybig = (rng.random((1, 40)) > 0.5).astype(float)
    w = np.zeros((20, 1))
    with (
        pytest.warns(CostRoseWarning, match="learning rate 1e\\+06 is probably too large"),
        pytest.raises(TrainingDivergedError, match="learning rate 1e\\+06.*smaller one such as"),
    ):
        optimize(w, 0.0, Xbig, Ybig, 3000, 1e6, record_every=10)


def test_check_divergence_rules():
    check_divergence([0.7, 0.6, 0.5], 200, 0.1)
    check_divergence([0.7, 0.8, 0.6], 200, 0.1)  # one rise is not divergence
    with pytest.raises(TrainingDivergedError, match="became nan"):
        check_divergence([0.7, float("nan")], 100, 0.1)
    with pytest.raises(TrainingDivergedError, match="rose from 0.7 to 0.9"):
        check_divergence([0.7, 0.6, 0.7, 0.8, 0.9], 400, 0.1)
    with pytest.warns(CostRoseWarning, match="rose from 0.7 to 0.8 by iteration 100"):
        check_divergence([0.7, 0.8], 100, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_divergence([0.7, 0.8, 0.75], 200, 0.1)  # said once, not again


def test_optimize_same_on_every_backend(xp):
    result = optimize(xp.asarray(W), B, xp.asarray(X), xp.asarray(Y), 100, 0.009)
    np.testing.assert_allclose(to_host(result.w), [[0.19033591], [0.12259159]], rtol=1e-7)
    assert result.b == pytest.approx(1.92535983008, rel=1e-10)
