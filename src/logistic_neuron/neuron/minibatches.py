r"""Mini-batches: each epoch, shuffle the examples and cut them into batches.

The course's ``random_mini_batches``: a random permutation of the ``m``
columns, then ``floor(m / batch_size)`` complete batches and, when
``batch_size`` does not divide ``m``, one last smaller batch with the
``m mod batch_size`` examples left over (kept, not dropped, so every example
is seen once per epoch).

The shuffling draws from a NumPy ``Generator`` made from a ``seed``, not from
NumPy's global state: its state is one small JSON-able dict
(:func:`generator_state`), which checkpoints store so that a resumed run
shuffles exactly as the uninterrupted one would have. The permutation is made
on the host and applied with ``xp.take``, so the batches themselves stay in the
array library of ``X`` (NumPy, PyTorch, ``array_api_strict`` ...).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from logistic_neuron.neuron.backend import Array, namespace, np


def check_batch_size(batch_size: Any) -> int | None:
    """Check ``batch_size`` (None for full batches, or a whole number >= 1)."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise ValueError(f"batch_size must be a whole number >= 1 or None, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(
            f"batch_size must be at least 1, got {batch_size}; omit it for full batches"
        )
    return int(batch_size)


def make_generator(seed: int) -> Any:
    """The shuffling generator of a run (NumPy's PCG64 seeded with ``seed``)."""
    return np.random.default_rng(seed)


def generator_state(rng: Any) -> dict[str, Any]:
    """The generator's state as plain JSON values (for checkpoints)."""
    state = rng.bit_generator.state
    return {
        "bit_generator": state["bit_generator"],
        "state": {"state": int(state["state"]["state"]), "inc": int(state["state"]["inc"])},
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
    }


def generator_from_state(state: dict[str, Any]) -> Any:
    """A generator continuing exactly where :func:`generator_state` left off.

    Raises
    ------
    ValueError
        When ``state`` is not a PCG64 state.
    """
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ValueError("the shuffling generator's state is not a PCG64 state")
    rng = np.random.Generator(np.random.PCG64())
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"the shuffling generator's state is invalid: {exc}") from None
    return rng


def batch_indices(m: int, batch_size: int | None, rng: Any) -> list[Any]:
    """One epoch's batches as lists of column indices (host NumPy int64 arrays).

    Parameters
    ----------
    m : int
        Number of examples.
    batch_size : int or None
        None (or ``>= m``) gives one batch of all examples in their order, and
        draws nothing from ``rng``.
    rng : numpy.random.Generator
        Advanced by one permutation when mini-batches are used.

    Returns
    -------
    list of ndarray of int64
        ``ceil(m / batch_size)`` index arrays; all but the last have
        ``batch_size`` entries.
    """
    if batch_size is None or batch_size >= m:
        return [np.arange(m, dtype=np.int64)]
    permutation = rng.permutation(m).astype(np.int64)
    return [permutation[k : k + batch_size] for k in range(0, m, batch_size)]


def take_columns(A: Array, indices: Any) -> Array:
    """Columns ``indices`` (host integers) of ``A`` (shape ``(rows, m)``), in ``A``'s library."""
    xp = namespace(A)
    index = xp.asarray(np.asarray(indices, dtype=np.int64))
    return xp.take(A, index, axis=1)


def random_mini_batches(
    X: Array, Y: Array, mini_batch_size: int = 64, seed: int = 0
) -> list[tuple[Array, Array]]:
    """The course's ``random_mini_batches``: shuffled ``(mini_batch_X, mini_batch_Y)`` pairs.

    Parameters
    ----------
    X : array, shape (n_x, m)
    Y : array, shape (1, m)
    mini_batch_size : int
    seed : int

    Returns
    -------
    list of (array (n_x, k), array (1, k))
        ``k = mini_batch_size`` except for the last batch, which holds the
        ``m mod mini_batch_size`` examples left over when there are any.
    """
    size = check_batch_size(mini_batch_size)
    m = X.shape[1]
    rng = make_generator(seed)
    if size is not None and size >= m:
        # One shuffled batch, as the course's function gives.
        batches = [rng.permutation(m).astype(np.int64)]
    else:
        batches = batch_indices(m, size, rng)
    return [(take_columns(X, idx), take_columns(Y, idx)) for idx in batches]
