"""Safe archives of arrays plus JSON metadata: the container of model and checkpoint files.

An archive is a ZIP file in NumPy's ``.npz`` layout. It holds a fixed set of
named arrays (never object arrays: everything loads with
``allow_pickle=False``) and ``metadata``, UTF-8 JSON stored as a ``uint8``
array. The metadata carries a SHA-256 ``checksum`` over the arrays and the rest
of the metadata, so any edit after saving is detected. Entries have fixed
timestamps: the same content always gives the same bytes.

Reading is bounded before anything is inflated: only a regular file is opened;
its size, the number of entries its zip directory declares, the member names,
encryption flags and compression methods (stored and deflate only) are checked
first; the metadata member is read (at most
:data:`~logistic_neuron.storage.schema.MAX_METADATA_BYTES`) and parsed with
bounds; every other member may then inflate to at most the size of the ``w``
its metadata declares, checked against the declared size and again while
inflating; ``.npy`` headers are checked against the bytes present before any
array is made.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import struct
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from logistic_neuron.data.files import open_regular
from logistic_neuron.errors import ModelFileError, OutputError
from logistic_neuron.neuron.backend import np
from logistic_neuron.storage.atomic import atomic_write
from logistic_neuron.storage.schema import (
    MAX_METADATA_BYTES,
    NPY_HEADER_BYTES,
    array_limit,
    parse_metadata,
)

#: An archive larger than this (on disk or unpacked) is refused before it is read.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

Fail = Callable[[str], ModelFileError]


def canonical_json(metadata: dict[str, Any]) -> bytes:
    """Metadata as compact JSON with sorted keys (NaN is refused)."""
    return json.dumps(metadata, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def checksum(arrays: dict[str, np.ndarray], metadata: dict[str, Any]) -> str:
    """SHA-256 over every array (dtype, shape, bytes) and the metadata without its checksum."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.asarray(arrays[name], order="C")
        digest.update(f"{name}:{array.dtype}:{array.shape}".encode())
        digest.update(array.tobytes())
    digest.update(canonical_json({k: v for k, v in metadata.items() if k != "checksum"}))
    return digest.hexdigest()


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def encode_archive(arrays: dict[str, np.ndarray], metadata: dict[str, Any]) -> bytes:
    """The bytes of an archive holding ``arrays`` and ``metadata`` (checksum added)."""
    meta = dict(metadata)
    meta["checksum"] = checksum(arrays, meta)
    members = {**arrays, "metadata": np.frombuffer(canonical_json(meta), dtype=np.uint8)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _npy_bytes(members[name]))
    return buffer.getvalue()


def _non_finite_field(value: Any, where: str = "") -> tuple[str, float] | None:
    """The first field holding NaN or an infinity (JSON has neither), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top)", value
    if isinstance(value, dict):
        items: Any = ((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for path, item in items:
        found = _non_finite_field(item, path)
        if found is not None:
            return found
    return None


def write_archive(
    path: str | os.PathLike[str], arrays: dict[str, np.ndarray], metadata: dict[str, Any]
) -> Path:
    """Encode and write an archive atomically; return its path.

    Raises
    ------
    OutputError
        When a metadata value cannot be stored (NaN or infinity), naming it.
    """
    bad = _non_finite_field(metadata)
    if bad is not None:
        raise OutputError(
            f"cannot write {path}: metadata field {bad[0]!r} is {bad[1]}, which a file of "
            "this format cannot hold (only finite numbers)"
        )
    data = encode_archive(arrays, metadata)
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


#: The only compression methods read: stored and deflate (what :func:`encode_archive` writes).
ALLOWED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}

#: Array types an archive may hold: floats for parameters, bytes for metadata.
ALLOWED_DTYPES = frozenset({"<f8", "<f4", "|u1", "<i8"})


def _declared_entries(handle: BinaryIO, size: int) -> int | None:
    """How many entries the end-of-central-directory record declares (None if not found).

    Read before :class:`zipfile.ZipFile` parses the directory, which would build
    one object per entry: a small file can declare millions of them.
    """
    tail = min(size, 22 + 65535)  # the record, plus the longest comment
    handle.seek(size - tail)
    data = handle.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, at + 10)
    return int(total)


def _check_entries(
    archive: zipfile.ZipFile, names: tuple[str, ...], fail: Fail, optional: tuple[str, ...] = ()
) -> dict[str, zipfile.ZipInfo]:
    """Check the archive's directory (count, names, flags, methods) before inflating anything.

    It must hold every one of ``names`` and ``metadata``, and may hold any of ``optional``.
    """
    infos = archive.infolist()
    expected = sorted(f"{k}.npy" for k in (*names, "metadata"))
    allowed = {*expected, *(f"{k}.npy" for k in optional)}
    present = [i.filename for i in infos]
    if len(infos) > len(allowed) or not set(expected) <= set(present) <= allowed:
        found = sorted(i.filename for i in infos[: len(expected) + 3])
        shown = ", ".join(json.dumps(f)[1:-1] for f in found) or "nothing"
        if len(infos) > len(found):
            shown += f" ... ({len(infos)} entries)"
        raise fail(f"it must hold exactly {', '.join(expected)}; it holds {shown}")
    for info in infos:
        if info.flag_bits & 0x1:
            raise fail(f"member {info.filename} is encrypted; model files are never encrypted")
        if info.compress_type not in ALLOWED_COMPRESSION:
            raise fail(
                f"member {info.filename} uses compression method {info.compress_type}; only "
                "stored and deflate are read"
            )
    return {info.filename: info for info in infos}


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, fail: Fail) -> bytes:
    """A member's bytes, refusing before inflating more than ``limit`` of them.

    The declared size is checked first; the actual size is checked while
    reading, since a crafted entry can declare less than it inflates to.
    """
    if info.file_size > limit:
        raise fail(
            f"member {info.filename} declares {info.file_size} bytes, more than the {limit} "
            "its metadata allows (a possible zip bomb)"
        )
    with archive.open(info) as member:
        data = member.read(limit + 1)
        if len(data) > limit or member.read(1):
            raise fail(f"member {info.filename} inflates to more than {limit} bytes")
    if len(data) != info.file_size:
        raise fail(
            f"member {info.filename} is {len(data)} bytes, not the {info.file_size} declared"
        )
    return data


def _parse_npy(data: bytes, name: str, fail: Fail) -> np.ndarray:
    """An array from ``.npy`` bytes; the header is checked against the bytes before any copy."""
    buffer = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buffer)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buffer)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise fail(f"member {name} is not a valid .npy array ({reason})") from None
    if dtype.hasobject or dtype.str not in ALLOWED_DTYPES:
        raise fail(f"member {name} holds {dtype} values; only numbers are read, never objects")
    if len(shape) > 2:
        raise fail(f"member {name} has {len(shape)} dimensions; arrays here have at most 2")
    count = math.prod(shape)
    offset = buffer.tell()
    if count * dtype.itemsize != len(data) - offset:
        raise fail(
            f"member {name} declares shape {shape} of {dtype} but holds {len(data) - offset} "
            "bytes of data"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    array = array.reshape(shape[::-1]).T if fortran else array.reshape(shape)
    return np.array(array, order="C")


def _read_members(
    path: Path,
    names: tuple[str, ...],
    fail: Fail,
    what: str,
    optional: tuple[str, ...] = (),
    member_limits: Mapping[str, int] | None = None,
) -> tuple[dict[str, np.ndarray], Any]:
    """The archive's arrays and its parsed (not yet validated) metadata, in bounded memory."""
    with open_regular(path, what, ModelFileError) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise fail("the file is empty")
        if size > MAX_ARCHIVE_BYTES:
            raise fail(f"the file is {size} bytes, larger than any this tool writes")
        if not zipfile.is_zipfile(handle):
            raise fail("it is not a .npz archive (pickles and other formats are never loaded)")
        entries = _declared_entries(handle, size)
        if entries is not None and entries > len(names) + len(optional) + 1:
            expected = ", ".join(sorted(f"{k}.npy" for k in (*names, "metadata")))
            raise fail(f"it must hold exactly {expected}; it declares {entries} entries")
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = _check_entries(archive, names, fail, optional)
                raw = _read_bounded(
                    archive, infos["metadata.npy"], MAX_METADATA_BYTES + NPY_HEADER_BYTES, fail
                )
                meta_array = _parse_npy(raw, "metadata.npy", fail)
                if meta_array.dtype != np.uint8 or meta_array.ndim != 1:
                    raise fail("its metadata is not UTF-8 JSON bytes")
                meta = parse_metadata(meta_array.tobytes(), fail)
                # No array is larger than w, whose size the metadata declares (bounded).
                limit = array_limit(meta)
                arrays = {}
                for key in (*names, *(k for k in optional if f"{k}.npy" in infos)):
                    member = f"{key}.npy"
                    member_limit = (member_limits or {}).get(key, limit)
                    data = _read_bounded(archive, infos[member], member_limit, fail)
                    arrays[key] = _parse_npy(data, member, fail)
        except ModelFileError:
            raise
        except MemoryError:
            raise fail("there is not enough memory to read it") from None
        except (
            ValueError,
            OSError,
            zipfile.BadZipFile,
            EOFError,
            KeyError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            if "CRC" in reason:
                reason += ": a member is corrupt, or inflates to other than its declared size"
            raise fail(f"cannot read its arrays ({reason})") from None
    return arrays, meta


def read_archive(
    path: str | os.PathLike[str],
    names: tuple[str, ...],
    *,
    format_name: str,
    format_version: int,
    what: str,
    optional: tuple[str, ...] = (),
    member_limits: Mapping[str, int] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read and check an archive: its members, format, version and checksum.

    Parameters
    ----------
    path : the file
    names : the arrays it must hold besides ``metadata``
    optional : arrays it may hold as well (optimiser state in checkpoints)
    format_name, format_version : what its metadata must declare
    what : how to call the file in messages (``"model file"``)
    member_limits : most bytes of named members, when not the size of ``w``
        (:func:`~logistic_neuron.storage.schema.array_limit`)

    Returns
    -------
    arrays : dict of ndarray
    metadata : dict

    Raises
    ------
    ModelFileError
        In one line, for anything that is not such an archive or was modified.
    """
    file = Path(path)

    def fail(reason: str) -> ModelFileError:
        return ModelFileError(f"{file} is not a valid logistic-neuron {what}: {reason}")

    members, meta = _read_members(file, names, fail, what, optional, member_limits)
    if not isinstance(meta, dict) or meta.get("format") != format_name:
        raise fail(f"its metadata does not name the {format_name!r} format")
    version = meta.get("format_version")
    if version != format_version:
        raise fail(
            f"it uses format version {repr(version)[:20]}, this version of logistic-neuron "
            f"reads version {format_version}; retrain, or use the logistic-neuron version that "
            "wrote it"
        )
    if meta.get("checksum") != checksum(members, meta):
        raise fail("checksum mismatch: the file was modified after it was saved")
    return members, meta


class Fields:
    """Typed access to metadata fields, with one-line errors naming the file."""

    def __init__(self, path: str | os.PathLike[str], what: str) -> None:
        self.path = Path(path)
        self.what = what

    def fail(self, reason: str) -> ModelFileError:
        """The error for an invalid field."""
        return ModelFileError(f"{self.path} is not a valid logistic-neuron {self.what}: {reason}")

    def get(self, meta: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
        """``meta[key]``, which must exist and be of ``kind`` (bools are not numbers)."""
        if not isinstance(meta, dict) or key not in meta:
            raise self.fail(f"its metadata has no {key!r}")
        value = meta[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise self.fail(f"metadata {key!r} has the wrong type")
        return value

    def number(self, meta: dict[str, Any], key: str) -> float:
        """A finite number."""
        value = float(self.get(meta, key, (int, float)))
        if not math.isfinite(value):
            raise self.fail(f"metadata {key!r} is not finite")
        return value

    def count(self, meta: dict[str, Any], key: str, minimum: int = 0) -> int:
        """A whole number >= ``minimum``."""
        value = int(self.get(meta, key, int))
        if value < minimum:
            raise self.fail(f"metadata {key!r} must be at least {minimum}")
        return value

    def numbers(self, meta: dict[str, Any], key: str) -> tuple[float, ...]:
        """A list of finite numbers."""
        values = self.get(meta, key, list)
        if not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        ):
            raise self.fail(f"metadata {key!r} must be a list of numbers")
        return tuple(float(v) for v in values)
