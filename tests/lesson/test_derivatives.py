import math

import pytest

from logistic_neuron.lesson.derivatives import (
    centred_derivative,
    lesson_examples,
    nudge_derivative,
)


def test_lesson_numbers_one_sided():
    assert nudge_derivative(lambda a: 3 * a, 2.0) == pytest.approx(3.0, abs=1e-9)
    assert nudge_derivative(lambda a: a**2, 2.0) == pytest.approx(4.001, abs=1e-9)
    assert nudge_derivative(lambda a: a**3, 2.0) == pytest.approx(12.006001, abs=1e-8)
    assert nudge_derivative(math.log, 2.0) == pytest.approx(0.5, abs=2e-4)


def test_centred_is_closer_than_one_sided():
    for example in lesson_examples():
        assert abs(example.centred - example.exact) <= abs(example.one_sided - example.exact)
        assert example.centred == pytest.approx(example.exact, abs=2e-6)


def test_lesson_examples_table():
    table = {e.formula: e for e in lesson_examples()}
    assert list(table) == ["3a", "a**2", "a**3", "ln(a)"]
    assert [table[f].exact for f in table] == [3.0, 4.0, 12.0, 0.5]
    assert round(table["a**3"].one_sided, 3) == 12.006


def test_centred_default_h_is_accurate():
    assert centred_derivative(math.exp, 1.0) == pytest.approx(math.e, rel=1e-9)


@pytest.mark.parametrize("h", [0.0, -1.0, math.nan, math.inf])
def test_bad_nudge(h):
    with pytest.raises(ValueError, match="nudge h"):
        nudge_derivative(math.sin, 1.0, h)


def test_bad_point_and_undefined_function():
    with pytest.raises(ValueError, match="finite number"):
        centred_derivative(math.sin, math.nan)
    with pytest.raises(ValueError, match="not defined"):
        nudge_derivative(lambda a: math.inf, 0.0)
