"""The metadata schema: every field's type and range checked, parsing bounded."""

import json

import pytest

from logistic_neuron.errors import ModelFileError
from logistic_neuron.storage.schema import (
    CHECKPOINT_SCHEMA,
    MAX_DEPTH,
    MODEL_SCHEMA,
    Int,
    Obj,
    parse_metadata,
    validate,
)


def fail(reason):
    return ModelFileError(f"m.npz: {reason}")


def parse(text):
    return parse_metadata(text.encode(), fail)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1e400}', "holds 1e400, a number out of range"),
        ('{"a": NaN}', "NaN, not a number JSON allows"),
        ('{"a": -Infinity}', "-Infinity, not a number JSON allows"),
        ('{"a": ' + "9" * 5000 + "}", "a whole number with 5000 digits"),
        ("[" * 100_000 + "]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH}"),
        ('{"a": ', "not valid JSON"),
    ],
)
def test_hostile_json_is_refused_in_one_line(text, message):
    with pytest.raises(ModelFileError, match=message) as raised:
        parse(text)
    assert "\n" not in str(raised.value)


def test_invalid_utf8_is_refused():
    with pytest.raises(ModelFileError, match="not UTF-8"):
        parse_metadata(b"\xff\xfe", fail)


def good_model_meta():
    return {
        "format": "logistic-neuron-model",
        "format_version": 1,
        "checksum": "0" * 64,
        "dtype": "float64",
        "n_x": 12,
        "image_shape": [2, 2, 3],
        "mode": "RGB",
        "classes": ["non-cat", "cat"],
        "preprocessing": {
            k: "x" for k in ("scale", "layout", "resample", "transparency", "orientation")
        },
        "hyperparameters": {
            "learning_rate": 0.005,
            "num_iterations": 100,
            "record_every": 100,
            "engine": "reference",
        },
        "training": {
            "costs": [0.69],
            "train_accuracy": 50.0,
            "test_accuracy": 50.0,
            "data": {"source": "a", "test_source": "b", "m_train": 3, "m_test": 1},
        },
    }


def test_a_good_model_passes_and_optional_fields_get_defaults():
    meta = validate(good_model_meta(), MODEL_SCHEMA, fail)
    assert meta["training"]["data"]["split_seed"] is None
    assert meta["library_version"] == "unknown"
    assert meta["classes"] == ("non-cat", "cat")


def edit(path, value):
    meta = good_model_meta()
    *parents, last = path.split(".")
    target = meta
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return meta


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("hyperparameters.num_iterations", 10**12, "'hyperparameters.num_iterations' must be"),
        ("hyperparameters.num_iterations", True, "must be a whole number, got True"),
        ("hyperparameters.learning_rate", "0.1", "'hyperparameters.learning_rate' must be a num"),
        ("hyperparameters.learning_rate", 0, "must be > 0"),
        ("hyperparameters.record_every", KeyError, "has no 'hyperparameters.record_every'"),
        ("image_shape", [100000, 2, 3], r"'image_shape\[0\]' must be between 1 and 4096"),
        ("image_shape", [2, 3], "'image_shape' must hold 3 entries"),
        ("n_x", 10**10, "'n_x' must be between"),
        ("classes", ["a", 3], r"'classes\[1\]' must be text"),
        ("classes", "ab", "'classes' must be a list"),
        ("mode", "CMYK", "'mode' must be one of RGB, L"),
        ("training.train_accuracy", 101.0, "'training.train_accuracy' must be between 0 and 100"),
        ("training.costs", [0.5, -1.0], r"'training.costs\[1\]' must be between"),
        ("training.data", [], "'training.data' must be an object"),
        ("training.data.m_train", -1, "'training.data.m_train' must be between"),
        ("training", {"nested": {"deep": 1}}, "has no 'training.costs'"),
        ("extra", {"nested": 1}, "'extra' is not one this version knows"),
    ],
)
def test_every_field_is_checked(path, value, message):
    with pytest.raises(ModelFileError, match=message):
        validate(edit(path, value), MODEL_SCHEMA, fail)


def test_unknown_plain_fields_are_kept_for_newer_writers():
    meta = validate(edit("written_by", "a newer version"), MODEL_SCHEMA, fail)
    assert meta["written_by"] == "a newer version"


def test_checkpoint_settings_take_defaults_and_check_types():
    base = {
        "format": "logistic-neuron-checkpoint",
        "format_version": 1,
        "checksum": "0" * 64,
        "dtype": "float64",
        "iteration": 200,
        "costs": [0.69, 0.5],
        "data_fingerprint": "abc",
        "settings": {"iterations": 500, "record_every": 100, "learning_rate": 0.005},
    }
    meta = validate(json.loads(json.dumps(base)), CHECKPOINT_SCHEMA, fail)
    assert meta["settings"]["data"] == "faces" and meta["settings"]["engine"] == "auto"
    base["settings"]["seed"] = "zero"
    with pytest.raises(ModelFileError, match="'settings.seed' must be a whole number"):
        validate(base, CHECKPOINT_SCHEMA, fail)


def test_a_new_field_is_one_line_in_a_schema():
    schema = Obj(fields={**CHECKPOINT_SCHEMA.fields, "alpha": Int(optional=True, default=7)})
    assert "alpha" in schema.fields
    assert Int(maximum=3).check(2, "x", fail) == 2
