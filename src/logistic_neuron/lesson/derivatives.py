r"""Derivatives as slopes: nudge the input a little and watch the output.

The lesson's intuition: the derivative of ``f`` at ``a`` is how much ``f(a)``
moves when ``a`` moves a tiny bit, divided by that bit. Nudging only to the
right gives the one-sided slope

.. math:: f'(a) \approx \frac{f(a + h) - f(a)}{h}

whose error shrinks like ``h``; nudging both ways gives the centred slope

.. math:: f'(a) \approx \frac{f(a + h) - f(a - h)}{2h}

whose error shrinks like ``h**2``, which is why gradient checking uses it.

The lesson's examples, at ``a = 2`` with ``h = 0.001``:

=============  ===========  ====================  ==============
``f(a)``       ``f'(2)``    one-sided (h=0.001)   centred
=============  ===========  ====================  ==============
``3a``         3            3.0                   3.0
``a**2``       4            4.001                 4.0
``a**3``       12           12.006001             12.000001
``ln(a)``      0.5          0.49987504            0.50000004
=============  ===========  ====================  ==============

>>> round(nudge_derivative(lambda a: a**2, 2.0), 6)
4.001
>>> round(centred_derivative(lambda a: a**3, 2.0), 6)
12.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

#: The lesson's nudge.
LESSON_H = 0.001

#: Default nudge of the centred slope: small enough that the ``h**2`` error is
#: ~1e-10 for smooth functions of size 1, large enough that rounding
#: (``~1e-16 / h``) stays below that too.
CENTRED_H = 1e-5


def _check_point(a: float, h: float) -> tuple[float, float]:
    if isinstance(a, bool) or not isinstance(a, (int, float)) or not math.isfinite(a):
        raise ValueError(f"the point a must be a finite number, got {a!r}")
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not math.isfinite(h) or h <= 0:
        raise ValueError(f"the nudge h must be a finite number > 0, got {h!r}")
    return float(a), float(h)


def _evaluate(f: Callable[[float], float], x: float) -> float:
    value = float(f(x))
    if not math.isfinite(value):
        raise ValueError(
            f"f({x!r}) is {value}: the function is not defined there; nudge less or move a"
        )
    return value


def nudge_derivative(f: Callable[[float], float], a: float, h: float = LESSON_H) -> float:
    """The lesson's slope: ``(f(a + h) - f(a)) / h``.

    Parameters
    ----------
    f : callable float -> float
    a : float
        Where to take the slope.
    h : float, default 0.001
        How far to nudge ``a`` to the right.

    Returns
    -------
    float
        The one-sided slope; its error is about ``h * f''(a) / 2``.

    Examples
    --------
    >>> nudge_derivative(lambda a: 3 * a, 2.0)  # doctest: +ELLIPSIS
    3.0000000000...
    >>> round(nudge_derivative(lambda a: a**3, 2.0), 3)
    12.006
    """
    a, h = _check_point(a, h)
    return (_evaluate(f, a + h) - _evaluate(f, a)) / h


def centred_derivative(f: Callable[[float], float], a: float, h: float = CENTRED_H) -> float:
    """The two-sided slope ``(f(a + h) - f(a - h)) / (2h)``, for checking.

    Parameters
    ----------
    f : callable float -> float
    a : float
    h : float, default 1e-5

    Returns
    -------
    float
        The centred slope; its error is about ``h**2 * f'''(a) / 6``.

    Examples
    --------
    >>> round(centred_derivative(math.log, 2.0), 9)
    0.5
    """
    a, h = _check_point(a, h)
    return (_evaluate(f, a + h) - _evaluate(f, a - h)) / (2 * h)


@dataclass(frozen=True)
class SlopeExample:
    """One of the lesson's functions with its exact and nudged slopes.

    Attributes
    ----------
    formula : str
        ``f(a)`` as the lesson writes it.
    derivative_formula : str
        ``f'(a)`` in closed form.
    a : float
    exact : float
        ``f'(a)`` from the closed form.
    one_sided : float
        :func:`nudge_derivative` with the lesson's ``h``.
    centred : float
        :func:`centred_derivative` with the same ``h``.
    h : float
    """

    formula: str
    derivative_formula: str
    a: float
    exact: float
    one_sided: float
    centred: float
    h: float


_LESSON_FUNCTIONS: tuple[
    tuple[str, str, Callable[[float], float], Callable[[float], float]], ...
] = (
    ("3a", "3", lambda a: 3 * a, lambda a: 3.0),
    ("a**2", "2a", lambda a: a**2, lambda a: 2 * a),
    ("a**3", "3a**2", lambda a: a**3, lambda a: 3 * a**2),
    ("ln(a)", "1/a", math.log, lambda a: 1 / a),
)


def lesson_examples(a: float = 2.0, h: float = LESSON_H) -> tuple[SlopeExample, ...]:
    """The lesson's four functions, their exact slopes and nudged slopes at ``a``.

    Parameters
    ----------
    a : float, default 2
    h : float, default 0.001

    Returns
    -------
    tuple of SlopeExample
        ``3a``, ``a**2``, ``a**3``, ``ln(a)`` in that order.
    """
    return tuple(
        SlopeExample(
            formula=formula,
            derivative_formula=derivative_formula,
            a=float(a),
            exact=float(exact(a)),
            one_sided=nudge_derivative(f, a, h),
            centred=centred_derivative(f, a, h),
            h=float(h),
        )
        for formula, derivative_formula, f, exact in _LESSON_FUNCTIONS
    )
