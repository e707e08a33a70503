r"""One pass over ``X`` per gradient-descent iteration: the fast training kernels.

Full-batch gradient descent reads every example at every iteration, so its
speed is set by the bytes that cross memory per iteration. The course's code
(``np.dot(w.T, X)`` then ``np.dot(X, (A - Y).T)``) reads ``X`` twice. The
kernels here read it once: for a block of a few examples they compute

.. math:: z_i = w \cdot x_i + b,\quad a_i = \sigma(z_i),\quad dz_i = a_i - y_i,
          \quad dw \mathrel{+}= dz_i\, x_i

while the block is still in cache. ``X`` is given example-major, shape
``(m, n_x)`` C-contiguous, which is exactly ``split.pixels().T`` (each image
contiguous), so no copy is made. Pixels may stay ``uint8``: the 1/255 scale is
folded into the dot product (``z = (w \cdot x) / 255 + b`` and
``dw = \sum dz\, x / (255 m)``), so a 64x64x3 image costs 12 KB instead of
48 KB (float32) or 96 KB (float64).

Two implementations of the same pass:

* :func:`numba_pass`, compiled with numba (``pip install "logistic-neuron[fast]"``),
  examples split across threads into a fixed number of partitions that
  depends only on ``m``, each with its own ``dw`` accumulator, reduced in
  partition order: the result does not depend on the number of threads or on
  scheduling, so a resumed run is bit for bit an uninterrupted one.
* :func:`numpy_pass`, pure NumPy: blocks of examples, each converted to floats
  (a block-sized temporary, never the whole ``X``) and pushed through two
  BLAS matrix-vector products while it is in cache.

Both return a :class:`PassResult`; :mod:`logistic_neuron.engines.resolver` wraps them
into the training loop.
"""

from __future__ import annotations

import functools
import math
import os
import types
from dataclasses import dataclass
from typing import Any

from logistic_neuron.neuron.backend import np, require

#: Examples per partition at least (partitions are what threads share out).
MIN_EXAMPLES_PER_PARTITION = 32
#: Most partitions: enough to balance 32 threads; their accumulators are summed
#: every iteration, so not more than needed.
MAX_PARTITIONS = 32
#: Bytes of ``X`` per block of the NumPy pass (fits in a 1-2 MB L2 cache).
NUMPY_BLOCK_BYTES = 1 << 20
#: The 1/255 pixel scale, as the course's ``X / 255``.
PIXEL_SCALE = 1.0 / 255.0


@dataclass(frozen=True)
class PassResult:
    """What one pass over the data gives.

    Attributes
    ----------
    dw : ndarray, shape (n_x,)
        ``dJ/dw`` in the compute dtype.
    db : float
        ``dJ/db``.
    cost : float
        ``mean(softplus(z) - y z)``; ``nan`` when not asked for.
    finite : bool
        False when some ``z = w^T x + b`` overflowed (the weights diverged).
    w_next : ndarray, shape (n_x,)
        The gradient step ``w - learning_rate * dw`` (a new array).
    """

    dw: Any
    db: float
    cost: float
    finite: bool
    w_next: Any


def partitions(m: int) -> int:
    """Number of example partitions for ``m`` examples (depends on ``m`` only).

    A power of two, so that 2, 4, 8 ... threads get equal shares; it does not
    depend on the thread count, so results are the same on every machine.
    """
    parts = max(1, min(MAX_PARTITIONS, m // MIN_EXAMPLES_PER_PARTITION))
    return 1 << (parts.bit_length() - 1)


def scale_of(X: Any) -> float:
    """The factor that turns ``X``'s values into features: 1/255 for uint8, else 1."""
    return PIXEL_SCALE if X.dtype == np.uint8 else 1.0


# --------------------------------------------------------------------------- numba

#: ``range`` when the kernel runs as plain Python; numba's ``prange`` when compiled.
prange = range
#: Conversion to the compute dtype: Python's ``float`` when run as plain Python;
#: ``np.float32`` / ``np.float64`` when compiled (numba would otherwise promote
#: ``float32 * uint8`` to float64 and lose the float32 path's vector width).
_as_float = float


def _to_float32(v):
    return np.float32(v)


def _to_float64(v):
    return np.float64(v)


def _unit(s, y, b, scale, want_cost):
    # One example's dz and loss, in float64 with the reference's stable
    # formulas: sigmoid via exp(-|z|), loss = softplus(z) - y z. dw's scale
    # (1/255 for pixels) is applied once to the summed gradient by the caller.
    z = float(s) * scale + b
    if not math.isfinite(z):
        return 0.0, 0.0, 1.0
    e = math.exp(-abs(z))
    a = 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
    loss = 0.0
    if want_cost:
        loss = max(z, 0.0) + math.log1p(e) - y * z
    return a - y, loss, 0.0


def _gradient_pass(Xr, y, w, b, scale, parts, want_cost, acc, dw, stats, gscale, step, w_next):
    # Xr (m, n) C-contiguous; y (m,) float64; w (n,) compute dtype;
    # acc (parts, n) compute-dtype scratch; stats (parts, 3) float64.
    # Outputs: dw (n,) = sum dz x * gscale (gscale = scale / m), and the
    # gradient step w_next (n,) = w - step * dw, fused here to save a pass in Python.
    m, n = Xr.shape
    for p in prange(parts):
        lo = p * m // parts
        hi = (p + 1) * m // parts
        a_row = acc[p]
        for j in range(n):
            a_row[j] = 0
        s_dz = 0.0
        s_loss = 0.0
        bad = 0.0
        i = lo
        # Blocks of four examples: w and the accumulator are loaded once per
        # four rows of X, and the four rows are re-read from L1/L2 for dw.
        while i + 4 <= hi:
            x0 = Xr[i]
            x1 = Xr[i + 1]
            x2 = Xr[i + 2]
            x3 = Xr[i + 3]
            z0 = w[0] * 0
            z1 = z0
            z2 = z0
            z3 = z0
            for j in range(n):
                wj = w[j]
                z0 += wj * _as_float(x0[j])
                z1 += wj * _as_float(x1[j])
                z2 += wj * _as_float(x2[j])
                z3 += wj * _as_float(x3[j])
            d0, l0, f0 = _unit(z0, y[i], b, scale, want_cost)
            d1, l1, f1 = _unit(z1, y[i + 1], b, scale, want_cost)
            d2, l2, f2 = _unit(z2, y[i + 2], b, scale, want_cost)
            d3, l3, f3 = _unit(z3, y[i + 3], b, scale, want_cost)
            s_dz += (d0 + d1) + (d2 + d3)
            s_loss += (l0 + l1) + (l2 + l3)
            bad += (f0 + f1) + (f2 + f3)
            c0 = _as_float(d0)
            c1 = _as_float(d1)
            c2 = _as_float(d2)
            c3 = _as_float(d3)
            for j in range(n):
                a_row[j] += (c0 * _as_float(x0[j]) + c1 * _as_float(x1[j])) + (
                    c2 * _as_float(x2[j]) + c3 * _as_float(x3[j])
                )
            i += 4
        while i < hi:
            x0 = Xr[i]
            z0 = w[0] * 0
            for j in range(n):
                z0 += w[j] * _as_float(x0[j])
            d0, l0, f0 = _unit(z0, y[i], b, scale, want_cost)
            s_dz += d0
            s_loss += l0
            bad += f0
            c0 = _as_float(d0)
            for j in range(n):
                a_row[j] += c0 * _as_float(x0[j])
            i += 1
        stats[p, 0] = s_dz
        stats[p, 1] = s_loss
        stats[p, 2] = bad
    # Sum the partitions in a fixed order (deterministic), split over features.
    for c in prange(parts):
        j0 = c * n // parts
        j1 = (c + 1) * n // parts
        for j in range(j0, j1):
            dw[j] = acc[0, j]
        for q in range(1, parts):
            for j in range(j0, j1):
                dw[j] += acc[q, j]
        g = _as_float(gscale)
        s = _as_float(step)
        for j in range(j0, j1):
            dw[j] *= g
            w_next[j] = w[j] - s * dw[j]


def _build_kernel(numba: Any, compute: str) -> Any:
    """Compile :func:`_gradient_pass` with numba (an optional import, hence here).

    The plain Python functions above are given ``prange`` and the compiled
    ``_unit`` through a private globals dict, so the module needs no numba at
    import time and the on-disk cache (keyed by this file) hits across processes.
    """
    unit = numba.njit(inline="always")(_unit)
    convert = numba.njit(inline="always")(_to_float32 if compute == "float32" else _to_float64)
    namespace = {**globals(), "prange": numba.prange, "_unit": unit, "_as_float": convert}
    name = f"_gradient_pass_{compute}"
    kernel = types.FunctionType(_gradient_pass.__code__, namespace, name)
    # The qualname names numba's on-disk cache index: one per compute dtype.
    kernel.__qualname__ = name
    # reassoc/contract let LLVM vectorise the dot products and use FMA; no
    # nnan/ninf, because an overflowing z must still be seen as inf.
    options = {"parallel": True, "fastmath": {"reassoc", "contract"}, "nogil": True}
    try:
        return numba.njit(cache=True, **options)(kernel)
    except RuntimeError:
        # cache=True needs a writable cache folder; read-only installs have none.
        return numba.njit(**options)(kernel)


#: Elements of ``X`` (m * n_x) per iteration below which the kernel runs on one
#: thread: a parallel region costs a fork and a join per iteration, and when
#: other processes hold the cores a descheduled thread stalls the join for a
#: whole time slice (milliseconds), which a small pass cannot repay.
MIN_ELEMENTS_PER_THREAD = 4_000_000


def threads_for(m: int, n_x: int, available: int) -> int:
    """Threads for one pass over ``m x n_x`` examples x features.

    One per :data:`MIN_ELEMENTS_PER_THREAD` elements, at most ``available``.
    """
    return max(1, min(available, (m * n_x) // MIN_ELEMENTS_PER_THREAD))


@functools.cache
def _compiled(compute: str = "float64") -> Any:
    """The numba kernel for ``compute`` ("float32"/"float64"), built once per process.

    It is compiled on its first call for each storage dtype of ``X`` (or loaded
    from numba's cache on disk when the package folder is writable).

    numba is imported here, the first time its engine runs. Its OpenMP
    threading layer is asked, unless the user said otherwise, to let idle
    threads sleep (``OMP_WAIT_POLICY=PASSIVE``) rather than spin: spinning
    threads take the cores from the other processes (and from our own other
    threads) on a busy machine.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return _build_kernel(require("numba", "fast"), compute)


@functools.cache
def _numba_threads() -> int:
    """The size of numba's thread pool (``NUMBA_NUM_THREADS``, by default the cores)."""
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]


def _set_threads(count: int) -> None:
    import numba

    numba.set_num_threads(count)


def numba_available() -> bool:
    """True when numba can be imported."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


class Workspace:
    """Scratch arrays reused across iterations (no allocation per iteration)."""

    def __init__(self, m: int, n_x: int, dtype: Any) -> None:
        self.parts = partitions(m)
        self.acc = np.empty((self.parts, n_x), dtype=dtype)
        self.stats = np.empty((self.parts, 3), dtype=np.float64)


def numba_pass(
    Xr: Any,
    y: Any,
    w: Any,
    b: float,
    *,
    want_cost: bool,
    learning_rate: float = 0.0,
    workspace: Workspace | None = None,
    m_total: int | None = None,
    max_threads: int | None = None,
) -> PassResult:
    """Gradients (and optionally the cost) in one pass over ``Xr``, with numba.

    Parameters
    ----------
    Xr : ndarray, shape (m, n_x), C-contiguous, uint8 / float32 / float64
        One example per row (``X.T`` of the course's layout). uint8 pixels are
        scaled by 1/255 on the fly.
    y : ndarray, shape (m,), float64
        Labels 0/1.
    w : ndarray, shape (n_x,), float32 or float64, C-contiguous
        Weights; their dtype is the compute dtype.
    b : float
    want_cost : bool
        Compute the cost too (an ``exp`` and a ``log1p`` per example).
    learning_rate : float
        For ``w_next = w - learning_rate * dw``, computed in the same pass.
    workspace : Workspace, optional
        Scratch arrays to reuse across iterations.
    m_total : int, optional
        Divide the sums by this instead of ``m``: the pass then gives one
        chunk's share of the gradient and cost of a larger data set, and the
        shares of all chunks add up to the whole (the chunked engines).
    max_threads : int, optional
        Use at most this many of numba's threads (a Dask worker's own threads).

    Returns
    -------
    PassResult
    """
    kernel = _compiled(w.dtype.name)
    m, n_x = Xr.shape
    total = m if m_total is None else m_total
    # Results do not depend on the thread count (fixed partitions, reduced in order).
    _set_threads(threads_for(m, n_x, min(max_threads or _numba_threads(), _numba_threads())))
    ws = workspace if workspace is not None else Workspace(m, n_x, w.dtype)
    dw = np.empty(n_x, dtype=w.dtype)
    w_next = np.empty(n_x, dtype=w.dtype)
    scale = scale_of(Xr)
    kernel(
        Xr,
        y,
        w,
        float(b),
        scale,
        ws.parts,
        bool(want_cost),
        ws.acc,
        dw,
        ws.stats,
        scale / total,
        float(learning_rate),
        w_next,
    )
    sums = ws.stats.sum(axis=0)
    return PassResult(
        dw=dw,
        db=float(sums[0]) / total,
        cost=float(sums[1]) / total if want_cost else math.nan,
        finite=bool(sums[2] == 0),
        w_next=w_next,
    )


# --------------------------------------------------------------------------- numpy


def numpy_block_rows(n_x: int, itemsize: int) -> int:
    """Examples per block of the NumPy pass: about :data:`NUMPY_BLOCK_BYTES` of ``X``."""
    return max(1, NUMPY_BLOCK_BYTES // max(1, n_x * itemsize))


def numpy_pass(
    Xr: Any,
    y: Any,
    w: Any,
    b: float,
    *,
    want_cost: bool,
    learning_rate: float = 0.0,
    m_total: int | None = None,
) -> PassResult:
    """Gradients (and optionally the cost) in one blocked pass over ``Xr``, pure NumPy.

    Parameters and result as for :func:`numba_pass`. Each block of rows is
    converted to the compute dtype (uint8 pixels: a block-sized temporary) and
    used for both ``z = X_b w`` and ``dw += X_b^T dz`` while it is in cache.
    """
    m, n_x = Xr.shape
    total = m if m_total is None else m_total
    dtype = w.dtype
    scale = scale_of(Xr)
    rows = numpy_block_rows(n_x, dtype.itemsize)
    dw = np.zeros(n_x, dtype=dtype)
    s_dz = 0.0
    s_loss = 0.0
    finite = True
    with np.errstate(over="ignore", invalid="ignore"):
        for lo in range(0, m, rows):
            block = Xr[lo : lo + rows]
            if block.dtype != dtype:
                block = block.astype(dtype)
            z = (block @ w).astype(np.float64)
            if scale != 1.0:
                z *= scale
            z += b
            if not np.isfinite(z).all():
                finite = False
                break
            e = np.exp(-np.abs(z))
            a = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
            yb = y[lo : lo + rows]
            dz = a - yb
            s_dz += float(dz.sum())
            if want_cost:
                s_loss += float((np.maximum(z, 0.0) + np.log1p(e) - yb * z).sum())
            dw += dz.astype(dtype) @ block
    if scale != 1.0:
        dw *= dtype.type(scale)
    dw /= dtype.type(total)
    with np.errstate(over="ignore", invalid="ignore"):
        w_next = w - dtype.type(learning_rate) * dw
    return PassResult(
        dw=dw,
        db=s_dz / total,
        cost=s_loss / total if want_cost else math.nan,
        finite=finite,
        w_next=w_next,
    )
