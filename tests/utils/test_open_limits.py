"""open_image's pixel limit is the caller's: Pillow's 89 MP warning does not refuse an image the
limit admits, and above Pillow's hard limit the error says so. Headers only: nothing is decoded."""

import pytest
from imagefiles import png_bomb
from PIL import Image

from srgan_tf.errors import SRGANError
from srgan_tf.utils.imageio import MAX_DECODE_PIXELS, open_image


def test_the_default_limit_is_pillows_hard_limit():
    assert MAX_DECODE_PIXELS == 2 * Image.MAX_IMAGE_PIXELS


def test_an_image_above_pillows_warning_opens_when_the_limit_admits_it(tmp_path, recwarn):
    path = tmp_path / "100mp.png"
    path.write_bytes(png_bomb(10000, 10000))  # 100 MP, above Pillow's 89 MP warning
    with open_image(path) as image:
        assert image.size == (10000, 10000)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
    with pytest.raises(SRGANError, match="exceeds the limit of 50000000 pixels"):
        open_image(path, max_pixels=50_000_000)


def test_above_pillows_hard_limit_the_error_names_it(tmp_path):
    path = tmp_path / "200mp.png"
    path.write_bytes(png_bomb(20000, 10000))
    with pytest.raises(SRGANError, match=rf"image too large \(Pillow opens at most {2 * Image.MAX_IMAGE_PIXELS}"):
        open_image(path, max_pixels=10**9)
