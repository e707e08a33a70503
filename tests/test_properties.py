"""Property-based tests: the maths never warns or returns non-finite numbers for finite
input, and the loaders answer any bytes with the tool's own error."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from logistic_neuron.data.course_h5 import load_h5_split
from logistic_neuron.data.images import load_image
from logistic_neuron.errors import DataError, ModelFileError
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.optimization import CostRoseWarning, optimize
from logistic_neuron.neuron.propagation import cost_from_logits, propagate
from logistic_neuron.storage.model_file import load_model

DTYPES = st.sampled_from([np.float32, np.float64])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def finite(dtype, shape):
    width = 32 if dtype == np.float32 else 64
    return arrays(
        dtype, shape, elements=st.floats(allow_nan=False, allow_infinity=False, width=width)
    )


@st.composite
def problems(draw):
    dtype = draw(DTYPES)
    n_x = draw(st.integers(1, 6))
    m = draw(st.integers(1, 8))
    X = draw(finite(dtype, (n_x, m)))
    w = draw(finite(dtype, (n_x, 1)))
    b = draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
    Y = draw(arrays(np.int64, (1, m), elements=st.integers(0, 1)))
    return w, b, X, Y


@FAST
@given(problems())
def test_propagate_is_finite_or_says_why(problem):
    w, b, X, Y = problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            grads, cost = propagate(w, b, X, Y)
        except ValueError as exc:
            assert "overflowed" in str(exc)
            return
    assert np.isfinite(cost) and cost >= 0
    assert grads.dw.shape == w.shape and grads.dw.dtype == w.dtype
    assert np.all(np.isfinite(grads.dw)) and np.isfinite(grads.db)


@FAST
@given(DTYPES.flatmap(lambda d: finite(d, st.integers(1, 20))), st.data())
def test_cost_and_sigmoid_over_the_whole_range_of_z(z, data):
    labels = data.draw(arrays(z.dtype, z.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = cost_from_logits(z.reshape(1, -1), labels.reshape(1, -1))
        a = sigmoid(z)
    assert np.isfinite(cost) and cost >= 0
    assert np.all((a >= 0) & (a <= 1)) and a.dtype == z.dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_z_values(dtype):
    info = np.finfo(dtype)
    z = np.array([[-info.max, -1e4, -info.tiny, 0.0, info.tiny, 1e4, info.max]], dtype=dtype)
    for y in (0.0, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            cost = cost_from_logits(z, np.full_like(z, y))
        assert np.isfinite(cost)


@settings(max_examples=40, deadline=None)
@given(problems(), st.floats(1e-6, 1e6))
def test_optimize_never_raises_runtime_warnings(problem, rate):
    from logistic_neuron.errors import TrainingDivergedError

    w, b, X, Y = problem
    with warnings.catch_warnings():
        # The tool's own CostRoseWarning is advice, not a numerical fault.
        warnings.simplefilter("ignore", CostRoseWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = optimize(w, b, X, Y, 30, rate, record_every=10)
        except (TrainingDivergedError, ValueError):
            return
    assert all(np.isfinite(result.costs)) and np.all(np.isfinite(result.w))


PNG_HEADER = b"\x89PNG\r\n\x1a\n"
HDF5_HEADER = b"\x89HDF\r\n\x1a\n"
ZIP_HEADER = b"PK\x03\x04"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from([b"", PNG_HEADER, HDF5_HEADER, ZIP_HEADER]), st.binary(max_size=2048))
def test_random_bytes_never_crash_the_loaders(tmp_path, header, body):
    data = header + body
    for name, load, errors in (
        ("x.png", lambda p: load_image(p, (8, 8)), DataError),
        ("x.h5", load_h5_split, DataError),
        ("x.npz", load_model, ModelFileError),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                load(path)
            except errors as exc:
                assert str(exc)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m", [1, 2, 9, 1000])
def test_cost_when_every_z_is_the_float_maximum(dtype, m):
    # Found by hypothesis: m losses of the float maximum each overflowed their sum.
    top = np.finfo(dtype).max
    z = np.full((1, m), top, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = cost_from_logits(z, np.zeros_like(z))
    assert cost == pytest.approx(float(top), rel=1e-6)
