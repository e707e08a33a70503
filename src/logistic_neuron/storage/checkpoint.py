"""Checkpoints: the state of a training run, saved so that it can be resumed exactly.

A checkpoint holds the parameters after ``iteration`` steps (and, for the
dual engine, the coefficients ``α`` with ``w = X α`` that it resumes from), the costs
recorded so far, the run's settings, and a fingerprint of the training data.
Resuming from it with :func:`logistic_neuron.engines.resolver.fit` (``w``, ``b``,
``start_iteration``, ``previous_costs``) gives, bit for bit, the model an
uninterrupted run would have given. It is stored in the same safe archive
format as models (:mod:`logistic_neuron.storage.archive`), written atomically, so a
run killed while saving leaves the previous checkpoint intact.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistic_neuron.data.dataset import Split
from logistic_neuron.errors import ModelFileError
from logistic_neuron.neuron.backend import np
from logistic_neuron.storage.archive import Fields, read_archive, write_archive
from logistic_neuron.storage.schema import CHECKPOINT_SCHEMA, validate

FORMAT = "logistic-neuron-checkpoint"
#: Version 2 added ``alpha`` (empty for the primal engines).
FORMAT_VERSION = 2


def fingerprint(split: Split) -> str:
    """SHA-256 of a split's pixels and labels: the same data gives the same string."""
    digest = hashlib.sha256()
    digest.update(str(split.images.shape).encode())
    digest.update(np.ascontiguousarray(split.images).tobytes())
    digest.update(np.ascontiguousarray(split.labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A training run part-way through.

    Attributes
    ----------
    w : ndarray, shape (n_x, 1)
        Parameters after ``iteration`` steps.
    b : float
    iteration : int
        Steps completed.
    costs : tuple of float
        Costs recorded during those steps.
    settings : dict
        The run's settings (data source and options, iterations, learning
        rate, dtype, engine, record_every), JSON values.
    data_fingerprint : str
        :func:`fingerprint` of the training split.
    alpha : ndarray, shape (m,), or None
        The dual engine's coefficients (float64) after ``iteration`` steps:
        a dual run resumes from them bit for bit. None for the other engines.
    """

    w: np.ndarray
    b: float
    iteration: int
    costs: tuple[float, ...]
    settings: dict[str, Any]
    data_fingerprint: str
    alpha: np.ndarray | None = None


def save_checkpoint(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> Path:
    """Write ``checkpoint`` atomically; return its path."""
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "dtype": str(checkpoint.w.dtype),
        "n_x": int(checkpoint.w.shape[0]),
        "iteration": checkpoint.iteration,
        "costs": list(checkpoint.costs),
        "settings": checkpoint.settings,
        "data_fingerprint": checkpoint.data_fingerprint,
    }
    alpha = np.zeros(0) if checkpoint.alpha is None else checkpoint.alpha
    arrays = {
        "w": np.asarray(checkpoint.w),
        "b": np.asarray(checkpoint.b, dtype=np.float64),
        "alpha": np.asarray(alpha, dtype=np.float64).reshape(-1),
    }
    return write_archive(path, arrays, metadata)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read and validate a checkpoint.

    Raises
    ------
    ModelFileError
        For anything that is not an intact checkpoint of this version.
    """
    file = Path(path)
    if file.is_file() and _is_model_file(file):
        raise ModelFileError(
            f"{file} is a finished model, not a checkpoint; checkpoints are written by "
            "'train --checkpoint-every N'"
        )
    arrays, raw = read_archive(
        file,
        ("w", "b", "alpha"),
        format_name=FORMAT,
        format_version=FORMAT_VERSION,
        what="checkpoint",
    )
    fields = Fields(file, "checkpoint")
    meta = validate(raw, CHECKPOINT_SCHEMA, fields.fail)
    w, b, alpha = arrays["w"], arrays["b"], arrays["alpha"]
    dtype = meta["dtype"]
    if str(w.dtype) != dtype or w.ndim != 2:
        raise fields.fail("its weights have the wrong dtype or shape")
    if w.shape[1] != 1 or b.shape != () or b.dtype != np.float64:
        raise fields.fail("its weights or bias have the wrong shape")
    if meta["n_x"] is not None and w.shape[0] != meta["n_x"]:
        raise fields.fail(f"its weights have {w.shape[0]} rows, its metadata says {meta['n_x']}")
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise fields.fail("its weights or bias are not finite")
    if alpha.dtype != np.float64 or alpha.ndim != 1 or not np.all(np.isfinite(alpha)):
        raise fields.fail("its dual coefficients (alpha) are not a finite float64 vector")
    settings = meta["settings"]
    iteration = meta["iteration"]
    costs = meta["costs"]
    if iteration >= settings["iterations"] or len(costs) != -(
        -iteration // settings["record_every"]
    ):
        raise fields.fail("its iteration count and recorded costs do not fit its settings")
    return Checkpoint(
        w=w,
        b=float(b),
        iteration=iteration,
        costs=costs,
        settings=settings,
        data_fingerprint=meta["data_fingerprint"],
        alpha=alpha if alpha.size else None,
    )


def _is_model_file(path: Path) -> bool:
    from logistic_neuron.storage.model_file import load_model

    try:
        load_model(path)
    except ModelFileError:
        return False
    return True
