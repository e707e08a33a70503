"""The bundled default data: 100 faces and 100 non-faces (25x25 grey) from scikit-image.

They ship inside scikit-image (``skimage.data.lfw_subset()``), so the first
run needs no download.
"""

from __future__ import annotations

from logistic_neuron.data.dataset import Split, check_images
from logistic_neuron.neuron.backend import np

FACES = "faces"


def load_faces() -> tuple[Split, tuple[str, str]]:
    """The 200 bundled 25x25 grey images: 100 faces (label 1) and 100 non-faces (label 0).

    They ship inside scikit-image (``skimage.data.lfw_subset()``): nothing is
    downloaded. Their float pixels are stored as 8-bit like any image file.
    """
    from skimage import data as skimage_data

    pixels = np.asarray(skimage_data.lfw_subset())
    images = check_images(pixels, "faces")
    # lfw_subset() lists the 100 faces first, then the 100 non-faces.
    labels = np.concatenate([np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)])
    names = tuple(f"face-{i}" if i < 100 else f"non-face-{i - 100}" for i in range(200))
    return Split(images, labels, names), ("non-face", "face")
