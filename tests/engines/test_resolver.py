"""Every engine gives the reference's results; 'auto' picks the right one."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from logistic_neuron.engines import kernels, one_pass
from logistic_neuron.engines.resolver import ENGINES, fit, resolve_engine
from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.optimization import Progress
from logistic_neuron.neuron.prediction import accuracy, predict
from support.arrays import pixel_problem

FAST = ["numba", "numpy-blocked"] if kernels.numba_available() else ["numpy-blocked"]


def problem(n_x, m, kind, seed=0):
    """X (n_x, m) with each example contiguous (the layout of split.pixels())."""
    return pixel_problem(n_x, m, kind, seed)


def run(X, Y, engine, dtype="float64", **kwargs):
    kwargs.setdefault("num_iterations", 120)
    kwargs.setdefault("learning_rate", 0.01)
    kwargs.setdefault("record_every", 10)
    return fit(X, Y, dtype=dtype, engine=engine, **kwargs)


@pytest.mark.parametrize("engine", FAST)
@pytest.mark.parametrize(
    ("kind", "dtype"),
    [("uint8", "float64"), ("uint8", "float32"), ("float64", "float64"), ("float32", "float32")],
)
@pytest.mark.parametrize(("n_x", "m"), [(30, 1), (17, 7), (64, 130)])
def test_engine_matches_reference(engine, kind, dtype, n_x, m):
    X, Y = problem(n_x, m, kind)
    ref = run(X, Y, "reference", dtype)
    fast = run(X, Y, engine, dtype)
    rtol = 1e-10 if dtype == "float64" else 2e-5
    assert isinstance(fast.w, np.ndarray)
    assert fast.w.shape == (n_x, 1)
    assert fast.w.dtype == np.dtype(dtype)
    assert isinstance(fast.b, float)
    scale = np.abs(ref.w).max()
    np.testing.assert_allclose(fast.w, ref.w, rtol=rtol, atol=rtol * scale)
    assert fast.b == pytest.approx(ref.b, rel=rtol, abs=rtol)
    np.testing.assert_allclose(fast.costs, ref.costs, rtol=rtol)
    np.testing.assert_allclose(
        fast.gradients.dw, ref.gradients.dw, rtol=rtol, atol=rtol * np.abs(ref.gradients.dw).max()
    )
    assert fast.gradients.db == pytest.approx(ref.gradients.db, rel=rtol, abs=rtol)
    assert fast.cost_iterations == ref.cost_iterations
    assert (fast.learning_rate, fast.num_iterations, fast.record_every) == (0.01, 120, 10)


@pytest.mark.parametrize("engine", FAST)
def test_c_ordered_and_converted_inputs(engine):
    X, Y = problem(20, 50, "float64")
    ref = run(X, Y, "reference", "float32")
    for variant in (np.ascontiguousarray(X), X):  # C-ordered copy; float64 -> float32
        fast = run(variant, Y, engine, "float32")
        np.testing.assert_allclose(fast.w, ref.w, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("engine", FAST)
def test_printed_costs_have_the_course_format(engine, capsys):
    X, Y = problem(12, 40, "uint8")
    run(X, Y, "reference", print_cost=True, num_iterations=25)
    ref = capsys.readouterr().out
    run(X, Y, engine, print_cost=True, num_iterations=25)
    out = capsys.readouterr().out
    assert out == ref
    assert out.splitlines()[0].startswith("Cost after iteration 0: ")
    assert len(out.splitlines()) == 3


@pytest.mark.parametrize("engine", FAST)
def test_resume_is_bit_identical(engine):
    X, Y = problem(40, 90, "uint8")
    full = run(X, Y, engine, num_iterations=57)
    seen: dict[int, Progress] = {}

    def grab(progress):
        seen[progress.iteration] = progress

    run(X, Y, engine, num_iterations=57, callback=grab)
    assert sorted(seen) == list(range(1, 58))  # called once per iteration
    assert seen[23].w.shape == (40, 1)
    mid = seen[23]
    resumed = run(
        X,
        Y,
        engine,
        num_iterations=57,
        w=mid.w,
        b=mid.b,
        start_iteration=23,
        previous_costs=mid.costs,
    )
    np.testing.assert_array_equal(resumed.w, full.w)
    assert resumed.b == full.b
    assert resumed.costs == full.costs
    np.testing.assert_array_equal(resumed.gradients.dw, full.gradients.dw)


@pytest.mark.parametrize("engine", FAST)
def test_callback_progress_is_not_mutated_later(engine):
    X, Y = problem(10, 20, "float64")
    kept = []
    run(X, Y, engine, num_iterations=5, callback=kept.append)
    assert [p.iteration for p in kept] == [1, 2, 3, 4, 5]
    assert not np.array_equal(kept[0].w, kept[-1].w)


@pytest.mark.parametrize("engine", FAST)
def test_divergence_is_detected(engine):
    X, Y = problem(50, 60, "float64")
    with pytest.raises(TrainingDivergedError, match="diverged"):
        run(X, -Y + 1, engine, learning_rate=1e308, num_iterations=50)


@pytest.mark.parametrize("engine", FAST)
def test_invalid_inputs_are_rejected_like_the_reference(engine):
    X, Y = problem(8, 10, "uint8")
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        run(X, Y * 2, engine)
    with pytest.raises(ValueError, match=r"shape \(1, 10\)"):
        run(X, Y[:, :5], engine)
    bad = (X / 255).copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        run(bad, Y, engine)
    with pytest.raises(ValueError, match="dtype float64"):
        run(X, Y, engine, w=np.zeros((8, 1), np.float32))
    with pytest.raises(ValueError, match="shape"):
        run(X.ravel(), Y, engine)
    with pytest.raises(ValueError, match="start_iteration"):
        run(X, Y, engine, start_iteration=500)
    with pytest.raises(ValueError, match="learning_rate"):
        run(X, Y, engine, learning_rate=-1.0)
    with pytest.raises(ValueError, match="dtype"):
        run(X.astype(np.int32), Y, engine)


def test_unknown_engine_and_dtype():
    X, Y = problem(4, 5, "float64")
    with pytest.raises(ValueError, match="unknown engine"):
        run(X, Y, "turbo")
    with pytest.raises(ValueError, match="unknown dtype"):
        run(X, Y, "auto", dtype="float16")
    assert ENGINES[0] == "auto"


def test_auto_falls_back_to_reference_for_other_array_libraries():
    xps = pytest.importorskip("array_api_strict")
    X, Y = problem(6, 9, "float64")
    Xs, Ys = xps.asarray(X), xps.asarray(Y)
    assert resolve_engine(Xs, "float64", 10**9) == "reference"
    result = run(Xs, Ys, "auto", num_iterations=20)
    assert not isinstance(result.w, np.ndarray)
    ref = run(X, Y, "reference", num_iterations=20)
    np.testing.assert_allclose(np.asarray(result.w), ref.w, rtol=1e-12)
    with pytest.raises(ValueError, match="needs NumPy arrays"):
        run(Xs, Ys, "numpy-blocked")


def test_auto_choice(monkeypatch):
    small, _ = problem(20, 30, "uint8")
    # 20 * 30^2 / 2 + 100 * 30^2 multiply-adds in the dual against 2 * 20 * 30 * 100.
    assert resolve_engine(small, "float64", 100) == "dual"
    assert resolve_engine(small, "float64", 3) == "reference"  # K would cost more than 3 steps
    # 9000 examples: K (648 MB) is over the memory budget, so a primal engine.
    big = np.zeros((9000, 12288), dtype=np.uint8).T  # example-major, never touched
    monkeypatch.setattr(kernels, "numba_available", lambda: True)
    assert resolve_engine(big, "float64", 2000) == "numba"
    monkeypatch.setattr(kernels, "numba_available", lambda: False)
    # Without numba: no 885 MB float copy of the pixels, one block at a time instead.
    assert resolve_engine(big, "float64", 2000) == "numpy-blocked"
    assert resolve_engine(big[:, :10], "float64", 2000) == "dual"
    assert resolve_engine(big, "float64", 2000, "reference") == "reference"


@pytest.mark.parametrize("engine", FAST)
def test_uint8_pixels_are_not_copied_to_floats(engine):
    X, Y = problem(3000, 1500, "uint8")  # 4.5 MB of pixels, 18 MB as float32
    run(X, Y, engine, "float32", num_iterations=2)  # compile outside the measurement
    tracemalloc.start()
    try:
        run(X, Y, engine, "float32", num_iterations=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes  # far below the 18 MB a float copy would need


def test_example_major_views_without_copy():
    X, _ = problem(9, 4, "uint8")
    assert np.shares_memory(one_pass.example_major(X, "float64"), X)
    C = np.ascontiguousarray(X)
    rows = one_pass.example_major(C, "float64")
    assert rows.flags.c_contiguous
    assert rows.shape == (4, 9)


# ------------------------------------------------------------------ the course's data


@pytest.fixture(scope="module")
def classic(course_data):
    """The course's classic run with the reference: printed costs and accuracies."""
    return classic_run(course_data, "reference")


def classic_run(data, engine):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fit(
            data.train.pixels(),
            data.train.Y(),
            num_iterations=2000,
            learning_rate=0.005,
            engine=engine,
            print_cost=True,
        )
    train = accuracy(predict(result.w, result.b, data.train.X()), data.train.Y())
    test = accuracy(predict(result.w, result.b, data.test.X()), data.test.Y())
    return out.getvalue(), train, test, result


@pytest.mark.parametrize("engine", [*FAST, "dual"])
def test_classic_run_prints_the_same(engine, course_data, classic):
    printed, train, test, result = classic_run(course_data, engine)
    assert printed == classic[0]
    assert printed.splitlines()[-1] == "Cost after iteration 1900: 0.140872"
    assert (train, test) == (classic[1], classic[2])
    assert test == 70.0
    np.testing.assert_allclose(result.w, classic[3].w, rtol=1e-10, atol=1e-13)


def test_auto_uses_the_dual_engine_for_the_classic_run(course_data):
    for dtype in ("float64", "float32"):
        assert resolve_engine(course_data.train.pixels(), dtype, 2000) == "dual"
        assert resolve_engine(course_data.train.X(dtype), dtype, 2000) == "dual"
