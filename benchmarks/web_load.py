"""A short, bounded load test of the web page's prediction API on localhost.

Starts ``logistic-neuron serve`` (a real uvicorn server) on a free localhost port,
sends ``--requests`` predictions (one photo each, multipart, as the page sends
them) from ``--clients`` concurrent clients, and reports throughput, latency
percentiles, and every request that failed or was lost. Nothing leaves this
machine: the only address is 127.0.0.1. It stops by itself after the last
request (each request also has a time limit).

    python benchmarks/web_load.py                      # 200 requests, 20 clients
    python benchmarks/web_load.py --requests 400 --clients 40 --model cat.npz

Without ``--model`` it trains a small model on the bundled faces first (or the
course's classic model when the course's files are in LOGISTIC_NEURON_DATA /
../shared/datasets). The photo is scikit-image's ``chelsea`` (451x300 JPEG).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_model(folder: Path) -> Path:
    """The course's classic model when its files are here, else a faces model."""
    data = Path(os.environ.get("LOGISTIC_NEURON_DATA", ROOT.parent / "shared" / "datasets"))
    model = folder / "model.npz"
    if (data / "train_catvnoncat.h5").is_file():
        source = ["--data", str(data / "train_catvnoncat.h5"), "--test",
                  str(data / "test_catvnoncat.h5")]  # fmt: skip
    else:
        source = ["--data", "faces", "--iterations", "500"]
    subprocess.run(
        [sys.executable, "-m", "logistic_neuron", "train", *source, "--out", str(model), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return model


def photo() -> bytes:
    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.chelsea()).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def start_server(model: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "logistic_neuron", "serve", "--port", "0", "--model", str(model),
         "--model-dir", str(folder)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return process, match.group(1)
    raise SystemExit("the server did not start")


async def load(url: str, data: bytes, requests: int, clients: int) -> dict:
    import httpx2 as httpx

    latencies: list[float] = []
    failures: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            files = [("image", (f"photo-{i}.jpg", data, "image/jpeg"))]
            started = time.perf_counter()
            try:
                answer = await client.post("/api/predict", files=files)
                body = answer.json()
                ok = answer.status_code == 200 and len(body["predictions"]) == 1
            except Exception as exc:  # counted, never hidden
                failures.append(f"{i}: {type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            if not ok:
                failures.append(f"{i}: HTTP {answer.status_code}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
        wall = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, round(p / 100 * (len(latencies) - 1)))]

    return {
        "requests": requests,
        "answered": len(latencies),
        "failures": failures,
        "wall": wall,
        "throughput": len(latencies) / wall,
        "p50": percentile(50),
        "p90": percentile(90),
        "p99": percentile(99),
        "max": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--model", help="a model file (default: train one first)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    model = Path(args.model) if args.model else make_model(folder)
    data = photo()
    process, url = start_server(model, folder)
    try:
        # One request first: the server's first prediction loads lazily what it needs.
        asyncio.run(load(url, data, 1, 1))
        result = asyncio.run(load(url, data, args.requests, args.clients))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    load_average = os.getloadavg()
    print(f"server: {url} (model {model.name}, photo {len(data):,} bytes JPEG 451x300)")
    print(f"requests: {result['requests']}  answered 200: {result['answered']}  "
          f"failed or lost: {len(result['failures'])}")  # fmt: skip
    for failure in result["failures"][:10]:
        print(f"  {failure}")
    print(f"clients: {args.clients}  wall: {result['wall']:.2f} s  "
          f"throughput: {result['throughput']:.1f} predictions/s")  # fmt: skip
    print(f"latency: p50 {1000 * result['p50']:.0f} ms  p90 {1000 * result['p90']:.0f} ms  "
          f"p99 {1000 * result['p99']:.0f} ms  max {1000 * result['max']:.0f} ms")  # fmt: skip
    print(f"load average when done: {load_average[0]:.2f} {load_average[1]:.2f} "
          f"{load_average[2]:.2f} on {os.cpu_count()} CPUs")  # fmt: skip
    sys.exit(1 if result["failures"] or result["answered"] != result["requests"] else 0)


if __name__ == "__main__":
    main()
