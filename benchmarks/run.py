"""Side-by-side benchmark of full-batch gradient descent for one logistic neuron.

Run from the repository root after ``pip install ".[bench]"``::

    python benchmarks/run.py            # full run (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller workloads (under 2 minutes)
    python benchmarks/run.py --workloads targets,classic,1000,10000,50000 \
        --contenders numpy-f32,ln-default --contended    # issue 11's targets, quiet and busy

``--contended`` runs every selected workload twice: on a quiet machine, then
with a CPU-bound competitor process (``while True: pass``) on every core, and
reports both tables.

Every contender runs in its own fresh subprocess, so peak memory (RSS) is its
own and BLAS / numba thread pools do not disturb each other. The number of
threads is pinned with environment variables set before NumPy is imported
(OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS, NUMBA_NUM_THREADS)
and with threadpoolctl / torch.set_num_threads. Results are printed as
Markdown tables (``--markdown FILE`` also writes them to a file).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA_DIRS = [os.environ.get("LOGISTIC_NEURON_DATA", ""), str(REPO.parent / "shared" / "datasets")]
N_X = 12288

#: contender -> what it is (printed under the tables).
CONTENDERS = {
    "course-f64": "(a) the course's NumPy code, float64, X = pixels / 255, two passes per step",
    "numpy-f32": "plain NumPy float32, same formulas, contiguous X (n_x, m)",
    "ln-default": "(b) logistic-neuron default: fit(pixels, dtype='float64', engine='auto')",
    "ln-f32": "logistic-neuron, X stored float32, engine='numba' (one pass)",
    "ln-u8": "(c) logistic-neuron fastest: X kept uint8, dtype='float32', engine='numba'",
    "ln-blocked-u8": "logistic-neuron without numba: uint8, float32, engine='numpy-blocked'",
    "torch": "(d) PyTorch CPU, same gradient descent, float32 (float64 for the classic run)",
    "sklearn": "(e) scikit-learn LogisticRegression(lbfgs, no penalty) fit, for reference only",
}


# ----------------------------------------------------------------------------- child side


def child(task: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in this (fresh) process and return its numbers."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    threads = task["threads"]
    threadpool_limits(threads)
    base_rss = rss_kb("VmRSS") * 1024
    kind = task["kind"]
    if kind == "probe":
        out = bandwidth_probe(np, threads)
    elif kind == "predict":
        out = predict_throughput(np, task)
    elif kind == "classic-model":
        out = classic_model(np, task)
    elif kind == "lessons":
        out = lessons(np, task)
    elif kind == "options":
        out = options_runs(np, task)
    else:
        out = train(np, task)
    # VmHWM: this process's peak resident set (ru_maxrss survives exec on Linux).
    out["peak_rss"] = rss_kb("VmHWM") * 1024
    out["base_rss"] = base_rss
    return out


def rss_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def bandwidth_probe(np: Any, threads: int) -> dict[str, Any]:
    """Best-of-several streaming read of a 1 GiB array (numba parallel sum and np.sum)."""
    import numba

    numba.set_num_threads(threads)
    a = np.ones(2**28, dtype=np.float32)  # 1 GiB, touched

    @numba.njit(parallel=True, fastmath=True)
    def stream_sum(x: Any) -> float:
        s = 0.0
        for i in numba.prange(x.shape[0]):
            s += x[i]
        return s

    stream_sum(a[:1024])
    best_numba = min(_timed(lambda: stream_sum(a)) for _ in range(7))
    best_numpy = min(_timed(lambda: np.add.reduce(a)) for _ in range(3))
    return {
        "bytes": a.nbytes,
        "numba_gbs": a.nbytes / best_numba / 1e9,
        "numpy_gbs": a.nbytes / best_numpy / 1e9,
        "gbs": a.nbytes / min(best_numba, best_numpy) / 1e9,
    }


def _timed(f: Any) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def load_workload(np: Any, task: dict[str, Any], storage: str) -> tuple[Any, Any, Any]:
    """Return (X (n_x, m) with examples contiguous, Y (1, m), extra) in ``storage``."""
    if task["workload"] == "classic":
        import h5py

        folder = next(d for d in DATA_DIRS if d and Path(d, "train_catvnoncat.h5").is_file())
        with h5py.File(Path(folder, "train_catvnoncat.h5"), "r") as f:
            images = np.asarray(f["train_set_x"])
            labels = np.asarray(f["train_set_y"]).reshape(1, -1)
        with h5py.File(Path(folder, "test_catvnoncat.h5"), "r") as f:
            test = (np.asarray(f["test_set_x"]), np.asarray(f["test_set_y"]).reshape(1, -1))
        pixels = images.reshape(images.shape[0], -1)
        if storage == "uint8":
            return pixels.T, labels, test
        return (pixels / 255).astype(storage).T, labels, test
    m = task["m"]
    rng = np.random.default_rng(0)
    rows = np.empty((m, N_X), dtype=np.dtype(storage))
    for lo in range(0, m, 2000):
        # Generated a slice at a time: no full-size temporary in another dtype.
        chunk = rng.integers(0, 256, size=(min(2000, m - lo), N_X), dtype=np.uint8)
        rows[lo : lo + len(chunk)] = chunk if storage == "uint8" else chunk / 255
    labels = (rng.random((1, m)) < 0.5).astype(np.float64)
    return rows.T, labels, None


def train(np: Any, task: dict[str, Any]) -> dict[str, Any]:
    name = task["contender"]
    classic = task["workload"] == "classic"
    iterations = task["iterations"]
    lr = 0.005
    storage = {
        "course-f64": "float64",
        "numpy-f32": "float32",
        "ln-default": "uint8",
        "ln-f32": "float32",
        "ln-u8": "uint8",
        "ln-blocked-u8": "uint8",
        "torch": "float64" if classic else "float32",
        "sklearn": "float64" if classic else "float32",
    }[name]
    X, Y, test = load_workload(np, task, storage)
    out: dict[str, Any] = {"data_bytes": X.nbytes, "storage": storage}
    out["dtype"] = (
        "float32"
        if name in ("numpy-f32", "ln-f32", "ln-u8", "ln-blocked-u8")
        or (storage == "float32" and name in ("torch", "sklearn"))
        else "float64"
    )
    stamps: list[float] = []
    printed = ""
    w_final: Any = None
    b_final = 0.0
    total = 0.0
    if name in ("course-f64", "numpy-f32"):
        printed, w_final, b_final, stamps, total = course_loop(np, X, Y, iterations, lr, classic)
    elif name.startswith("ln-"):
        printed, w_final, b_final, stamps, total, engine = ln_loop(name, X, Y, iterations, lr)
        out["engine"] = engine
    elif name == "torch":
        printed, w_final, b_final, stamps, total = torch_loop(np, X, Y, iterations, lr, task)
    elif name == "sklearn":
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(penalty=None, solver="lbfgs")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t = time.perf_counter()
            clf.fit(X.T, Y.ravel())
            total = time.perf_counter() - t
        out["sklearn_iterations"] = int(clf.n_iter_[0])
        w_final, b_final = clf.coef_.reshape(-1, 1), float(clf.intercept_[0])
    out["total_s"] = total
    if stamps:
        steps = np.diff(np.asarray(stamps))
        warm = task["warmup"]
        out["per_iter_s"] = float(np.median(steps[warm:] if len(steps) > warm else steps))
        if out.get("engine") == "dual" and len(steps) > 1:
            # The first step includes K = X^T X: report the per-iteration time of a
            # 2000-iteration run with K amortised over it (what the cost model weighs).
            out["gram_s"] = float(steps[0] - out["per_iter_s"])
            out["per_iter_s"] += out["gram_s"] / 2000
    if classic and w_final is not None:
        out["printed"] = printed
        w64 = np.asarray(w_final, dtype=np.float64)
        out["train_acc"] = accuracy(np, w64, b_final, X, Y)
        tx, ty = test
        out["test_acc"] = accuracy(np, w64, b_final, tx.reshape(tx.shape[0], -1).T, ty)
    return out


def accuracy(np: Any, w: Any, b: float, X: Any, Y: Any) -> float:
    if X.dtype == np.uint8:
        X = X / 255
    z = w.T @ X.astype(np.float64) + b
    pred = (1 / (1 + np.exp(-z)) > 0.5).astype(np.float64)
    return float(100 - np.mean(np.abs(pred - Y)) * 100)


def course_loop(np: Any, X: Any, Y: Any, iterations: int, lr: float, classic: bool) -> tuple:
    """The course's propagate/optimize, verbatim formulas (cost every iteration)."""
    m = X.shape[1]
    dtype = X.dtype
    w = np.zeros((X.shape[0], 1), dtype=dtype)
    b = 0.0
    Yf = Y.astype(dtype)
    lines = []
    stamps = [time.perf_counter()]
    for i in range(iterations):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = -1 / m * np.sum(Yf * np.log(A) + (1 - Yf) * np.log(1 - A))
        dw = 1 / m * np.dot(X, (A - Yf).T)
        db = 1 / m * np.sum(A - Yf)
        w = w - lr * dw
        b = b - lr * db
        if i % 100 == 0:
            lines.append(f"Cost after iteration {i}: {float(cost):f}")
        stamps.append(time.perf_counter())
    total = stamps[-1] - stamps[0]
    return "\n".join(lines) if classic else "", w, float(b), stamps, total


def ln_loop(name: str, X: Any, Y: Any, iterations: int, lr: float) -> tuple:
    import contextlib
    import io

    from logistic_neuron.engines.resolver import fit, resolve_engine

    dtype = "float64" if name == "ln-default" else "float32"
    engine = {"ln-default": "auto", "ln-blocked-u8": "numpy-blocked"}.get(name, "numba")
    # "auto" decides from the whole run's size: resolve it as for a 2000-iteration
    # run, not for the few iterations timed here.
    chosen = resolve_engine(X, dtype, max(iterations, 2000), engine)
    engine = chosen
    if chosen == "numba":
        # Compile (or load from numba's cache) outside the timing.
        fit(X[:, :8], Y[:, :8], num_iterations=1, learning_rate=lr, dtype=dtype, engine="numba")
    stamps: list[float] = []
    out = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out):
        result = fit(
            X,
            Y,
            num_iterations=iterations,
            learning_rate=lr,
            dtype=dtype,
            engine=engine,
            print_cost=True,
            callback=lambda _p: stamps.append(time.perf_counter()),
        )
    total = time.perf_counter() - t
    return out.getvalue().strip(), result.w, result.b, [t, *stamps], total, chosen


def torch_loop(np: Any, X: Any, Y: Any, iterations: int, lr: float, task: dict) -> tuple:
    import torch

    torch.set_num_threads(task["threads"])
    rows = torch.from_numpy(X.T)  # (m, n_x), no copy
    y = torch.from_numpy(Y.reshape(-1).astype(X.dtype))
    m = rows.shape[0]
    w = torch.zeros(rows.shape[1], dtype=rows.dtype)
    b = 0.0
    lines = []
    stamps = [time.perf_counter()]
    with torch.no_grad():
        for i in range(iterations):
            z = rows @ w + b
            a = torch.sigmoid(z)
            dz = a - y
            dw = rows.T @ dz / m
            db = float(dz.mean())
            if i % 100 == 0:
                cost = float(torch.mean(torch.nn.functional.softplus(z) - y * z))
                lines.append(f"Cost after iteration {i}: {cost:f}")
            w = w - lr * dw
            b = b - lr * db
            stamps.append(time.perf_counter())
    total = stamps[-1] - stamps[0]
    return "\n".join(lines), w.numpy().reshape(-1, 1), b, stamps, total


def classic_model(np: Any, task: dict[str, Any]) -> dict[str, Any]:
    """The course's float64 NumPy code against ``model(...)`` (engine auto), one process."""
    import contextlib
    import io

    from logistic_neuron.engines.training import model

    X, Y, (tx, ty) = load_workload(np, {"workload": "classic"}, "float64")
    X_test = (tx.reshape(tx.shape[0], -1) / 255).T
    printed, *_, course_s = course_loop(np, X, Y, 2000, 0.005, True)
    times = []
    out = io.StringIO()
    for _ in range(task["repeats"]):
        out = io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stdout(out):
            d = model(X, Y, X_test, ty, 2000, 0.005, print_cost=True)
        times.append(time.perf_counter() - t)
    lines = out.getvalue().splitlines()
    costs = "\n".join(line for line in lines if line.startswith("Cost"))
    return {
        "course_s": course_s,
        "model_s": float(np.median(times)),
        "same_costs": costs == printed,
        "train_acc": d.train_accuracy,
        "test_acc": d.test_accuracy,
    }


def lessons(np: Any, task: dict[str, Any]) -> dict[str, Any]:
    """The learning-rate comparison and the overfitting curve, old engine vs auto (dual)."""
    from logistic_neuron.pictures.curves import compare_learning_rates, overfitting_curve

    X, Y, (tx, ty) = load_workload(np, {"workload": "classic"}, "uint8")
    X_test = tx.reshape(tx.shape[0], -1).T
    old = task["old_engine"]
    if old == "numba":
        from logistic_neuron.engines.resolver import fit

        fit(X[:, :8], Y[:, :8], num_iterations=1, learning_rate=0.1, engine="numba")
    out: dict[str, Any] = {"old_engine": old}
    for label, engine in (("old", old), ("new", "auto")):
        t = time.perf_counter()
        comparison = compare_learning_rates(X, Y, X_test, ty, engine=engine)
        out[f"rates_{label}_s"] = time.perf_counter() - t
        out[f"rates_{label}_acc"] = [(r.train_accuracy, r.test_accuracy) for r in comparison.runs]
        t = time.perf_counter()
        curve = overfitting_curve(X, Y, X_test, ty, num_iterations=2000, every=1, engine=engine)
        out[f"curve_{label}_s"] = time.perf_counter() - t
        out[f"curve_{label}_best"] = [curve.best_iteration, curve.best_test_accuracy]
    return out


#: Issue 12's runs beyond plain gd that keep w in the span: (label, TrainingOptions fields).
OPTION_RUNS = [
    ("gd, L2 100", {"lambd": 100.0}),
    ("momentum 0.9", {"optimizer": "momentum"}),
    ("momentum 0.9, L2 100", {"optimizer": "momentum", "lambd": 100.0}),
    ("momentum, batches of 64, L2 100", {"optimizer": "momentum", "batch_size": 64,
                                         "lambd": 100.0}),
    ("gd, validation 0.2, patience 5", {"validation_fraction": 0.2, "patience": 5}),
]  # fmt: skip


def options_runs(np: Any, task: dict[str, Any]) -> dict[str, Any]:
    """Each run of :data:`OPTION_RUNS` on the cat data: primal reference loop vs auto (dual)."""
    from logistic_neuron.engines.resolver import engine_that_runs, fit
    from logistic_neuron.neuron.prediction import accuracy, predict
    from logistic_neuron.neuron.training_options import TrainingOptions

    X, Y, _ = load_workload(np, {"workload": "classic"}, "uint8")
    rows = []
    for label, fields in OPTION_RUNS:
        options = TrainingOptions(**fields)
        row: dict[str, Any] = {"label": label}
        results = {}
        for side, engine in (("reference", "reference"), ("auto", "auto")):
            t = time.perf_counter()
            result = fit(X, Y, num_iterations=task["iterations"], learning_rate=0.005,
                         engine=engine, options=options)  # fmt: skip
            row[f"{side}_s"] = time.perf_counter() - t
            row[f"{side}_engine"] = engine_that_runs(X, "float64", task["iterations"], engine,
                                                     options)  # fmt: skip
            row[f"{side}_acc"] = accuracy(predict(result.w, result.b, X / 255), Y)
            results[side] = result
        w_ref, w_auto = results["reference"].w, results["auto"].w
        row["max_rel_w"] = float(np.max(np.abs(w_auto - w_ref)) / (np.max(np.abs(w_ref)) or 1))
        row["iterations_run"] = results["auto"].iterations_run
        rows.append(row)
    return {"rows": rows}


def predict_throughput(np: Any, task: dict[str, Any]) -> dict[str, Any]:
    """Images per second: plain Pillow loop vs load_images_parallel, on 1,000 JPEGs."""
    from PIL import Image

    from logistic_neuron.data.parallel import load_images_parallel

    count = task["images"]
    rng = np.random.default_rng(0)
    results: dict[str, Any] = {"images": count}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        base = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
        for i in range(count):
            # Photo-sized JPEGs (640x480), each slightly different.
            image = np.roll(base, i * 7, axis=1)
            path = Path(tmp, f"img{i:04d}.jpg")
            Image.fromarray(image).save(path, quality=90)
            paths.append(path)

        def plain() -> Any:
            out = []
            for p in paths:
                with Image.open(p) as im:
                    im = im.convert("RGB").resize((64, 64), Image.Resampling.BICUBIC)
                    out.append(np.asarray(im))
            return np.stack(out)

        variants = {
            "pillow-loop": plain,
            "serial": lambda: load_images_parallel(paths, (64, 64), "RGB", pool="serial"),
            "threads": lambda: load_images_parallel(
                paths, (64, 64), "RGB", task["threads"], pool="thread"
            ),
            "processes": lambda: load_images_parallel(
                paths, (64, 64), "RGB", task["threads"], pool="process"
            ),
        }
        w = np.zeros((N_X, 1))
        for label, fn in variants.items():
            times = []
            for _ in range(task["repeats"]):
                t = time.perf_counter()
                images = fn()
                if label != "pillow-loop":
                    X = images.reshape(len(images), -1).T / 255
                    _ = 1 / (1 + np.exp(-(w.T @ X)))  # the prediction itself
                times.append(time.perf_counter() - t)
            results[label] = count / float(np.median(times))
    return results


# ----------------------------------------------------------------------------- parent side


def run_child(task: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = str(task["threads"])
    env.setdefault("PYTHONPATH", str(REPO / "src"))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(task)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail)}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for mod in ("numpy", "numba", "torch", "sklearn"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            versions.append(f"{mod} absent")
    return (
        f"{model}, {os.cpu_count()} logical CPUs{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; " + ", ".join(versions)
    )


def name_is_slow(m: int) -> bool:
    """Workloads too big to repeat within the time budget (one run each)."""
    return m >= 200000


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.3g}"


def fmt_mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.0f}"


class Competitors:
    """CPU-bound competitor processes, one per core, while the block runs (``--contended``)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Competitors:
        for _ in range(self.count):
            self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        time.sleep(0.5)  # let them reach the cores
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()  # only the processes started above, by their handle
        for proc in self.procs:
            proc.wait()
        self.procs.clear()


def wall_times(argv: list[str], repeats: int) -> float:
    """Best wall time of ``argv`` as a fresh process (start to exit), in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def targets_section(args: argparse.Namespace, emit: Any) -> None:
    """Issue 11's targets: model(...) vs the course, lessons old vs new, CLI start-up."""
    r = run_child({"kind": "classic-model", "threads": args.threads, "repeats": 3}, timeout=1800)
    if "error" in r:
        emit(f"classic model(...) failed: {r['error']}")
    else:
        emit(
            f"| classic run, `model(X, Y, X_test, Y_test, 2000, 0.005, print_cost=True)` float64 | "
            f"course's NumPy float64 {r['course_s']:.3f} s | model (auto = dual) "
            f"{r['model_s']:.4f} s | **{r['course_s'] / r['model_s']:.1f}x** | same printed costs: "
            f"{'yes' if r['same_costs'] else 'NO'}; train {r['train_acc']} %, test "
            f"{r['test_acc']} % |"
        )
    old = "numba" if _has("numba") else "reference"
    r = run_child({"kind": "lessons", "threads": args.threads, "old_engine": old}, timeout=3600)
    if "error" in r:
        emit(f"lessons failed: {r['error']}")
    else:
        same = r["rates_old_acc"] == r["rates_new_acc"]
        emit(
            f"| learning-rate comparison (3 rates x 1500) | before (engine {old}) "
            f"{r['rates_old_s']:.3f} s | auto (dual, one K) {r['rates_new_s']:.4f} s | "
            f"**{r['rates_old_s'] / r['rates_new_s']:.1f}x** | same accuracies: "
            f"{'yes' if same else 'NO'} |"
        )
        emit(
            f"| overfitting curve, scored every iteration (2000) | before (engine {old}) "
            f"{r['curve_old_s']:.3f} s | auto (dual, K_test) {r['curve_new_s']:.4f} s | "
            f"**{r['curve_old_s'] / r['curve_new_s']:.1f}x** | best (iteration, test %): "
            f"before {tuple(r['curve_old_best'])}, now {tuple(r['curve_new_best'])} |"
        )
    cli = str(Path(sys.executable).with_name("logistic-neuron"))
    folder = next((d for d in DATA_DIRS if d and Path(d, "train_catvnoncat.h5").is_file()), None)
    numpy_s = wall_times([sys.executable, "-c", "import numpy"], 7)
    help_s = wall_times([cli, "--help"], 7)
    train_help_s = wall_times([cli, "train", "--help"], 7)
    emit(
        f"| `logistic-neuron --help` (best of 7) | `python -c 'import numpy'` {numpy_s:.3f} s | "
        f"{help_s:.3f} s | **{help_s / numpy_s:.2f}x** numpy (target <= 1.5x) | "
        f"`train --help` {train_help_s:.3f} s = {train_help_s / numpy_s:.2f}x |"
    )
    if folder:
        with tempfile.TemporaryDirectory() as tmp:
            train_argv = [
                cli, "train", "--data", str(Path(folder, "train_catvnoncat.h5")),
                "--test", str(Path(folder, "test_catvnoncat.h5")),
                "--out", str(Path(tmp, "c.npz")),
            ]  # fmt: skip
            train_s = wall_times(train_argv, 3)
        emit(
            f"| classic CLI run end to end (process start to model saved, best of 3) | "
            f"`--help` {help_s:.3f} s | {train_s:.3f} s | **{train_s / help_s:.2f}x** `--help` "
            f"(target <= 2x) | |"
        )


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, under 2 minutes")
    parser.add_argument(
        "--workloads",
        default=None,
        help="comma-separated: targets,classic,1000,10000,50000,200000,predict,options "
        "(default: all that fit)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs (fresh processes) per contender; the median run is reported (default 3)",
    )
    parser.add_argument("--threads", type=int, default=2, help="threads for BLAS/numba/torch")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument(
        "--contended",
        action="store_true",
        help="run every workload twice: quiet, then with a CPU-bound competitor on every core",
    )
    parser.add_argument(
        "--contenders",
        default=None,
        help="comma-separated contenders to run (default: all), e.g. numpy-f32,ln-default",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0

    default = (
        "classic,1000,10000,predict" if args.quick else "classic,1000,10000,50000,200000,predict"
    )
    workloads = (args.workloads or default).split(",")
    lines: list[str] = []

    def emit(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    started = time.perf_counter()
    emit(f"Machine: {machine()}")
    emit(
        f"Threads: {args.threads} (OPENBLAS/OMP/MKL/NUMBA_NUM_THREADS={args.threads}, "
        "threadpoolctl, torch.set_num_threads); every contender in a fresh process."
    )
    emit(f"Load average at start (1/5/15 min): {_load()}; other processes share these cores.")
    probe = run_child({"kind": "probe", "threads": args.threads})
    bandwidth = probe.get("gbs")
    emit(
        f"Memory bandwidth probe (best streaming read of 1 GiB): {bandwidth:.1f} GB/s "
        f"(numba {probe['numba_gbs']:.1f}, np.add.reduce {probe['numpy_gbs']:.1f})"
        if bandwidth
        else f"Memory bandwidth probe failed: {probe.get('error')}"
    )
    emit()

    wanted = set(args.contenders.split(",")) if args.contenders else None

    def chosen(names: list[str], keep: str = "") -> list[str]:
        return [n for n in names if wanted is None or n in wanted or n == keep]

    def sections() -> None:
        if "targets" in workloads:
            emit("### Issue 11 targets (ratios inside one run)")
            emit()
            emit("| what | baseline | ours | ratio | check |")
            emit("|---|---|---|---|---|")
            targets_section(args, emit)
            emit()
        if "classic" in workloads:
            emit(
                f"### Classic run: cat data (209 x 12288), 2000 iterations, learning rate 0.005 "
                f"(median of {args.repeats} runs)"
            )
            emit()
            emit(
                "| contender | engine | dtype | total s | ms/iter | vs (a) | train % | test % | "
                "same printed costs as (a) | peak RSS MB |"
            )
            emit("|---|---|---|---|---|---|---|---|---|---|")
            reference: dict[str, Any] = {}
            for name in chosen(
                [
                    "course-f64",
                    "numpy-f32",
                    "ln-default",
                    "ln-u8",
                    "ln-blocked-u8",
                    "torch",
                    "sklearn",
                ],
                keep="course-f64",
            ):
                runs = [
                    run_child(
                        {
                            "kind": "train",
                            "workload": "classic",
                            "contender": name,
                            "iterations": 2000,
                            "warmup": 5,
                            "threads": args.threads,
                        }
                    )
                    for _ in range(args.repeats if name != "sklearn" else 1)
                ]
                ok = [r for r in runs if "error" not in r]
                if not ok:
                    emit(f"| {name} | failed: {runs[0]['error'][:80]} |||||||")
                    continue
                ok.sort(key=lambda r: r["total_s"])
                r = ok[len(ok) // 2]
                if name == "course-f64":
                    reference = r
                ratio = reference["total_s"] / r["total_s"] if reference else None
                same = (
                    "-"
                    if "printed" not in r or not r["printed"]
                    else ("yes" if r["printed"] == reference.get("printed") else "no")
                )
                emit(
                    f"| {name} | {r.get('engine', '-')} | {r.get('dtype', '-')} | "
                    f"{r['total_s']:.3f} | "
                    f"{fmt_ms(r.get('per_iter_s'))} | {ratio:.2f}x | {r.get('train_acc', 0):.2f} | "
                    f"{r.get('test_acc', 0):.2f} | {same} | {fmt_mb(r['peak_rss'])} |"
                )
            emit()

        synthetic = [w for w in workloads if w.isdigit()]
        if synthetic:
            emit(
                "### Synthetic data, n_x = 12288 (uint8 pixels, random labels), per-iteration time "
                f"(median of {1 if args.quick else args.repeats} runs; 200,000: one run)"
            )
            emit()
            emit(
                "| m | contender | engine | stored X MB | ms/iter | vs (a) | vs numpy-f32 | "
                "X bytes/s (GB/s) | x one-pass-at-bandwidth | peak RSS MB | "
                "RSS <= 1.15 X + 300 MB |"
            )
            emit("|---|---|---|---|---|---|---|---|---|---|---|")
            for w in synthetic:
                m = int(w)
                timed = {1000: 20, 10000: 10, 50000: 5, 200000: 3}.get(m, 5)
                names = [
                    "course-f64",
                    "numpy-f32",
                    "ln-default",
                    "ln-f32",
                    "ln-u8",
                    "ln-blocked-u8",
                    "torch",
                    "sklearn",
                ]
                if m >= 50000:
                    names.remove("sklearn")  # minutes per fit and a float64 copy
                if m >= 200000:
                    # 200,000 x 12288 is 2.5 GB as uint8, 9.8 GB float32, 19.7 GB float64:
                    # only the uint8 paths fit beside other work on a 24 GiB machine.
                    names = ["ln-default", "ln-u8", "ln-blocked-u8"]
                names = chosen(names)
                rows: dict[str, dict[str, Any]] = {}
                repeats = 1 if (args.quick or name_is_slow(m)) else args.repeats
                for name in names:
                    runs = [
                        run_child(
                            {
                                "kind": "train",
                                "workload": "synthetic",
                                "m": m,
                                "contender": name,
                                "iterations": timed + 1,
                                "warmup": 1,
                                "threads": args.threads,
                            }
                        )
                        for _ in range(1 if name == "sklearn" else repeats)
                    ]
                    good = [x for x in runs if "error" not in x]
                    # The run with the median per-iteration time (each run: a fresh process).
                    good.sort(key=lambda x: x.get("per_iter_s") or x["total_s"])
                    r = good[len(good) // 2] if good else runs[0]
                    rows[name] = r
                    if "error" in r:
                        emit(f"| {m:,} | {name} | failed: {r['error'][:100]} |||||||||")
                        continue
                    per = r.get("per_iter_s") or r["total_s"]
                    ref = rows.get("course-f64", {}).get("per_iter_s")
                    base = rows.get("numpy-f32", {}).get("per_iter_s")
                    gbs = r["data_bytes"] / per / 1e9
                    one_pass = r["data_bytes"] / (bandwidth * 1e9) if bandwidth else None
                    limit = 1.15 * r["data_bytes"] + 300 * 2**20
                    if name == "sklearn":
                        # A whole lbfgs fit, not one gradient step: no per-iteration ratios.
                        emit(
                            f"| {m:,} | {name} | lbfgs, {r.get('sklearn_iterations')} "
                            f"iterations | {fmt_mb(r['data_bytes'])} | fit {r['total_s']:.2f} s "
                            f"| - | - | - | - | {fmt_mb(r['peak_rss'])} | "
                            f"{'yes' if r['peak_rss'] <= limit else 'no'} |"
                        )
                        continue
                    emit(
                        f"| {m:,} | {name} | {r.get('engine', '-')} | {fmt_mb(r['data_bytes'])} | "
                        f"{fmt_ms(per)} | "
                        f"{f'{ref / per:.2f}x' if ref else '-'} | "
                        f"{f'{base / per:.2f}x' if base else '-'} | "
                        f"{gbs:.1f} | {f'{per / one_pass:.2f}' if one_pass else '-'} | "
                        f"{fmt_mb(r['peak_rss'])} | {'yes' if r['peak_rss'] <= limit else 'no'} |"
                    )
            emit()
            emit("x one-pass-at-bandwidth = ms/iter divided by (stored X bytes / probe bandwidth).")
            emit()

        if "options" in workloads:
            iterations = 300 if args.quick else 2000
            r = run_child({"kind": "options", "iterations": iterations, "threads": args.threads})
            emit(
                f"### Issue 12: options beyond plain gd, cat data (209 x 12288), {iterations} "
                "iterations, learning rate 0.005: primal loop vs auto (dual)"
            )
            emit()
            if "error" in r:
                emit(f"failed: {r['error']}")
            else:
                emit("| run | primal s | auto engine | auto s | speed-up | train % (both) | "
                     "max rel. w difference |")  # fmt: skip
                emit("|---|---|---|---|---|---|---|")
                for row in r["rows"]:
                    same = row["reference_acc"] == row["auto_acc"]
                    acc = (
                        f"{row['auto_acc']:.1f}"
                        if same
                        else (f"{row['reference_acc']:.1f} / {row['auto_acc']:.1f}")
                    )
                    emit(
                        f"| {row['label']} | {row['reference_s']:.2f} | {row['auto_engine']} | "
                        f"{row['auto_s']:.3f} | {row['reference_s'] / row['auto_s']:.1f}x | "
                        f"{acc} | {row['max_rel_w']:.1e} |"
                    )
            emit()

        if "predict" in workloads:
            count = 200 if args.quick else 1000
            r = run_child(
                {"kind": "predict", "images": count, "repeats": 3, "threads": args.threads}
            )
            emit(f"### Prediction input: {count} JPEGs (640x480) decoded, resized to 64x64, scored")
            emit()
            if "error" in r:
                emit(f"failed: {r['error']}")
            else:
                emit("| loader | images/s | vs Pillow loop |")
                emit("|---|---|---|")
                for label in ("pillow-loop", "serial", "threads", "processes"):
                    emit(f"| {label} | {r[label]:,.0f} | {r[label] / r['pillow-loop']:.2f}x |")
            emit()

    modes = [("quiet", False), ("contended", True)] if args.contended else [("", False)]
    cores = os.cpu_count() or 1
    title = {
        True: f"Contended: a CPU-bound competitor on each of the {cores} cores",
        False: "Quiet: no competitor started by the benchmark",
    }
    for label, busy in modes:
        if label:
            emit(f"## {title[busy]} (load average now {_load()})")
            emit()
        if busy:
            with Competitors(os.cpu_count() or 1):
                sections()
        else:
            sections()

    emit("Contenders:")
    for name, text in CONTENDERS.items():
        emit(f"- `{name}`: {text}")
    emit()
    emit(f"Wall time: {time.perf_counter() - started:.0f} s; load average at end: {_load()}")
    if args.markdown:
        sys.path.insert(0, str(REPO / "src"))
        from logistic_neuron.storage.atomic import atomic_write

        with atomic_write(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
