"""Uploaded photos, decoded exactly as ``logistic-neuron predict`` decodes files, and scored.

The bytes of an upload go to :func:`logistic_neuron.data.images.decode_image`, the
function ``predict`` uses for a file, and the decoded images are scored together
with :meth:`TrainedModel.predict_proba_images`, as ``predict`` scores its files:
the same photo and model give the same probability, to the last bit. An
upload's file name is only ever shown back (cleaned of control characters),
never used as a path.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from logistic_neuron.data.images import LoadedImage, decode_image
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.prediction import THRESHOLD
from logistic_neuron.storage.model_file import TrainedModel
from logistic_neuron.web.pictures import contribution_overlay, contributions, model_view

#: Longest file name shown back.
MAX_NAME = 120


@dataclass(frozen=True)
class Upload:
    """One uploaded photo: its (display) name and its bytes."""

    name: str
    data: bytes


def display_name(name: str | None, index: int) -> str:
    """A file name safe to show: printable, bounded; ``photo N`` when there is none."""
    cleaned = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    # Only the last path component: browsers send bare names, but a client may not.
    cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1]
    if not cleaned:
        return f"photo {index + 1}"
    return cleaned if len(cleaned) <= MAX_NAME else cleaned[: MAX_NAME - 1] + "…"


def decode_upload(upload: Upload, model: TrainedModel) -> LoadedImage:
    """Decode one upload to the model's size and colour mode.

    Raises
    ------
    DataError
        Empty, non-image, truncated, unsupported or oversized (decompression
        bomb) uploads, in one line naming the file.
    """
    if not upload.data:
        raise DataError(f"{upload.name} is empty: choose an image file")
    height, width, _ = model.image_shape
    return decode_image(io.BytesIO(upload.data), (height, width), model.mode, name=upload.name)


def decode_outcome(upload: Upload, model: TrainedModel) -> LoadedImage | DataError:
    """:func:`decode_upload`, with a refusal returned instead of raised."""
    try:
        return decode_upload(upload, model)
    except DataError as exc:
        return exc


def score(names: list[str], images: list[LoadedImage], model: TrainedModel) -> list[dict[str, Any]]:
    """The prediction for each decoded image, as ``predict --json`` gives it, plus pictures.

    Parameters
    ----------
    names : list of str
        Display names, one per image.
    images : list of LoadedImage
        Decoded to the model's shape, in the order of ``names``.
    model : TrainedModel

    Returns
    -------
    list of dict
        ``image``, ``label``, ``class``, ``probability`` and ``preprocessing``
        (as ``predict --json``), and ``z``, ``model_view`` and
        ``contributions`` (PNG data URLs) for the page.
    """
    if not images:
        return []
    probabilities = model.predict_proba_images(np.stack([image.pixels for image in images]))
    results = []
    for name, image, probability in zip(names, images, probabilities, strict=True):
        label = int(probability > THRESHOLD)
        values = contributions(image.pixels, model.w)
        results.append(
            {
                "image": name,
                "label": label,
                "class": model.classes[label],
                "probability": float(probability),
                "preprocessing": image.changes(),
                "z": float(values.sum()) + float(model.b),
                "model_view": model_view(image.pixels),
                "contributions": contribution_overlay(values),
            }
        )
    return results
