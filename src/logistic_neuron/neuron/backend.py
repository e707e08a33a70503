"""The one module that imports array libraries.

Everything else in logistic-neuron reaches arrays through this module: the
maths asks :func:`namespace` for the Array API namespace of its inputs (NumPy,
PyTorch, Dask, ``array_api_strict`` ...), and the I/O code uses :data:`np`, the
host library in which files are read and written. Optional libraries (numba,
matplotlib, torch) are imported lazily through :func:`require`, which turns a
missing package into an install hint instead of an ``ImportError`` traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat
import numpy

from logistic_neuron.errors import MissingDependencyError

#: The host array library: files are read into, and written from, NumPy arrays.
np = numpy

#: Floating dtypes the library computes in, by their user-facing names.
FLOAT_DTYPE_NAMES = ("float64", "float32")

Array = Any
"""Any Array API compatible array (NumPy, PyTorch, Dask, array_api_strict ...)."""


def namespace(*arrays: Any) -> Any:
    """Return the Array API namespace shared by ``arrays``.

    Python scalars and ``None`` are ignored, so ``namespace(w, b, X)`` works
    with a float ``b``. NumPy arrays get the compatibility wrapper namespace,
    which follows the standard (``xp.matmul``, ``xp.logaddexp`` ...).
    """
    real = [a for a in arrays if a is not None and not isinstance(a, (int, float, bool))]
    return array_api_compat.array_namespace(*real)


def is_array(x: Any) -> bool:
    """True when ``x`` is an array of a supported library (a NumPy scalar counts)."""
    return bool(array_api_compat.is_array_api_obj(x))


def library_name(x: Any) -> str:
    """A readable name of the array library ``x`` comes from, for error messages."""
    if array_api_compat.is_numpy_array(x):
        return "NumPy"
    if array_api_compat.is_torch_array(x):
        return "PyTorch"
    if array_api_compat.is_dask_array(x):
        return "Dask"
    if array_api_compat.is_cupy_array(x):
        return "CuPy"
    if array_api_compat.is_jax_array(x):
        return "JAX"
    module = type(x).__module__.split(".", 1)[0]
    return module if is_array(x) else type(x).__name__


def is_host_value(x: Any) -> bool:
    """True for Python numbers and lists and NumPy scalars: values the course hands to NumPy."""
    return isinstance(x, (int, float, list, tuple, numpy.generic)) or not is_array(x)


def host_array(values: Any) -> numpy.ndarray:
    """A Python number, a (nested) list or a NumPy scalar as a NumPy floating array.

    Floating NumPy scalars keep their dtype; everything else becomes float64,
    as ``np.exp`` would compute it.
    """
    array = numpy.asarray(values)
    if array.dtype.kind != "f":
        array = array.astype(numpy.float64)
    return array


def host_scalar(x: Any) -> Any:
    """A 0-d NumPy result as the NumPy scalar the course's code returns (``np.float64``)."""
    return x[()] if isinstance(x, numpy.ndarray) and x.ndim == 0 else x


def float64(value: Any) -> numpy.float64:
    """``value`` as a NumPy float64 scalar: what the course's ``np.sum(...) / m`` returns.

    It is a subclass of Python's ``float``, so it works wherever a float does.
    """
    return numpy.float64(value)


def is_numpy(x: Any) -> bool:
    """True when ``x`` is a NumPy array (the host library)."""
    return bool(array_api_compat.is_numpy_array(x))


def to_numpy(x: Any) -> numpy.ndarray:
    """Copy (or view) any supported array as a NumPy array on the host.

    PyTorch tensors are detached and moved to the CPU; Dask arrays are
    computed; ``array_api_strict`` arrays go through DLPack / the buffer
    protocol.
    """
    if isinstance(x, numpy.ndarray):
        return x
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_dask_array(x):
        return numpy.asarray(x.compute())
    try:
        return numpy.from_dlpack(x)
    except (TypeError, AttributeError, RuntimeError, BufferError):
        return numpy.asarray(x)


def dtype_name(x: Any) -> str:
    """The dtype of an array as a plain name such as ``'float64'``."""
    text = str(x.dtype)
    # torch prints 'torch.float32', array_api_strict prints 'array_api_strict.float32'.
    return text.rsplit(".", 1)[-1]


def float_dtype(xp: Any, name: str) -> Any:
    """Return namespace ``xp``'s floating dtype called ``name``.

    Raises
    ------
    ValueError
        When ``name`` is not one of :data:`FLOAT_DTYPE_NAMES`.
    """
    if name not in FLOAT_DTYPE_NAMES:
        raise ValueError(f"unknown dtype {name!r}: use one of {', '.join(FLOAT_DTYPE_NAMES)}")
    return getattr(xp, name)


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency, or explain how to install it.

    Parameters
    ----------
    module:
        The import name, e.g. ``"matplotlib.pyplot"``.
    extra:
        The ``pip install "logistic-neuron[extra]"`` extra that provides it.

    Raises
    ------
    MissingDependencyError
        With the install command, when the module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".", 1)[0]
        raise MissingDependencyError(
            f"{top} is needed for this feature but is not installed: "
            f'run  pip install "logistic-neuron[{extra}]"'
        ) from exc


def has_torch() -> bool:
    """True when PyTorch can be imported (it is never required)."""
    return importlib.util.find_spec("torch") is not None


def default_namespace() -> Any:
    """The namespace used when the caller gives no array: NumPy's."""
    return array_api_compat.array_namespace(numpy.zeros(0))


@contextlib.contextmanager
def overflow_checked_by_caller(xp: Any) -> Iterator[None]:
    """Silence NumPy's overflow warnings where the caller checks for ``inf`` itself.

    NumPy reports an overflowing ``matmul`` or subtraction as a
    ``RuntimeWarning``; other libraries return ``inf`` silently. Code inside
    this block must test its results with ``isfinite`` and raise a clear
    error, so the user sees one message instead of a warning and a NaN later.
    """
    if array_api_compat.is_numpy_namespace(xp):
        with numpy.errstate(over="ignore", invalid="ignore"):
            yield
    else:
        yield


def all_finite(xp: Any, x: Any) -> bool:
    """True when every element of ``x`` is finite."""
    return bool(xp.all(xp.isfinite(x)))


def materialize(x: Any) -> Any:
    """Evaluate a lazy array now (Dask), so loops do not rebuild ever longer task graphs.

    Gradient descent feeds each step's ``w`` into the next one; with Dask,
    leaving ``w`` lazy makes iteration k recompute all k steps before it.
    Eager libraries return ``x`` unchanged.
    """
    if array_api_compat.is_dask_array(x):
        return x.persist()
    return x
