"""The one-pass kernels against a direct NumPy computation of the same maths."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from logistic_neuron.engines import kernels
from logistic_neuron.errors import MissingDependencyError

numba = pytest.importorskip("numba", reason="numba is not installed (pip install '.[fast]')")

# (examples, features): m = 1, m below / not a multiple of the 4-example block,
# m spanning several partitions, n_x = 1.
SHAPES = [(1, 5), (3, 7), (5, 1), (63, 16), (130, 33), (1001, 24)]
# (storage dtype of X, compute dtype): the four compiled signatures.
KINDS = [
    ("uint8", "float64"),
    ("uint8", "float32"),
    ("float32", "float32"),
    ("float64", "float64"),
]


def make_problem(m, n_x, storage, compute, seed=0):
    rng = np.random.default_rng(seed)
    if storage == "uint8":
        rows = rng.integers(0, 256, size=(m, n_x), dtype=np.uint8)
    else:
        rows = rng.standard_normal((m, n_x)).astype(storage)
    y = (rng.random(m) > 0.5).astype(np.float64)
    w = (rng.standard_normal(n_x) * 0.05).astype(compute)
    return rows, y, w, 0.3


def expected(rows, y, w, b):
    """The reference maths in float64: z, sigmoid, dw, db, cost."""
    X = rows.T.astype(np.float64)
    if rows.dtype == np.uint8:
        X = X / 255
    z = w.astype(np.float64) @ X + b
    a = 1 / (1 + np.exp(-z))
    dz = a - y
    m = rows.shape[0]
    return X @ dz / m, dz.mean(), float(np.mean(np.logaddexp(0, z) - y * z))


def tolerance(compute):
    return 1e-10 if compute == "float64" else 2e-5


@pytest.mark.parametrize(("storage", "compute"), KINDS)
@pytest.mark.parametrize(("m", "n_x"), SHAPES)
@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_pass_matches_direct_maths(kernel, m, n_x, storage, compute):
    rows, y, w, b = make_problem(m, n_x, storage, compute)
    run = kernels.numba_pass if kernel == "numba" else kernels.numpy_pass
    tol = tolerance(compute)
    result = run(rows, y, w, b, want_cost=True, learning_rate=0.25)
    dw, db, cost = expected(rows, y, w, b)
    np.testing.assert_allclose(result.w_next, w - 0.25 * dw, rtol=tol, atol=tol * np.abs(w).max())
    assert result.dw.dtype == np.dtype(compute)
    assert result.dw.shape == (n_x,)
    np.testing.assert_allclose(result.dw, dw, rtol=tol, atol=tol * np.abs(dw).max())
    assert result.db == pytest.approx(db, rel=tol, abs=tol)
    assert result.cost == pytest.approx(cost, rel=tol)
    assert result.finite


def test_cost_is_skipped_when_not_wanted():
    rows, y, w, b = make_problem(10, 4, "float64", "float64")
    assert math.isnan(kernels.numba_pass(rows, y, w, b, want_cost=False).cost)
    assert math.isnan(kernels.numpy_pass(rows, y, w, b, want_cost=False).cost)


@pytest.mark.parametrize("run", [kernels.numba_pass, kernels.numpy_pass])
def test_overflowing_logits_are_reported(run):
    rows, y, w, b = make_problem(9, 3, "float64", "float64")
    huge = np.full(3, 1e308)
    rows = np.abs(rows) + 1.0
    assert not run(rows, y, huge, b, want_cost=True).finite
    assert run(rows, y, w, b, want_cost=True).finite


def test_result_does_not_depend_on_thread_count():
    # Partitions depend on m only and are summed in a fixed order: bit for bit
    # the same gradients with 1 thread as with all of them.
    rows, y, w, b = make_problem(1001, 40, "float32", "float32")
    before = numba.get_num_threads()
    try:
        many = kernels.numba_pass(rows, y, w, b, want_cost=True)
        numba.set_num_threads(1)
        one = kernels.numba_pass(rows, y, w, b, want_cost=True)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(many.dw, one.dw)
    assert (many.db, many.cost) == (one.db, one.cost)


def test_workspace_reuse_gives_the_same_result():
    rows, y, w, b = make_problem(130, 33, "uint8", "float64")
    ws = kernels.Workspace(130, 33, np.dtype("float64"))
    first = kernels.numba_pass(rows, y, w, b, want_cost=True, workspace=ws)
    second = kernels.numba_pass(rows, y, w, b, want_cost=True, workspace=ws)
    np.testing.assert_array_equal(first.dw, second.dw)


def test_partitions_depend_on_m_only():
    assert kernels.partitions(1) == 1
    assert kernels.partitions(209) == 4
    assert kernels.partitions(100) == 2
    assert kernels.partitions(10**6) == kernels.MAX_PARTITIONS


def test_kernel_runs_as_plain_python():
    # The uncompiled kernel (prange = range) is the readable specification.
    rows, y, w, b = make_problem(11, 6, "uint8", "float64")
    parts = 2
    acc = np.empty((parts, 6))
    dw = np.empty(6)
    w_next = np.empty(6)
    stats = np.empty((parts, 3))
    args = (acc, dw, stats, 1 / 255 / 11, 0.5, w_next)
    kernels._gradient_pass(rows, y, w, b, 1 / 255, parts, True, *args)
    want_dw, want_db, want_cost = expected(rows, y, w, b)
    np.testing.assert_allclose(dw, want_dw, rtol=1e-12)
    np.testing.assert_allclose(w_next, w - 0.5 * want_dw, rtol=1e-12)
    assert stats[:, 0].sum() / 11 == pytest.approx(want_db, rel=1e-12)
    assert stats[:, 1].sum() / 11 == pytest.approx(want_cost, rel=1e-12)


def test_missing_numba_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)
    with pytest.raises(MissingDependencyError, match=r"logistic-neuron\[fast\]"):
        kernels._compiled.__wrapped__("float64")


def test_numpy_blocks_bound_the_temporary():
    rows = kernels.numpy_block_rows(12288, 4)
    assert rows * 12288 * 4 <= kernels.NUMPY_BLOCK_BYTES
    assert kernels.numpy_block_rows(10**9, 8) == 1


def test_threads_for_small_passes_is_one():
    from logistic_neuron.engines.kernels import MIN_ELEMENTS_PER_THREAD, threads_for

    assert threads_for(209, 12288, 2) == 1  # the classic pass: 2.6e6 elements
    assert threads_for(10_000, 12288, 2) == 2
    assert threads_for(10_000, 12288, 1) == 1
    assert threads_for(1, MIN_ELEMENTS_PER_THREAD * 3, 8) == 3
