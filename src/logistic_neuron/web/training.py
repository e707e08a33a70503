"""Training from the page: one run at a time, on a worker thread, with live events.

:class:`TrainingRuns` starts a run (:meth:`TrainingRuns.start`), refuses a second
while one is going (:class:`TrainingBusy`, answered with 409 and a message),
and stops one on request. A run is a :class:`TrainingJob`: it loads the chosen
data set (cached after the first time), calls :func:`logistic_neuron.engines.fit`
(``engine="auto"``: the fastest engine for the data) on a daemon thread, and
appends events that the page receives as server-sent events:

* ``loading`` and ``started`` (data set sizes, the engine);
* ``progress`` at every recorded cost: the iteration and the cost, and at every
  :data:`ACCURACY_EVERY`-th one the train and test accuracy of the weights then;
* ``note`` (the cost rose above where it started: the learning rate is too large);
* one final event: ``finished``, ``stopped`` (by the stop button; the weights
  reached so far make the model) or ``failed`` (one line saying why).

The thread runs NumPy (or the compiled engine), which releases the GIL in its
heavy loops, so the event loop keeps answering other requests meanwhile.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logistic_neuron.data.dataset import Dataset
from logistic_neuron.engines.resolver import engine_that_runs, fit
from logistic_neuron.errors import LogisticNeuronError
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.optimization import CostRoseWarning, Progress
from logistic_neuron.neuron.optimizers import OPTIMIZERS
from logistic_neuron.neuron.prediction import accuracy, predict
from logistic_neuron.neuron.training_options import TrainingOptions
from logistic_neuron.storage.model_file import TrainedModel, package_model, package_result
from logistic_neuron.web.settings import MAX_ITERATIONS, MAX_LEARNING_RATE, DataChoice

#: Recorded costs (points on the page's curve) a run aims for.
CURVE_POINTS = 100

#: Train and test accuracy are scored at every ``ACCURACY_EVERY``-th recorded cost
#: (20 points a run): scoring reads all of X, which the dual engine otherwise never
#: touches after its first step, so scoring at every point would cost more than training.
ACCURACY_EVERY = 5

#: Final event types: after one of these a job's event list does not grow.
FINAL = ("finished", "stopped", "failed")


class TrainingBusy(Exception):
    """A run is already going: one at a time per server."""


class TrainingRequestError(ValueError):
    """The page asked for a run with bad settings (unknown data, bad rate ...)."""


class _StopRequested(Exception):
    """Raised inside the training callback to end a run early."""

    def __init__(self, progress: Progress) -> None:
        super().__init__("stopped")
        self.progress = progress


@dataclass(frozen=True)
class RunRequest:
    """What the page asked for, checked."""

    choice: DataChoice
    learning_rate: float
    iterations: int
    optimizer: str = "gd"
    dtype: str = "float64"

    @property
    def options(self) -> TrainingOptions | None:
        """The training options beyond plain gradient descent (None for the course's)."""
        return None if self.optimizer == "gd" else TrainingOptions(optimizer=self.optimizer)

    @property
    def record_every(self) -> int:
        """Record the cost often enough for a smooth curve of about :data:`CURVE_POINTS`."""
        return max(1, self.iterations // CURVE_POINTS)


def parse_request(document: Any, find: Callable[[Any], DataChoice | None]) -> RunRequest:
    """Check a run request from the page (JSON) and return it.

    Raises
    ------
    TrainingRequestError
        One line naming the bad field.
    """
    if not isinstance(document, dict):
        raise TrainingRequestError("send a JSON object with data, learning_rate and iterations")
    choice = find(document.get("data"))
    if choice is None:
        raise TrainingRequestError(f"unknown data set {str(document.get('data'))[:40]!r}")
    rate = document.get("learning_rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise TrainingRequestError("learning_rate must be a number")
    if not (0 < float(rate) <= MAX_LEARNING_RATE):
        raise TrainingRequestError(
            f"learning_rate must be above 0 and at most {MAX_LEARNING_RATE:g}, got {rate}"
        )
    iterations = document.get("iterations")
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise TrainingRequestError("iterations must be a whole number")
    if not (1 <= iterations <= MAX_ITERATIONS):
        raise TrainingRequestError(
            f"iterations must be between 1 and {MAX_ITERATIONS:,}, got {iterations}"
        )
    optimizer = document.get("optimizer", "gd")
    if optimizer not in OPTIMIZERS:
        raise TrainingRequestError(
            f"unknown optimizer {str(optimizer)[:40]!r}: use one of {', '.join(OPTIMIZERS)}"
        )
    return RunRequest(choice, float(rate), iterations, optimizer)


class TrainingJob:
    """One training run and the events it produced.

    Parameters
    ----------
    job_id : int
    request : RunRequest
    load : callable
        ``load(choice) -> Dataset`` (cached by :class:`TrainingRuns`).
    on_model : callable
        Called with the model a run leaves (finished or stopped).
    """

    def __init__(
        self,
        job_id: int,
        request: RunRequest,
        load: Callable[[DataChoice], Dataset],
        on_model: Callable[[TrainedModel, str], None],
    ) -> None:
        self.id = job_id
        self.request = request
        self._load = load
        self._on_model = on_model
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.model: TrainedModel | None = None
        self.thread = threading.Thread(target=self._run, name=f"training-{job_id}", daemon=True)

    # --- what the page reads ---------------------------------------------------------

    def events_since(self, index: int) -> list[dict[str, Any]]:
        """Events from number ``index`` on (each carries its number as ``id``)."""
        with self._lock:
            return self._events[index:]

    @property
    def state(self) -> str:
        """``running`` until a final event, then ``finished``, ``stopped`` or ``failed``."""
        with self._lock:
            last = self._events[-1]["type"] if self._events else "loading"
        return last if last in FINAL else "running"

    @property
    def done(self) -> bool:
        """Whether the run has ended."""
        return self.state in FINAL

    def summary(self) -> dict[str, Any]:
        """The job as JSON: id, state, settings."""
        return {
            "id": self.id,
            "state": self.state,
            "data": self.request.choice.id,
            "learning_rate": self.request.learning_rate,
            "iterations": self.request.iterations,
            "optimizer": self.request.optimizer,
        }

    # --- control ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the run on its thread."""
        self.thread.start()

    def stop(self) -> None:
        """Ask the run to stop after the current iteration."""
        self._stop.set()

    def _emit(self, kind: str, **fields: Any) -> None:
        with self._lock:
            self._events.append({"id": len(self._events), "type": kind, **fields})

    # --- the run ---------------------------------------------------------------------

    def _run(self) -> None:
        request = self.request
        try:
            self._emit("loading", data=request.choice.label)
            dataset = self._load(request.choice)
            pixels = dataset.train.pixels()
            engine = engine_that_runs(
                pixels, request.dtype, request.iterations, "auto", request.options
            )
            self._emit(
                "started",
                data=request.choice.label,
                m_train=dataset.train.m,
                m_test=dataset.test.m,
                image_shape=list(dataset.image_shape),
                classes=list(dataset.classes),
                engine=engine,
                iterations=request.iterations,
                learning_rate=request.learning_rate,
                optimizer=request.optimizer,
                record_every=request.record_every,
            )
            self._train(dataset, pixels, engine)
        except Exception as exc:  # the server must outlive any failure of a run
            if isinstance(exc, (LogisticNeuronError, ValueError, OSError, CostRoseWarning)):
                message = " ".join(str(exc).split()) or type(exc).__name__
            else:
                traceback.print_exc(file=sys.stderr)
                message = f"training failed unexpectedly ({type(exc).__name__}: {exc})"
            self._emit("failed", message=message)

    def _train(self, dataset: Dataset, pixels: np.ndarray, engine: str) -> None:
        request = self.request
        X_train, Y_train = dataset.train.X(request.dtype), dataset.train.Y()
        X_test, Y_test = dataset.test.X(request.dtype), dataset.test.Y()
        reported = 0
        warned = False

        def callback(progress: Progress) -> None:
            nonlocal reported, warned
            if self._stop.is_set():
                raise _StopRequested(progress)
            if len(progress.costs) <= reported:
                return
            scores: dict[str, float] = {}
            if (len(progress.costs) - 1) % ACCURACY_EVERY == 0:
                w = np.asarray(progress.w)
                scores = {
                    "train_accuracy": accuracy(predict(w, progress.b, X_train), Y_train),
                    "test_accuracy": accuracy(predict(w, progress.b, X_test), Y_test),
                }
            for index in range(reported, len(progress.costs)):
                cost = progress.costs[index]
                self._emit(
                    "progress",
                    iteration=index * request.record_every,
                    cost=cost,
                    after=progress.iteration,
                    **(scores if index == len(progress.costs) - 1 else {}),
                )
                if not warned and cost > progress.costs[0]:
                    warned = True
                    self._emit(
                        "note",
                        iteration=index * request.record_every,
                        message=f"the cost rose above its starting value at iteration "
                        f"{index * request.record_every}: if it keeps rising, learning rate "
                        f"{request.learning_rate:g} is too large",
                    )
            reported = len(progress.costs)

        started = time.perf_counter()
        try:
            result = fit(
                pixels,
                Y_train,
                num_iterations=request.iterations,
                learning_rate=request.learning_rate,
                dtype=request.dtype,
                engine=engine,
                record_every=request.record_every,
                callback=callback,
                options=request.options,
            )
            kind, stopped = "finished", None
        except _StopRequested as stop:
            # The weights reached so far make the model: a stopped run is still worth trying.
            kind, stopped = "stopped", stop.progress
        seconds = time.perf_counter() - started
        if stopped is None:
            model = package_result(
                result, dataset, dtype=request.dtype, engine=engine, made_by="web app"
            )
        else:
            model = package_model(
                np.array(stopped.w),
                stopped.b,
                dataset,
                dtype=request.dtype,
                learning_rate=request.learning_rate,
                num_iterations=stopped.iteration,
                costs=tuple(stopped.costs),
                record_every=request.record_every,
                engine=engine,
                options=None if request.options is None else request.options.record(),
                made_by="web app",
            )
        self._finish(kind, model, seconds)

    def _finish(self, kind: str, model: TrainedModel, seconds: float) -> None:
        self.model = model
        self._on_model(model, f"trained on the page (run {self.id})")
        self._emit(
            kind,
            iterations=model.num_iterations,
            train_accuracy=model.train_accuracy,
            test_accuracy=model.test_accuracy,
            seconds=seconds,
            engine=model.engine,
            final_cost=model.costs[-1] if model.costs else None,
        )


class TrainingRuns:
    """The server's training runs: at most one at a time.

    Parameters
    ----------
    on_model : callable
        ``on_model(model, description)``: a run left a model (the page then
        predicts with it).
    load : callable
        ``load(settings) -> Dataset`` for a data choice's settings.
    """

    def __init__(
        self,
        on_model: Callable[[TrainedModel, str], None],
        load: Callable[[dict[str, Any]], Dataset],
    ) -> None:
        self._on_model = on_model
        self._load_settings = load
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._datasets: dict[str, Dataset] = {}
        self.current: TrainingJob | None = None

    def _load(self, choice: DataChoice) -> Dataset:
        # Loaded once per server: the second run on the same data starts at once.
        with self._lock:
            cached = self._datasets.get(choice.id)
        if cached is not None:
            return cached
        dataset = self._load_settings(choice.settings)
        with self._lock:
            self._datasets[choice.id] = dataset
        return dataset

    def start(self, request: RunRequest) -> TrainingJob:
        """Start a run.

        Raises
        ------
        TrainingBusy
            When a run is going; it says which and how to go on.
        """
        with self._lock:
            current = self.current
            if current is not None and not current.done:
                raise TrainingBusy(
                    f"a training run (run {current.id}, {current.request.iterations} iterations "
                    "at learning rate "
                    f"{current.request.learning_rate:g}) is already going: one run at a time; "
                    "wait for it to end or press Stop"
                )
            job = TrainingJob(next(self._ids), request, self._load, self._on_model)
            self.current = job
        job.start()
        return job

    def job(self, job_id: int) -> TrainingJob | None:
        """The current job if it has this id (older jobs are forgotten)."""
        current = self.current
        return current if current is not None and current.id == job_id else None

    def stop(self) -> TrainingJob | None:
        """Ask the current run to stop; returns it (None when there is none going)."""
        current = self.current
        if current is None or current.done:
            return None
        current.stop()
        return current

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the current run and wait (at most ``timeout`` seconds) for its thread."""
        current = self.current
        if current is not None:
            current.stop()
            if current.thread.is_alive():
                current.thread.join(timeout)
