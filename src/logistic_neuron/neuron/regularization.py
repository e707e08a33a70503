r"""L2 regularisation: a penalty on large weights, in the cost and in its gradient.

The course's ``compute_cost_with_regularization`` and
``backward_propagation_with_regularization``, for one neuron:

.. math::

    J_{L2} = J + \frac{\lambda}{2m} \sum_j w_j^2, \qquad
    dw_{L2} = dw + \frac{\lambda}{m} w, \qquad db_{L2} = db

``lambd`` is the course's spelling of :math:`\lambda` (``lambda`` is a Python
keyword). The bias ``b`` is not penalised: it shifts the decision boundary
without making the model any more complex. With ``lambd = 1 / C`` this is the
penalty of scikit-learn's ``LogisticRegression(C=C)``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from logistic_neuron.neuron.backend import Array, namespace
from logistic_neuron.neuron.propagation import Gradients


def check_lambd(lambd: Any) -> float:
    """Check the L2 strength ``lambd`` (a finite number >= 0) and return it as a float."""
    if isinstance(lambd, bool) or not isinstance(lambd, Real):
        raise ValueError(f"lambd (the L2 strength) must be a number, got {lambd!r}")
    value = float(lambd)
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"lambd (the L2 strength) must be a finite number >= 0, got {value}; 0 turns it off"
        )
    return value


def l2_cost(w: Array, lambd: float, m: int) -> float:
    r"""The penalty :math:`\frac{\lambda}{2m} \sum_j w_j^2` (0.0 when ``lambd`` is 0).

    Parameters
    ----------
    w : array, shape (n_x, 1)
    lambd : float
    m : int
        Number of examples the cost averages over.
    """
    if lambd == 0:
        return 0.0
    xp = namespace(w)
    return lambd / (2 * m) * float(xp.sum(w * w))


def l2_gradients(grads: Gradients, w: Array, lambd: float, m: int) -> Gradients:
    r"""Add the penalty's gradient :math:`\frac{\lambda}{m} w` to ``dw`` (``db`` unchanged)."""
    if lambd == 0:
        return grads
    return Gradients(dw=grads.dw + (lambd / m) * w, db=grads.db)
