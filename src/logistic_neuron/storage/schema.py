"""The one place that says what the metadata of model files and checkpoints may hold.

Metadata is untrusted JSON: a file can be crafted to hold anything that still
parses. :func:`parse_metadata` parses it with bounds (size, nesting depth, no
``NaN``/``Infinity``, no ``1e400`` that would become ``inf``, no thousand-digit
whole numbers), and :func:`validate` checks every field the tool uses against a
declarative schema (:data:`MODEL_SCHEMA`, :data:`CHECKPOINT_SCHEMA`) before any
of it is used: type, range, length, allowed values. Each refusal is one line
naming the file and the field (``hyperparameters.num_iterations``).

Adding a field
--------------
Add it to the schema below (``Int``, ``Float``, ``Str``, ``Bool``, ``List``,
``Obj``, ``optional=True`` with a ``default`` when older files lack it). The
validated result holds every declared field; unknown fields are kept only if
they are plain JSON scalars (bounded strings, finite numbers, booleans,
``null``), so an older reader does not choke on a newer writer's extra field,
but nothing nested and unchecked gets through. Use a field only once it is
declared here.

Written by hand: a JSON-schema library would validate the structure, but not
name the file in one line, bound the parse, or derive limits from shapes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from logistic_neuron.data.images import MAX_SIDE
from logistic_neuron.errors import ModelFileError

#: Largest image side a model may declare (the same as ``--image-size``'s limit).
MAX_IMAGE_SIDE = MAX_SIDE
#: Largest number of features: a 4096 x 4096 RGB image (a 400 MB float64 ``w``).
MAX_FEATURES = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE * 3
#: Most iterations a run may declare (a file's word is never trusted beyond this).
MAX_ITERATIONS = 1_000_000_000
#: Most costs a run may record (``iterations / record_every``): about 25 MB of JSON.
MAX_RECORDED_COSTS = 1_000_000
#: Most bytes of metadata JSON read from a file.
MAX_METADATA_BYTES = 64 * 1024 * 1024
#: Deepest nesting of metadata JSON: the real formats nest 3 levels.
MAX_DEPTH = 16
#: Longest text field (paths, names).
MAX_TEXT = 4096
#: Most examples a data record may declare.
MAX_EXAMPLES = 1_000_000_000
#: Most dual coefficients (one per training example) a checkpoint may hold: 8 MB.
#: The dual engine keeps an m x m Gram matrix, so real runs stay far below.
MAX_EXAMPLES_DUAL = 1_000_000

Fail = Callable[[str], ModelFileError]


def _shown(value: Any) -> str:
    """A short, printable rendering of an untrusted value for a message."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return text.encode("ascii", "backslashreplace").decode("ascii")


@dataclass(frozen=True)
class Spec:
    """A field's rule. ``optional`` fields may be missing (then ``default``)."""

    optional: bool = field(default=False, kw_only=True)
    default: Any = field(default=None, kw_only=True)
    nullable: bool = field(default=False, kw_only=True)

    def check(self, value: Any, where: str, fail: Fail) -> Any:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Int(Spec):
    """A whole number (JSON booleans are not numbers) in ``[minimum, maximum]``."""

    minimum: int = 0
    maximum: int = MAX_ITERATIONS

    def check(self, value: Any, where: str, fail: Fail) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"metadata field {where!r} must be a whole number, got {_shown(value)}")
        if not self.minimum <= value <= self.maximum:
            raise fail(
                f"metadata field {where!r} must be between {self.minimum} and {self.maximum}, "
                f"got {_shown(value)}"
            )
        return value


@dataclass(frozen=True)
class Float(Spec):
    """A finite number in ``[minimum, maximum]`` (``minimum`` excluded if ``positive``)."""

    minimum: float = -math.inf
    maximum: float = math.inf
    positive: bool = False

    def check(self, value: Any, where: str, fail: Fail) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(f"metadata field {where!r} must be a number, got {_shown(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise fail(f"metadata field {where!r} must be finite, got {_shown(value)}")
        if self.positive and number <= 0:
            raise fail(f"metadata field {where!r} must be > 0, got {_shown(value)}")
        if not self.minimum <= number <= self.maximum:
            raise fail(
                f"metadata field {where!r} must be between {self.minimum:g} and "
                f"{self.maximum:g}, got {_shown(value)}"
            )
        return number


@dataclass(frozen=True)
class Str(Spec):
    """Text of at most ``max_length`` characters, one of ``choices`` when given."""

    max_length: int = MAX_TEXT
    choices: tuple[str, ...] | None = None

    def check(self, value: Any, where: str, fail: Fail) -> str:
        if not isinstance(value, str):
            raise fail(f"metadata field {where!r} must be text, got {_shown(value)}")
        if self.choices is not None and value not in self.choices:
            raise fail(
                f"metadata field {where!r} must be one of {', '.join(self.choices)}, "
                f"got {_shown(value)}"
            )
        if len(value) > self.max_length:
            raise fail(f"metadata field {where!r} is longer than {self.max_length} characters")
        return value


@dataclass(frozen=True)
class Bool(Spec):
    """``true`` or ``false``."""

    def check(self, value: Any, where: str, fail: Fail) -> bool:
        if not isinstance(value, bool):
            raise fail(f"metadata field {where!r} must be true or false, got {_shown(value)}")
        return value


@dataclass(frozen=True)
class List(Spec):
    """A list of ``item`` with ``min_length`` to ``max_length`` entries."""

    item: Spec = field(default_factory=lambda: Float())
    min_length: int = 0
    max_length: int = MAX_RECORDED_COSTS

    def check(self, value: Any, where: str, fail: Fail) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise fail(f"metadata field {where!r} must be a list, got {_shown(value)}")
        if not self.min_length <= len(value) <= self.max_length:
            size = (
                f"{self.min_length}"
                if self.min_length == self.max_length
                else f"{self.min_length} to {self.max_length}"
            )
            raise fail(f"metadata field {where!r} must hold {size} entries, it holds {len(value)}")
        return tuple(self.item.check(v, f"{where}[{i}]", fail) for i, v in enumerate(value))


@dataclass(frozen=True)
class Obj(Spec):
    """A JSON object with the declared ``fields`` (see the module docstring for extras)."""

    fields: Mapping[str, Spec] = field(default_factory=dict)

    def check(self, value: Any, where: str, fail: Fail) -> dict[str, Any]:
        prefix = f"{where}." if where else ""
        if not isinstance(value, dict):
            raise fail(f"metadata field {where or '(top)'!r} must be an object")
        result: dict[str, Any] = {}
        for name, spec in self.fields.items():
            path = prefix + name
            if name not in value:
                if not spec.optional:
                    raise fail(f"its metadata has no {path!r}")
                result[name] = spec.default
            elif value[name] is None and spec.nullable:
                result[name] = None
            else:
                result[name] = spec.check(value[name], path, fail)
        for name, extra in value.items():
            if name in self.fields:
                continue
            if not _plain_scalar(extra):
                raise fail(
                    f"metadata field {prefix + name[:40]!r} is not one this version knows, and "
                    "not a plain value"
                )
            result[name] = extra
        return result


def _plain_scalar(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= MAX_TEXT


def validate(meta: Any, schema: Obj, fail: Fail) -> dict[str, Any]:
    """Check ``meta`` against ``schema``; return the checked values.

    Raises
    ------
    ModelFileError
        From ``fail``, one line naming the field.
    """
    return schema.check(meta, "", fail)


class _Refused(Exception):
    pass


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"{text[:40]}, a number out of range")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:
        raise _Refused(f"a whole number with {len(text)} digits")
    return int(text)


def _parse_constant(text: str) -> float:
    raise _Refused(f"{text}, not a number JSON allows")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counting no deeper than ``limit + 1``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_metadata(raw: bytes, fail: Fail) -> Any:
    """Parse metadata bytes as bounded JSON.

    Raises
    ------
    ModelFileError
        Too large, too deep, not UTF-8 JSON, or holding numbers out of range.
    """
    if len(raw) > MAX_METADATA_BYTES:
        raise fail(f"its metadata is {len(raw)} bytes, more than the {MAX_METADATA_BYTES} allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("its metadata is not UTF-8 JSON") from None
    try:
        value = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
        )
    except _Refused as exc:
        raise fail(f"its metadata holds {exc}") from None
    except RecursionError:
        raise fail(f"its metadata is nested deeper than {MAX_DEPTH} levels") from None
    except (json.JSONDecodeError, ValueError):
        raise fail("its metadata is not valid JSON") from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise fail(f"its metadata is nested deeper than {MAX_DEPTH} levels")
    return value


# --- the formats ---------------------------------------------------------------------------

_DTYPE = Str(choices=("float64", "float32"))
_COUNT = Int(minimum=1, maximum=MAX_ITERATIONS)
_SIDE = Int(minimum=1, maximum=MAX_IMAGE_SIDE)
_CHECKSUM = Str(max_length=64)

#: Training options beyond plain gradient descent
#: (:class:`logistic_neuron.neuron.training_options.TrainingOptions`; its own
#: checks run after these).
OPTIONS_SCHEMA = Obj(
    fields={
        "optimizer": Str(choices=("gd", "momentum", "rmsprop", "adam")),
        "beta1": Float(minimum=0.0, maximum=1.0),
        "beta2": Float(minimum=0.0, maximum=1.0),
        "epsilon": Float(positive=True),
        "batch_size": Int(minimum=1, maximum=MAX_EXAMPLES, nullable=True),
        "lambd": Float(minimum=0.0),
        "decay_rate": Float(minimum=0.0),
        "decay_interval": Int(minimum=1, nullable=True),
        "seed": Int(maximum=2**63 - 1),
        "validation_fraction": Float(minimum=0.0, maximum=1.0),
        "patience": Int(minimum=1, nullable=True),
        "monitor": Str(choices=("cost", "accuracy")),
        "keep_best": Bool(),
        "solver": Str(choices=("descent", "lbfgs")),
        "tol": Float(positive=True),
    },
    optional=True,
    nullable=True,
    default=None,
)

#: The validation history of a run with a validation split.
VALIDATION_SCHEMA = Obj(
    fields={
        "monitor": Str(choices=("cost", "accuracy")),
        "costs": List(item=Float(minimum=0.0)),
        "accuracies": List(item=Float(minimum=0.0, maximum=100.0)),
        "iterations": List(item=Int(maximum=MAX_ITERATIONS)),
        "best_index": Int(minimum=-1, maximum=MAX_RECORDED_COSTS),
        "best_b": Float(),
    },
    optional=True,
    nullable=True,
    default=None,
)

#: A model file's summary of its run beyond plain gradient descent.
RUN_SCHEMA = Obj(
    fields={
        "m_validation": Int(maximum=MAX_EXAMPLES),
        "validation_accuracy": Float(minimum=0.0, maximum=100.0, nullable=True),
        "validation_cost": Float(minimum=0.0, nullable=True),
        "best_iteration": Int(maximum=MAX_ITERATIONS, nullable=True),
        "iterations_run": Int(maximum=MAX_ITERATIONS),
        "stopped_early": Bool(),
        "converged": Bool(),
        "validation": VALIDATION_SCHEMA,
    },
    optional=True,
    nullable=True,
    default=None,
)

#: A checkpoint's optimiser state (moments ``v_w``/``s_w`` are arrays of the archive).
OPTIMIZER_STATE_SCHEMA = Obj(
    fields={
        # True: the dual engine's state (v_alpha/best_alpha coefficients, not weights).
        "dual": Bool(optional=True, default=False),
        "v_b": Float(),
        "s_b": Float(minimum=0.0),
        "t": Int(maximum=2**62),
        "generator": Obj(
            fields={
                "bit_generator": Str(choices=("PCG64",)),
                # 128-bit numbers, as hexadecimal text (JSON numbers that long are refused).
                "state": Str(max_length=40),
                "inc": Str(max_length=40),
                "has_uint32": Int(maximum=1),
                "uinteger": Int(maximum=2**32 - 1),
            },
            optional=True,
            nullable=True,
            default=None,
        ),
        "validation": VALIDATION_SCHEMA,
    },
    optional=True,
    nullable=True,
    default=None,
)

#: Fields of a model file's metadata (:mod:`logistic_neuron.storage.model_file`).
MODEL_SCHEMA = Obj(
    fields={
        "format": Str(max_length=64),
        "format_version": Int(minimum=0, maximum=1000),
        "library_version": Str(max_length=64, optional=True, default="unknown"),
        "checksum": _CHECKSUM,
        "dtype": _DTYPE,
        "n_x": Int(minimum=1, maximum=MAX_FEATURES),
        "image_shape": List(item=_SIDE, min_length=3, max_length=3),
        "mode": Str(choices=("RGB", "L")),
        # Which door wrote the file; files older than the field say nothing.
        "made_by": Str(
            choices=("command line", "estimator", "web app", "unknown"),
            optional=True,
            default="unknown",
        ),
        "classes": List(item=Str(max_length=256), min_length=2, max_length=2),
        # How the estimator reads the class names back (its labels may be numbers).
        "class_type": Str(choices=("str", "int", "float", "bool"), optional=True, default="str"),
        "preprocessing": Obj(
            fields={
                name: Str(max_length=256)
                for name in ("scale", "layout", "resample", "transparency", "orientation")
            }
        ),
        "hyperparameters": Obj(
            fields={
                "learning_rate": Float(positive=True),
                "num_iterations": _COUNT,
                "record_every": _COUNT,
                "engine": Str(max_length=64),
                "options": OPTIONS_SCHEMA,
                # "auto": the estimator computed the rate from the data.
                "learning_rate_rule": Str(
                    choices=("fixed", "auto"), optional=True, default="fixed"
                ),
            }
        ),
        "training": Obj(
            fields={
                "costs": List(item=Float(minimum=0.0)),
                # null when unknown: the estimator's save() sees no test set.
                "train_accuracy": Float(minimum=0.0, maximum=100.0, nullable=True),
                "test_accuracy": Float(minimum=0.0, maximum=100.0, nullable=True),
                "run": RUN_SCHEMA,
                "data": Obj(
                    fields={
                        "source": Str(),
                        "test_source": Str(),
                        "m_train": Int(maximum=MAX_EXAMPLES),
                        "m_test": Int(maximum=MAX_EXAMPLES),
                        "split_seed": Int(
                            maximum=2**63 - 1, optional=True, nullable=True, default=None
                        ),
                        "test_fraction": Float(
                            positive=True, maximum=1.0, optional=True, nullable=True, default=None
                        ),
                    }
                ),
            }
        ),
    }
)

#: A checkpoint's run settings (the command line's data and training options).
#: Missing optional ones take the command line's defaults (``cli/common.py``'s
#: ``DATA_DEFAULTS``, ``cli/train.py``'s ``TRAINING_DEFAULTS``).
SETTINGS_SCHEMA = Obj(
    fields={
        "data": Str(optional=True, default="faces"),
        "test": Str(optional=True, nullable=True),
        "image_size": Int(minimum=1, maximum=MAX_IMAGE_SIDE, optional=True, default=64),
        "mode": Str(choices=("RGB", "L"), optional=True, default="RGB"),
        "positive": Str(max_length=256, optional=True, nullable=True),
        "seed": Int(maximum=2**63 - 1, optional=True, default=0),
        "iterations": _COUNT,
        "learning_rate": Float(positive=True),
        "dtype": Str(choices=("float64", "float32"), optional=True, default="float64"),
        "engine": Str(max_length=64, optional=True, default="auto"),
        "record_every": _COUNT,
        "options": OPTIONS_SCHEMA,
    }
)

#: Where a checkpointed run writes (the command line's output options), so that a
#: resumed run writes to the same places unless told otherwise. Checkpoints from
#: before outputs were recorded have none (``None``).
OUTPUTS_SCHEMA = Obj(
    fields={
        "out": Str(max_length=4096),
        "plots": Str(max_length=4096, optional=True, nullable=True),
        "plot_format": Str(choices=("png", "svg"), optional=True, default="png"),
        "checkpoint": Str(max_length=4096),
        "checkpoint_every": _COUNT,
    },
    optional=True,
    nullable=True,
)

#: Fields of a checkpoint's metadata (:mod:`logistic_neuron.storage.checkpoint`).
CHECKPOINT_SCHEMA = Obj(
    fields={
        "format": Str(max_length=64),
        "format_version": Int(minimum=0, maximum=1000),
        "checksum": _CHECKSUM,
        "dtype": _DTYPE,
        "n_x": Int(minimum=1, maximum=MAX_FEATURES, optional=True),
        "iteration": _COUNT,
        "costs": List(item=Float(minimum=0.0)),
        "settings": SETTINGS_SCHEMA,
        "outputs": OUTPUTS_SCHEMA,
        "data_fingerprint": Str(max_length=64),
        "optimizer_state": OPTIMIZER_STATE_SCHEMA,
    }
)


def array_limit(meta: Mapping[str, Any]) -> int:
    """Most bytes one array of an archive with (raw, unchecked) ``meta`` may take.

    Arrays are the size of ``w`` at most: ``n_x`` float64 numbers when the
    metadata declares a sane ``n_x``, else :data:`MAX_FEATURES` of them. The
    ``.npy`` header adds at most a few KB.
    """
    n_x = meta.get("n_x") if isinstance(meta, Mapping) else None
    if isinstance(n_x, bool) or not isinstance(n_x, int) or not 1 <= n_x <= MAX_FEATURES:
        n_x = MAX_FEATURES
    return n_x * 8 + NPY_HEADER_BYTES


#: Most bytes of an ``.npy`` header (NumPy pads it to 64 bytes; a shape of 2 numbers fits).
NPY_HEADER_BYTES = 4096
