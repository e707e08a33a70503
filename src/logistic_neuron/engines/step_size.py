r"""A learning rate that provably decreases the cost: ``learning_rate="auto"``.

The cost :math:`J(w, b) = \frac1m \sum_i \ell(w^T x_i + b, y_i)` has the Hessian

.. math:: H = \frac1m \tilde X D \tilde X^T, \qquad
          \tilde X = \begin{bmatrix} X \\ 1 \cdots 1 \end{bmatrix},\quad
          D = \operatorname{diag}(a_i (1 - a_i)) \preceq \tfrac14 I,

so :math:`H \preceq \tilde X \tilde X^T / (4m)` everywhere and :math:`J` is
:math:`L`-smooth with :math:`L = \lambda_{\max}(\tilde X \tilde X^T) / (4m)`,
bias included. Gradient descent with a step :math:`\alpha \le 1/L` then obeys
:math:`J_{k+1} \le J_k - \frac{\alpha}{2} \lVert \nabla J_k \rVert^2`: the cost
never rises, whatever the scale of the features.

:func:`curvature_bound` computes :math:`\lambda_{\max}(\tilde X \tilde X^T)`
exactly (the largest eigenvalue of the smaller of the two Gram matrices, with a
relative margin of :data:`ROUNDING_MARGIN`) when that is cheap, and otherwise
the upper bound :math:`\min(\lVert \tilde X \rVert_F^2,\ \lVert \tilde X \rVert_1
\lVert \tilde X \rVert_\infty)` (both bound :math:`\sigma_{\max}^2`; the second
is tight for images, whose pixels are all of one sign). Either way
:func:`auto_learning_rate` returns :math:`4m / \text{bound} \le 1/L`.

Written with NumPy because it reads the data once, in blocks (uint8 pixels are
scaled by 1/255 block by block, as the engines do), before any engine runs.
"""

from __future__ import annotations

from logistic_neuron.neuron.backend import Array, dtype_name, np, to_numpy

#: The exact eigenvalue is computed when the smaller Gram matrix has at most this
#: many rows (eigvalsh is O(side^3)) ...
EXACT_MAX_SIDE = 1500
#: ... and building it costs at most this many multiply-adds.
EXACT_MAX_WORK = 2_000_000_000
#: Relative margin added to the computed eigenvalue, far above eigvalsh's rounding.
ROUNDING_MARGIN = 1e-6
#: Examples (or features) converted to floats at a time.
BLOCK = 512


def _float_block(block: np.ndarray) -> np.ndarray:
    if block.dtype == np.uint8:
        return block.astype(np.float64) / 255
    return block.astype(np.float64, copy=False)


def curvature_bound(X: Array) -> float:
    r"""An upper bound on :math:`\lambda_{\max}(\tilde X \tilde X^T)`, :math:`\tilde X = [X; 1]`.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Features (floats, or uint8 pixels read as ``X / 255``), one example per column.

    Returns
    -------
    float
        Exact up to :data:`ROUNDING_MARGIN` when the smaller Gram matrix is small
        (:data:`EXACT_MAX_SIDE`, :data:`EXACT_MAX_WORK`), else
        :math:`\min(\lVert\tilde X\rVert_F^2, \lVert\tilde X\rVert_1 \lVert\tilde X\rVert_\infty)`.
    """
    host = to_numpy(X)
    n_x, m = host.shape
    side = min(n_x + 1, m)
    if side <= EXACT_MAX_SIDE and n_x * m * side <= EXACT_MAX_WORK:
        if m <= n_x + 1:
            # K = X~^T X~ = X^T X + 1 1^T (m x m), summed over blocks of features.
            gram = np.ones((m, m))
            for start in range(0, n_x, BLOCK):
                rows = _float_block(host[start : start + BLOCK])
                gram += rows.T @ rows
        else:
            # G = X~ X~^T ((n_x + 1) x (n_x + 1)), summed over blocks of examples.
            gram = np.zeros((n_x + 1, n_x + 1))
            for start in range(0, m, BLOCK):
                cols = _float_block(host[:, start : start + BLOCK])
                extended = np.vstack([cols, np.ones((1, cols.shape[1]))])
                gram += extended @ extended.T
        largest = float(np.linalg.eigvalsh(gram)[-1])
        return largest * (1 + ROUNDING_MARGIN)
    frobenius = float(m)  # the row of ones
    feature_sums = np.zeros(n_x)  # |X~|_1: the largest column sum of X~^T, i.e. per feature
    example_max = 0.0  # |X~|_inf: the largest sum over one example, bias included
    for start in range(0, m, BLOCK):
        cols = np.abs(_float_block(host[:, start : start + BLOCK]))
        frobenius += float(np.sum(cols * cols))
        feature_sums += cols.sum(axis=1)
        example_max = max(example_max, float(cols.sum(axis=0).max()) + 1.0)
    one_norm = max(float(feature_sums.max()), float(m))
    return min(frobenius, one_norm * example_max)


def auto_learning_rate(X: Array) -> float:
    """The step size ``4 m / curvature_bound(X)``, at most ``1 / L`` for the course's cost.

    Parameters
    ----------
    X : array, shape (n_x, m)
        Features, one example per column (uint8 pixels are read as ``X / 255``).

    Returns
    -------
    float
        A learning rate with which every gradient step lowers (never raises) the cost.
    """
    if dtype_name(X) not in ("uint8", "float32", "float64"):
        raise ValueError(f"X has dtype {dtype_name(X)}; use floats or uint8 pixels")
    m = X.shape[1]
    return 4.0 * m / curvature_bound(X)
