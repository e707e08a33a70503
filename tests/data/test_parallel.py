"""Parallel image loading gives exactly the serial pixels, in order."""

from __future__ import annotations

import numpy as np
import pytest

from logistic_neuron.data.images import load_image
from logistic_neuron.data.parallel import CHUNK, load_images_parallel
from logistic_neuron.errors import DataError
from support.imagefactory import write_image


@pytest.fixture(scope="module")
def image_paths(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    sizes = [(20, 30), (64, 64), (9, 50)]
    return [
        write_image(folder / f"im{i:03d}.{'png' if i % 2 else 'jpg'}", sizes[i % 3], seed=i)
        for i in range(2 * CHUNK + 5)
    ]


@pytest.mark.parametrize(("pool", "workers"), [("thread", 2), ("process", 2), ("serial", None)])
def test_same_pixels_as_one_at_a_time(image_paths, pool, workers):
    expected = np.stack([load_image(p, (32, 24), "RGB") for p in image_paths])
    got = load_images_parallel(image_paths, (32, 24), "RGB", workers, pool=pool)
    assert got.shape == (len(image_paths), 32, 24, 3)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


def test_grayscale_and_empty(image_paths):
    got = load_images_parallel(image_paths[:3], (8, 8), "L", 2)
    assert got.shape == (3, 8, 8, 1)
    assert load_images_parallel([], (8, 8), "RGB").shape == (0, 8, 8, 3)


def test_first_bad_path_is_reported(image_paths, tmp_path):
    missing = tmp_path / "absent.png"
    paths = [*image_paths[: CHUNK + 2], missing, *image_paths[:5]]
    with pytest.raises(DataError, match="absent.png"):
        load_images_parallel(paths, (8, 8), "RGB", 2)


def test_bad_settings(image_paths):
    with pytest.raises(ValueError, match="pool"):
        load_images_parallel(image_paths, pool="gpu")
    with pytest.raises(ValueError, match="workers"):
        load_images_parallel(image_paths, workers=0)


def test_read_images_parallel_keeps_order_and_errors(tmp_path):
    from logistic_neuron.data.images import LoadedImage, read_image
    from logistic_neuron.data.parallel import read_images_parallel
    from logistic_neuron.errors import DataError
    from support.imagefactory import write_image

    paths = [write_image(tmp_path / f"{i}.png", (10 + i, 12), seed=i) for i in range(6)]
    (tmp_path / "bad.jpg").write_text("not an image")
    paths.insert(3, tmp_path / "bad.jpg")
    outcomes = read_images_parallel(paths, (8, 8), "RGB", workers=2)
    assert isinstance(outcomes[3], DataError) and "bad.jpg" in str(outcomes[3])
    for path, outcome in zip(paths, outcomes, strict=True):
        if path.name != "bad.jpg":
            assert isinstance(outcome, LoadedImage)
            np.testing.assert_array_equal(outcome.pixels, read_image(path, (8, 8)).pixels)
