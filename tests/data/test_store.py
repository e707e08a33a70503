"""Packed stores: pack, resume, read back, and refuse what is not ours or not whole."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip(
    "zarr", reason='Zarr is not installed (pip install "logistic-neuron[distributed]")'
)

from logistic_neuron.cli.main import main
from logistic_neuron.data.dataset import Split
from logistic_neuron.data.loading import load_dataset, load_labelled
from logistic_neuron.data.store import (
    PARTIAL_SUFFIX,
    PROGRESS_FILE,
    Selection,
    open_source,
    open_store,
    pack,
    source_of_split,
    synthetic_source,
)
from logistic_neuron.errors import DataError
from support.imagefactory import make_folder


def small_source(m=50, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (m, 5, 4, 3), dtype=np.uint8)
    labels = np.arange(m) % 2
    return source_of_split(Split(images, labels), ("no", "yes"), "small"), images, labels


def test_pack_and_read_back(tmp_path):
    source, images, labels = small_source()
    out = pack(source, tmp_path / "s.zarr", chunk_examples=8)
    store = open_store(out)
    assert (store.m, store.image_shape, store.n_chunks, store.chunk_examples) == (
        50,
        (5, 4, 3),
        7,
        8,
    )
    assert store.classes == ("no", "yes") and store.mode == "RGB"
    split = store.to_split()
    np.testing.assert_array_equal(split.images, images)
    np.testing.assert_array_equal(split.labels, labels)
    assert not (tmp_path / ("s.zarr" + PARTIAL_SUFFIX)).exists()
    # The same content packs to the same fingerprint; other content to another.
    again = open_store(pack(source, tmp_path / "t.zarr", chunk_examples=8))
    assert again.fingerprint == store.fingerprint
    other = open_store(pack(small_source(seed=1)[0], tmp_path / "u.zarr", chunk_examples=8))
    assert other.fingerprint != store.fingerprint


def test_selection_reads_its_rows_chunk_by_chunk(tmp_path):
    source, images, labels = small_source()
    store = open_store(pack(source, tmp_path / "s.zarr", chunk_examples=8))
    indices = np.array([0, 3, 9, 10, 11, 12, 13, 14, 15, 49])
    selection = Selection(store, indices)
    rows = np.concatenate([r for r, _ in selection.iter_chunks()])
    ys = np.concatenate([y for _, y in selection.iter_chunks()])
    np.testing.assert_array_equal(rows, images[indices].reshape(len(indices), -1))
    np.testing.assert_array_equal(ys, labels[indices])
    # Chunk 1 (rows 8..15) is selected whole except row 8; chunks 2..5 not at all.
    assert [t.chunk for t in selection.tasks()] == [0, 1, 6]


def test_interrupted_pack_resumes_where_it_stopped(tmp_path):
    source, images, _ = small_source()
    reads = []

    def reading(lo, hi):
        reads.append((lo, hi))
        if len(reads) == 3:
            raise KeyboardInterrupt  # interrupted while decoding the third chunk
        return images[lo:hi]

    interrupted = source.__class__(**{**source.__dict__, "read": reading})
    with pytest.raises(KeyboardInterrupt):
        pack(interrupted, tmp_path / "s.zarr", chunk_examples=8)
    assert not (tmp_path / "s.zarr").exists()  # never a half-written store under its name
    assert (tmp_path / ("s.zarr" + PARTIAL_SUFFIX) / PROGRESS_FILE).is_file()
    with pytest.raises(DataError, match="unfinished pack"):
        open_store(tmp_path / ("s.zarr" + PARTIAL_SUFFIX))
    reads.clear()
    resumed = source.__class__(
        **{**source.__dict__, "read": lambda lo, hi: reads.append(lo) or images[lo:hi]}
    )
    store = open_store(pack(resumed, tmp_path / "s.zarr", chunk_examples=8))
    assert reads == [16, 24, 32, 40, 48]  # the two finished chunks were not decoded again
    whole = open_store(pack(source, tmp_path / "w.zarr", chunk_examples=8))
    assert store.fingerprint == whole.fingerprint


def test_pack_starts_afresh_when_the_source_changed(tmp_path):
    source, images, _ = small_source()
    partial = tmp_path / ("s.zarr" + PARTIAL_SUFFIX)
    calls = []

    def failing(lo, hi):
        calls.append(lo)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return images[lo:hi]

    with pytest.raises(KeyboardInterrupt):
        pack(
            source.__class__(**{**source.__dict__, "read": failing}),
            tmp_path / "s.zarr",
            chunk_examples=8,
        )
    assert json.loads((partial / PROGRESS_FILE).read_text())["done"][0]
    other, other_images, _ = small_source(seed=5)
    store = open_store(pack(other, tmp_path / "s.zarr", chunk_examples=8))
    np.testing.assert_array_equal(store.to_split().images, other_images)


def test_pack_course_data_and_train_on_it(course_data_dir, tmp_path, capsys):
    out = tmp_path / "cat.zarr"
    assert (
        main(["pack", str(course_data_dir / "train_catvnoncat.h5"), str(out), "--chunk-size", "64"])
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "packed 209 images (64x64x3 RGB, classes non-cat/cat)" in printed
        and "4 chunks of 64" in printed
    )
    split, classes = load_labelled(str(out))
    original, original_classes = load_labelled(str(course_data_dir / "train_catvnoncat.h5"))
    np.testing.assert_array_equal(split.images, original.images)
    np.testing.assert_array_equal(split.labels, original.labels)
    assert classes == original_classes == ("non-cat", "cat")
    data = load_dataset(str(out), str(course_data_dir / "test_catvnoncat.h5"))
    assert data.train.m == 209 and data.test.m == 50


def test_pack_image_folder_and_faces(tmp_path, capsys):
    folder = make_folder(tmp_path / "pets", per_class=5, size=(20, 10))
    assert (
        main(
            ["pack", str(folder), str(tmp_path / "pets.zarr"), "--image-size", "16", "--mode", "L"]
        )
        == 0
    )
    store = open_store(tmp_path / "pets.zarr")
    split, classes = load_labelled(str(folder), image_size=(16, 16), mode="L")
    np.testing.assert_array_equal(store.to_split().images, split.images)
    assert store.classes == classes == ("non-cat", "cat") and store.mode == "L"
    assert main(["pack", "faces", str(tmp_path / "faces.zarr")]) == 0
    faces = open_store(tmp_path / "faces.zarr")
    assert (faces.m, faces.image_shape, faces.classes) == (200, (25, 25, 1), ("non-face", "face"))
    # Training on the store holds out the same faces as training on the source.
    a = load_dataset(str(tmp_path / "faces.zarr"))
    b = load_dataset("faces")
    np.testing.assert_array_equal(a.test.images, b.test.images)


def test_synthetic_source_is_reproducible_by_range():
    source = synthetic_source(10, (4, 4, 3), seed=3)
    np.testing.assert_array_equal(source.read(0, 10)[4:7], source.read(4, 7))
    assert set(source.labels.tolist()) == {0, 1}


def test_refuses_what_is_not_a_store(tmp_path):
    import zarr

    zarr.open_group(tmp_path / "other.zarr", mode="w").attrs["hello"] = "world"
    with pytest.raises(DataError, match="is not a logistic-neuron store"):
        open_store(tmp_path / "other.zarr")
    with pytest.raises(DataError, match="exists already"):
        pack(small_source()[0], tmp_path / "other.zarr")
    with pytest.raises(DataError, match="already a packed store"):
        store = pack(small_source()[0], tmp_path / "s.zarr", chunk_examples=8)
        open_source(str(store))


def test_refuses_truncated_and_corrupt_stores(tmp_path):
    out = pack(small_source()[0], tmp_path / "s.zarr", chunk_examples=8)
    copy = tmp_path / "copy.zarr"
    shutil.copytree(out, copy)
    chunk_files = sorted(
        p for p in (copy / "images").rglob("*") if p.is_file() and p.name != "zarr.json"
    )
    chunk_files[-1].unlink()
    with pytest.raises(DataError, match="is truncated: 6 of 7 image chunks are present"):
        open_store(copy)
    shutil.rmtree(copy)
    shutil.copytree(out, copy)
    victim = sorted(
        p for p in (copy / "images").rglob("*") if p.is_file() and p.name != "zarr.json"
    )[2]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    store = open_store(copy)  # the chunk files are all there ...
    with pytest.raises(DataError, match="chunk 2 of .* (cannot be read|is corrupt or truncated)"):
        store.to_split()  # ... but chunk 2 is refused when read
