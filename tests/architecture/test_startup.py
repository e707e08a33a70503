"""Startup promises: importing the package and asking for help load no heavy library.

Each check runs in a fresh interpreter (a subprocess) and reads ``sys.modules``
there, so modules imported by other tests in this process cannot hide a change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: Libraries that must load only in the code path that needs them.
HEAVY = ("numba", "h5py", "PIL", "matplotlib", "sklearn", "scipy", "dask", "zarr", "torch")

PROBE = """
import json, sys
{setup}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def loaded_after(setup: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy modules present in a fresh interpreter after running ``setup``."""
    code = PROBE.format(setup=setup, heavy=HEAVY)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


HELP = """
import contextlib, io
from logistic_neuron.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({argv!r})
    except SystemExit:
        pass
"""


def test_import_loads_no_heavy_library():
    assert loaded_after("import logistic_neuron") == []


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["predict", "--help"]])
def test_help_loads_no_heavy_library(argv):
    assert loaded_after(HELP.format(argv=argv)) == []


def test_the_classic_dual_run_does_not_import_numba(tmp_path):
    # Training on the bundled faces goes to the dual engine: numba is never needed.
    setup = f"""
import contextlib, io
from logistic_neuron.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["train", "--iterations", "300", "--model-out", {str(tmp_path / "m.npz")!r}]) == 0
"""
    loaded = loaded_after(setup)
    assert "numba" not in loaded
    assert "matplotlib" not in loaded


def test_numba_is_imported_when_its_engine_runs():
    pytest.importorskip("numba", reason="numba is not installed (pip install '.[fast]')")
    setup = """
import numpy as np
from logistic_neuron.engines.resolver import fit
X = np.ones((4, 6)); Y = np.array([[0, 1, 0, 1, 0, 1]])
fit(X, Y, num_iterations=2, learning_rate=0.1, engine="numba")
"""
    assert "numba" in loaded_after(setup)


def test_import_and_top_level_help_do_not_even_load_numpy():
    probe = "import json, sys\n{setup}\nprint(json.dumps('numpy' in sys.modules))"
    for setup in ("import logistic_neuron", HELP.format(argv=["--help"])):
        proc = subprocess.run(
            [sys.executable, "-c", probe.format(setup=setup)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) is False


def test_lazy_names_resolve():
    import logistic_neuron

    for name in logistic_neuron.__all__:
        assert getattr(logistic_neuron, name) is not None
    with pytest.raises(AttributeError):
        logistic_neuron.no_such_name  # noqa: B018
