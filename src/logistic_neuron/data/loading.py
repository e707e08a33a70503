"""One entry point for every source: ``faces``, a course ``.h5`` file or an image folder.

Sources (:func:`load_dataset`):

* ``"faces"``: the 100 faces and 100 non-faces (25x25 grey) that ship inside
  scikit-image (``skimage.data.lfw_subset()``; no download), split
  deterministically and stratified into train and test;
* a course-style ``.h5`` file (``train_set_x``/``train_set_y``/``list_classes``
  or the ``test_set_*`` keys);
* a folder with one subfolder per class (exactly two classes);
* a store packed by ``logistic-neuron pack`` (:mod:`logistic_neuron.data.store`),
  read whole into memory here (the chunked engines read it a chunk at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from logistic_neuron.data.course_h5 import is_h5_path, load_h5_split
from logistic_neuron.data.dataset import (
    DEFAULT_TEST_FRACTION,
    Dataset,
    Split,
    check_binary_labels,
    mode_of,
    stratified_split,
)
from logistic_neuron.data.faces import FACES, load_faces
from logistic_neuron.data.folders import load_image_folder
from logistic_neuron.data.store import is_store, load_store_split
from logistic_neuron.errors import DataError


def load_labelled(
    source: str,
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    classes: tuple[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Split, tuple[str, str]]:
    """Read every labelled example of one source (``faces``, ``.h5`` file, folder or store).

    ``progress(done, total)`` follows the decoding of an image folder's images.
    """
    if source == FACES:
        return load_faces()
    path = Path(source)
    if is_store(path):
        return load_store_split(path)
    if path.is_dir():
        return load_image_folder(
            path,
            image_size=image_size,
            mode=mode,
            positive=positive,
            classes=classes,
            progress=progress,
        )
    if is_h5_path(source) or path.is_file():
        return load_h5_split(path)
    raise DataError(
        f"data source not found: {source} (use 'faces', a course .h5 file or a folder of images)"
    )


def load_dataset(
    source: str = FACES,
    test: str | None = None,
    *,
    image_size: tuple[int, int] = (64, 64),
    mode: str = "RGB",
    positive: str | None = None,
    seed: int = 0,
    test_fraction: float = DEFAULT_TEST_FRACTION,
) -> Dataset:
    """Load a training set and a test set.

    Parameters
    ----------
    source : str
        ``"faces"`` (bundled), a course ``.h5`` file, or an image folder.
    test : str, optional
        Where the test set comes from. Without it, ``test_fraction`` of each
        class of ``source`` is held out (stratified, reproducible with ``seed``).
    image_size : (height, width)
        Size image folders are resized to (``.h5`` files and faces keep theirs).
    mode : {"RGB", "L"}
        Colour mode for image folders.
    positive : str, optional
        The positive class folder of an image folder.
    seed : int
    test_fraction : float

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Anything wrong with the data, in one line.
    """
    train_all, classes = load_labelled(source, image_size=image_size, mode=mode, positive=positive)
    check_binary_labels(train_all.labels, source, need_both=True)
    if test is None:
        train, held_out = stratified_split(train_all, test_fraction, seed)
        return Dataset(
            train=train,
            test=held_out,
            classes=classes,
            mode=mode_of(train),
            source=source,
            test_source=f"held out from {source}",
            split_seed=seed,
            test_fraction=test_fraction,
        )
    if source == FACES or test == FACES:
        raise DataError("the bundled faces come with their own test split: drop --test")
    test_split, test_classes = load_labelled(
        test, image_size=train_all.image_shape[:2], mode=mode_of(train_all), classes=classes
    )
    if test_split.image_shape != train_all.image_shape:
        raise DataError(
            f"test images are {test_split.image_shape} but training images are "
            f"{train_all.image_shape}; both sets must hold images of one size and mode"
        )
    if test_classes != classes:
        raise DataError(
            f"the test set's classes {test_classes} differ from the training set's {classes}"
        )
    return Dataset(
        train=train_all,
        test=test_split,
        classes=classes,
        mode=mode_of(train_all),
        source=source,
        test_source=test,
    )
