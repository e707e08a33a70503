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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from logistic_neuron.data.dataset import Split
from logistic_neuron.errors import ModelFileError
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.descent import DescentState
from logistic_neuron.neuron.early_stopping import KeepBest
from logistic_neuron.neuron.optimizers import OptimizerState
from logistic_neuron.storage.archive import Fields, read_archive, write_archive
from logistic_neuron.storage.schema import (
    CHECKPOINT_SCHEMA,
    MAX_EXAMPLES_DUAL,
    NPY_HEADER_BYTES,
    validate,
)

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
    state : DescentState or None
        For runs of the general loop (optimisers, mini-batches, validation):
        moments, step count, shuffling generator and validation history, so
        that the resumed run is bit for bit the uninterrupted one.
    outputs : dict or None
        Where the run writes: ``out`` (the model), ``plots`` and ``plot_format``,
        ``checkpoint`` and ``checkpoint_every``, so a resumed run writes to the
        same places at the same cadence (None in checkpoints that predate them).
    """

    w: np.ndarray
    b: float
    iteration: int
    costs: tuple[float, ...]
    settings: dict[str, Any]
    data_fingerprint: str
    alpha: np.ndarray | None = None
    state: DescentState | None = None
    outputs: dict[str, Any] | None = None


#: Arrays a checkpoint of the general loop may add: the optimiser's moments and
#: the best parameters kept so far, as weights (shape of ``w``) ...
PRIMAL_STATE_ARRAYS = ("v_w", "s_w", "best_w")
#: ... or, from the dual engine, as coefficients over the examples (shape of ``alpha``).
DUAL_STATE_ARRAYS = ("v_alpha", "best_alpha")
STATE_ARRAYS = PRIMAL_STATE_ARRAYS + DUAL_STATE_ARRAYS


def _state_record(state: DescentState) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The optimiser/validation state as JSON metadata and arrays."""
    moments = state.optimizer
    # A dual state's vectors are coefficients over the examples: stored under their own names.
    v_name, best_name = ("v_alpha", "best_alpha") if state.dual else ("v_w", "best_w")
    arrays = {}
    if moments.v_w is not None:
        arrays[v_name] = np.asarray(moments.v_w)
    if moments.s_w is not None:
        arrays["s_w"] = np.asarray(moments.s_w)
    generator = None
    if state.generator is not None:
        generator = dict(state.generator)
        generator["state"] = format(state.generator["state"]["state"], "x")
        generator["inc"] = format(state.generator["state"]["inc"], "x")
    validation = None
    if state.validation is not None:
        keep = state.validation
        validation = {
            "monitor": keep.monitor,
            "costs": list(keep.costs),
            "accuracies": list(keep.accuracies),
            "iterations": list(keep.iterations),
            "best_index": keep.best_index,
            "best_b": keep.b,
        }
        if keep.w is not None:
            arrays[best_name] = np.asarray(keep.w)
    record = {
        "dual": state.dual,
        "v_b": moments.v_b,
        "s_b": moments.s_b,
        "t": moments.t,
        "generator": generator,
        "validation": validation,
    }
    return record, arrays


def _state_from_record(
    record: dict[str, Any],
    arrays: dict[str, np.ndarray],
    checkpoint: Checkpoint,
    fields: Fields,
) -> DescentState:
    """Rebuild the loop's state; every array must match ``w``'s (or ``alpha``'s) shape and dtype."""
    dual = record["dual"]
    like = checkpoint.alpha if dual else checkpoint.w
    if like is None:
        raise fields.fail("its optimiser state is the dual engine's but it holds no alpha")
    own, other = (
        (DUAL_STATE_ARRAYS, PRIMAL_STATE_ARRAYS)
        if dual
        else (PRIMAL_STATE_ARRAYS, DUAL_STATE_ARRAYS)
    )
    if any(key in arrays for key in other):
        raise fields.fail("its optimiser arrays mix weights and dual coefficients")
    for key in own:
        if key in arrays:
            array = arrays[key]
            if array.shape != like.shape or array.dtype != like.dtype:
                what = "dual coefficients" if dual else "weights"
                raise fields.fail(f"its {key} does not have the shape and dtype of its {what}")
            if not np.all(np.isfinite(array)):
                raise fields.fail(f"its {key} is not finite")
    v_name, best_name = ("v_alpha", "best_alpha") if dual else ("v_w", "best_w")
    generator = None
    if record["generator"] is not None:
        raw = record["generator"]
        try:
            state, inc = int(raw["state"], 16), int(raw["inc"], 16)
        except ValueError:
            raise fields.fail("its shuffling generator state is not hexadecimal") from None
        generator = {
            "bit_generator": raw["bit_generator"],
            "state": {"state": state, "inc": inc},
            "has_uint32": raw["has_uint32"],
            "uinteger": raw["uinteger"],
        }
    validation = None
    if record["validation"] is not None:
        v = record["validation"]
        count = len(v["costs"])
        if len(v["accuracies"]) != count or len(v["iterations"]) != count:
            raise fields.fail("its validation history has lists of different lengths")
        if not -1 <= v["best_index"] < count or (v["best_index"] >= 0) != (best_name in arrays):
            raise fields.fail("its best validation parameters do not fit its history")
        validation = KeepBest(
            monitor=v["monitor"],
            costs=v["costs"],
            accuracies=v["accuracies"],
            iterations=v["iterations"],
            best_index=v["best_index"],
            w=arrays.get(best_name),
            b=v["best_b"],
        )
    return DescentState(
        iteration=checkpoint.iteration,
        # The dual engine resumes from its coefficients; w = X alpha is for reading.
        w=like,
        b=checkpoint.b,
        costs=checkpoint.costs,
        optimizer=OptimizerState(
            v_w=arrays.get(v_name),
            v_b=record["v_b"],
            s_w=arrays.get("s_w"),
            s_b=record["s_b"],
            t=record["t"],
        ),
        generator=generator,
        validation=validation,
        dual=dual,
    )


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
    if checkpoint.state is not None:
        metadata["optimizer_state"], extra = _state_record(checkpoint.state)
        arrays.update(extra)
    if checkpoint.outputs is not None:
        metadata["outputs"] = checkpoint.outputs
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
        # alpha (and a dual state's vectors) have one number per training example.
        member_limits=dict.fromkeys(
            ("alpha", *DUAL_STATE_ARRAYS), MAX_EXAMPLES_DUAL * 8 + NPY_HEADER_BYTES
        ),
        what="checkpoint",
        optional=STATE_ARRAYS,
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
    checkpoint = Checkpoint(
        w=w,
        b=float(b),
        iteration=iteration,
        costs=costs,
        settings=settings,
        data_fingerprint=meta["data_fingerprint"],
        alpha=alpha if alpha.size else None,
        outputs=meta["outputs"],
    )
    if meta["optimizer_state"] is None:
        if any(key in arrays for key in STATE_ARRAYS):
            raise fields.fail("it holds optimiser arrays but no optimiser state")
        return checkpoint
    state = _state_from_record(meta["optimizer_state"], arrays, checkpoint, fields)
    return replace(checkpoint, state=state)


def _is_model_file(path: Path) -> bool:
    from logistic_neuron.storage.model_file import load_model

    try:
        load_model(path)
    except ModelFileError:
        return False
    return True
