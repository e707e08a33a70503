"""Small image files and folders made on the fly for tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_image(path: Path, size=(20, 30), mode="RGB", seed=0, fmt=None) -> Path:
    """Write a random image of ``size`` (height, width) in Pillow ``mode``."""
    rng = np.random.default_rng(seed)
    height, width = size
    if mode in ("RGB", "RGBA"):
        channels = 3 if mode == "RGB" else 4
        array = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
        image = Image.fromarray(array, mode)
    else:
        array = rng.integers(0, 256, (height, width), dtype=np.uint8)
        image = Image.fromarray(array, "L")
        if mode == "P":
            image = image.convert("P")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)
    return path


def make_folder(root: Path, classes=("cat", "non-cat"), per_class=4, size=(20, 30)) -> Path:
    """A class folder data set: the positive class images are bright, the negative dark."""
    for index, name in enumerate(classes):
        for i in range(per_class):
            rng = np.random.default_rng(100 * index + i)
            base = 200 if index == 0 else 40
            array = np.clip(rng.normal(base, 20, (*size, 3)), 0, 255).astype(np.uint8)
            target = root / name / f"img{i}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(array, "RGB").save(target)
    return root
