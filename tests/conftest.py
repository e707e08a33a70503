"""Shared fixtures: the course's data files, found without copying them."""

from __future__ import annotations

import os
import signal

# scikit-learn's check_array_api_input runs only when SciPy's array API support is
# on, which SciPy reads once, at import: set it before anything imports SciPy, so
# that check runs (tests/estimator) instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
from pathlib import Path

import pytest

# A test runner started as a background job of a non-interactive shell inherits SIGINT
# ignored, and so would every child process it starts; the Ctrl-C tests need it live.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from logistic_neuron.data.dataset import Dataset
from logistic_neuron.data.loading import load_dataset

REPO = Path(__file__).resolve().parents[1]
TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"


def find_course_data() -> Path | None:
    """The folder holding the course's two .h5 files, or None.

    ``LOGISTIC_NEURON_DATA`` wins; otherwise ``../shared/datasets`` beside the repository.
    """
    candidates = []
    if os.environ.get("LOGISTIC_NEURON_DATA"):
        candidates.append(Path(os.environ["LOGISTIC_NEURON_DATA"]))
    candidates.append(REPO.parent / "shared" / "datasets")
    for folder in candidates:
        if (folder / TRAIN_FILE).is_file() and (folder / TEST_FILE).is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def course_data_dir() -> Path:
    """Folder with train_catvnoncat.h5 and test_catvnoncat.h5 (skips when absent)."""
    folder = find_course_data()
    if folder is None:
        pytest.skip(
            "the course's data files are absent: set LOGISTIC_NEURON_DATA to the folder holding "
            f"{TRAIN_FILE} and {TEST_FILE}, or put them in ../shared/datasets"
        )
    return folder


@pytest.fixture(scope="session")
def course_data(course_data_dir: Path) -> Dataset:
    """The cat data set: 209 training and 50 test images of 64x64x3."""
    return load_dataset(str(course_data_dir / TRAIN_FILE), str(course_data_dir / TEST_FILE))


BACKENDS = ["numpy", "array_api_strict", "torch", "dask"]


@pytest.fixture(params=BACKENDS)
def xp(request: pytest.FixtureRequest):
    """An Array API namespace: NumPy (array_api_compat), array_api_strict, torch if installed."""
    import importlib

    import array_api_compat

    name = request.param
    if name == "torch":
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        return array_api_compat.array_namespace(torch.zeros(1))
    if name == "dask":
        dask_array = pytest.importorskip("dask.array", reason="Dask is not installed")
        return array_api_compat.array_namespace(dask_array.zeros(1))
    if name == "numpy":
        import numpy

        return array_api_compat.array_namespace(numpy.zeros(1))
    return importlib.import_module(name)
