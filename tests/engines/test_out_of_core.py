"""Out of core: training from a store larger than the memory the process may use.

A child process sets an address-space limit (``RLIMIT_AS``) a fixed margin above
what it already uses, then trains on a store whose pixels are about twice that
margin: ``train`` must stream it a chunk at a time and finish. The same process
then shows that the limit is real: loading the whole store fails with MemoryError.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip(
    "zarr", reason='Zarr is not installed (pip install "logistic-neuron[distributed]")'
)

from logistic_neuron.data.store import open_store, pack, synthetic_source

pytestmark = pytest.mark.slow

#: Room left under the limit, above what the warmed-up process uses.
MARGIN = 128 * 2**20

CHILD = textwrap.dedent(
    """
    import resource, sys
    from logistic_neuron.cli.main import main
    from logistic_neuron.data.store import open_store

    big, small, out = sys.argv[1:4]
    # Warm up (compile the kernel, start the thread pools) without a limit.
    warm = ["train", "--data", small, "--iterations", "2", "--engine", "numba"]
    assert main([*warm, "--out", out + ".warm.npz"]) == 0
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    limit = used + int(sys.argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    print("LIMIT", limit - used, flush=True)
    code = main(["train", "--data", big, "--iterations", "3", "--out", out])
    print("CODE", code, flush=True)
    try:
        open_store(big).to_split()
        print("LOADED", flush=True)
    except MemoryError:
        print("MEMORYERROR", flush=True)
    """
)


def test_training_streams_a_store_larger_than_the_memory_allowed(tmp_path):
    big = pack(synthetic_source(26_000, (64, 64, 3), seed=1), tmp_path / "big.zarr",
               chunk_examples=500)  # fmt: skip
    small = pack(synthetic_source(64, (64, 64, 3), seed=2), tmp_path / "small.zarr")
    assert open_store(big).nbytes > 2 * MARGIN  # 319 MB of pixels for 134 MB of room
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "2"}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(big), str(small), str(tmp_path / "m.npz"), str(MARGIN)],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert "CODE 0" in result.stdout, result.stdout + result.stderr
    assert "Training on chunks streamed from disk (305 MB of pixels)" in result.stderr
    assert "MEMORYERROR" in result.stdout  # the limit is real: the whole store does not fit
    assert (tmp_path / "m.npz").is_file()
