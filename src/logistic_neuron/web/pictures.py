"""What the page shows of a model and a photo, as small PNG images (``data:`` URLs).

* :func:`model_view`: the photo as the model sees it (resized, converted);
* :func:`contribution_overlay`: each pixel's contribution ``w_j x_j`` to ``z``
  (summed over colour channels, :func:`~logistic_neuron.pictures.plots.pixel_contributions`),
  coloured red (towards the positive class) or blue (towards the negative one)
  and transparent where it is near zero, so the page lays it over the photo;
* :func:`weight_pictures`: the weights laid out as images, all channels
  together and one per colour.

Drawn with Pillow and a hand-written colour ramp rather than matplotlib:
these are a few pixels per weight, matplotlib would be a heavy dependency for
the web extra, and the ramp is the same red-white-blue (``RdBu_r``) the
report's pictures use.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from logistic_neuron.neuron.backend import np
from logistic_neuron.pictures.plots import pixel_contributions

#: ``RdBu_r`` at -1, -0.5, 0, 0.5, 1: blue (negative) - white (zero) - red (positive).
RAMP_STOPS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
RAMP_COLOURS = np.array(
    [[5, 48, 97], [67, 147, 195], [247, 247, 247], [214, 96, 77], [103, 0, 31]], dtype=np.float64
)

#: Opacity of the strongest contribution in the overlay (the photo shows through).
OVERLAY_OPACITY = 0.85


def png_data_url(pixels: np.ndarray) -> str:
    """A ``data:image/png`` URL of uint8 pixels (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)."""
    array = np.ascontiguousarray(pixels, dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def symmetric_limit(values: np.ndarray) -> float:
    """The largest absolute value (1.0 when all are zero), so the ramp is centred on 0."""
    limit = float(np.max(np.abs(values))) if values.size else 0.0
    return limit if limit > 0 else 1.0


def diverging(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Colour ``values`` (H, W) on the red-white-blue ramp; returns uint8 (H, W, 3)."""
    scale = symmetric_limit(values) if limit is None else limit
    t = np.clip(np.asarray(values, dtype=np.float64) / scale, -1.0, 1.0)
    channels = [np.interp(t, RAMP_STOPS, RAMP_COLOURS[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def model_view(pixels: np.ndarray) -> str:
    """The photo as the model sees it: its (H, W, C) uint8 pixels as a PNG URL."""
    return png_data_url(pixels)


def contributions(pixels: np.ndarray, w: Any) -> np.ndarray:
    """``w_j x_j`` summed over channels, shape (H, W); adds up to ``z - b``."""
    return pixel_contributions(pixels, w)


def contribution_overlay(values: np.ndarray) -> str:
    """An RGBA PNG URL of contributions (H, W): coloured where strong, clear where near zero."""
    colours = diverging(values)
    strength = np.abs(values) / symmetric_limit(values)
    alpha = np.rint(255 * OVERLAY_OPACITY * np.sqrt(strength)).astype(np.uint8)
    return png_data_url(np.concatenate([colours, alpha[:, :, np.newaxis]], axis=-1))


def weight_pictures(w: Any, image_shape: tuple[int, int, int]) -> list[dict[str, str]]:
    """The weights as images: summed over channels, then each colour channel on its own.

    Returns
    -------
    list of {"title": str, "png": data URL}
        One entry for grey models; four (all, red, green, blue) for colour ones.
    """
    height, width, channels = image_shape
    weights = np.asarray(w, dtype=np.float64).reshape(height, width, channels)
    limit = symmetric_limit(weights)
    if channels == 1:
        return [{"title": "weights", "png": png_data_url(diverging(weights[:, :, 0], limit))}]
    pictures = [{"title": "all channels", "png": png_data_url(diverging(weights.sum(axis=2)))}]
    for index, name in enumerate(("red", "green", "blue")[:channels]):
        pictures.append(
            {"title": name, "png": png_data_url(diverging(weights[:, :, index], limit))}
        )
    return pictures
