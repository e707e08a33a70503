"""Reading one image the way the model sees it.

Every image, in training and in prediction, goes through :func:`load_image`:
decoded by Pillow, turned upright by its EXIF orientation, converted to the
model's colour mode (transparent pixels are put on white), resized to the
model's size with bicubic resampling (the aspect ratio is not kept, as in the
course), and returned as ``uint8`` pixels of shape ``(H, W, C)``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from logistic_neuron.data.files import open_regular
from logistic_neuron.errors import DataError
from logistic_neuron.neuron.backend import np

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported inside the functions that decode images, so that importing
# this module (for MAX_SIDE, MODES ...) stays cheap: `--help` and the .h5 path never load it.

#: Colour modes a model can use, and the number of channels of each.
MODES = {"RGB": 3, "L": 1}

#: Images with more pixels than this are refused before they are decoded:
#: a small file can claim a huge size (a "decompression bomb") and exhaust memory.
MAX_PIXELS = 40_000_000

#: Largest image side (height or width) an image is resized to, or a model may declare.
MAX_SIDE = 4096

#: How images are resized; recorded in every model file.
RESAMPLE = "bicubic"


def channels_of(mode: str) -> int:
    """Number of channels of a colour mode (``RGB`` -> 3, ``L`` -> 1)."""
    if mode not in MODES:
        raise ValueError(f"unknown colour mode {mode!r}: use one of {', '.join(MODES)}")
    return MODES[mode]


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Check an image size ``(height, width)`` and return it as ints."""
    try:
        height, width = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(f"image size must be (height, width), got {size!r}") from None
    if not (1 <= height <= MAX_SIDE and 1 <= width <= MAX_SIDE):
        raise ValueError(
            f"image size must be between 1 and {MAX_SIDE} pixels a side, got {height}x{width}"
        )
    return height, width


def _to_mode(image: Image.Image, mode: str) -> Image.Image:
    from PIL import Image

    """Convert to ``mode``, compositing transparency onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit and 32-bit grey: scale the full range to 0..255 instead of clipping.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        image = Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert(mode)


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """An image as the model sees it, and what it was before.

    Attributes
    ----------
    pixels : ndarray, shape (height, width, channels), uint8
    original_size : (int, int)
        ``(height, width)`` of the file, after EXIF rotation.
    original_mode : str
        Pillow's mode of the file (``RGB``, ``RGBA``, ``L``, ``P`` ...).
    """

    pixels: np.ndarray
    original_size: tuple[int, int]
    original_mode: str

    def changes(self) -> list[str]:
        """What preprocessing changed, in words (empty when nothing)."""
        height, width = self.pixels.shape[:2]
        notes = []
        if self.original_size != (height, width):
            notes.append(
                f"resized from {self.original_size[1]}x{self.original_size[0]} to {width}x{height}"
            )
        target = "RGB" if self.pixels.shape[2] == 3 else "L"
        if self.original_mode != target:
            notes.append(f"converted from {self.original_mode} to {target}")
        return notes


def load_image(
    path: str | os.PathLike[str], size: tuple[int, int] = (64, 64), mode: str = "RGB"
) -> np.ndarray:
    """Read an image file as the model sees it: ``read_image(...).pixels``.

    Parameters
    ----------
    path : str or PathLike
    size : (height, width)
    mode : {"RGB", "L"}

    Returns
    -------
    ndarray, shape (height, width, channels), uint8
    """
    return read_image(path, size, mode).pixels


def read_image(
    path: str | os.PathLike[str], size: tuple[int, int] = (64, 64), mode: str = "RGB"
) -> LoadedImage:
    """Read an image file as the model sees it, remembering its original size and mode.

    Parameters
    ----------
    path : str or PathLike
        Any format Pillow reads (PNG, JPEG, GIF, BMP, TIFF, WebP ...).
    size : (int, int)
        ``(height, width)`` after resizing.
    mode : {"RGB", "L"}
        Colour mode after conversion.

    Returns
    -------
    LoadedImage

    Raises
    ------
    DataError
        Missing, unreadable, truncated, non-image or oversized files.
    """
    check_size(size)
    channels_of(mode)
    file = Path(path)
    if not file.exists():
        raise DataError(f"image not found: {file}")
    if file.is_dir():
        raise DataError(f"{file} is a folder, not an image file")
    with open_regular(file, "image") as handle:
        return decode_image(handle, size, mode, name=str(file))


def decode_image(
    source: str | os.PathLike[str] | BinaryIO,
    size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    *,
    name: str,
) -> LoadedImage:
    """Decode an image (a file or an open binary stream) as the model sees it.

    This is the one place where pixels are made: :func:`read_image` calls it
    with a path, the web app with the bytes of an upload, so a photo gets the
    same pixels (and the same probability) either way.

    Parameters
    ----------
    source : str, PathLike or binary file object
        Any format Pillow reads (PNG, JPEG, GIF, BMP, TIFF, WebP ...).
    size : (int, int)
        ``(height, width)`` after resizing.
    mode : {"RGB", "L"}
        Colour mode after conversion.
    name : str
        What messages call the image (its path, or an upload's file name).

    Returns
    -------
    LoadedImage

    Raises
    ------
    DataError
        Unreadable, truncated, non-image or oversized images.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    height, width = check_size(size)
    channels = channels_of(mode)
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than fails) between MAX_IMAGE_PIXELS and twice that.
            # catch_warnings is not thread-safe: with images read on threads, a
            # filter may outlive this block. It only ever turns this same warning
            # into an error, which every caller here answers the same way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                pixels = opened.size[0] * opened.size[1]
                if pixels > MAX_PIXELS:
                    raise DataError(
                        f"{name} is {opened.size[0]}x{opened.size[1]} pixels, more than the "
                        f"{MAX_PIXELS:,} this tool decodes (a possible decompression bomb); "
                        "shrink it first"
                    )
                opened.load()
                original_mode = opened.mode
                image = ImageOps.exif_transpose(opened)
                original_size = (image.size[1], image.size[0])
                image = _to_mode(image, mode)
                if image.size != (width, height):
                    image = image.resize((width, height), Image.Resampling.BICUBIC)
                array = np.asarray(image, dtype=np.uint8)
    except DataError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DataError(
            f"{name} claims an enormous size (a possible decompression bomb) and was refused"
        ) from None
    except UnidentifiedImageError:
        raise DataError(f"{name} is not an image file Pillow can read") from None
    except MemoryError:
        raise DataError(f"not enough memory to decode {name}; shrink it first") from None
    except PermissionError:
        raise DataError(f"cannot read {name}: permission denied") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(
            f"cannot read image {name}: {reason} (is it truncated or corrupt?)"
        ) from None
    return LoadedImage(array.reshape(height, width, channels), original_size, original_mode)
