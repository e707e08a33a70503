r"""L-BFGS: the optimum of the same cost, for those who want it rather than the lesson.

The objective is the course's cost plus the optional L2 penalty
(:mod:`~logistic_neuron.neuron.regularization`),

.. math:: J(w, b) = \frac{1}{m} \sum_i \left(\mathrm{softplus}(z_i) - y_i z_i\right)
          + \frac{\lambda}{2m} \lVert w \rVert^2,

computed with the same Array API functions as gradient descent, and SciPy's
``L-BFGS-B`` minimises it over ``(w, b)`` from zeros. The stopping rules are
scikit-learn's ``LogisticRegression(solver="lbfgs")``: ``gtol = tol`` (1e-4),
``ftol = 64 * machine epsilon``, at most ``max_iter`` iterations (100), line
searches of up to 50 steps. With ``lambd = 1 / C`` the objective *is*
scikit-learn's ``LinearModelLoss`` (mean loss + ``l2_reg_strength / 2 |w|^2`` with
``l2_reg_strength = 1 / (C m)``, the intercept last in ``x0`` and not penalised), and
the start is the same (zeros). The two differ only in rounding (the loss and
gradient agree to about 1e-16 relative at the same point), which L-BFGS amplifies
on an ill-conditioned problem: on the cat data (12288 features, 209 examples) the
iterates part by ~10x every 5 iterations, so at the default ``tol = 1e-4``, where
both stop still far from the optimum, they stop at different points for C = 1 and
10; with a tight ``tol`` both reach the optimum and agree (README, "L-BFGS against
scikit-learn"). SciPy is imported only here, and only when called
(``pip install "logistic-neuron[lbfgs]"``); why not by hand: a robust
line search and curvature memory are what SciPy does well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logistic_neuron.errors import TrainingDivergedError
from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import Array, namespace, np, require, to_numpy
from logistic_neuron.neuron.backend import overflow_checked_by_caller as quiet
from logistic_neuron.neuron.propagation import (
    Gradients,
    cost_from_logits,
    gradients_from_activations,
    linear,
    validate_problem,
)
from logistic_neuron.neuron.regularization import check_lambd, l2_cost, l2_gradients

#: scikit-learn's defaults for ``LogisticRegression(solver="lbfgs")``.
DEFAULT_MAX_ITER = 100
DEFAULT_TOL = 1e-4
MAX_LINE_SEARCH = 50


@dataclass(frozen=True)
class LbfgsResult:
    """The optimum found by :func:`minimize_lbfgs`.

    Attributes
    ----------
    w : array, shape (n_x, 1)
        In the library and dtype of the input ``w``.
    b : float
    cost : float
        The objective (cost + L2 penalty) at ``w, b``.
    costs : tuple of float
        The objective after each L-BFGS iteration (the start included).
    gradients : Gradients
        The gradient of the objective at ``w, b``.
    n_iter : int
        L-BFGS iterations, as scikit-learn's ``n_iter_`` counts them.
    converged : bool
        False when ``max_iter`` stopped it first.
    message : str
        SciPy's reason for stopping.
    """

    w: Array
    b: float
    cost: float
    costs: tuple[float, ...]
    gradients: Gradients
    n_iter: int
    converged: bool
    message: str


def objective(
    theta: Any, X: Array, Y: Array, lambd: float, xp: Any, dtype: Any
) -> tuple[float, Any]:
    """Cost and gradient at the flat parameters ``theta = [w; b]`` (host float64)."""
    n_x = X.shape[0]
    w = xp.asarray(np.ascontiguousarray(theta[:n_x]).reshape(n_x, 1), dtype=dtype)
    b = float(theta[n_x])
    m = X.shape[1]
    with quiet(xp):
        Z = linear(w, b, X)
        cost = cost_from_logits(Z, Y) + l2_cost(w, lambd, m)
        grads = l2_gradients(gradients_from_activations(sigmoid(Z), X, Y), w, lambd, m)
    gradient = np.empty(n_x + 1, dtype=np.float64)
    gradient[:n_x] = to_numpy(grads.dw).reshape(-1)
    gradient[n_x] = grads.db
    return cost, gradient


def minimize_lbfgs(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    *,
    lambd: float = 0.0,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    callback: Callable[[int, float], None] | None = None,
) -> LbfgsResult:
    """Minimise the (L2-regularised) cost with SciPy's L-BFGS-B.

    Parameters
    ----------
    w : array, shape (n_x, 1)
        Starting weights (zeros in the course and in scikit-learn).
    b : float
    X : array, shape (n_x, m)
    Y : array, shape (1, m)
    lambd : float, keyword-only
        L2 strength (``1 / C`` in scikit-learn's terms).
    max_iter : int, keyword-only
    tol : float, keyword-only
        Stop when every component of the projected gradient is below ``tol``.
    callback : callable, keyword-only
        Called with ``(iteration, cost)`` after each L-BFGS iteration.

    Returns
    -------
    LbfgsResult

    Raises
    ------
    MissingDependencyError
        When SciPy is not installed.
    TrainingDivergedError
        When the cost stops being finite.
    """
    b, Y = validate_problem(w, b, X, Y)
    lambd = check_lambd(lambd)
    optimize = require("scipy.optimize", "lbfgs")
    xp = namespace(w, X)
    theta0 = np.empty(X.shape[0] + 1, dtype=np.float64)
    theta0[:-1] = to_numpy(w).reshape(-1)
    theta0[-1] = b
    history: list[float] = [objective(theta0, X, Y, lambd, xp, w.dtype)[0]]

    def after_iteration(intermediate_result: Any) -> None:
        cost = float(intermediate_result.fun)
        history.append(cost)
        if callback is not None:
            callback(len(history) - 1, cost)

    result = optimize.minimize(
        objective,
        theta0,
        args=(X, Y, lambd, xp, w.dtype),
        method="L-BFGS-B",
        jac=True,
        callback=after_iteration,
        options={
            "maxiter": max_iter,
            "maxls": MAX_LINE_SEARCH,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        raise TrainingDivergedError(
            "L-BFGS diverged: the cost became non-finite; scale the features (pixels by 1/255)"
        )
    n_x = X.shape[0]
    w_out = xp.asarray(np.ascontiguousarray(result.x[:n_x]).reshape(n_x, 1), dtype=w.dtype)
    jac = np.asarray(result.jac, dtype=np.float64)
    return LbfgsResult(
        w=w_out,
        b=float(result.x[n_x]),
        cost=float(result.fun),
        costs=tuple(history),
        gradients=Gradients(
            dw=xp.asarray(np.ascontiguousarray(jac[:n_x]).reshape(n_x, 1), dtype=w.dtype),
            db=float(jac[n_x]),
        ),
        n_iter=int(min(result.nit, max_iter)),
        converged=bool(result.success),
        message=str(result.message),
    )
