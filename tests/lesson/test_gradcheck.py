import numpy as np
import pytest

from logistic_neuron.lesson.gradcheck import GradientCheck, gradient_check, relative_difference
from logistic_neuron.lesson.per_example import per_example_propagate
from logistic_neuron.neuron.propagation import (
    Gradients,
    labels_like,
    propagate,
    propagate_unchecked,
)


def problem(n_x=8, m=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    w = rng.normal(size=(n_x, 1)) / np.sqrt(n_x)
    return w, float(rng.normal()), X, Y


def unchecked(w, b, X, Y):
    return propagate_unchecked(w, float(b), X, labels_like(Y, X))


# Every gradient the library computes.
GRADIENT_FUNCTIONS = {
    "propagate": propagate,
    "propagate_unchecked": unchecked,
    "per_example_propagate": per_example_propagate,
}


@pytest.mark.parametrize("name", sorted(GRADIENT_FUNCTIONS))
def test_library_gradients_pass(name):
    w, b, X, Y = problem()
    result = gradient_check(w, b, X, Y, gradient_fn=GRADIENT_FUNCTIONS[name])
    assert isinstance(result, GradientCheck)
    assert result.passed, result.report()
    assert result.finite_difference < 1e-7
    assert result.graph < 1e-7
    assert result.dtype == "float64"
    assert "PASS" in result.report()


def wrong_sign_db(w, b, X, Y):
    grads, cost = propagate(w, b, X, Y)
    return Gradients(grads.dw, -grads.db), cost


def forgot_to_divide_by_m(w, b, X, Y):
    grads, cost = propagate(w, b, X, Y)
    m = X.shape[1]
    return Gradients(grads.dw * m, grads.db * m), cost


def dz_without_sigmoid(w, b, X, Y):
    # A classic slip: dZ = Z - Y instead of A - Y.
    _, cost = propagate(w, b, X, Y)
    Z = w.T @ X + b
    dZ = Z - Y
    return Gradients(X @ dZ.T / X.shape[1], float(np.mean(dZ))), cost


@pytest.mark.parametrize("wrong", [wrong_sign_db, forgot_to_divide_by_m, dz_without_sigmoid])
def test_wrong_gradient_fails_loudly(wrong):
    w, b, X, Y = problem()
    result = gradient_check(w, b, X, Y, gradient_fn=wrong)
    assert not result.passed
    assert max(result.finite_difference, result.graph) > 1e-3
    assert "FAIL" in result.report()
    assert "TOO LARGE" in result.report()


def test_subsets_are_stated():
    w, b, X, Y = problem(n_x=120, m=40)
    result = gradient_check(w, b, X, Y, fd_coordinates=30, graph_coordinates=10, graph_examples=7)
    assert result.passed, result.report()
    assert (result.fd_coordinates, result.graph_coordinates, result.graph_examples) == (30, 10, 7)
    assert result.n_parameters == 121 and result.m == 40
    assert "30 of 121 parameters" in result.report()
    assert "7 of 40 examples" in result.report()


def test_float32_uses_looser_threshold():
    w, b, X, Y = problem()
    result = gradient_check(w.astype(np.float32), b, X.astype(np.float32), Y)
    assert result.dtype == "float32"
    assert result.threshold == 1e-4
    assert result.passed, result.report()


def test_array_api_strict_inputs():
    xps = pytest.importorskip("array_api_strict")
    w, b, X, Y = problem(n_x=5, m=9)
    result = gradient_check(xps.asarray(w), b, xps.asarray(X), xps.asarray(Y), graph_examples=4)
    assert result.passed, result.report()
    assert result.graph_examples == 4


def test_course_data_sample(course_data_dir):
    from logistic_neuron.data.course_h5 import load_h5_split

    split, _ = load_h5_split(course_data_dir / "train_catvnoncat.h5")
    sample = split.subset([0, 7, 30, 100])
    X, Y = sample.X(), sample.Y().astype(np.float64)
    w = np.random.default_rng(1).normal(0, 0.01, size=(X.shape[0], 1))
    result = gradient_check(w, 0.1, X, Y, fd_coordinates=300)
    assert result.passed, result.report()
    bad = gradient_check(w, 0.1, X, Y, gradient_fn=wrong_sign_db, fd_coordinates=300)
    assert not bad.passed


def test_relative_difference():
    assert relative_difference([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_difference([1.0], [-1.0]) == 1.0
    assert relative_difference([1.0, 2.0], [1.0, 2.0]) == 0.0


def test_bad_arguments():
    w, b, X, Y = problem()
    with pytest.raises(ValueError, match="epsilon"):
        gradient_check(w, b, X, Y, epsilon=0.0)
    with pytest.raises(ValueError, match="threshold"):
        gradient_check(w, b, X, Y, threshold=-1.0)
    with pytest.raises(ValueError, match="shape"):
        gradient_check(w[:3], b, X, Y)


# The training kernels of fastpath compute the same gradient in one pass over
# X (example-major); adapt them to the (w, b, X, Y) -> (Gradients, cost) form.
def _pass_adapter(kernel, *, pixels=False):
    def gradient_fn(w, b, X, Y):
        Xr = np.ascontiguousarray(X.T)
        if pixels:
            # X holds pixels / 255 exactly: give the kernel the raw uint8 pixels.
            Xr = np.rint(Xr * 255).astype(np.uint8)
        y = np.asarray(Y, dtype=np.float64).reshape(-1)
        result = kernel(Xr, y, np.ascontiguousarray(w.reshape(-1)), float(b), want_cost=True)
        assert result.finite
        return Gradients(result.dw.reshape(-1, 1), result.db), result.cost

    return gradient_fn


def _pixel_problem(seed=0):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(30, 9), dtype=np.uint8)
    X = pixels / 255.0
    Y = (rng.random((1, 9)) < 0.5).astype(np.float64)
    w = rng.normal(0, 0.2, size=(30, 1))
    return w, 0.1, X, Y


@pytest.mark.parametrize("pixels", [False, True], ids=["float64", "uint8"])
def test_fastpath_numpy_pass(pixels):
    from logistic_neuron.engines.kernels import numpy_pass

    w, b, X, Y = _pixel_problem() if pixels else problem()
    result = gradient_check(w, b, X, Y, gradient_fn=_pass_adapter(numpy_pass, pixels=pixels))
    assert result.passed, result.report()


@pytest.mark.parametrize("pixels", [False, True], ids=["float64", "uint8"])
def test_fastpath_numba_pass(pixels):
    pytest.importorskip("numba", reason="numba is not installed (pip install numba)")
    from logistic_neuron.engines.kernels import numba_pass

    w, b, X, Y = _pixel_problem() if pixels else problem()
    result = gradient_check(w, b, X, Y, gradient_fn=_pass_adapter(numba_pass, pixels=pixels))
    assert result.passed, result.report()
