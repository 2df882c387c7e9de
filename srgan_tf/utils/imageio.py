"""Reading real image files into one canonical form: RGB, uint8, upright.

Photos arrive as JPEG with EXIF rotation, PNG with alpha or a palette, 16-bit
PNG/TIFF, grayscale scans, CMYK JPEG, WebP. Training, validation and
representative data for quantisation all go through :func:`load_rgb8`, so a
given file becomes the same pixels everywhere.
"""

import contextlib
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from srgan_tf.errors import SRGANError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif")

# Refuse images above this many pixels before decoding them (decompression bombs): Pillow's own
# hard limit (twice Image.MAX_IMAGE_PIXELS, 179 MP by default), far above a camera's photo; Pillow
# refuses anything larger in Image.open whatever limit a caller passes.
MAX_DECODE_PIXELS = 2 * Image.MAX_IMAGE_PIXELS if Image.MAX_IMAGE_PIXELS else 256 * 1024 * 1024

# Pillow's modes of 16-bit (and 32-bit integer) grayscale, as 16-bit PNGs and TIFFs open.
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def is_image_path(path):
    return os.path.splitext(os.fspath(path))[1].lower() in IMAGE_EXTENSIONS


@contextlib.contextmanager
def size_checked_by_caller():
    """Silences Pillow's DecompressionBombWarning (above its MAX_IMAGE_PIXELS, 89 MP), which it
    gives on open and again while some formats (TIFF) load: :func:`open_image` has already checked
    the caller's limit from the same header. Pillow's hard error (twice that) still stands."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def ignore_bomb_warning_in_process():
    """For a process whose every decode follows :func:`open_image`'s check (the ``srgan`` commands),
    Pillow's DecompressionBombWarning once for all. :func:`size_checked_by_caller` alone is not
    enough where threads decode (serve's worker and request threads, upscale's decode-ahead):
    ``warnings.catch_warnings`` saves and restores the process's filters, so a thread leaving it
    restores them under another thread still inside. Call before such threads start."""
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def open_image(path, max_pixels=MAX_DECODE_PIXELS):
    """Opens ``path`` lazily (header only) and checks its size; raises SRGANError. Decode what
    it returns under :func:`size_checked_by_caller`."""
    try:
        with size_checked_by_caller():
            image = Image.open(path)
    except FileNotFoundError as error:
        raise SRGANError(f"no such file: {path}") from error
    except Image.DecompressionBombError as error:
        raise SRGANError(
            f"{path}: image too large (Pillow opens at most {2 * Image.MAX_IMAGE_PIXELS} pixels)"
        ) from error
    except UnidentifiedImageError as error:
        raise SRGANError(f"{path}: not a recognised image file") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise SRGANError(f"{path}: unreadable ({error})") from error
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise SRGANError(f"{path}: {width}x{height} exceeds the limit of {max_pixels} pixels")
    return image


def _sixteen_to_eight(array):
    # Rounds 0..65535 onto 0..255 (x/257), so 65535 -> 255 and 32896 -> 128.
    return np.clip(np.floor(array.astype(np.float64) / 257.0 + 0.5), 0, 255).astype(np.uint8)


def to_rgb8(image):
    """Converts a PIL image of any mode to an ``(H, W, 3)`` uint8 RGB array.

    Transparent pixels are composited over white (their stored colour is often
    garbage); 16-bit data is rounded to 8 bits; CMYK and palettes use PIL's
    conversions.
    """
    if image.mode in SIXTEEN_BIT_MODES:
        gray = _sixteen_to_eight(np.asarray(image))
        return np.repeat(gray[:, :, None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image)


def load_rgb8(path, max_pixels=MAX_DECODE_PIXELS):
    """Decodes ``path`` to an upright ``(H, W, 3)`` uint8 RGB array; raises SRGANError."""
    image = open_image(path, max_pixels)
    try:
        with image, size_checked_by_caller():
            image.load()
            image = ImageOps.exif_transpose(image)
            return np.ascontiguousarray(to_rgb8(image))
    except SRGANError:
        raise
    except Exception as error:  # PIL raises OSError, ValueError, SyntaxError, ... on bad data
        raise SRGANError(f"{path}: cannot decode ({error})") from error
