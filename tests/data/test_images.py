import numpy as np
import pytest
from PIL import Image

from logistic_neuron.data.images import MAX_PIXELS, load_image, read_image
from logistic_neuron.errors import DataError
from support.imagefactory import write_image


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
@pytest.mark.parametrize("suffix", [".png", ".bmp", ".gif", ".tiff"])
def test_any_mode_and_format_becomes_rgb(tmp_path, mode, suffix):
    path = write_image(tmp_path / f"x{suffix}", mode=mode)
    pixels = load_image(path, (16, 16), "RGB")
    assert pixels.shape == (16, 16, 3) and pixels.dtype == np.uint8


def test_jpeg_and_grey_output(tmp_path):
    path = write_image(tmp_path / "x.jpg", size=(40, 50))
    loaded = read_image(path, (8, 8), "L")
    assert loaded.pixels.shape == (8, 8, 1)
    assert loaded.original_size == (40, 50)
    assert loaded.changes() == ["resized from 50x40 to 8x8", "converted from RGB to L"]


def test_same_size_and_mode_is_untouched(tmp_path):
    array = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    Image.fromarray(array, "RGB").save(tmp_path / "x.png")
    loaded = read_image(tmp_path / "x.png", (4, 5), "RGB")
    np.testing.assert_array_equal(loaded.pixels, array)
    assert loaded.changes() == []


def test_transparency_is_put_on_white(tmp_path):
    array = np.zeros((4, 4, 4), dtype=np.uint8)  # fully transparent black
    Image.fromarray(array, "RGBA").save(tmp_path / "t.png")
    assert np.all(load_image(tmp_path / "t.png", (4, 4)) == 255)


def test_exif_orientation_is_applied(tmp_path):
    array = np.zeros((10, 20, 3), dtype=np.uint8)
    array[:, :10] = 255  # left half white
    image = Image.fromarray(array, "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    image.save(tmp_path / "r.jpg", exif=exif, quality=100)
    loaded = read_image(tmp_path / "r.jpg", (20, 10))
    assert loaded.original_size == (20, 10)  # upright: 10 wide, 20 high
    assert loaded.pixels[:8].mean() > 200 and loaded.pixels[-8:].mean() < 50


def test_sixteen_bit_grey_is_scaled(tmp_path):
    array = np.full((4, 4), 65535, dtype=np.uint16)
    Image.fromarray(array).save(tmp_path / "g.png")
    assert np.all(load_image(tmp_path / "g.png", (4, 4), "L") == 255)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an image file"),
        (b"hello, I am text", "not an image file"),
    ],
)
def test_non_images_are_refused(tmp_path, content, message):
    path = tmp_path / "fake.jpg"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_image(path)


def test_truncated_image_is_refused(tmp_path):
    path = write_image(tmp_path / "x.png", size=(64, 64))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_image(path)


def test_missing_and_folder(tmp_path):
    with pytest.raises(DataError, match="image not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(DataError, match="is a folder"):
        load_image(tmp_path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    # A 1-bit image claiming 8000 x 8000 pixels: 8 MB of bits, 64 megapixels.
    Image.new("1", (8000, 8000)).save(tmp_path / "bomb.png")
    assert 8000 * 8000 > MAX_PIXELS
    with pytest.raises(DataError, match="decompression bomb"):
        load_image(tmp_path / "bomb.png")


def test_bad_size_and_mode():
    with pytest.raises(ValueError, match="image size"):
        load_image("x.png", (0, 5))
    with pytest.raises(ValueError, match="unknown colour mode"):
        load_image("x.png", (5, 5), "CMYK")
