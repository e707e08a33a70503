"""Crafted files for the hostile-input tests: zips that lie, HDF5 that points elsewhere.

Each builder writes into a given folder and returns the path. They are shared by
``tests/support/bad_inputs.py`` (one clear line per case, in docs/errors.md) and
``tests/hostile/`` (bounded time and memory).
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import h5py
import numpy as np

from logistic_neuron.storage.archive import checksum
from logistic_neuron.storage.model_file import DataRecord, TrainedModel, save_model


def small_model(folder: Path, name: str = "m.npz", classes=("non-face", "face")) -> Path:
    """A valid 5x5 grey model (25 features)."""
    rng = np.random.default_rng(0)
    model = TrainedModel(
        w=rng.normal(size=(25, 1)) / 100, b=0.0, dtype="float64", image_shape=(5, 5, 1),
        mode="L", classes=classes, learning_rate=0.005, num_iterations=100,
        costs=(0.69,), record_every=100, train_accuracy=90.0, test_accuracy=90.0,
        data=DataRecord("faces", "held out from faces", 150, 50, 0, 0.25),
    )  # fmt: skip
    return save_model(model, folder / name)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def metadata_of(members: dict[str, bytes]) -> dict:
    return json.loads(np.lib.format.read_array(io.BytesIO(members["metadata.npy"])).tobytes())


def metadata_member(text: str) -> bytes:
    return npy(np.frombuffer(text.encode(), dtype=np.uint8))


def resigned(members: dict[str, bytes], meta: dict) -> dict[str, bytes]:
    """Members with ``meta`` as metadata and a valid checksum, as a careful forger would."""
    arrays = {
        k[:-4]: np.lib.format.read_array(io.BytesIO(v))
        for k, v in members.items()
        if k != "metadata.npy"
    }
    meta = dict(meta)
    meta["checksum"] = checksum(arrays, meta)
    return {**members, "metadata.npy": metadata_member(json.dumps(meta))}


def write_members(
    path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def edited_model(folder: Path, change, name: str = "m.npz") -> Path:
    """A model whose metadata ``change(meta)`` edited, checksum recomputed."""
    path = small_model(folder, name)
    members = read_members(path)
    meta = metadata_of(members)
    change(meta)
    return write_members(path, resigned(members, meta))


def model_with_metadata_text(folder: Path, edit_text, name: str = "m.npz") -> Path:
    """A model whose metadata JSON text ``edit_text(text)`` rewrote (no checksum fix)."""
    path = small_model(folder, name)
    members = read_members(path)
    text = json.dumps(metadata_of(members))
    members["metadata.npy"] = metadata_member(edit_text(text))
    return write_members(path, members)


def deeply_nested(folder: Path, depth: int = 100_000) -> Path:
    return model_with_metadata_text(
        folder, lambda text: text[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    )


def huge_number(folder: Path) -> Path:
    return model_with_metadata_text(
        folder, lambda text: text.replace('"learning_rate": 0.005', '"learning_rate": 1e400')
    )


def _patch_flags(data: bytes, bits: int) -> bytes:
    """Set general-purpose flag ``bits`` in every local and central header."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := out.find(signature, start)) >= 0:
            (flags,) = struct.unpack_from("<H", out, found + offset)
            struct.pack_into("<H", out, found + offset, flags | bits)
            start = found + 4
    return bytes(out)


def encrypted_model(folder: Path) -> Path:
    path = small_model(folder)
    path.write_bytes(_patch_flags(path.read_bytes(), 0x1))
    return path


def bzip2_model(folder: Path) -> Path:
    path = small_model(folder)
    return write_members(path, read_members(path), compression=zipfile.ZIP_BZIP2)


def zip_bomb_model(folder: Path, inflated: int = 600 * 1024 * 1024) -> Path:
    """A model whose w.npy declares and inflates to ``inflated`` bytes of zeros (~0.1 %)."""
    path = small_model(folder)
    members = read_members(path)
    header = npy(np.zeros((0, 1)))[:128]  # any valid header: the size check comes first
    info = zipfile.ZipInfo("w.npy", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("b.npy", "metadata.npy"):
            archive.writestr(name, members[name])
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(header)
            chunk = bytes(16 * 1024 * 1024)
            left = inflated - len(header)
            while left > 0:
                member.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
    return path


def lying_size_model(folder: Path, real: int = 200 * 1024 * 1024) -> Path:
    """A model whose w.npy declares 328 bytes but inflates to ``real`` bytes."""
    path = small_model(folder)
    members = read_members(path)
    body = bytes(real)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("b.npy", "metadata.npy"):
            archive.writestr(name, members[name])
        archive.writestr("w.npy", body)
    declared = len(members["w.npy"])
    data = bytearray(path.read_bytes())
    # Rewrite the uncompressed size of w.npy in its local and central headers.
    for signature, offset, name_len_at in ((b"PK\x03\x04", 22, 26), (b"PK\x01\x02", 24, 28)):
        start = 0
        while (found := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, found + name_len_at)[0]
            name_start = found + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_start : name_start + name_length] == b"w.npy":
                struct.pack_into("<I", data, found + offset, declared)
            start = found + 4
    path.write_bytes(bytes(data))
    return path


def many_members_model(folder: Path, count: int = 100_000) -> Path:
    path = folder / "m.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            archive.writestr(f"x{i}.npy", b"")
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- HDF5 -----------------------------------------------------------------------------------


def _labels(f, m: int = 4) -> None:
    f["train_set_y"] = np.array([0, 1] * (m // 2))
    f["list_classes"] = np.array([b"non-cat", b"cat"])


def h5_external_storage(folder: Path, target: str | os.PathLike[str] | None = None) -> Path:
    """``train_set_x`` stored in another file (a secret by default, or ``target``)."""
    if target is None:
        secret = folder / "secret.txt"
        secret.write_bytes(b"password=hunter2 " * 200)
        target = secret
    path = folder / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(4, 8, 8, 3), dtype="u1", external=[(target, 0, 768)])
        _labels(f)
    return path


def h5_external_link(folder: Path) -> Path:
    other = folder / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.zeros((4, 8, 8, 3), dtype=np.uint8)
    path = folder / "d.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = h5py.ExternalLink(str(other), "x")
        _labels(f)
    return path


def h5_virtual(folder: Path, missing_source: bool = True) -> Path:
    layout = h5py.VirtualLayout(shape=(4, 8, 8, 3), dtype="u1")
    layout[:] = h5py.VirtualSource(str(folder / "gone.h5"), "x", shape=(4, 8, 8, 3))
    path = folder / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_virtual_dataset("train_set_x", layout, fillvalue=0)
        _labels(f)
    return path


def h5_fill_value(folder: Path, m: int = 100_000) -> Path:
    """A ~10 KB file whose chunked images declare m x 64 x 64 x 3 bytes (1.2 GB), all fill."""
    path = folder / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "train_set_x",
            shape=(m, 64, 64, 3),
            dtype="u1",
            chunks=(1, 64, 64, 3),
            fillvalue=7,
        )
        f["train_set_y"] = np.zeros(m, dtype=np.int64)
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    return path
