"""An uploaded image's format and size from its header, before a single pixel is decoded.

A 100 KB PNG can declare 10000x10000 pixels (its IDAT is compressed zeros); decoding it would
take 300 MB before any limit could be checked. PNG (IHDR) and JPEG (SOF) are parsed here; other
formats are left to Pillow, whose ``Image.open`` reads the header only.
"""

import io
import struct

from PIL import Image, UnidentifiedImageError

from srgan_tf.utils.imageio import size_checked_by_caller

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: no length field


class HeaderError(ValueError):
    """Not an image, or a header that ends or lies before it says how large the image is."""


class TooLarge(ValueError):
    """An image whose header declares more pixels than allowed."""


def _png_size(data):
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise HeaderError("truncated PNG (no IHDR chunk)")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data):
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise HeaderError("corrupt JPEG (no marker where one should be)")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            raise HeaderError("corrupt JPEG (no frame header before the image data)")
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_SOF:
            if position + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    raise HeaderError("truncated JPEG (it ends before its frame header)")


def image_size(data, max_pixels):
    """``(format, width, height)`` of encoded image ``data`` (bytes), from its header only.

    Raises :class:`TooLarge` above ``max_pixels`` (width x height), :class:`HeaderError` for data
    that is no image Pillow knows, or whose header is cut short. JPEG's EXIF orientation may swap
    width and height later; their product does not change.
    """
    kind, width, height = _header_size(data)
    if width * height > max_pixels:
        raise TooLarge(f"{width}x{height} is more than the server's limit of {max_pixels} pixels")
    if width == 0 or height == 0:
        raise HeaderError(f"corrupt {kind} (it declares {width}x{height} pixels)")
    return kind, width, height


def _header_size(data):
    if data[:8] == PNG_SIGNATURE:
        return ("PNG", *_png_size(data))
    if data[:3] == b"\xff\xd8\xff":
        return ("JPEG", *_jpeg_size(data))
    try:
        # The limits are the caller's: Pillow's own bomb warning would stop at the header.
        with size_checked_by_caller(), Image.open(io.BytesIO(data)) as image:
            return (image.format, *image.size)
    except Image.DecompressionBombError as error:  # above twice Pillow's MAX_IMAGE_PIXELS (179 MP)
        raise TooLarge(str(error).split(" could be")[0]) from error
    except UnidentifiedImageError as error:
        raise HeaderError("not a recognised image file") from error
    except (OSError, ValueError, SyntaxError, struct.error) as error:
        raise HeaderError(f"unreadable image header ({error})") from error
