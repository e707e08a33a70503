"""Every bad input the tool must answer clearly: the table behind docs/errors.md.

Each :class:`Case` makes its files in a fresh folder, names the command line to
run there, and says what must come back: the exit code and a fragment of the
one-line message (on stderr, or stdout for cases that succeed with a note). Most
cases also name the Python call that must raise, and with what.
``tests/test_bad_input.py`` runs them all; ``docs/make_error_table.py`` prints the
table in docs/errors.md from the same list.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

from logistic_neuron.data.images import load_image
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.errors import ClusterError, DataError, ModelFileError
from logistic_neuron.storage.model_file import DataRecord, TrainedModel, load_model, save_model
from support import hostile_files as hf
from support.imagefactory import make_folder, write_image
from support.web import bomb_png, photo_bytes


@dataclass(frozen=True)
class Case:
    """One bad input and the answer it must get."""

    id: str
    group: str
    what: str
    setup: Callable[[Path], list[str]]
    code: int
    message: str
    stream: str = "stderr"
    api: Callable[[Path], object] | None = None
    api_error: type[Exception] = DataError


# --- files the cases are made of ---------------------------------------------------------


def images(m=6, size=4, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (m, size, size, channels), dtype=np.uint8)


def h5(folder, name="d.h5", x=None, y=None, keys=("train_set_x", "train_set_y")):
    path = folder / name
    with h5py.File(path, "w") as f:
        if x is not None:
            f[keys[0]] = x
        if y is not None:
            f[keys[1]] = y
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    return path


def good_h5(folder, name="d.h5"):
    return h5(folder, name, images(8), np.array([0, 1] * 4))


def model_file(folder, name="m.npz"):
    rng = np.random.default_rng(0)
    model = TrainedModel(
        w=rng.normal(size=(25 * 25, 1)) / 100, b=0.0, dtype="float64", image_shape=(25, 25, 1),
        mode="L", classes=("non-face", "face"), learning_rate=0.005, num_iterations=100,
        costs=(0.69,), record_every=100, train_accuracy=90.0, test_accuracy=90.0,
        data=DataRecord("faces", "held out from faces", 150, 50, 0, 0.25),
    )  # fmt: skip
    return save_model(model, folder / name)


def edit_model(path, change):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def metadata(members):
    return json.loads(np.lib.format.read_array(io.BytesIO(members["metadata.npy"])).tobytes())


def set_metadata(members, meta):
    members["metadata.npy"] = npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def resign(members):
    """Recompute the checksum, as a careful forger would: the other checks must still hold."""
    from logistic_neuron.storage.archive import checksum

    arrays = {k[:-4]: np.lib.format.read_array(io.BytesIO(v)) for k, v in members.items()}
    meta = metadata(members)
    arrays.pop("metadata")
    meta["checksum"] = checksum(arrays, meta)
    set_metadata(members, meta)


def other_version(members):
    meta = metadata(members)
    meta["format_version"] = 99
    set_metadata(members, meta)
    resign(members)


def wrong_shape(members):
    members["w.npy"] = npy(np.zeros((300, 1)))
    resign(members)


def tampered(members):
    w = np.lib.format.read_array(io.BytesIO(members["w.npy"]))
    w[3, 0] += 0.5
    members["w.npy"] = npy(w)


def edited(members):
    meta = metadata(members)
    meta["classes"] = ["face", "non-face"]
    set_metadata(members, meta)


def class_names_not_numbers(members):
    """Class names that the declared class type cannot read (checksum recomputed)."""
    meta = metadata(members)
    meta["class_type"] = "int"
    set_metadata(members, meta)
    resign(members)


def extra(members):
    members["x.npy"] = npy(np.zeros(2))


def missing(members):
    del members["b.npy"]


def pickled(folder):
    path = folder / "m.npz"
    path.write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    return path


def truncated(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def bomb(path):
    Image.new("1", (9000, 9000)).save(path)
    return path


def nan_pixels():
    pixels = np.full((4, 4, 4, 3), 0.5)
    pixels[1, 2, 3, 0] = np.nan
    return pixels


def text_file(path, text="hello"):
    path.write_text(text)
    return path


def empty_file(path):
    path.write_bytes(b"")
    return path


def folder_without_cats(d):
    root = make_folder(d / "f", per_class=2)
    for image in (root / "cat").iterdir():
        image.unlink()
    return root


def folder_with(d, add):
    """A good image folder plus whatever ``add(cat_folder)`` puts in its cat/ subfolder."""
    root = make_folder(d / "f", per_class=3)
    add(root / "cat")
    return root


def truncated_png(cat):
    truncated(write_image(cat / "t.png", (64, 64)), 0.2)


def junk(cat):
    (cat / ".DS_Store").write_bytes(b"x")
    text_file(cat / "notes.txt")


def self_link(cat):
    os.symlink(cat / "l.png", cat / "l.png")


def api_load(source, test=None, **kw):
    return lambda d: load_dataset(str(d / source), None if test is None else str(d / test), **kw)


def store(folder, name="d.zarr", seed=0):
    """A store packed from a small good data set."""
    from logistic_neuron.data.dataset import Split
    from logistic_neuron.data.store import pack, source_of_split

    split = Split(images(8, seed=seed), np.array([0, 1] * 4))
    return pack(source_of_split(split, ("non-cat", "cat"), "d.h5"), folder / name, chunk_examples=2)


def foreign_store(folder):
    import zarr

    zarr.open_group(folder / "d.zarr", mode="w").attrs["made_by"] = "someone else"
    return folder / "d.zarr"


def truncated_store(folder):
    path = store(folder)
    chunks = sorted(
        p for p in (path / "images").rglob("*") if p.is_file() and p.name != "zarr.json"
    )
    chunks[-1].unlink()  # as a copy that stopped before the end
    return path


def store_changed_under_checkpoint(folder):
    """A checkpoint of a run on d.zarr, then d.zarr packed again from other data."""
    import shutil

    from logistic_neuron.cli.train_store import GROUPS
    from logistic_neuron.data.dataset import held_out_indices
    from logistic_neuron.data.store import Selection, open_store
    from logistic_neuron.storage.checkpoint import Checkpoint, save_checkpoint

    path = store(folder)
    packed = open_store(path)
    train = np.flatnonzero(~held_out_indices(packed.labels, 0.25, 0))
    settings = {"data": str(path), "test": None, "image_size": 64, "mode": "RGB", "positive": None,
                "seed": 0, "iterations": 10, "learning_rate": 0.005, "dtype": "float64",
                "engine": "auto", "record_every": 100, GROUPS: 1}  # fmt: skip
    checkpoint = Checkpoint(np.zeros((packed.n_x, 1)), 0.0, 1, (0.69,), settings,
                            Selection(packed, train).fingerprint())  # fmt: skip
    save_checkpoint(checkpoint, folder / "run.checkpoint.npz")
    shutil.rmtree(path)
    store(folder, seed=1)
    return folder / "run.checkpoint.npz"


def api_open_store(make):
    from logistic_neuron.data.store import open_store

    return lambda d: open_store(make(d))


def api_connect(address):
    def connect(folder):
        from logistic_neuron.engines.distributed import cluster_client

        with cluster_client(address):
            pass

    return connect


# --- the command lines the cases run -------------------------------------------------------


def train_on(make, *options):
    """``train --data PATH [options]``, PATH the file or folder ``make(d)`` makes."""
    return lambda d: ["train", "--data", str(make(d)), *options]


def train_small_on(make):
    """A short run on small images of what ``make(d)`` makes (cases that succeed)."""
    return lambda d: ["train", "--iterations", "10", "--image-size", "8", "--out",
                      str(d / "m.npz"), "--data", str(make(d))]  # fmt: skip


def train_with(*options):
    """``train`` with ``options`` only (cases about the options themselves)."""
    return lambda d: ["train", *options]


def predict_on(make):
    """``predict`` with a good model on the image file ``make(d)`` makes."""
    return lambda d: ["predict", "--model", str(model_file(d)), str(make(d))]


def predict_with_model(make):
    """``predict --model PATH x.png``, PATH the model file ``make(d)`` makes."""
    return lambda d: ["predict", "--model", str(make(d)), "x.png"]


def edited_model(change):
    """A good model file whose archive members ``change(members)`` edits."""
    return lambda d: edit_model(model_file(d), change)


def api_load_model(make):
    return lambda d: load_model(make(d))


def api_load_made(make):
    return lambda d: load_dataset(str(make(d)))


# --- the cases ------------------------------------------------------------------------------

DATA = "bad data"
PARAMS = "bad parameters"
MODELS = "untrusted model files"
STORES = "packed stores and clusters"
NUMBERS = "numerical trouble"

CASES: list[Case] = []


def case(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))


case(
    "data-missing",
    DATA,
    "--data names a file that does not exist",
    lambda d: ["train", "--data", str(d / "none.h5")],
    1,
    "data file not found",
    api=api_load("none.h5"),
)
case(
    "data-unknown",
    DATA,
    "--data is neither faces, a file nor a folder",
    lambda d: ["train", "--data", "nowhere"],
    1,
    "data source not found: nowhere",
    api=lambda d: load_dataset("nowhere"),
)
# ``train --data`` on a bad file or folder: (id, what, make(d) -> path, message, api).
for _id, _what, _make, _message, _api in [
    ("h5-empty", "an empty (0 byte) .h5 file",
     lambda d: empty_file(d / "d.h5"), "is empty (0 bytes)", api_load("d.h5")),
    ("h5-not-hdf5", "a text file named .h5",
     lambda d: text_file(d / "d.h5"), "is not an HDF5 file", api_load("d.h5")),
    ("h5-truncated", "a half-downloaded .h5 file",
     lambda d: truncated(h5(d, x=images(64, 32), y=np.array([0, 1] * 32)), 0.3),
     "truncated or corrupt", None),
    ("h5-keys", "an .h5 file without the course's keys",
     lambda d: h5(d, x=images(4), y=np.array([0, 1, 0, 1]), keys=("images", "labels")),
     "must hold one '<part>_set_x' data set", None),
    ("h5-no-labels", "an .h5 file with images but no labels",
     lambda d: h5(d, x=images(4)), "no labels 'train_set_y'", None),
    ("h5-shape", "images of the wrong shape (m, 12)",
     lambda d: h5(d, x=np.zeros((4, 12), np.uint8), y=np.array([0, 1, 0, 1])),
     "expected (m, height, width, 3)", None),
    ("h5-counts", "more images than labels",
     lambda d: h5(d, x=images(4), y=np.array([0, 1, 1])), "4 images but 3 labels", None),
    ("labels-one-class", "labels all of one class",
     lambda d: h5(d, x=images(4), y=np.ones(4, int)),
     "labels are all 1: training needs examples of both classes", None),
    ("labels-three-classes", "three classes 0, 1, 2",
     lambda d: h5(d, x=images(6), y=np.array([0, 1, 2] * 2)),
     "must be 0 and 1 (binary classification), found 2 among 3 classes", None),
    ("labels-twos", "labels 1 and 2 instead of 0 and 1",
     lambda d: h5(d, x=images(4), y=np.array([1, 2, 1, 2])), "found 2; relabel them as 0/1", None),
    ("labels-minus-one", "labels -1 and 1",
     lambda d: h5(d, x=images(4), y=np.array([-1, 1, -1, 1])), "found -1; relabel them as 0/1",
     None),
    ("labels-fraction", "a label 0.5",
     lambda d: h5(d, x=images(4), y=np.array([0, 0.5, 1, 1])), "found 0.5", None),
    ("labels-nan", "a NaN label",
     lambda d: h5(d, x=images(4), y=np.array([0, np.nan, 1, 1])),
     "labels contain NaN or infinite values", None),
    ("pixels-nan", "NaN among float pixels",
     lambda d: h5(d, x=nan_pixels(), y=np.array([0, 1] * 2)),
     "pixel values contain NaN or infinite values", None),
    ("data-empty", "a data set with no images",
     lambda d: h5(d, x=images(0), y=np.zeros(0, int)), "holds no images: the data set is empty",
     None),
    ("folder-one-class", "an image folder with one class subfolder",
     lambda d: make_folder(d / "f", classes=("cat",), per_class=2),
     "must hold exactly two class subfolders", api_load("f")),
    ("folder-three-classes", "an image folder with three class subfolders",
     lambda d: make_folder(d / "f", classes=("a", "b", "c"), per_class=1), "found 3: a, b, c",
     None),
    ("folder-empty-class", "a class subfolder without images",
     folder_without_cats, "holds no images", None),
    ("folder-ambiguous", "two classes and no way to know which is positive",
     lambda d: make_folder(d / "f", classes=("dogs", "cats"), per_class=2),
     "say which one is positive (label 1) with --positive", None),
]:  # fmt: skip
    case(_id, DATA, _what, train_on(_make), 1, _message, api=_api)

case("folder-junk", DATA, "a .DS_Store and a notes.txt among the images: skipped, named",
     train_small_on(lambda d: folder_with(d, junk)), 0, "warning: skipped")  # fmt: skip
case("folder-bad-image", DATA, "a text file named .jpg in a class folder",
     train_on(lambda d: folder_with(d, lambda cat: text_file(cat / "x.jpg"))),
     1, "x.jpg is not an image file Pillow can read")  # fmt: skip
case("folder-truncated-image", DATA, "a truncated PNG in a class folder",
     train_on(lambda d: folder_with(d, truncated_png)), 1, "truncated or corrupt")  # fmt: skip
case("folder-symlink-loop", DATA, "a symbolic link that points at itself: skipped, named",
     train_small_on(lambda d: folder_with(d, self_link)), 0, "warning: skipped")  # fmt: skip
case("image-bomb", DATA, "a 9000 x 9000 image (decompression bomb)",
     train_on(lambda d: folder_with(d, lambda cat: bomb(cat / "b.png"))),
     1, "possible decompression bomb",
     api=lambda d: load_image(bomb(d / "b.png")))  # fmt: skip
case(
    "predict-missing-image",
    DATA,
    "predict on a file that does not exist",
    predict_on(lambda d: d / "none.png"),
    1,
    "image not found",
    api=lambda d: load_image(d / "none.png"),
)
case(
    "predict-not-image",
    DATA,
    "predict on a text file named .jpg",
    predict_on(lambda d: text_file(d / "x.jpg")),
    1,
    "is not an image file Pillow can read",
)
case(
    "predict-other-size",
    DATA,
    "predict on an RGBA image of another size: converted, said so",
    predict_on(lambda d: write_image(d / "x.png", (90, 60), "RGBA")),
    0,
    "(resized from 60x90 to 25x25; converted from RGBA to L)",
    stream="stdout",
)
case(
    "predict-bomb",
    DATA,
    "predict on a decompression bomb",
    predict_on(lambda d: bomb(d / "b.png")),
    1,
    "possible decompression bomb",
)


def api_model(**options):
    """The course's model() on a tiny problem with training ``options``."""

    def call(d):
        from logistic_neuron.engines.training import model

        X = np.array([[0.1, 0.9, 0.2, 0.8], [0.5, 0.4, 0.6, 0.3]])
        Y = np.array([[0, 1, 0, 1]])
        return model(X, Y, X, Y, 5, 0.1, **options)

    return call


# ``train`` with a bad option: (id, what, options, message, api); the API raises ValueError.
for _id, _what, _options, _message, _api in [
    ("batch-size-zero", "--batch-size 0 (mini-batches need at least one example)",
     ["--batch-size", "0"], "argument --batch-size: expected a whole number >= 1, got 0",
     api_model(batch_size=0)),
    ("batch-size-negative", "--batch-size=-32",
     ["--batch-size=-32"], "argument --batch-size: expected a whole number >= 1, got -32",
     api_model(batch_size=-32)),
    ("beta-one", "--beta1 1 (a running average must forget: beta in [0, 1))",
     ["--optimizer", "momentum", "--beta1", "1"], "argument --beta1: expected a number in [0, 1)",
     api_model(optimizer="momentum", beta1=1.0)),
    ("beta-negative", "--beta2=-0.1",
     ["--optimizer", "adam", "--beta2=-0.1"], "argument --beta2: expected a number in [0, 1)",
     api_model(optimizer="adam", beta2=-0.1)),
    ("epsilon-zero", "--epsilon 0 with Adam",
     ["--optimizer", "adam", "--epsilon", "0"], "argument --epsilon: expected a finite number > 0",
     api_model(optimizer="adam", epsilon=0.0)),
    ("patience-zero", "--patience 0",
     ["--validation-fraction", "0.2", "--patience", "0"],
     "argument --patience: expected a whole number >= 1, got 0",
     api_model(validation_fraction=0.5, patience=0)),
    ("patience-without-validation", "--patience without a validation split to watch",
     ["--patience", "5"], "patience needs a validation split to watch: set --validation-fraction",
     api_model(patience=5)),
    ("lbfgs-mini-batch", "--solver lbfgs with --batch-size",
     ["--solver", "lbfgs", "--batch-size", "32"],
     "solver lbfgs uses every training example at each step: drop --batch-size",
     api_model(solver="lbfgs", batch_size=32)),
    ("engine-dual-adam",
     "--engine dual with --optimizer adam (Adam leaves the span of the examples)",
     ["--engine", "dual", "--optimizer", "adam"],
     "--engine 'dual' keeps w a combination of the examples, which optimizer 'adam' does not",
     api_model(engine="dual", optimizer="adam")),
    ("iterations-zero", "--iterations 0",
     ["--iterations", "0"], "argument --iterations: expected a whole number >= 1, got 0", None),
    ("iterations-negative", "--iterations=-5",
     ["--iterations=-5"], "expected a whole number >= 1, got -5", None),
    ("iterations-text", "--iterations ten",
     ["--iterations", "ten"], "expected a whole number >= 1, got 'ten'", None),
    ("seed-negative", "--seed -1 (the split's random generator needs >= 0)",
     ["--seed", "-1"], "argument --seed: expected a whole number from 0 to 2**63 - 1, got -1",
     lambda d: load_dataset("faces", seed=-1)),
    ("rate-zero", "--learning-rate 0",
     ["--learning-rate", "0"], "argument --learning-rate: expected a finite number > 0", None),
    ("rate-negative", "--learning-rate=-0.1",
     ["--learning-rate=-0.1"], "expected a finite number > 0", None),
    ("rate-nan", "--learning-rate nan",
     ["--learning-rate", "nan"], "expected a finite number > 0", None),
    ("rate-inf", "--learning-rate inf",
     ["--learning-rate", "inf"], "expected a finite number > 0", None),
    ("dtype-unknown", "--dtype float16",
     ["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'", None),
    ("option-unknown", "an option that does not exist",
     ["--epochs", "3"], "unrecognized arguments: --epochs 3", None),
]:  # fmt: skip
    case(_id, PARAMS, _what, train_with(*_options), 2, _message, api=_api, api_error=ValueError)

case(
    "compare-lbfgs-rate",
    PARAMS,
    "compare-optimizers --optimizers lbfgs@0.1 (L-BFGS picks its own steps)",
    lambda d: ["compare-optimizers", "--optimizers", "lbfgs@0.1", "--out", str(d / "o.png")],
    2,
    "argument --optimizers: lbfgs chooses its own steps: give it as 'lbfgs', without @0.1",
)

case(
    "out-missing-folder",
    PARAMS,
    "--out in a folder that does not exist",
    lambda d: ["train", "--out", str(d / "no" / "m.npz")],
    1,
    "does not exist; create it first",
)
case(
    "out-not-folder",
    PARAMS,
    "--out under a file, not a folder",
    lambda d: ["train", "--out", str(text_file(d / "file") / "m.npz")],
    1,
    "is not a folder",
)
case(
    "resume-with-options",
    PARAMS,
    "--resume together with settings",
    lambda d: ["train", "--resume", str(d / "c.npz"), "--iterations", "5"],
    2,
    "--resume continues the run with the settings it was started with; drop --iterations",
)
case(
    "resume-model",
    PARAMS,
    "--resume given a finished model",
    lambda d: ["train", "--resume", str(model_file(d))],
    1,
    "is a finished model, not a checkpoint",
)

case(
    "model-missing",
    MODELS,
    "a model path that does not exist",
    predict_with_model(lambda d: d / "none.npz"),
    1,
    "model file not found",
    api=api_load_model(lambda d: d / "none.npz"),
    api_error=ModelFileError,
)
case(
    "model-empty",
    MODELS,
    "an empty model file",
    lambda d: ["evaluate", "--model", str(empty_file(d / "m.npz")), "--data", "faces"],
    1,
    "the file is empty",
)
# ``predict --model`` on a forged model file: (id, what, make(d) -> path, message, API too?).
for _id, _what, _make, _message, _api in [
    ("model-pickle", "a pickle renamed to .npz (never unpickled)", pickled,
     "not a .npz archive (pickles and other formats are never loaded)", True),
    ("model-tampered", "a weight changed after saving", edited_model(tampered),
     "checksum mismatch: the file was modified after it was saved", True),
    ("model-edited", "metadata edited after saving (classes swapped)", edited_model(edited),
     "checksum mismatch", False),
    ("model-version", "a model from another format version", edited_model(other_version),
     "uses format version 99, this version of logistic-neuron reads version 1", False),
    ("model-shape", "weights of the wrong shape (checksum recomputed)", edited_model(wrong_shape),
     "weights have shape (300, 1), expected (625, 1)", False),
    ("model-class-type",
     "class names that are not the labels the file says they are (checksum recomputed)",
     edited_model(class_names_not_numbers),
     "its class names ['non-face', 'face'] are not int labels", True),
    ("model-extra-key", "an extra array in the archive", edited_model(extra),
     "it must hold exactly b.npy, metadata.npy, w.npy", False),
    ("model-missing-key", "an array missing from the archive", edited_model(missing),
     "it holds metadata.npy, w.npy", False),
]:  # fmt: skip
    case(_id, MODELS, _what, predict_with_model(_make), 1, _message,
         api=api_load_model(_make) if _api else None, api_error=ModelFileError)  # fmt: skip

case(
    "store-not-ours",
    STORES,
    "a Zarr store that logistic-neuron did not write",
    train_on(foreign_store),
    1,
    "is not a logistic-neuron store (no 'logistic-neuron-store' format attribute)",
    api=api_open_store(foreign_store),
)
case(
    "store-truncated",
    STORES,
    "a store whose copy stopped early (a chunk file missing)",
    train_on(truncated_store),
    1,
    "is truncated: 3 of 4 image chunks are present",
    api=api_open_store(truncated_store),
)
case(
    "store-changed",
    STORES,
    "a store packed again from other data under a checkpoint",
    lambda d: ["train", "--resume", str(store_changed_under_checkpoint(d)), "--out", "m.npz"],
    1,
    "changed since the checkpoint",
)
case(
    "cluster-needs-store",
    STORES,
    "--workers with data that is not a packed store",
    train_on(good_h5, "--workers", "2"),
    2,
    "--scheduler and --workers train from a packed store",
)
case(
    "cluster-unreachable",
    STORES,
    "--scheduler names an address where no scheduler answers",
    train_on(store, "--scheduler", "tcp://127.0.0.1:9"),
    1,
    "cannot reach the Dask scheduler at tcp://127.0.0.1:9",
    api=api_connect("tcp://127.0.0.1:9"),
    api_error=ClusterError,
)

case(
    "diverged",
    NUMBERS,
    "a learning rate so large that the cost overflows",
    train_with("--learning-rate", "1e308", "--iterations", "50"),
    1,
    "training diverged at iteration 1: the cost became inf with learning rate 1e+308; "
    "try a smaller one such as 1e+307",
)


# --- the web page (logistic-neuron serve) ------------------------------------------------


@dataclass(frozen=True)
class WebCase:
    """One bad request to the web app and the answer it must get.

    ``request()`` gives the keyword arguments of the test client's ``post``;
    ``settings`` override the server's (a small upload limit ...).
    """

    id: str
    what: str
    request: Callable[[], dict]
    status: int
    message: str
    path: str = "/api/predict"
    settings: dict = field(default_factory=dict)


def _photos(*files):
    return {"files": [("image", (name, data, "application/octet-stream")) for name, data in files]}


def _chunks():
    yield from (b"x" * 1000 for _ in range(100))


WEB_CASES = [
    WebCase("upload-not-image", "a text file sent as a photo",
            lambda: _photos(("notes.txt", b"just text\n")), 422,
            "notes.txt is not an image file Pillow can read"),
    WebCase("upload-empty", "an empty file", lambda: _photos(("empty.png", b"")), 422,
            "empty.png is empty: choose an image file"),
    WebCase("upload-truncated", "a PNG cut short",
            lambda: _photos(("cut.png", photo_bytes((64, 64))[:300])), 422,
            "cannot read image cut.png"),
    WebCase("upload-bomb", "a 1 KB PNG claiming 30000x30000 pixels",
            lambda: _photos(("bomb.png", bomb_png())), 422, "possible decompression bomb"),
    WebCase("upload-svg", "an SVG drawing (not a format Pillow reads)",
            lambda: _photos(("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')), 422,
            "drawing.svg is not an image file Pillow can read"),
    WebCase("upload-pdf", "a PDF document",
            lambda: _photos(("doc.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")), 422,
            "doc.pdf is not an image file Pillow can read"),
    WebCase("upload-too-large", "an upload over the limit (here 50 KB)",
            lambda: _photos(("big.png", photo_bytes((200, 200)))), 413,
            "the upload is larger than this server's limit of 50 KB",
            settings={"max_upload_bytes": 51_200}),
    WebCase("upload-chunked-too-large", "a chunked body (no Content-Length) over the limit",
            lambda: {"content": _chunks(),
                     "headers": {"content-type": "multipart/form-data; boundary=xx"}},
            413, "the upload is larger than this server's limit",
            settings={"max_upload_bytes": 51_200}),
    WebCase("upload-too-many", "more photos in one request than allowed (here 3)",
            lambda: _photos(*((f"{i}.png", photo_bytes(seed=i)) for i in range(4))), 400,
            "Too many files. Maximum number of files is 3.", settings={"max_images": 3}),
    WebCase("upload-no-field", "a file in another field than 'image'",
            lambda: {"files": [("photo", ("a.png", photo_bytes(), "image/png"))]}, 400,
            "no photo in the request: send one or more files in the field 'image'"),
    WebCase("upload-not-multipart", "a request body that is not multipart/form-data",
            lambda: {"content": b"x", "headers": {"content-type": "text/plain"}}, 415,
            "send the photos as multipart/form-data in the field 'image'"),
    WebCase("upload-broken-multipart", "a multipart body without its boundary",
            lambda: {"content": b"garbage", "headers": {"content-type": "multipart/form-data"}},
            400, "the upload could not be read: Missing boundary in multipart."),
    WebCase("train-unknown-data", "a training request naming a data set by path",
            lambda: {"json": {"data": "/etc", "learning_rate": 0.01, "iterations": 10}}, 400,
            "unknown data set '/etc'", path="/api/train"),
    WebCase("train-bad-rate", "a negative learning rate",
            lambda: {"json": {"data": "faces", "learning_rate": -1, "iterations": 10}}, 400,
            "learning_rate must be above 0 and at most 100", path="/api/train"),
    WebCase("train-too-long", "more iterations than a page may ask for",
            lambda: {"json": {"data": "faces", "learning_rate": 0.1, "iterations": 10**9}}, 400,
            "iterations must be between 1 and 100,000", path="/api/train"),
    WebCase("train-not-json", "a training request that is not JSON",
            lambda: {"content": b"{not json"}, 400, "send the run's settings as a JSON object",
            path="/api/train"),
]  # fmt: skip
# --- hostile files and careless paths (issue 16) --------------------------------------------

HOSTILE = "hostile files"
PATHS = "careless paths"


for _id, _what, _build, _message in [
    ("model-encrypted", "a model file whose members are flagged encrypted",
     hf.encrypted_model, "is encrypted; model files are never encrypted"),
    ("model-compression", "a model file compressed with bzip2",
     hf.bzip2_model, "uses compression method 12; only stored and deflate are read"),
    ("model-zip-bomb", "a 600 KB model file whose w.npy inflates to 600 MB",
     hf.zip_bomb_model, "more than the 4296 its metadata allows (a possible zip bomb)"),
    ("model-lying-size", "a model member that inflates to 200 MB but declares 328 bytes",
     hf.lying_size_model, "inflates to other than its declared size"),
    ("model-many-members", "a model file with 100 000 entries",
     hf.many_members_model, "it declares 65535 entries"),
    ("model-nested-json", "metadata JSON nested 100 000 levels deep",
     hf.deeply_nested, "its metadata is nested deeper than 16 levels"),
    ("model-huge-number", "metadata holding 1e400 (infinity once parsed)",
     hf.huge_number, "its metadata holds 1e400, a number out of range"),
    ("model-wrong-type", "metadata with a number given as text (checksum recomputed)",
     lambda d: hf.edited_model(d, lambda m: m["hyperparameters"].update(num_iterations="9")),
     "metadata field 'hyperparameters.num_iterations' must be a whole number, got '9'"),
    ("model-huge-shape", "metadata declaring 100000x100000 images (checksum recomputed)",
     lambda d: hf.edited_model(d, lambda m: m.update(image_shape=[100000, 100000, 1])),
     "metadata field 'image_shape[0]' must be between 1 and 4096, got 100000"),
    ("model-fifo", "--model names a FIFO (would block forever)",
     lambda d: hf.fifo(d / "m.npz"), "m.npz is a pipe (FIFO), not a regular file"),
]:  # fmt: skip
    case(_id, HOSTILE, _what, predict_with_model(_build), 1, _message,
         api=api_load_model(_build), api_error=ModelFileError)  # fmt: skip

case("model-device", HOSTILE, "--model /dev/zero (a device that never ends)",
     lambda d: ["predict", "--model", "/dev/zero", "x.png"], 1,
     "/dev/zero is a character device, not a regular file",
     api=lambda d: load_model("/dev/zero"), api_error=ModelFileError)  # fmt: skip


def checkpoint_with(change):
    def build(d):
        from logistic_neuron.storage.checkpoint import Checkpoint, save_checkpoint

        settings = {"data": "faces", "iterations": 500, "record_every": 100,
                    "learning_rate": 0.005, "dtype": "float64", "engine": "auto"}  # fmt: skip
        path = save_checkpoint(
            Checkpoint(np.zeros((625, 1)), 0.0, 200, (0.69, 0.5), settings, "abc"), d / "c.npz"
        )
        members = hf.read_members(path)
        meta = hf.metadata_of(members)
        change(meta["settings"])
        return hf.write_members(path, hf.resigned(members, meta))

    return build


case("checkpoint-missing-key", HOSTILE, "a checkpoint whose settings lack the iterations",
     lambda d: ["train", "--resume", str(checkpoint_with(lambda s: s.pop("iterations"))(d))],
     1, "its metadata has no 'settings.iterations'")  # fmt: skip
case("checkpoint-wrong-type", HOSTILE, "a checkpoint whose learning rate is text",
     lambda d: ["train", "--resume",
                str(checkpoint_with(lambda s: s.update(learning_rate="0.1"))(d))],
     1, "metadata field 'settings.learning_rate' must be a number, got '0.1'")  # fmt: skip

for _id, _what, _build, _message in [
    ("h5-external-storage", "an .h5 data set stored in another file (secret.txt)",
     hf.h5_external_storage, "train_set_x uses external storage (its bytes live in another file)"),
    ("h5-external-device", "an .h5 data set stored in /dev/zero",
     lambda d: hf.h5_external_storage(d, "/dev/zero"), "train_set_x uses external storage"),
    ("h5-external-link", "an .h5 file whose images are an external link",
     hf.h5_external_link, "train_set_x is an external link to"),
    ("h5-virtual", "an .h5 virtual data set whose source is missing",
     hf.h5_virtual, "train_set_x is a virtual data set"),
    ("h5-fill-value", "a 10 KB .h5 file declaring 1.2 GB of chunked fill value",
     hf.h5_fill_value, "declares 1228800000 bytes of data (shape (100000, 64, 64, 3)) but "
     "stores only 0"),
    ("h5-fifo", "--data names a FIFO ending in .h5",
     lambda d: hf.fifo(d / "d.h5"), "d.h5 is a pipe (FIFO), not a regular file"),
]:  # fmt: skip
    case(_id, HOSTILE, _what, train_on(_build), 1, _message, api=api_load_made(_build))

case("image-fifo", HOSTILE, "predict on a FIFO named .png (would block forever)",
     predict_on(lambda d: hf.fifo(d / "x.png")), 1,
     "x.png is a pipe (FIFO), not a regular file",
     api=lambda d: load_image(hf.fifo(d / "x.png")))  # fmt: skip
case("folder-fifo", HOSTILE, "a FIFO among the images of a class folder: skipped, named",
     train_small_on(lambda d: folder_with(d, lambda c: hf.fifo(c / "f.png"))),
     0, "f.png: a pipe (FIFO), not a regular file")  # fmt: skip

case("out-is-data", PATHS, "--out is the training data file",
     lambda d: ["train", "--data", str(good_h5(d)), "--out", str(d / "d.h5")], 1,
     "is the same file as the input --data")  # fmt: skip
case("out-is-test-data", PATHS, "--out is the test data file (through a link)",
     lambda d: (good_h5(d, "t.h5"), os.symlink(d / "t.h5", d / "l.npz"),
                ["train", "--data", str(good_h5(d)), "--test", str(d / "t.h5"),
                 "--out", str(d / "l.npz")])[-1],
     1, "is the same file as the input --test")  # fmt: skip
case("checkpoint-is-model-out", PATHS, "--checkpoint is the same path as --out",
     lambda d: ["train", "--checkpoint-every", "5", "--out", str(d / "m.npz"),
                "--checkpoint", str(d / "m.npz")],
     1, "is the same file as --out")  # fmt: skip
case("out-device", PATHS, "--out /dev/null (never replaced by a regular file)",
     lambda d: ["train", "--iterations", "5", "--out", "/dev/null"], 1,
     "cannot write /dev/null: it is a character device, not a regular file")  # fmt: skip
case("out-fifo", PATHS, "--out names a FIFO",
     lambda d: ["train", "--iterations", "5", "--out", str(hf.fifo(d / "m.npz"))], 1,
     "it is a pipe (FIFO), not a regular file")  # fmt: skip
case("explain-over-image", PATHS, "predict --plots would write x.png's picture over the input "
     "x-explained.png", lambda d: ["predict", "--model", str(model_file(d)), "--plots", str(d),
                                  str(write_image(d / "x.png", (30, 30))),
                                  str(write_image(d / "x-explained.png", (30, 30)))],
     1, "is the same file as the input IMAGE")  # fmt: skip
