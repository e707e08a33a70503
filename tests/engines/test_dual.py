"""The dual engine (w = X alpha): the reference's iterates in O(m^2) per iteration."""

from __future__ import annotations

import contextlib
import io
import tracemalloc

import numpy as np
import pytest

from logistic_neuron.engines import dual
from logistic_neuron.engines.resolver import dual_is_cheaper, fit, resolve_engine
from logistic_neuron.engines.training import model
from logistic_neuron.errors import TrainingDivergedError
from support.arrays import pixel_problem
from support.course import COURSE_OUTPUT


def problem(n_x, m, kind, seed=0):
    """X (n_x, m) with each example contiguous (the layout of split.pixels())."""
    return pixel_problem(n_x, m, kind, seed)


def run(X, Y, engine, dtype="float64", **kwargs):
    kwargs.setdefault("num_iterations", 150)
    kwargs.setdefault("learning_rate", 0.01)
    kwargs.setdefault("record_every", 10)
    return fit(X, Y, dtype=dtype, engine=engine, **kwargs)


@pytest.mark.parametrize(
    ("kind", "dtype"),
    [
        ("uint8", "float64"),
        ("uint8", "float32"),
        ("float64", "float64"),
        ("float32", "float32"),
        ("float64", "float32"),
    ],
)
@pytest.mark.parametrize(("n_x", "m"), [(60, 17), (13, 90), (30, 1)])
def test_dual_matches_reference(kind, dtype, n_x, m):
    X, Y = problem(n_x, m, kind)
    ref = run(X, Y, "reference", dtype)
    got = run(X, Y, "dual", dtype)
    rtol = 1e-12 if dtype == "float64" else 2e-5
    assert isinstance(got.w, np.ndarray)
    assert got.w.shape == (n_x, 1) and got.w.dtype == np.dtype(dtype)
    scale = np.abs(ref.w).max()
    np.testing.assert_allclose(got.w, ref.w, rtol=rtol, atol=rtol * scale)
    assert got.b == pytest.approx(ref.b, rel=rtol, abs=rtol)
    np.testing.assert_allclose(got.costs, ref.costs, rtol=rtol)
    dw_scale = np.abs(ref.gradients.dw).max()
    np.testing.assert_allclose(got.gradients.dw, ref.gradients.dw, rtol=rtol, atol=rtol * dw_scale)
    assert got.gradients.db == pytest.approx(ref.gradients.db, rel=rtol, abs=rtol)
    assert got.cost_iterations == ref.cost_iterations


def test_gram_of_pixels_is_exact_and_blocked(monkeypatch):
    X, _ = problem(50, 7, "uint8")
    monkeypatch.setattr(dual, "BLOCK_BYTES", 8 * 7 * 3)  # blocks of 3 features
    K = dual.gram_matrix(X)
    integers = (X.astype(np.int64).T @ X.astype(np.int64)).astype(np.float64)
    # Integer products summed exactly in float64, then scaled once: no rounding
    # but the final multiplication, whatever the blocks.
    np.testing.assert_array_equal(K, integers * (dual.PIXEL_SCALE * dual.PIXEL_SCALE))
    Xt, _ = problem(50, 4, "uint8", seed=1)
    np.testing.assert_allclose(dual.cross_gram(X, Xt), (X.T / 255.0) @ (Xt / 255.0), rtol=1e-14)


def test_uint8_pixels_are_not_copied_to_floats():
    X, Y = problem(6000, 300, "uint8")  # 1.8 MB of pixels, 14 MB as float64
    tracemalloc.start()
    try:
        run(X, Y, "dual", "float64", num_iterations=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * X.nbytes / 2 + dual.BLOCK_BYTES  # well below a float64 copy


def test_printed_costs_match_reference_format(capsys):
    X, Y = problem(12, 40, "uint8")
    run(X, Y, "reference", print_cost=True, num_iterations=25)
    ref = capsys.readouterr().out
    run(X, Y, "dual", print_cost=True, num_iterations=25)
    assert capsys.readouterr().out == ref


def test_progress_gives_w_lazily_and_alpha():
    X, Y = problem(40, 30, "uint8")
    kept = []
    result = run(X, Y, "dual", num_iterations=7, callback=kept.append)
    assert [p.iteration for p in kept] == list(range(1, 8))
    last = kept[-1]
    assert isinstance(last, dual.DualProgress)
    assert last._w is None  # nothing formed until asked
    np.testing.assert_array_equal(last.w, result.w)
    assert last.alpha.shape == (30,)
    assert not np.array_equal(kept[0].w, kept[-1].w)  # earlier progress not mutated
    np.testing.assert_allclose(
        last.logits(), (result.w.T @ (X / 255.0)).ravel() + result.b, rtol=1e-12, atol=1e-12
    )
    assert "DualProgress(iteration=7" in repr(last)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_resume_from_alpha_is_bit_identical(dtype):
    X, Y = problem(40, 90, "uint8")
    full = run(X, Y, "dual", dtype, num_iterations=57)
    seen = {}
    run(X, Y, "dual", dtype, num_iterations=57, callback=lambda p: seen.setdefault(p.iteration, p))
    mid = seen[23]
    resumed = run(
        X,
        Y,
        "dual",
        dtype,
        num_iterations=57,
        alpha=mid.alpha,
        b=mid.b,
        start_iteration=23,
        previous_costs=mid.costs,
    )
    np.testing.assert_array_equal(resumed.w, full.w)
    assert resumed.b == full.b
    assert resumed.costs == full.costs
    np.testing.assert_array_equal(resumed.gradients.dw, full.gradients.dw)


def test_shared_gram_gives_the_same_run():
    X, Y = problem(30, 25, "uint8")
    K = dual.gram_matrix(X)
    a = run(X, Y, "dual")
    b = run(X, Y, "dual", gram=K)
    np.testing.assert_array_equal(a.w, b.w)
    with pytest.raises(ValueError, match="Gram matrix"):
        run(X, Y, "dual", gram=K[:3, :3])


def test_divergence_is_detected():
    X, Y = problem(50, 60, "float64")
    with pytest.raises(TrainingDivergedError, match="diverged"):
        run(X, -Y + 1, "dual", learning_rate=1e308, num_iterations=50)


def test_invalid_inputs_are_refused():
    X, Y = problem(8, 10, "uint8")
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        run(X, Y * 2, "dual")
    bad = (X / 255).copy()
    bad[3, 4] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        run(bad, Y, "dual")
    with pytest.raises(ValueError, match="non-zero starting w"):
        run(X, Y, "dual", w=np.ones((8, 1)))
    with pytest.raises(ValueError, match="alpha must hold 10"):
        run(X, Y, "dual", alpha=np.zeros(3), start_iteration=0)
    with pytest.raises(ValueError, match="resumes the 'dual' engine"):
        run(X, Y, "reference", alpha=np.zeros(10))
    with pytest.raises(ValueError, match="dtype"):
        run(X.astype(np.int32), Y, "dual")
    with pytest.raises(ValueError, match="needs NumPy arrays"):
        run(X.tolist(), Y, "dual")


def test_cost_model():
    # The classic run: 209 examples of 12288 features, 2000 iterations.
    assert dual_is_cheaper(12288, 209, 2000)
    # Many examples, few features: the primal reads less.
    assert not dual_is_cheaper(20, 5000, 2000)
    # K would need 8 * 20000^2 bytes = 3.2 GB: over the memory budget.
    assert not dual_is_cheaper(10**6, 20_000, 10**6)
    big = np.zeros((12288, 3000), dtype=np.uint8)
    assert resolve_engine(big, "float64", 2000) == "dual"
    assert resolve_engine(big, "float64", 10) != "dual"  # K costs more than 10 iterations


def test_classic_run_through_model_is_dual_and_prints_the_course(course_data, capsys):
    d = course_data
    assert resolve_engine(d.train.X(), "float64", 2000) == "dual"
    result = model(d.train.X(), d.train.Y(), d.test.X(), d.test.Y(), 2000, 0.005, True)
    assert capsys.readouterr().out == COURSE_OUTPUT
    assert (result.train_accuracy, result.test_accuracy) == (99.04306220095694, 70.0)
    ref = model(d.train.X(), d.train.Y(), d.test.X(), d.test.Y(), 2000, 0.005, engine="reference")
    np.testing.assert_allclose(result.w, ref.w, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_classic_run_from_pixels_prints_the_course(course_data, dtype):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fit(
            course_data.train.pixels(),
            course_data.train.Y(),
            num_iterations=2000,
            learning_rate=0.005,
            dtype=dtype,
            engine="dual",
            print_cost=True,
        )
    assert out.getvalue() == COURSE_OUTPUT.split("train accuracy")[0]


def test_rates_stepped_together_equal_separate_runs():
    X, Y = problem(40, 30, "uint8")
    outcomes = dual.fit_dual_rates(X, Y, [0.05, 0.01], num_iterations=120, record_every=10)
    for outcome in outcomes:
        alone = run(X, Y, "dual", learning_rate=outcome.learning_rate, num_iterations=120)
        assert outcome.error is None
        np.testing.assert_allclose(outcome.costs, alone.costs, rtol=1e-12)
        assert outcome.b == pytest.approx(alone.b, rel=1e-11, abs=1e-14)
        w = dual.times_alpha(X, outcome.alpha, "float64").reshape(-1, 1)
        np.testing.assert_allclose(w, alone.w, rtol=1e-10, atol=1e-14)


def test_a_diverging_rate_stops_alone():
    X, Y = problem(50, 60, "float64")
    wild, tame = dual.fit_dual_rates(X, 1 - Y, [1e308, 0.01], num_iterations=50, record_every=10)
    assert isinstance(wild.error, TrainingDivergedError) and wild.alpha is None
    assert all(np.isfinite(wild.costs))
    assert tame.error is None and len(tame.costs) == 5
