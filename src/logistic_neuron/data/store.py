"""Packed stores: a data set decoded once into a chunked, compressed Zarr store.

``logistic-neuron pack SOURCE OUT`` (:func:`pack`) reads any source the tool
reads (a course ``.h5`` file, an image folder, the bundled faces) and writes a
Zarr v3 group:

``images``
    uint8 ``(m, H, W, C)``, chunked along examples only (``chunk_examples``
    images per chunk, whole images in each chunk), zstd-compressed;
``labels``
    uint8 ``(m,)``, 0/1;
``chunk_sha256``
    uint8 ``(n_chunks, 32)``: the SHA-256 of each chunk's raw pixels, checked
    whenever a chunk is read, so a damaged chunk is refused, never trained on;
attributes
    the format name and version, class names, image shape and mode, the
    source, and ``fingerprint``: a SHA-256 over the shape, the chunk digests
    and the labels (the store's content identity, recorded in checkpoints).

Why Zarr: its chunks are separate files that many processes (Dask workers)
read independently and in any order, each decompressed on its own, so a
worker reads only its share. Writing is by hand here only where Zarr has no
opinion: the digests, the resumable progress file, the atomic finish.

Writing is resumable and atomic: chunks go into ``OUT.partial/``, and
``pack-progress.json`` in it (replaced atomically after each chunk) lists
the chunks done; an interrupted pack run again with the same source and
options continues after the last finished chunk. Only when every chunk is in
place are the digests and the fingerprint written, ``complete`` set, and the
folder renamed to ``OUT``: a store under its final name is always whole.

Reading (:func:`open_store`) validates the store: a Zarr group that is not
ours, an unfinished pack, missing chunk files (a truncated copy), wrong shapes
or labels, and a fingerprint that does not match the digests are each refused
with one line. Zarr is imported only here and only when a store is used
(``pip install "logistic-neuron[distributed]"``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistic_neuron.data.dataset import Split, check_binary_labels, check_images
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np, require

FORMAT = "logistic-neuron-store"
FORMAT_VERSION = 1
#: Suffix of the folder a pack writes into before it is complete.
PARTIAL_SUFFIX = ".partial"
PROGRESS_FILE = "pack-progress.json"
#: Uncompressed bytes per chunk by default: large enough that a chunk read is
#: one efficient file read, small enough that many chunks share out over workers.
DEFAULT_CHUNK_BYTES = 8 * 2**20
EXTRA = "distributed"


def _zarr() -> Any:
    return require("zarr", EXTRA)


def is_store(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder holding a Zarr group (ours or not)."""
    folder = Path(path)
    return folder.is_dir() and ((folder / "zarr.json").is_file() or (folder / ".zgroup").is_file())


def default_chunk_examples(image_shape: tuple[int, int, int]) -> int:
    """Examples per chunk for :data:`DEFAULT_CHUNK_BYTES` of pixels."""
    height, width, channels = image_shape
    return max(1, DEFAULT_CHUNK_BYTES // (height * width * channels))


def chunk_digest(images: Any) -> bytes:
    """SHA-256 of one chunk's pixels (C order, uint8)."""
    return hashlib.sha256(np.ascontiguousarray(images, dtype=np.uint8).tobytes()).digest()


def content_fingerprint(
    shape: tuple[int, ...], chunk_examples: int, digests: Any, labels: Any
) -> str:
    """The store's identity: SHA-256 over its shape, chunk digests and labels."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}/{FORMAT_VERSION} {tuple(shape)} {chunk_examples}".encode())
    digest.update(np.ascontiguousarray(digests, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class PackSource:
    """What :func:`pack` reads: labels up front, pixels a range at a time.

    Attributes
    ----------
    labels : ndarray, shape (m,), 0/1
    image_shape : (H, W, C)
    classes : (negative, positive)
    mode : {"RGB", "L"}
    description : str
        The source as the user named it (recorded in the store).
    identity : str
        Changes when the source's content or the pack options change; an
        interrupted pack resumes only onto the same identity.
    read : callable ``(lo, hi) -> ndarray (hi - lo, H, W, C) uint8``
    """

    labels: Any
    image_shape: tuple[int, int, int]
    classes: tuple[str, str]
    mode: str
    description: str
    identity: str
    read: Callable[[int, int], Any]

    @property
    def m(self) -> int:
        return len(self.labels)


def source_of_split(split: Split, classes: tuple[str, str], description: str) -> PackSource:
    """A source over images already in memory (``.h5`` files, faces, tests)."""
    images = split.images
    identity = hashlib.sha256()
    identity.update(f"{images.shape} {classes}".encode())
    identity.update(np.ascontiguousarray(images).tobytes())
    identity.update(np.ascontiguousarray(split.labels, dtype=np.uint8).tobytes())
    return PackSource(
        labels=np.asarray(split.labels, dtype=np.uint8),
        image_shape=split.image_shape,
        classes=classes,
        mode="RGB" if split.image_shape[2] == 3 else "L",
        description=description,
        identity=identity.hexdigest(),
        read=lambda lo, hi: images[lo:hi],
    )


def open_source(
    source: str,
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
) -> PackSource:
    """The pack source for ``faces``, a course ``.h5`` file or an image folder.

    Image folders are listed now and decoded a chunk at a time while packing
    (in parallel, :mod:`logistic_neuron.data.parallel`), so a folder larger
    than memory packs in bounded memory. ``.h5`` files and the faces are read
    whole (the course's files are small).
    """
    from logistic_neuron.data.faces import FACES, load_faces

    if source == FACES:
        split, classes = load_faces()
        return source_of_split(split, classes, source)
    path = Path(source)
    if is_store(path):
        raise DataError(f"{path} is already a packed store: train on it directly")
    if path.is_dir():
        from logistic_neuron.data.folders import list_image_folder
        from logistic_neuron.data.images import channels_of, check_size
        from logistic_neuron.data.parallel import load_images_parallel

        size = check_size(image_size)
        channels = channels_of(mode)
        files, labels, classes = list_image_folder(path, positive=positive)
        identity = hashlib.sha256(f"{size} {mode} {classes}".encode())
        for file in files:
            stat = file.stat()
            identity.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return PackSource(
            labels=np.asarray(labels, dtype=np.uint8),
            image_shape=(size[0], size[1], channels),
            classes=classes,
            mode=mode,
            description=source,
            identity=identity.hexdigest(),
            read=lambda lo, hi: load_images_parallel(files[lo:hi], size, mode),
        )
    from logistic_neuron.data.course_h5 import load_h5_split

    split, classes = load_h5_split(path)
    check_binary_labels(split.labels, source, need_both=True)
    return source_of_split(split, classes, source)


def synthetic_source(
    m: int, image_shape: tuple[int, int, int] = (64, 64, 3), seed: int = 0
) -> PackSource:
    """Random pixels, generated a range at a time (tests and benchmarks of speed and memory).

    Example ``i``'s pixels depend only on ``(seed, i)``, so any range can be
    generated on its own and a store larger than memory can be packed.
    """
    n = int(np.prod(image_shape))

    def read(lo: int, hi: int) -> Any:
        rows = [
            np.random.default_rng([seed, i]).integers(0, 256, n, dtype=np.uint8)
            for i in range(lo, hi)
        ]
        return np.stack(rows).reshape((hi - lo, *image_shape))

    # Labels alternate so that both classes appear in every range.
    labels = np.arange(m, dtype=np.int64) % 2
    return PackSource(
        labels=labels.astype(np.uint8),
        image_shape=image_shape,
        classes=("even", "odd"),
        mode="RGB" if image_shape[2] == 3 else "L",
        description=f"synthetic:{m}:{seed}",
        identity=f"synthetic {m} {image_shape} {seed}",
        read=read,
    )


# --------------------------------------------------------------------------- writing


def _write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document), encoding="utf-8")
    os.replace(temporary, path)


def pack(
    source: PackSource,
    out: str | os.PathLike[str],
    *,
    chunk_examples: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``source`` as a store at ``out``; resume an interrupted pack.

    Parameters
    ----------
    source : PackSource
    out : path of the store folder to create (must not exist yet)
    chunk_examples : int, optional
        Images per chunk (default: about 8 MB of pixels per chunk).
    progress : callable ``(done, total)``, optional
        Called after each chunk with the number of examples written.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    DataError
        When ``out`` exists already or the source is unreadable.
    """
    zarr = _zarr()
    final = Path(out)
    if final.exists():
        raise DataError(f"{final} exists already; choose another name or remove it first")
    if not final.parent.is_dir():
        raise DataError(f"the folder of {final} does not exist")
    m = source.m
    if m == 0:
        raise DataError(f"{source.description} holds no images: the data set is empty")
    height, width, channels = source.image_shape
    chunk = chunk_examples or default_chunk_examples(source.image_shape)
    if chunk < 1:
        raise DataError(f"chunk size must be at least 1 example, got {chunk}")
    n_chunks = -(-m // chunk)
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    state = {"identity": source.identity, "m": m, "chunk_examples": chunk}
    done: list[str | None] = [None] * n_chunks
    progress_path = partial / PROGRESS_FILE
    if partial.is_dir() and progress_path.is_file():
        try:
            previous = json.loads(progress_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
        if {k: previous.get(k) for k in state} == state and len(previous["done"]) == n_chunks:
            done = previous["done"]
        else:
            shutil.rmtree(partial)  # another source or other options: start afresh
    elif partial.exists():
        shutil.rmtree(partial)
    if not partial.exists():
        group = zarr.open_group(partial, mode="w")
        codec = zarr.codecs.ZstdCodec(level=3)
        group.create_array(
            "images",
            shape=(m, height, width, channels),
            chunks=(chunk, height, width, channels),
            dtype="uint8",
            compressors=codec,
            fill_value=0,
        )
        group.create_array("labels", shape=(m,), chunks=(max(m, 1),), dtype="uint8")
        group.create_array(
            "chunk_sha256", shape=(n_chunks, 32), chunks=(n_chunks, 32), dtype="uint8"
        )
        _write_json_atomic(progress_path, {**state, "done": done})
    group = zarr.open_group(partial, mode="r+")
    images = group["images"]
    written = sum(min(m, (c + 1) * chunk) - c * chunk for c in range(n_chunks) if done[c])
    if progress is not None:
        progress(written, m)
    for c in range(n_chunks):
        if done[c]:
            continue
        lo, hi = c * chunk, min(m, (c + 1) * chunk)
        block = check_images(np.asarray(source.read(lo, hi)), source.description)
        if block.shape != (hi - lo, height, width, channels):
            raise DataError(
                f"{source.description}: images {lo}..{hi} have shape {block.shape[1:]}, "
                f"expected {source.image_shape}"
            )
        images[lo:hi] = block
        done[c] = chunk_digest(block).hex()
        _write_json_atomic(progress_path, {**state, "done": done})
        written += hi - lo
        if progress is not None:
            progress(written, m)
    labels = np.asarray(source.labels, dtype=np.uint8)
    digests = np.stack([np.frombuffer(bytes.fromhex(d or ""), dtype=np.uint8) for d in done])
    group["labels"][:] = labels
    group["chunk_sha256"][:] = digests
    group.attrs.update(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "m": m,
            "image_shape": [height, width, channels],
            "mode": source.mode,
            "classes": list(source.classes),
            "chunk_examples": chunk,
            "source": source.description,
            "fingerprint": content_fingerprint(images.shape, chunk, digests, labels),
            "complete": True,
        }
    )
    progress_path.unlink()
    os.replace(partial, final)
    return final


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, eq=False)
class Store:
    """An opened, validated store (pixels stay on disk; labels are in memory).

    Attributes
    ----------
    path : Path
    m : int
    image_shape : (H, W, C)
    mode : {"RGB", "L"}
    classes : (negative, positive)
    chunk_examples : int
    labels : ndarray, shape (m,), int64
    digests : ndarray, shape (n_chunks, 32), uint8
    fingerprint : str
    source : str
    """

    path: Path
    m: int
    image_shape: tuple[int, int, int]
    mode: str
    classes: tuple[str, str]
    chunk_examples: int
    labels: Any
    digests: Any
    fingerprint: str
    source: str

    @property
    def n_chunks(self) -> int:
        return len(self.digests)

    @property
    def n_x(self) -> int:
        height, width, channels = self.image_shape
        return height * width * channels

    @property
    def nbytes(self) -> int:
        """Bytes of all pixels, uncompressed."""
        return self.m * self.n_x

    def bounds(self, chunk: int) -> tuple[int, int]:
        """First and one-past-last example of ``chunk``."""
        lo = chunk * self.chunk_examples
        return lo, min(self.m, lo + self.chunk_examples)

    def read_chunk(self, chunk: int) -> Any:
        """The pixels of one chunk, shape (k, H, W, C), checked against its digest."""
        return read_chunk(self.path, chunk, self.bounds(chunk), self.digests[chunk].tobytes())

    def to_split(self) -> Split:
        """Every example in memory (for stores that fit; the in-memory engines use it)."""
        images = np.empty((self.m, *self.image_shape), dtype=np.uint8)
        for c in range(self.n_chunks):
            lo, hi = self.bounds(c)
            images[lo:hi] = self.read_chunk(c)
        return Split(images, self.labels.copy(), ())


def _not_ours(folder: Path, why: str) -> DataError:
    return DataError(
        f"{folder} is not a logistic-neuron store ({why}); make one with "
        "'logistic-neuron pack SOURCE OUT'"
    )


def open_store(path: str | os.PathLike[str]) -> Store:
    """Open and validate a store written by :func:`pack`.

    Raises
    ------
    DataError
        For a folder that is not a Zarr group, a Zarr group that is not ours,
        another format version, an unfinished pack, missing chunk files, bad
        shapes or labels, or a fingerprint that does not match.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"data store not found: {folder}")
    if not is_store(folder):
        raise _not_ours(folder, "no zarr.json")
    zarr = _zarr()
    try:
        group = zarr.open_group(folder, mode="r")
        attrs = dict(group.attrs)
    except Exception as exc:  # zarr raises many types for unreadable metadata
        raise _not_ours(folder, f"unreadable Zarr metadata: {type(exc).__name__}") from None
    if attrs.get("format") != FORMAT:
        if (folder / PROGRESS_FILE).is_file():
            raise DataError(
                f"{folder} is an unfinished pack; run 'logistic-neuron pack' again with the "
                "same source to finish it"
            )
        raise _not_ours(folder, f"no '{FORMAT}' format attribute")
    if attrs.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"{folder} uses store format version {attrs.get('format_version')!r}; this version "
            f"of logistic-neuron reads version {FORMAT_VERSION}"
        )
    if attrs.get("complete") is not True:
        raise DataError(f"{folder} is an unfinished pack; run 'logistic-neuron pack' again")
    try:
        images = group["images"]
        labels_array = group["labels"]
        digests_array = group["chunk_sha256"]
        m = int(attrs["m"])
        image_shape = tuple(int(v) for v in attrs["image_shape"])
        chunk = int(attrs["chunk_examples"])
        classes = tuple(str(c) for c in attrs["classes"])
        mode = str(attrs["mode"])
        fingerprint = str(attrs["fingerprint"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{folder} is a damaged store: {exc} is missing or malformed") from None
    n_chunks = -(-m // chunk) if chunk > 0 else 0
    if (
        len(image_shape) != 3
        or images.shape != (m, *image_shape)
        or images.dtype != np.uint8
        or tuple(images.chunks) != (chunk, *image_shape)
        or labels_array.shape != (m,)
        or digests_array.shape != (n_chunks, 32)
        or len(classes) != 2
        or mode not in ("RGB", "L")
    ):
        raise DataError(f"{folder} is a damaged store: its arrays do not fit its attributes")
    missing = [
        name
        for name, array in (
            ("images", images),
            ("labels", labels_array),
            ("chunk_sha256", digests_array),
        )
        if array.nchunks_initialized != array.nchunks
    ]
    if missing:
        others = [name for name in missing if name != "images"]
        raise DataError(
            f"{folder} is truncated: {images.nchunks_initialized} of {images.nchunks} image "
            f"chunks are present{' and ' + ', '.join(others) + ' are missing' if others else ''}"
            "; copy or pack it again"
        )
    try:
        labels = np.asarray(labels_array[:])
        digests = np.asarray(digests_array[:])
    except Exception as exc:
        raise DataError(
            f"{folder} is truncated or corrupt ({type(exc).__name__}); pack it again"
        ) from None
    if content_fingerprint(images.shape, chunk, digests, labels) != fingerprint:
        raise DataError(
            f"{folder} is damaged: its fingerprint does not match its contents; pack it again"
        )
    labels = check_binary_labels(labels, str(folder), need_both=True)
    return Store(
        path=folder,
        m=m,
        image_shape=(image_shape[0], image_shape[1], image_shape[2]),
        mode=mode,
        classes=(classes[0], classes[1]),
        chunk_examples=chunk,
        labels=labels,
        digests=digests,
        fingerprint=fingerprint,
        source=str(attrs.get("source", "")),
    )


def read_chunk(
    path: str | os.PathLike[str], chunk: int, bounds: tuple[int, int], digest: bytes
) -> Any:
    """Read one chunk's pixels and check them against ``digest`` (runs on Dask workers too).

    Raises
    ------
    DataError
        When the chunk is missing, cannot be decompressed or does not match.
    """
    zarr = _zarr()
    lo, hi = bounds
    try:
        images = np.asarray(zarr.open_array(Path(path) / "images", mode="r")[lo:hi])
    except Exception as exc:  # a truncated chunk fails inside the codec
        raise DataError(
            f"chunk {chunk} of {path} cannot be read ({type(exc).__name__}); the store is "
            "truncated or corrupt: pack it again"
        ) from None
    if chunk_digest(images) != digest:
        raise DataError(
            f"chunk {chunk} of {path} is corrupt or truncated (its checksum does not match); "
            "pack it again"
        )
    return images


def memory_budget() -> int:
    """Bytes of pixels this process may hold at once: half of what it can still get.

    The smaller of the machine's available memory (``MemAvailable``) and, under
    an address-space limit (``ulimit -v``, ``RLIMIT_AS``), the room left below
    it; half of that, leaving space for the features, the kernel's scratch and
    the interpreter.
    """
    room = []
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    room.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm", encoding="ascii") as statm:
                used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            room.append(max(0, soft - used))
    except (ImportError, OSError, ValueError):
        pass
    return min(room) // 2 if room else 2**62


def load_store_split(path: str | os.PathLike[str]) -> tuple[Split, tuple[str, str]]:
    """Every example of a store in memory, with its class names (for ``load_dataset``)."""
    store = open_store(path)
    return store.to_split(), store.classes


# --------------------------------------------------------------------------- selections


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of a selection: which chunk, which of its rows, and its digest."""

    chunk: int
    bounds: tuple[int, int]
    rows: Any  # ndarray of row offsets inside the chunk, or None for all
    digest: bytes


@dataclass(frozen=True, eq=False)
class Selection:
    """Some examples of a store (a train or test part), read a chunk at a time.

    Attributes
    ----------
    store : Store
    indices : ndarray of int, sorted, or None for every example
    """

    store: Store
    indices: Any = None

    @property
    def m(self) -> int:
        return self.store.m if self.indices is None else len(self.indices)

    @property
    def labels(self) -> Any:
        return self.store.labels if self.indices is None else self.store.labels[self.indices]

    def tasks(self) -> list[ChunkTask]:
        """One :class:`ChunkTask` per chunk holding selected examples, in order."""
        out = []
        for c in range(self.store.n_chunks):
            lo, hi = self.store.bounds(c)
            rows = None
            if self.indices is not None:
                start, stop = np.searchsorted(self.indices, [lo, hi])
                if start == stop:
                    continue
                rows = self.indices[start:stop] - lo
                if len(rows) == hi - lo:
                    rows = None
            out.append(ChunkTask(c, (lo, hi), rows, self.store.digests[c].tobytes()))
        return out

    def fingerprint(self) -> str:
        """The store's fingerprint and which examples are selected."""
        digest = hashlib.sha256(self.store.fingerprint.encode())
        if self.indices is not None:
            digest.update(np.asarray(self.indices, dtype=np.int64).tobytes())
        return digest.hexdigest()

    def iter_chunks(self) -> Iterator[tuple[Any, Any]]:
        """``(pixels (k, n_x) uint8, labels (k,) float64)`` per chunk, one chunk in memory."""
        for task in self.tasks():
            yield load_rows(self.store.path, task)


def load_rows(path: str | os.PathLike[str], task: ChunkTask) -> tuple[Any, Any]:
    """A chunk's selected examples, example-major ``(k, n_x)`` uint8, and labels (k,) float64."""
    zarr = _zarr()
    images = read_chunk(path, task.chunk, task.bounds, task.digest)
    lo, hi = task.bounds
    labels = np.asarray(zarr.open_array(Path(path) / "labels", mode="r")[lo:hi], dtype=np.float64)
    if task.rows is not None:
        images = images[task.rows]
        labels = labels[task.rows]
    return np.ascontiguousarray(images.reshape(len(images), -1)), labels
