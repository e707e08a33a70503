"""The Starlette application: one page and a small JSON API.

===========================  ==========================================================
``GET /``                    the page (``static/index.html``)
``GET /static/...``          its script and style, from inside the package
``GET /api/model``           the model photos are scored with: classes, image shape,
                             accuracies, the weights as pictures
``POST /api/predict``        multipart field ``image`` (one or more photos): label and
                             probability per photo, as ``predict --json``, plus pictures
``GET /api/train``           the data sets the page may train on, defaults, the current run
``POST /api/train``          start a run (JSON: ``data``, ``learning_rate``, ``iterations``,
                             ``optimizer``);
                             202, or 409 while another run is going
``GET /api/train/events``    the run's events as server-sent events
``POST /api/train/stop``     stop the run
``POST /api/model/save``     save the current model into the server's ``--model-dir``
===========================  ==========================================================

Every error is JSON ``{"error": "one line"}`` with a 4xx status (5xx only for a
bug, and then the server goes on). No request names a file: photos arrive as
bytes, data sets are chosen by id, models are saved under names the server picks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from logistic_neuron.data.images import LoadedImage
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.errors import DataError
from logistic_neuron.storage.model_file import TrainedModel, load_model, save_model
from logistic_neuron.version import __version__
from logistic_neuron.web.limits import BodyLimitMiddleware, BodyTooLarge, describe_bytes
from logistic_neuron.web.pictures import weight_pictures
from logistic_neuron.web.settings import OPTIMIZER_LABELS, TRAINING_DEFAULTS, ServerSettings
from logistic_neuron.web.training import (
    TrainingBusy,
    TrainingRequestError,
    TrainingRuns,
    parse_request,
)
from logistic_neuron.web.uploads import Upload, decode_outcome, display_name, score

STATIC = Path(__file__).with_name("static")

#: How often an event stream looks for new events (seconds).
EVENT_POLL = 0.05

#: Comment lines keep an idle event stream open through proxies (seconds).
KEEPALIVE = 15.0

#: Saved models are called ``web-model-N.npz`` (the first free N).
SAVED_NAME = "web-model-{}.npz"


def error(status: int, message: str) -> JSONResponse:
    """A JSON error response with one line."""
    return JSONResponse({"error": " ".join(message.split())}, status_code=status)


class CurrentModel:
    """The model photos are scored with, and where it came from (thread-safe)."""

    def __init__(self, model: TrainedModel | None, origin: str) -> None:
        self._lock = threading.Lock()
        self._model = model
        self._origin = origin
        self._pictures: list[dict[str, str]] | None = None
        self.version = 0

    def get(self) -> tuple[TrainedModel | None, str]:
        """The model (None before any) and its origin."""
        with self._lock:
            return self._model, self._origin

    def set(self, model: TrainedModel, origin: str) -> None:
        """Predict with ``model`` from now on."""
        with self._lock:
            self._model, self._origin, self._pictures = model, origin, None
            self.version += 1

    def weight_pictures(self) -> list[dict[str, str]]:
        """The weights as pictures (drawn once per model)."""
        with self._lock:
            model, pictures = self._model, self._pictures
        if model is None:
            return []
        if pictures is None:
            pictures = weight_pictures(model.w, model.image_shape)
            with self._lock:
                if self._model is model:
                    self._pictures = pictures
        return pictures


def describe_model(model: TrainedModel | None, origin: str) -> dict[str, Any]:
    """The model as ``GET /api/model`` describes it."""
    if model is None:
        return {
            "loaded": False,
            "origin": origin,
            "message": "no model yet: train one below, or start the server with --model PATH",
        }
    height, width, channels = model.image_shape
    return {
        "loaded": True,
        "origin": origin,
        "classes": list(model.classes),
        "positive_class": model.classes[1],
        "image_shape": list(model.image_shape),
        "mode": model.mode,
        "dtype": model.dtype,
        "n_x": model.n_x,
        "size_text": f"{width}x{height} {'colour' if channels == 3 else 'grey'}",
        "learning_rate": model.learning_rate,
        "num_iterations": model.num_iterations,
        "train_accuracy": model.train_accuracy,
        "test_accuracy": model.test_accuracy,
        "engine": model.engine,
        # File names only: the page has no business with the server's folders.
        "data": Path(model.data.source).name,
        "test_data": Path(model.data.test_source).name
        if not model.data.test_source.startswith("held out")
        else model.data.test_source,
        "costs": list(model.costs),
        "record_every": model.record_every,
    }


def create_app(settings: ServerSettings) -> Starlette:
    """Build the application for ``settings``.

    Raises
    ------
    ModelFileError
        When ``settings.model_path`` is not a valid model file.
    """
    if settings.model_path is not None:
        current = CurrentModel(load_model(settings.model_path), settings.model_path.name)
    else:
        current = CurrentModel(None, "none")
    runs = TrainingRuns(on_model=current.set, load=_load_data)
    decode_limiter = anyio.CapacityLimiter(max(1, settings.decode_threads))
    save_lock = threading.Lock()

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-store"})

    async def model_info(request: Request) -> Response:
        model, origin = current.get()
        document = describe_model(model, origin)
        document["weights"] = await anyio.to_thread.run_sync(current.weight_pictures)
        document["limits"] = {
            "max_upload_bytes": settings.max_upload_bytes,
            "max_upload_text": describe_bytes(settings.max_upload_bytes),
            "max_images": settings.max_images,
        }
        document["version"] = __version__
        return JSONResponse(document)

    async def predict(request: Request) -> Response:
        model, origin = current.get()
        if model is None:
            return error(
                409,
                "no model yet: train one on this page first, or start the server with --model PATH",
            )
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return error(415, "send the photos as multipart/form-data in the field 'image'")
        try:
            form = await request.form(max_files=settings.max_images, max_fields=10)
        except HTTPException as exc:
            return error(400, f"the upload could not be read: {exc.detail}")
        try:
            files = [item for item in form.getlist("image") if isinstance(item, UploadFile)]
            if not files:
                return error(
                    400, "no photo in the request: send one or more files in the field 'image'"
                )
            uploads = []
            for index, item in enumerate(files):
                uploads.append(Upload(display_name(item.filename, index), await item.read()))
        finally:
            await form.close()

        def decode_all() -> list[LoadedImage | DataError]:
            return [decode_outcome(upload, model) for upload in uploads]

        outcomes = await anyio.to_thread.run_sync(decode_all, limiter=decode_limiter)
        good = [
            (u.name, o)
            for u, o in zip(uploads, outcomes, strict=True)
            if not isinstance(o, DataError)
        ]
        errors = [
            {"image": u.name, "error": str(o)}
            for u, o in zip(uploads, outcomes, strict=True)
            if isinstance(o, DataError)
        ]

        def score_all() -> list[dict[str, Any]]:
            return score([name for name, _ in good], [image for _, image in good], model)

        predictions = await anyio.to_thread.run_sync(score_all, limiter=decode_limiter)
        document = {
            "model": origin,
            "positive_class": model.classes[1],
            "predictions": predictions,
            "errors": errors,
        }
        if not predictions:
            # Nothing could be scored: the request as a whole failed, with the first reason.
            document["error"] = errors[0]["error"]
            return JSONResponse(document, status_code=422)
        return JSONResponse(document)

    async def train_info(request: Request) -> Response:
        job = runs.current
        return JSONResponse(
            {
                "choices": [{"id": c.id, "label": c.label} for c in settings.choices],
                "optimizers": [{"id": k, "label": v} for k, v in OPTIMIZER_LABELS.items()],
                "defaults": TRAINING_DEFAULTS,
                "job": job.summary() if job is not None else None,
                "model_dir": str(settings.model_dir),
            }
        )

    async def train_start(request: Request) -> Response:
        try:
            document = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error(400, "send the run's settings as a JSON object")
        try:
            run = parse_request(document, settings.choice)
            job = runs.start(run)
        except TrainingRequestError as exc:
            return error(400, str(exc))
        except TrainingBusy as exc:
            return error(409, str(exc))
        return JSONResponse({"job": job.summary()}, status_code=202)

    async def train_stop(request: Request) -> Response:
        job = runs.stop()
        if job is None:
            return error(409, "no training run is going")
        return JSONResponse({"job": job.summary(), "message": "stopping after this iteration"})

    async def train_events(request: Request) -> Response:
        try:
            job_id = int(request.query_params.get("job", ""))
        except ValueError:
            return error(400, "say which run: /api/train/events?job=N")
        job = runs.job(job_id)
        if job is None:
            return error(404, f"no run {job_id} (only the latest run's events are kept)")
        start = request.headers.get("last-event-id")
        first = int(start) + 1 if start is not None and start.isdigit() else 0
        return StreamingResponse(
            _event_stream(job, first),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def save(request: Request) -> Response:
        model, origin = current.get()
        if model is None:
            return error(409, "there is no model to save yet: train one first")

        def write() -> Path:
            with save_lock:
                target = _free_name(settings.model_dir)
                save_model(model, target)
                return target

        try:
            path = await anyio.to_thread.run_sync(write)
        except OSError as exc:
            return error(500, f"could not save the model in {settings.model_dir}: {exc}")
        return JSONResponse(
            {
                "saved": path.name,
                "folder": str(settings.model_dir),
                "path": str(path),
                "origin": origin,
            }
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return error(405, f"{request.method} is not allowed on {request.url.path}")
        return error(status, f"nothing at {request.url.path}")

    async def too_large(request: Request, exc: Exception) -> Response:
        return error(413, str(exc))

    async def server_error(request: Request, exc: Exception) -> Response:
        traceback.print_exception(exc, file=sys.stderr)
        return error(500, f"the server hit a bug ({type(exc).__name__}); it is still running")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await anyio.to_thread.run_sync(runs.shutdown)

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/api/model", model_info),
            Route("/api/model/save", save, methods=["POST"]),
            Route("/api/predict", predict, methods=["POST"]),
            Route("/api/train", train_info),
            Route("/api/train", train_start, methods=["POST"]),
            Route("/api/train/events", train_events),
            Route("/api/train/stop", train_stop, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)],
        exception_handlers={
            HTTPException: not_found,
            BodyTooLarge: too_large,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.current = current
    app.state.runs = runs
    app.state.settings = settings
    return app


def _load_data(settings: dict[str, Any]) -> Any:
    """Load a data choice (runs on the training thread)."""
    return load_dataset(
        settings["data"],
        settings["test"],
        image_size=(settings["image_size"], settings["image_size"]),
        mode=settings["mode"],
        positive=settings["positive"],
        seed=settings["seed"],
    )


def _free_name(folder: Path) -> Path:
    """The first ``web-model-N.npz`` that does not exist in ``folder``."""
    for number in range(1, 100_000):
        candidate = folder / SAVED_NAME.format(number)
        if not os.path.lexists(candidate):
            return candidate
    raise OSError(f"{folder} already holds too many saved models")


async def _event_stream(job: Any, first: int) -> AsyncIterator[str]:
    """Server-sent events of ``job`` from event ``first`` until its final event."""
    index = first
    idle = 0.0
    while True:
        events = job.events_since(index)
        for event in events:
            yield f"id: {event['id']}\ndata: {json.dumps(event)}\n\n"
            index = event["id"] + 1
            if event["type"] in ("finished", "stopped", "failed"):
                return
        if events:
            idle = 0.0
        else:
            idle += EVENT_POLL
            if idle >= KEEPALIVE:
                idle = 0.0
                yield ": still training\n\n"
        await asyncio.sleep(EVENT_POLL)
