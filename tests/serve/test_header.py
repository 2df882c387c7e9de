"""Image sizes from headers alone, before decoding: what the server checks its limits on."""

import io

import numpy as np
import pytest
from imagefiles import png_bomb
from PIL import Image

from srgan_tf.serve.header import HeaderError, TooLarge, image_size

LIMIT = 2048 * 2048


def encoded(photo, fmt, **options):
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "fmt, options",
    [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}), ("WEBP", {}), ("BMP", {}), ("TIFF", {})],
)
def test_size_from_the_header_matches_the_decoded_image(photos, fmt, options):
    photo = np.ascontiguousarray(photos[0][:37, :53])
    data = encoded(photo, fmt, **options)
    kind, width, height = image_size(data, LIMIT)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    assert (kind, width, height) == (decoded.format, *decoded.size) == (fmt, 53, 37)


def test_jpeg_with_exif_and_icc_before_its_frame_header(photos):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the stored size is what counts
    data = encoded(photos[0][:40, :64], "JPEG", exif=exif.tobytes(), icc_profile=b"\x00" * 3000)
    assert image_size(data, LIMIT) == ("JPEG", 64, 40)


def test_a_png_bomb_is_refused_from_its_header():
    data = png_bomb(10000, 10000)
    assert len(data) < 200_000
    with pytest.raises(TooLarge, match="10000x10000"):
        image_size(data, LIMIT)
    assert image_size(png_bomb(64, 48), LIMIT) == ("PNG", 64, 48)


def test_pillow_formats_past_pillows_own_bomb_limit_are_too_large():
    bmp = bytearray(encoded(np.zeros((4, 4, 3), np.uint8), "BMP"))
    bmp[18:26] = (20000).to_bytes(4, "little", signed=True) + (20000).to_bytes(4, "little", signed=True)
    with pytest.raises(TooLarge):
        image_size(bytes(bmp), LIMIT)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"this is a text file, not an image\n", "not a recognised image"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "truncated PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "truncated JPEG"),
        (b"\xff\xd8\xff\xda\x00\x08", "no frame header"),
        (b"", "not a recognised image"),
    ],
)
def test_what_is_not_an_image_header(data, message):
    with pytest.raises(HeaderError, match=message):
        image_size(data, LIMIT)


def test_zero_sized_png_is_corrupt():
    with pytest.raises(HeaderError, match="0x48"):
        image_size(png_bomb(0, 48)[:33], LIMIT)


def test_request_pixels_are_bounded_in_all_and_names_survive_headers():
    import base64
    import json

    from imagefiles import png_bomb

    from srgan_tf.serve.app import content_disposition
    from srgan_tf.serve.rest import RestError, parse_predict

    small = base64.b64encode(png_bomb(30, 20)).decode("ascii")
    body = {"signature_name": "upscale_image", "instances": [{"b64": small}] * 3}
    body = json.dumps(body)
    assert len(parse_predict(body, 1800)[1]) == 3  # 3 x 600 pixels: at the limit
    with pytest.raises(RestError) as caught:
        parse_predict(body, 1799)
    assert caught.value.status == 413 and "1800 input pixels in all" in str(caught.value)
    header = content_disposition('写真 "1".png')
    header.encode("latin-1")  # what Starlette does with it
    assert 'filename="__ _1_.png"' in header and "filename*=UTF-8''%E5%86%99%E7%9C%9F%20%221%22.png" in header
