import io
import pickle

import numpy as np
import pytest

from logistic_neuron.errors import ModelFileError, OutputError
from logistic_neuron.storage.model_file import (
    DataRecord,
    TrainedModel,
    encode_model,
    load_model,
    save_model,
)
from support.bad_inputs import (
    edit_model,
    edited,
    extra,
    missing,
    other_version,
    tampered,
    wrong_shape,
)


def make_model(dtype="float64"):
    rng = np.random.default_rng(0)
    return TrainedModel(
        w=rng.normal(size=(4 * 5 * 3, 1)).astype(dtype),
        b=-0.25,
        dtype=dtype,
        image_shape=(4, 5, 3),
        mode="RGB",
        classes=("non-cat", "cat"),
        learning_rate=0.005,
        num_iterations=200,
        costs=(0.69, 0.5),
        record_every=100,
        train_accuracy=99.0,
        test_accuracy=70.0,
        data=DataRecord("train.h5", "test.h5", 10, 5),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip(tmp_path, dtype):
    model = make_model(dtype)
    path = save_model(model, tmp_path / "m.npz")
    loaded = load_model(path)
    assert loaded.w.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.w, model.w)
    assert loaded.b == model.b
    assert loaded.classes == model.classes and loaded.image_shape == (4, 5, 3)
    assert loaded.costs == model.costs and loaded.data == model.data
    # It is a real .npz: NumPy reads it without pickle.
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["b", "metadata", "w"]


def test_same_model_same_bytes(tmp_path):
    assert encode_model(make_model()) == encode_model(make_model())
    save_model(make_model(), tmp_path / "a.npz")
    save_model(make_model(), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_predict_images():
    model = make_model()
    images = np.random.default_rng(1).integers(0, 256, (3, 4, 5, 3), dtype=np.uint8)
    p = model.predict_proba_images(images)
    X = images.reshape(3, -1).T / 255.0
    expected = 1 / (1 + np.exp(-(model.w.T @ X + model.b)))
    np.testing.assert_allclose(p, expected.ravel(), rtol=1e-12)
    with pytest.raises(ValueError, match="the model takes"):
        model.predict_proba_images(images[:, :2])


def object_array(members):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    members["w.npy"] = buffer.getvalue()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (tampered, "checksum mismatch"),
        (edited, "checksum mismatch"),
        (other_version, "format version 99"),
        (extra, "must hold exactly"),
        (missing, "must hold exactly"),
        (wrong_shape, r"weights have shape \(300, 1\), expected \(60, 1\)"),
        (object_array, "only numbers are read, never objects"),
    ],
)
def test_tampered_files_are_refused(tmp_path, change, message):
    path = save_model(make_model(), tmp_path / "m.npz")
    edit_model(path, change)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_pickle_renamed_is_never_loaded(tmp_path):
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle was executed')",))

    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelFileError, match="not a .npz archive"):
        load_model(path)


def test_missing_empty_and_other_files(tmp_path):
    with pytest.raises(ModelFileError, match="model file not found"):
        load_model(tmp_path / "none.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        load_model(tmp_path / "empty.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ModelFileError, match="must hold exactly"):
        load_model(tmp_path / "other.npz")
    with pytest.raises(ModelFileError, match="is a folder"):
        load_model(tmp_path)


def test_save_to_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        save_model(make_model(), tmp_path / "no" / "m.npz")
    assert not (tmp_path / "no").exists()
