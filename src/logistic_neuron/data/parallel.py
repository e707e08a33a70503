"""Reading many images at once, decoding and resizing on every core.

:func:`load_images_parallel` gives the same pixels as calling
:func:`logistic_neuron.data.images.load_image` on each path in turn, in the same
order, but spreads the work over a pool. Pillow releases the GIL while it
decodes and resizes, so threads run in parallel without the cost of starting
processes and pickling pixels back; a process pool is available too (measured
side by side in ``benchmarks/run.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from logistic_neuron.data.images import LoadedImage, channels_of, check_size, load_image, read_image
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np

#: Pool kinds :func:`load_images_parallel` accepts.
POOLS = ("thread", "process", "serial")

#: Images handed to a worker at a time (amortises the per-task overhead).
CHUNK = 16


def default_workers() -> int:
    """Number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _load_chunk(paths: Sequence[str], size: tuple[int, int], mode: str) -> Any:
    # One task: several images, returned as one (k, H, W, C) array.
    return np.stack([load_image(p, size, mode) for p in paths])


def load_images_parallel(
    paths: Sequence[str | os.PathLike[str]],
    size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    workers: int | None = None,
    *,
    pool: str = "thread",
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Load images as the model sees them, several at a time.

    Parameters
    ----------
    paths : sequence of str or PathLike
        Image files, in the order wanted in the result.
    size : (height, width)
        Size after resizing.
    mode : {"RGB", "L"}
        Colour mode after conversion.
    workers : int, optional
        Pool size; the number of usable CPUs when omitted. 1 loads serially.
    pool : {"thread", "process", "serial"}
        Kind of pool (threads by default: Pillow releases the GIL).
    progress : callable, optional
        Called with the number of images loaded so far, as they arrive.

    Returns
    -------
    ndarray, shape (m, height, width, channels), uint8
        ``result[i]`` is ``load_image(paths[i], size, mode)``.

    Raises
    ------
    DataError
        For the first path (in order) that cannot be read, as ``load_image``.
    ValueError
        For a bad ``size``, ``mode``, ``workers`` or ``pool``.
    """
    height, width = check_size(size)
    channels = channels_of(mode)
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}: use one of {', '.join(POOLS)}")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    names = [os.fspath(p) for p in paths]
    out = np.empty((len(names), height, width, channels), dtype=np.uint8)
    if not names:
        return out
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    if pool == "serial" or workers == 1 or len(chunks) == 1:
        for i, chunk in enumerate(chunks):
            out[i * CHUNK : i * CHUNK + len(chunk)] = _load_chunk(chunk, (height, width), mode)
            if progress is not None:
                progress(i * CHUNK + len(chunk))
        return out
    executor: Executor
    if pool == "thread":
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load-image")
    else:
        executor = ProcessPoolExecutor(max_workers=workers)
    with executor:
        futures = [executor.submit(_load_chunk, c, (height, width), mode) for c in chunks]
        try:
            # In order: the first failing path (in the caller's order) is the one reported.
            for i, future in enumerate(futures):
                block = future.result()
                out[i * CHUNK : i * CHUNK + len(block)] = block
                if progress is not None:
                    progress(i * CHUNK + len(block))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return out


def _read_or_error(path: str, size: tuple[int, int], mode: str) -> LoadedImage | DataError:
    try:
        return read_image(path, size, mode)
    except DataError as exc:
        return exc


def read_images_parallel(
    paths: Sequence[str | os.PathLike[str]],
    size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[LoadedImage | DataError]:
    """Read images on a thread pool, keeping each one's outcome.

    Unlike :func:`load_images_parallel`, a bad file does not stop the others:
    its place in the result holds the :class:`~logistic_neuron.errors.DataError`
    that says why, so ``predict`` can score the good images and report the bad.

    Parameters
    ----------
    paths : sequence of str or PathLike
    size : (height, width)
    mode : {"RGB", "L"}
    workers : int, optional
        Threads; the number of usable CPUs when omitted.
    progress : callable, optional
        Called with the number of images read so far, as they arrive.

    Returns
    -------
    list of LoadedImage or DataError, in the order of ``paths``
    """
    check_size(size)
    channels_of(mode)
    names = [os.fspath(p) for p in paths]
    count = default_workers() if workers is None else workers
    outcomes: list[LoadedImage | DataError] = []
    if count <= 1 or len(names) <= 1:
        for name in names:
            outcomes.append(_read_or_error(name, size, mode))
            if progress is not None:
                progress(len(outcomes))
        return outcomes
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="read-image") as executor:
        for outcome in executor.map(lambda name: _read_or_error(name, size, mode), names):
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes))
    return outcomes
