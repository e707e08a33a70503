r"""Gradient checking: is the backward pass the derivative of the cost?

Two independent witnesses check a gradient function (by default the
library's vectorised :func:`~logistic_neuron.neuron.propagation.propagate`):

1. **Centred finite differences** of the library's cost, in float64: nudge
   each parameter ``theta_k`` by ``+-epsilon`` and take
   ``(J(theta + eps e_k) - J(theta - eps e_k)) / (2 eps)``.
2. **The computation-graph engine** (:mod:`logistic_neuron.lesson.graph`): build
   the cost of a few examples from scalar operations and back-propagate
   through them by the chain rule.

Each comparison is summarised by the relative difference

.. math:: \frac{\lVert g - \tilde g \rVert}{\lVert g \rVert + \lVert \tilde g \rVert}

with ``g`` the gradient under test and ``g~`` the witness. It is about 1e-10
for a correct float64 gradient and of order 1 for a wrong one; the check
passes below ``threshold`` (1e-7).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logistic_neuron.lesson.graph import Graph, Node, logistic_loss, sum_nodes
from logistic_neuron.neuron.backend import Array, dtype_name, np, to_numpy
from logistic_neuron.neuron.propagation import Gradients, propagate, validate_problem

GradientFunction = Callable[[Array, float, Array, Array], tuple[Gradients, float]]

#: Relative difference below which a float64 gradient passes.
DEFAULT_THRESHOLD = 1e-7
#: Threshold for float32 gradients (their own rounding is ~1e-7).
FLOAT32_THRESHOLD = 1e-4
#: Nudge of the centred differences: the h**2 error (~1e-10) and the rounding
#: error (~1e-16 / h ~ 1e-11) are both far below the threshold.
DEFAULT_EPSILON = 1e-5


@dataclass(frozen=True)
class GradientCheck:
    """The result of :func:`gradient_check`.

    Attributes
    ----------
    finite_difference : float
        Relative difference between the gradient and centred finite
        differences, over ``fd_coordinates`` of the ``n_parameters``.
    graph : float
        Relative difference between the gradient and the graph engine's,
        on ``graph_examples`` examples and ``graph_coordinates`` weights plus ``b``.
    threshold : float
    passed : bool
        Both relative differences are below ``threshold``.
    epsilon : float
    n_parameters : int
        ``n_x + 1`` (the weights and ``b``).
    fd_coordinates : int
        How many parameters finite differences checked.
    graph_coordinates : int
        How many weights the graph engine checked (``b`` always is).
    graph_examples : int
        How many examples the graph engine's cost used.
    m : int
        Examples in the problem.
    dtype : str
        dtype of the gradient under test.
    finite_difference_max_abs, graph_max_abs : float
        Largest absolute difference of one component.
    """

    finite_difference: float
    graph: float
    threshold: float
    passed: bool
    epsilon: float
    n_parameters: int
    fd_coordinates: int
    graph_coordinates: int
    graph_examples: int
    m: int
    dtype: str
    finite_difference_max_abs: float
    graph_max_abs: float

    def report(self) -> str:
        """A few lines for people: what was compared, the numbers, PASS or FAIL."""
        verdict = "PASS" if self.passed else "FAIL"

        def mark(value: float) -> str:
            return "ok" if value < self.threshold else "TOO LARGE"

        lines = [
            f"gradient check ({self.dtype}, {self.m} examples, {self.n_parameters} parameters "
            f"= n_x + 1, threshold {self.threshold:g})",
            f"  vs centred finite differences (epsilon {self.epsilon:g}, "
            f"{self.fd_coordinates} of {self.n_parameters} parameters): "
            f"relative difference {self.finite_difference:.3e}  "
            f"[{mark(self.finite_difference)}]  (max |diff| {self.finite_difference_max_abs:.3e})",
            f"  vs the computation graph ({self.graph_examples} of {self.m} examples, "
            f"{self.graph_coordinates} of {self.n_parameters - 1} weights and b): "
            f"relative difference {self.graph:.3e}  [{mark(self.graph)}]  "
            f"(max |diff| {self.graph_max_abs:.3e})",
            f"{verdict}: "
            + (
                "the backward pass matches the derivative of the cost"
                if self.passed
                else "the gradient does NOT match the derivative of the cost"
            ),
        ]
        return "\n".join(lines)


def relative_difference(g: Any, approx: Any) -> float:
    """``||g - approx|| / (||g|| + ||approx||)``, 0 when both are zero."""
    g = np.asarray(g, dtype=np.float64).ravel()
    approx = np.asarray(approx, dtype=np.float64).ravel()
    denominator = float(np.linalg.norm(g) + np.linalg.norm(approx))
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(g - approx)) / denominator


def _flat_gradient(grads: Gradients) -> Any:
    """``(dw_1 ... dw_n, db)`` as a float64 NumPy vector."""
    dw = to_numpy(grads.dw).astype(np.float64).reshape(-1)
    return np.concatenate([dw, [float(grads.db)]])


def finite_difference_gradient(
    w: Any, b: float, X: Any, Y: Any, coordinates: Any, epsilon: float = DEFAULT_EPSILON
) -> Any:
    """Centred differences of the library's cost for the parameters at ``coordinates``.

    Parameters
    ----------
    w : ndarray, shape (n_x, 1), float64
    b : float
    X : ndarray, shape (n_x, m), float64
    Y : ndarray, shape (1, m), float64
    coordinates : sequence of int
        Indices into ``(w_1 ... w_n, b)``; ``n_x`` means ``b``.
    epsilon : float

    Returns
    -------
    ndarray, shape (len(coordinates),)
    """

    def cost(w_: Any, b_: float) -> float:
        return propagate(w_, b_, X, Y)[1]

    n_x = w.shape[0]
    out = np.empty(len(coordinates))
    for k, index in enumerate(coordinates):
        if index == n_x:
            out[k] = (cost(w, b + epsilon) - cost(w, b - epsilon)) / (2 * epsilon)
            continue
        plus, minus = w.copy(), w.copy()
        plus[index, 0] += epsilon
        minus[index, 0] -= epsilon
        out[k] = (cost(plus, b) - cost(minus, b)) / (2 * epsilon)
    return out


def graph_gradient(w: Any, b: float, X: Any, Y: Any, coordinates: Any) -> tuple[Any, float]:
    """``dJ/dw_j`` for ``j`` in ``coordinates`` and ``dJ/db`` from the graph engine.

    The cost ``J = (1/m) sum_i L(sigmoid(w^T x_i + b), y_i)`` is built from
    scalar nodes. Weights outside ``coordinates`` enter as one constant per
    example (their part of ``w^T x_i``), which leaves the derivatives of the
    others unchanged and keeps the graph small.

    Returns
    -------
    dw : ndarray, shape (len(coordinates),)
    db : float
    """
    n_x, m = X.shape
    chosen = np.asarray(coordinates, dtype=np.intp)
    rest = np.ones(n_x, dtype=bool)
    rest[chosen] = False
    # Each example's contribution of the weights not followed by the graph.
    fixed = (w[rest, 0] @ X[rest, :]) if rest.any() else np.zeros(m)
    g = Graph()
    weights = [g.value(float(w[j, 0]), f"w{j + 1}") for j in chosen]
    bias = g.value(float(b), "b")
    losses: list[Node] = []
    for i in range(m):
        terms: list[Any] = [wj * float(X[j, i]) for wj, j in zip(weights, chosen, strict=True)]
        terms.extend([float(fixed[i]), bias])
        a = sum_nodes(terms, g).sigmoid()
        losses.append(logistic_loss(a, float(Y[0, i])))
    J = sum_nodes(losses, g) / m
    J.backward()
    return np.array([wj.grad for wj in weights]), bias.grad


def _sample(rng: Any, n: int, k: int | None) -> Any:
    if k is None or k >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size=k, replace=False))


def gradient_check(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    *,
    gradient_fn: GradientFunction = propagate,
    epsilon: float = DEFAULT_EPSILON,
    threshold: float | None = None,
    fd_coordinates: int | None = None,
    graph_coordinates: int | None = 50,
    graph_examples: int | None = 20,
    seed: int = 0,
) -> GradientCheck:
    """Compare ``gradient_fn``'s gradient with finite differences and the graph engine.

    Parameters
    ----------
    w : array, shape (n_x, 1)
        Where to check; use a non-zero ``w`` (at zero many mistakes cancel).
    b : float
    X : array, shape (n_x, m)
    Y : array, shape (1, m)
    gradient_fn : callable, default :func:`propagate`
        ``(w, b, X, Y) -> (Gradients, cost)``, the gradient under test. It
        receives the arrays as given (any Array API library and dtype).
    epsilon : float, default 1e-5
        Nudge of the centred differences.
    threshold : float, optional
        Pass when both relative differences are below it; default 1e-7, or
        1e-4 when the gradient under test is float32.
    fd_coordinates : int, optional
        Check only this many randomly chosen parameters by finite
        differences (all ``n_x + 1`` when omitted; each costs two cost
        evaluations).
    graph_coordinates : int, optional
        Weights followed by the graph engine (random subset; all when None).
    graph_examples : int, optional
        Examples in the graph engine's cost (random subset; all when None).
        The gradient under test is evaluated on the same subset for this comparison.
    seed : int
        Seed of the random subsets.

    Returns
    -------
    GradientCheck

    Raises
    ------
    ValueError
        When the inputs are invalid, or ``epsilon``/``threshold`` are not positive.
    """
    for name, value in (("epsilon", epsilon), ("threshold", threshold)):
        if value is not None and not (isinstance(value, (int, float)) and 0 < value < math.inf):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    b_value, _ = validate_problem(w, b, X, Y)
    # The witnesses compute in float64 on the host, whatever the inputs are.
    w64 = to_numpy(w).astype(np.float64)
    X64 = to_numpy(X).astype(np.float64)
    Y64 = to_numpy(Y).astype(np.float64)
    n_x, m = X64.shape
    rng = np.random.default_rng(seed)

    grads, _ = gradient_fn(w, b, X, Y)
    flat = _flat_gradient(grads)
    if flat.shape != (n_x + 1,):
        raise ValueError(f"gradient_fn returned dw of {flat.size - 1} values, expected {n_x}")
    dtype = dtype_name(grads.dw)
    if threshold is None:
        threshold = FLOAT32_THRESHOLD if dtype == "float32" else DEFAULT_THRESHOLD

    fd_index = _sample(rng, n_x + 1, fd_coordinates)
    approx = finite_difference_gradient(w64, b_value, X64, Y64, fd_index, epsilon)
    fd_rel = relative_difference(flat[fd_index], approx)
    fd_max = float(np.max(np.abs(flat[fd_index] - approx)))

    examples = _sample(rng, m, graph_examples)
    weights = _sample(rng, n_x, graph_coordinates)
    if examples.size == m:
        subset_flat = flat
    else:
        # Same examples for both sides: the gradient under test sees the subset too.
        xp_index = examples.tolist()
        subset_grads, _ = gradient_fn(w, b, _take_columns(X, xp_index), _take_columns(Y, xp_index))
        subset_flat = _flat_gradient(subset_grads)
    graph_dw, graph_db = graph_gradient(w64, b_value, X64[:, examples], Y64[:, examples], weights)
    tested = np.concatenate([subset_flat[weights], [subset_flat[n_x]]])
    witness = np.concatenate([graph_dw, [graph_db]])
    graph_rel = relative_difference(tested, witness)
    graph_max = float(np.max(np.abs(tested - witness)))

    finite = math.isfinite(fd_rel) and math.isfinite(graph_rel)
    return GradientCheck(
        finite_difference=fd_rel,
        graph=graph_rel,
        threshold=float(threshold),
        passed=finite and fd_rel < threshold and graph_rel < threshold,
        epsilon=float(epsilon),
        n_parameters=n_x + 1,
        fd_coordinates=int(fd_index.size),
        graph_coordinates=int(weights.size),
        graph_examples=int(examples.size),
        m=m,
        dtype=dtype,
        finite_difference_max_abs=fd_max,
        graph_max_abs=graph_max,
    )


def _take_columns(A: Array, index: list[int]) -> Array:
    """Columns ``index`` of ``A`` in its own array library (Array API ``take``)."""
    from logistic_neuron.neuron.backend import namespace

    xp = namespace(A)
    return xp.take(A, xp.asarray(index), axis=1)
