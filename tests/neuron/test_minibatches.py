"""Mini-batches: deterministic shuffling, the last partial batch, generator state round trip."""

import numpy as np
import pytest

from logistic_neuron.neuron.minibatches import (
    batch_indices,
    check_batch_size,
    generator_from_state,
    generator_state,
    make_generator,
    random_mini_batches,
)
from support.arrays import to_host


def test_partial_last_batch_is_kept():
    batches = batch_indices(10, 4, make_generator(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    # every example exactly once per epoch
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))


def test_exact_division_has_no_empty_batch():
    assert [len(b) for b in batch_indices(12, 4, make_generator(0))] == [4, 4, 4]


def test_same_seed_same_batches_and_reshuffled_each_epoch():
    a, b = make_generator(7), make_generator(7)
    first_a, first_b = batch_indices(20, 6, a), batch_indices(20, 6, b)
    for x, y in zip(first_a, first_b, strict=True):
        np.testing.assert_array_equal(x, y)
    second = batch_indices(20, 6, a)
    assert not all(np.array_equal(x, y) for x, y in zip(first_a, second, strict=True))
    other = batch_indices(20, 6, make_generator(8))
    assert not all(np.array_equal(x, y) for x, y in zip(first_a, other, strict=True))


def test_full_batch_keeps_order_and_draws_nothing():
    rng = make_generator(1)
    before = generator_state(rng)
    (only,) = batch_indices(5, None, rng)
    np.testing.assert_array_equal(only, np.arange(5))
    assert generator_state(rng) == before


def test_generator_state_round_trip_continues_exactly():
    rng = make_generator(3)
    batch_indices(50, 8, rng)
    saved = generator_state(rng)
    import json

    restored = generator_from_state(json.loads(json.dumps(saved)))
    for x, y in zip(batch_indices(50, 8, rng), batch_indices(50, 8, restored), strict=True):
        np.testing.assert_array_equal(x, y)


def test_bad_generator_state():
    with pytest.raises(ValueError, match="PCG64"):
        generator_from_state({"bit_generator": "MT19937"})


def test_random_mini_batches_course_function(xp):
    X = xp.reshape(xp.arange(30, dtype=xp.float64), (3, 10))
    Y = xp.asarray([[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]], dtype=xp.float64)
    batches = random_mini_batches(X, Y, 4, seed=2)
    assert [tuple(bx.shape) for bx, _ in batches] == [(3, 4), (3, 4), (3, 2)]
    # columns travel with their labels
    for bx, by in batches:
        cols = to_host(bx)[0].astype(int)
        np.testing.assert_array_equal(to_host(by)[0], cols % 2)
    again = random_mini_batches(X, Y, 4, seed=2)
    for (a, _), (b, _) in zip(batches, again, strict=True):
        np.testing.assert_array_equal(to_host(a), to_host(b))


@pytest.mark.parametrize("bad", [0, -3, 2.5, "8", True])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        check_batch_size(bad)
