import pytest

from logistic_neuron.neuron.learning_rate_decay import (
    check_decay_rate,
    decayed_learning_rate,
    schedule_lr_decay,
    update_lr,
)


def test_course_values():
    # The course: update_lr(0.5, 2, 1) = 0.5 / 3; schedule_lr_decay(0.5, 100, 1, 100) = 0.25
    assert update_lr(0.5, 2, 1) == pytest.approx(0.16666666666666666)
    assert schedule_lr_decay(0.5, 100, 1, 100) == 0.25
    assert schedule_lr_decay(0.5, 99, 1, 100) == 0.5
    assert schedule_lr_decay(0.5, 1000, 0.3) == pytest.approx(0.5 / 1.3)


def test_dispatch():
    assert decayed_learning_rate(0.1, 5, 0.0, None) == 0.1
    assert decayed_learning_rate(0.1, 5, 1.0, None) == update_lr(0.1, 5, 1.0)
    assert decayed_learning_rate(0.1, 5, 1.0, 2) == 0.1 / 3


@pytest.mark.parametrize("bad", [-1, float("nan"), "x"])
def test_bad_decay(bad):
    with pytest.raises(ValueError, match="decay_rate"):
        check_decay_rate(bad)
