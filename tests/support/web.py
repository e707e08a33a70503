"""Helpers for the web tests: small models, photo bytes, a real server process."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from logistic_neuron.data.loading import load_dataset
from logistic_neuron.engines.resolver import fit
from logistic_neuron.storage.model_file import package_model, save_model
from support.imagefactory import make_folder

REPO = Path(__file__).resolve().parents[2]

#: Debian's Chromium (apt-get install chromium); Playwright's own download is never used.
CHROMIUM = Path("/usr/bin/chromium")

#: Flags for a quiet headless Chromium on a machine without network access.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright):
    """Start the system's headless Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def train_small_model(path: Path, source: str = "faces", iterations: int = 150, **options) -> Path:
    """Train a quick model on ``source`` and save it at ``path``."""
    dataset = load_dataset(source, **options)
    result = fit(
        dataset.train.pixels(), dataset.train.Y(), num_iterations=iterations, learning_rate=0.005
    )
    model = package_model(
        result.w,
        result.b,
        dataset,
        dtype="float64",
        learning_rate=0.005,
        num_iterations=iterations,
        costs=result.costs,
        record_every=result.record_every,
        engine="reference",
    )
    save_model(model, path)
    return path


def colour_model(folder: Path) -> Path:
    """A 64x64 RGB model trained on a tiny two-class image folder."""
    data = make_folder(folder / "images", per_class=6, size=(40, 50))
    return train_small_model(folder / "colour.npz", str(data), iterations=50)


def photo_bytes(size=(48, 80), mode="RGB", fmt="PNG", seed=0) -> bytes:
    """A random photo of ``size`` (height, width) encoded as ``fmt``."""
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "RGBA": 4}.get(mode, 1)
    shape = (*size, channels) if channels > 1 else size
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def bomb_png(side: int = 30_000) -> bytes:
    """A tiny PNG whose header claims ``side`` x ``side`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 4)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@dataclass
class ServerProcess:
    """``logistic-neuron serve`` running in a child process."""

    process: subprocess.Popen
    url: str
    lines: list[str] = field(default_factory=list)

    def stop(self) -> tuple[int, str, str]:
        """Press Ctrl-C (SIGINT) and return (exit code, stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, "".join(self.lines) + out, err


@contextlib.contextmanager
def running_server(*args: str, cwd: Path | None = None) -> Iterator[ServerProcess]:
    """Start ``logistic-neuron serve --port 0 ARGS`` and yield it once it listens."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "logistic_neuron", "serve", "--port", "0", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    found: list[str] = []

    def read_until_url() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = re.search(r"(http://\S+/)", line)
            if match:
                found.append(match.group(1))
            if "press Ctrl-C" in line:
                return

    reader = threading.Thread(target=read_until_url, daemon=True)
    reader.start()
    reader.join(120)  # a safety net for a hung start, not a timing assumption
    server = ServerProcess(process, found[0] if found else "", lines)
    try:
        if not found:
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"the server did not start:\n{''.join(lines)}{out}\n{err}")
        yield server
    finally:
        if process.poll() is None:
            server.stop()


def hold_training(monkeypatch, release: threading.Event | None = None) -> None:
    """Make every training run wait after its first step until it is stopped.

    A run on the bundled faces is over in a second or two; a test of "one run at a
    time" or of the stop button must not race it. The held run keeps calling the
    app's own callback (which raises when Stop was pressed), so it ends exactly
    when the test stops it. The five-minute bound only keeps a broken test from
    hanging forever. With ``release``, the run also goes on (to its end) once
    ``release`` is set.
    """
    import time

    import logistic_neuron.web.training as training

    real_fit = training.fit

    def held_fit(*args, callback, **kwargs):
        def hold(progress):
            callback(progress)
            if progress.iteration > 1:
                return
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not (release and release.is_set()):
                time.sleep(0.01)
                callback(progress)  # raises once Stop was pressed

        return real_fit(*args, callback=hold, **kwargs)

    monkeypatch.setattr(training, "fit", held_fit)


@contextlib.contextmanager
def server_in_thread(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port in this process; yields the URL."""
    import uvicorn

    from logistic_neuron.web.server import bind, url_of

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            threading.Event().wait(0.01)
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
