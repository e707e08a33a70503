"""What a web server is started with, and the data sets its page may train on.

Everything that names a file comes from the command line, never from a
request: the page chooses a data set by its id (``faces``, ``data``), and a
trained model is saved under a name the server picks, inside ``model_dir``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Default upload limit (one request, all its photos together).
DEFAULT_MAX_UPLOAD_BYTES = 20 * 2**20

#: Most photos one prediction request may carry.
DEFAULT_MAX_IMAGES = 20

#: Most iterations the page may ask for in one run (keeps a run bounded).
MAX_ITERATIONS = 100_000

#: Largest learning rate the page may ask for.
MAX_LEARNING_RATE = 100.0

#: Training settings the page starts with (the course's classic run).
TRAINING_DEFAULTS: dict[str, Any] = {"learning_rate": 0.005, "iterations": 2000, "optimizer": "gd"}

#: The optimisers the page offers (ids of :data:`logistic_neuron.neuron.optimizers.OPTIMIZERS`).
OPTIMIZER_LABELS = {
    "gd": "gradient descent (the course)",
    "momentum": "momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}


@dataclass(frozen=True)
class DataChoice:
    """A data set the page may train on.

    Attributes
    ----------
    id : str
        What the page sends (never a path).
    label : str
        What the page shows.
    settings : dict
        The data options (``data``, ``test``, ``image_size``, ``mode``,
        ``positive``, ``seed``) passed to the loader.
    """

    id: str
    label: str
    settings: dict[str, Any]


def data_choices(
    source: str | None = None,
    test: str | None = None,
    *,
    image_size: int = 64,
    mode: str = "RGB",
    positive: str | None = None,
    seed: int = 0,
) -> tuple[DataChoice, ...]:
    """The bundled faces, and the data set given on the command line when there is one."""
    options = {"image_size": image_size, "mode": mode, "positive": positive, "seed": seed}
    choices = [
        DataChoice(
            "faces",
            "the bundled faces (100 faces, 100 non-faces, 25x25 grey)",
            {"data": "faces", "test": None, **options},
        )
    ]
    if source is not None and source != "faces":
        label = Path(source).name + (f" (test: {Path(test).name})" if test else "")
        choices.append(DataChoice("data", label, {"data": source, "test": test, **options}))
    return tuple(choices)


@dataclass(frozen=True)
class ServerSettings:
    """How a web server is set up.

    Attributes
    ----------
    model_path : Path, optional
        The model the page predicts with at start (``--model``); without one
        the page asks for a training run first.
    model_dir : Path
        Where models trained on the page are saved (``--model-dir``).
    choices : tuple of DataChoice
        The data sets the page may train on.
    max_upload_bytes : int
        Largest request body; larger ones get 413.
    max_images : int
        Most photos in one prediction request.
    decode_threads : int
        Photos decoded at once (the rest wait their turn, off the event loop).
    """

    model_path: Path | None = None
    model_dir: Path = Path(".")
    choices: tuple[DataChoice, ...] = field(default_factory=data_choices)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_images: int = DEFAULT_MAX_IMAGES
    decode_threads: int = 2

    def choice(self, choice_id: Any) -> DataChoice | None:
        """The data choice with this id, or None."""
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None
