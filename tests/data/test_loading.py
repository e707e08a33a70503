import os

import h5py
import numpy as np
import pytest

from logistic_neuron.data.course_h5 import load_h5_split
from logistic_neuron.data.dataset import DataWarning, stratified_split
from logistic_neuron.data.faces import load_faces
from logistic_neuron.data.folders import load_image_folder
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.errors import DataError
from support.imagefactory import make_folder, write_image


def write_h5(path, x, y, classes=(b"non-cat", b"cat"), part="train"):
    with h5py.File(path, "w") as f:
        f[f"{part}_set_x"] = x
        f[f"{part}_set_y"] = y
        if classes is not None:
            f["list_classes"] = np.array(classes)
    return path


def small_images(m=6, size=4):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (m, size, size, 3), dtype=np.uint8)


def test_course_files_layout(course_data):
    d = course_data
    assert d.train.images.shape == (209, 64, 64, 3)
    assert d.test.images.shape == (50, 64, 64, 3)
    assert d.classes == ("non-cat", "cat")
    assert d.image_shape == (64, 64, 3) and d.mode == "RGB" and d.n_x == 12288
    X = d.train.X()
    assert X.shape == (12288, 209) and X.dtype == np.float64
    # The course's own preprocessing, digit for digit.
    expected = d.train.images.reshape(209, -1).T / 255.0
    np.testing.assert_array_equal(X, expected)
    assert d.train.Y().shape == (1, 209)
    assert int(d.train.labels.sum()) == 72
    assert np.shares_memory(d.train.pixels(), d.train.images)
    assert d.train.X("float32").dtype == np.float32


def test_faces_split_is_stratified_and_reproducible():
    d1, d2 = load_dataset("faces"), load_dataset("faces")
    assert d1.train.m == 150 and d1.test.m == 50
    assert int(d1.train.labels.sum()) == 75 and int(d1.test.labels.sum()) == 25
    assert d1.train.names == d2.train.names
    assert not set(d1.train.names) & set(d1.test.names)
    assert d1.image_shape == (25, 25, 1) and d1.mode == "L"
    assert d1.classes == ("non-face", "face")
    assert d1.split_seed == 0 and d1.test_fraction == 0.25
    other = load_dataset("faces", seed=1)
    assert other.test.names != d1.test.names


def test_faces_pixels_match_scikit_image():
    from skimage import data

    split, _ = load_faces()
    np.testing.assert_allclose(
        split.images[..., 0] / 255, data.lfw_subset(), atol=0.5 / 255 + 1e-12
    )


def test_h5_without_test_holds_out(tmp_path):
    path = write_h5(tmp_path / "d.h5", small_images(8), np.array([0, 1] * 4))
    d = load_dataset(str(path))
    assert d.train.m == 6 and d.test.m == 2
    assert d.test_source == f"held out from {path}"


def test_h5_labels_as_row_and_grey_images(tmp_path):
    x = small_images(4)[..., 0]
    path = write_h5(tmp_path / "g.h5", x, np.array([[0, 1, 1, 0]]), classes=None)
    split, classes = load_h5_split(path)
    assert split.images.shape == (4, 4, 4, 1)
    assert classes == ("0", "1")


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (small_images(4), np.array([0, 1, 1]), "4 images but 3 labels"),
        (small_images(4), np.array([0, 1, 2, 1]), "must be 0 and 1"),
        (small_images(4), np.array([0, -1, 1, 1]), "must be 0 and 1"),
        (small_images(4), np.array([0, 0.5, 1, 1]), "whole numbers 0 and 1, found 0.5"),
        (small_images(4), np.array([0, np.nan, 1, 1]), "NaN or infinite"),
        (small_images(4)[:, :, :, :2], np.array([0, 1, 1, 0]), "expected"),
        (small_images(0), np.zeros(0, dtype=int), "no images"),
        (small_images(4).astype(float) * 2, np.array([0, 1, 1, 0]), "must be in"),
    ],
)
def test_h5_content_errors(tmp_path, x, y, message):
    path = write_h5(tmp_path / "bad.h5", x, y)
    with pytest.raises(DataError, match=message):
        load_h5_split(path)


def test_h5_all_one_class_cannot_train(tmp_path):
    path = write_h5(tmp_path / "one.h5", small_images(4), np.array([1, 1, 1, 1]))
    with pytest.raises(DataError, match="labels are all 1: training needs examples of both"):
        load_dataset(str(path))


def test_h5_file_errors(tmp_path):
    with pytest.raises(DataError, match="data file not found"):
        load_h5_split(tmp_path / "none.h5")
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(DataError, match="is empty"):
        load_h5_split(tmp_path / "empty.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(DataError, match="not an HDF5 file"):
        load_h5_split(tmp_path / "text.h5")
    with h5py.File(tmp_path / "keys.h5", "w") as f:
        f["images"] = small_images(2)
    with pytest.raises(DataError, match="'<part>_set_x'.*found images"):
        load_h5_split(tmp_path / "keys.h5")
    with h5py.File(tmp_path / "nolabels.h5", "w") as f:
        f["train_set_x"] = small_images(2)
    with pytest.raises(DataError, match="no labels 'train_set_y'"):
        load_h5_split(tmp_path / "nolabels.h5")


def test_truncated_h5_is_refused(tmp_path, course_data_dir):
    data = (course_data_dir / "test_catvnoncat.h5").read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cut.h5"):
        load_h5_split(tmp_path / "cut.h5")


def test_image_folder_understands_non_prefix(tmp_path):
    root = make_folder(tmp_path / "data", per_class=3)
    split, classes = load_image_folder(root, image_size=(8, 8))
    assert classes == ("non-cat", "cat")
    assert split.images.shape == (6, 8, 8, 3)
    assert list(split.labels) == [0, 0, 0, 1, 1, 1]
    assert split.names[0] == "non-cat/img0.png"


def test_image_folder_needs_explicit_positive(tmp_path):
    root = make_folder(tmp_path / "data", classes=("dogs", "cats"), per_class=2)
    with pytest.raises(DataError, match="say which one is positive.*--positive"):
        load_image_folder(root)
    _, classes = load_image_folder(root, positive="dogs", image_size=(5, 5))
    assert classes == ("cats", "dogs")
    with pytest.raises(DataError, match="is not a class folder"):
        load_image_folder(root, positive="birds")


def test_image_folder_skips_junk_with_warnings(tmp_path):
    root = make_folder(tmp_path / "data", per_class=2)
    (root / "cat" / ".DS_Store").write_bytes(b"\0\0junk")
    (root / "cat" / "notes.txt").write_text("hello")
    (root / "cat" / "nested").mkdir()
    (root / ".hidden").mkdir()
    with pytest.warns(DataWarning) as record:
        split, _ = load_image_folder(root, image_size=(4, 4))
    messages = " ".join(str(w.message) for w in record)
    assert ".DS_Store" in messages and "notes.txt" in messages and "nested" in messages
    assert split.m == 4


def test_image_folder_symlink_loop_is_skipped(tmp_path):
    root = make_folder(tmp_path / "data", per_class=2)
    os.symlink(root / "cat" / "loop.png", root / "cat" / "loop.png")
    with pytest.warns(DataWarning, match="loop.png"):
        split, _ = load_image_folder(root, image_size=(4, 4))
    assert split.m == 4


def test_image_folder_errors(tmp_path):
    with pytest.raises(DataError, match="data folder not found"):
        load_image_folder(tmp_path / "none")
    (tmp_path / "one" / "cat").mkdir(parents=True)
    with pytest.raises(DataError, match="exactly two class subfolders.*found 1: cat"):
        load_image_folder(tmp_path / "one")
    three = make_folder(tmp_path / "three", classes=("a", "b", "c"), per_class=1)
    with pytest.raises(DataError, match="found 3"):
        load_image_folder(three)
    empty = make_folder(tmp_path / "empty", per_class=1)
    for f in (empty / "cat").iterdir():
        f.unlink()
    with pytest.raises(DataError, match="holds no images"):
        load_image_folder(empty)
    broken = make_folder(tmp_path / "broken", per_class=1)
    (broken / "cat" / "bad.jpg").write_text("not a jpeg")
    with pytest.raises(DataError, match="bad.jpg is not an image"):
        load_image_folder(broken)


def test_folder_with_test_folder(tmp_path):
    train = make_folder(tmp_path / "train", per_class=3)
    test = make_folder(tmp_path / "test", per_class=2)
    d = load_dataset(str(train), str(test), image_size=(6, 6))
    assert (d.train.m, d.test.m) == (6, 4)
    assert d.image_shape == (6, 6, 3)
    other = make_folder(tmp_path / "other", classes=("dog", "non-dog"), per_class=1)
    with pytest.raises(DataError, match="the model knows|differ"):
        load_dataset(str(train), str(other), image_size=(6, 6))


def test_mixed_images_in_folder(tmp_path):
    root = tmp_path / "mixed"
    write_image(root / "cat" / "a.png", size=(100, 50), mode="RGBA")
    write_image(root / "cat" / "b.jpg", size=(10, 10), mode="L")
    write_image(root / "non-cat" / "c.gif", size=(30, 30), mode="P")
    split, _ = load_image_folder(root, image_size=(12, 12))
    assert split.images.shape == (3, 12, 12, 3)


def test_unknown_source():
    with pytest.raises(DataError, match="data source not found"):
        load_dataset("no-such-thing")


def test_faces_with_test_is_refused():
    with pytest.raises(DataError, match="drop --test"):
        load_dataset("faces", "x.h5")


def test_stratified_split_keeps_both_classes():
    split, _ = load_faces()
    _, test = stratified_split(split, 0.1, seed=3)
    assert test.m == 20 and int(test.labels.sum()) == 10
    with pytest.raises(ValueError, match="test_fraction"):
        stratified_split(split, 1.5)
