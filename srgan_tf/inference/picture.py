"""Real image files in and out of ``srgan upscale``, keeping what the user would expect to keep.

- EXIF orientation is applied (phone photos come out upright), 16-bit files included;
- RGBA / LA / transparent palettes: the alpha channel is split off, upscaled
  separately (bicubic) and re-attached;
- grayscale in -> grayscale out; 16-bit PNG/TIFF in -> 16-bit PNG out (Pillow reads 16-bit
  colour as 8 bits: PNG is decoded by TensorFlow, TIFF by tifffile);
- the ICC colour profile is carried over, at every bit depth; animated images are refused;
- absurd dimensions are refused before decoding (decompression bombs).
"""

import os
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from srgan_tf.errors import SRGANError
from srgan_tf.inference.pngstream import PNGStreamWriter
from srgan_tf.utils.atomic import atomic_path
from srgan_tf.utils.imageio import MAX_DECODE_PIXELS, SIXTEEN_BIT_MODES, open_image, size_checked_by_caller
from srgan_tf.utils.messages import warn

OUTPUT_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}


@dataclass
class Picture:
    """An image as the model sees it, plus what is needed to write it back faithfully.

    ``rgb``: float32 ``(H, W, 3)`` in [0, 1]; ``alpha``: float32 ``(H, W)`` or None;
    ``gray``: written back as one channel; ``bits``: 8 or 16; ``icc``: profile bytes.
    """

    rgb: np.ndarray
    alpha: np.ndarray | None = None
    gray: bool = False
    bits: int = 8
    icc: bytes | None = None

    @property
    def size(self):
        return self.rgb.shape[1], self.rgb.shape[0]


def _png_bit_depth(path):
    with open(path, "rb") as f:
        header = f.read(26)
    if header[:8] == b"\x89PNG\r\n\x1a\n" and len(header) == 26:
        return header[24], header[25]  # bit depth, colour type
    return None, None


def _read_png16(path):
    import tensorflow as tf

    try:
        return tf.io.decode_png(tf.io.read_file(path), dtype=tf.uint16).numpy()
    except tf.errors.OpError as error:
        # "{{function_node ...}} Invalid PNG data, size 1244 [Op:DecodePng]" -> the middle.
        reason = re.sub(r"\{\{.*?\}\}\s*|\s*\[Op:.*", "", error.message).strip()
        raise SRGANError(f"{path}: cannot decode ({reason})") from error


def _read_tiff16(path, image):
    """``(uint16 (H, W, C) or None, why not)`` for an RGB/RGBA TIFF of 16 bits a sample."""
    bits = image.tag_v2.get(258, ())
    if image.mode not in ("RGB", "RGBA") or not bits or max(bits) != 16:
        return None, None
    try:
        import tifffile

        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            pixels = page.asarray()
            if page.planarconfig == tifffile.PLANARCONFIG.SEPARATE:
                pixels = np.moveaxis(pixels, 0, -1)
    except ImportError:
        return None, "install tifffile to keep all 16"
    except Exception as error:  # noqa: BLE001 - e.g. LZW needs imagecodecs; Pillow may still read it
        return None, str(error)
    if pixels.dtype != np.uint16 or pixels.ndim != 3 or pixels.shape[-1] not in (3, 4):
        return None, f"tifffile read {pixels.dtype} {pixels.shape}"
    return pixels, None


# EXIF orientation -> the array operation that makes the image upright (Pillow's exif_transpose).
_UPRIGHT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}


def _sixteen_bit_picture(pixels, orientation, icc):
    pixels = _UPRIGHT.get(orientation, lambda a: a)(pixels)
    values = pixels.astype(np.float32) / 65535.0
    channels = values.shape[-1]
    gray = channels in (1, 2)
    rgb = np.repeat(values[..., :1], 3, axis=-1) if gray else values[..., :3]
    alpha = np.ascontiguousarray(values[..., -1]) if channels in (2, 4) else None
    return Picture(np.ascontiguousarray(rgb), alpha, gray, 16, icc)


def read_picture(path, max_pixels=MAX_DECODE_PIXELS):
    """Reads ``path`` into a :class:`Picture`; raises SRGANError for unusable files."""
    path = os.fspath(path)
    image = open_image(path, max_pixels)
    downgraded = None
    with image, size_checked_by_caller():
        if getattr(image, "n_frames", 1) > 1:
            raise SRGANError(f"{path}: animated images ({image.n_frames} frames) are not supported")
        icc = image.info.get("icc_profile")
        depth, _ = _png_bit_depth(path) if image.format == "PNG" else (None, None)
        try:
            pixels = None
            if depth == 16 and image.mode not in SIXTEEN_BIT_MODES:
                pixels = _read_png16(path)  # Pillow reads 16-bit colour PNGs as 8-bit
            elif image.format == "TIFF":
                pixels, downgraded = _read_tiff16(path, image)
            if pixels is not None:
                # A PNG's eXIf chunk may follow the image data: getexif() then reads the file.
                return _sixteen_bit_picture(pixels, image.getexif().get(0x0112, 1), icc)
            image.load()
            image = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError) as error:
            raise SRGANError(f"{path}: cannot decode ({error})") from error
    if downgraded:
        warn(f"{path}: 16-bit TIFF read as 8 bits ({downgraded})")
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES:
        values = np.asarray(image).astype(np.float32)
        peak = 65535.0 if mode != "I" or values.max() > 255 else 255.0
        gray = np.clip(values / peak, 0, 1)
        return Picture(np.repeat(gray[..., None], 3, axis=-1), None, True, 16 if peak > 255 else 8, icc)
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("1", "L", "LA"):
        gray = np.asarray(image.convert("L"), np.float32) / 255.0
        alpha = np.asarray(image.getchannel("A"), np.float32) / 255.0 if mode == "LA" else None
        return Picture(np.repeat(gray[..., None], 3, axis=-1), alpha, True, 8, icc)
    alpha = np.asarray(image.getchannel("A"), np.float32) / 255.0 if "A" in image.getbands() else None
    rgb = np.asarray(image.convert("RGB"), np.float32) / 255.0
    return Picture(rgb, alpha, False, 8, icc)


def quantize(values, bits):
    """[0, 1] floats -> uint8 (``bits`` 8) or uint16 (16), rounded half up."""
    peak = 65535.0 if bits == 16 else 255.0
    dtype = np.uint16 if bits == 16 else np.uint8
    return np.clip(np.floor(values * peak + 0.5), 0, peak).astype(dtype)


def luma(rgb):
    # BT.601 weights, as Pillow's RGB -> L conversion uses.
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)


def output_path(path, out_dir, fmt, suffix="_x{scale}", scale=4):
    stem = os.path.splitext(os.path.basename(path))[0]
    extension = "jpg" if fmt in ("jpg", "jpeg") else fmt
    return os.path.join(out_dir, f"{stem}{suffix.format(scale=scale)}.{extension}")


def write_picture(picture, path, fmt="png", overwrite=False, quality=95):
    """Writes ``picture`` as ``fmt`` atomically; never replaces a file unless ``overwrite``."""
    if fmt not in OUTPUT_FORMATS:
        raise SRGANError(f"output format must be one of {', '.join(OUTPUT_FORMATS)}, got {fmt!r}")
    if os.path.exists(path) and not overwrite:
        raise SRGANError(f"{path} exists (use --overwrite to replace it)")
    pil_format = OUTPUT_FORMATS[fmt]
    bits = picture.bits if pil_format == "PNG" else 8
    alpha = picture.alpha if pil_format != "JPEG" else None
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    if bits == 16:
        _write_png16(picture, path, alpha)
        return path
    with atomic_path(path) as tmp:
        if picture.gray:
            image = Image.fromarray(quantize(luma(picture.rgb), 8), "L")
            if alpha is not None:
                image = Image.merge("LA", [image, Image.fromarray(quantize(alpha, 8), "L")])
        else:
            image = Image.fromarray(quantize(picture.rgb, 8), "RGB")
            if alpha is not None:
                image.putalpha(Image.fromarray(quantize(alpha, 8), "L"))
        options = {"icc_profile": picture.icc} if picture.icc else {}
        if pil_format in ("JPEG", "WEBP"):
            options["quality"] = quality
        image.save(tmp, pil_format, **options)
    return path


def _write_png16(picture, path, alpha):
    """16-bit gray, gray+alpha, RGB or RGBA with the ICC profile (Pillow writes 16 bits for
    gray only, and fromarray refuses "I;16" from Pillow 13 on); written atomically."""
    channels = [luma(picture.rgb)[..., None]] if picture.gray else [picture.rgb]
    if alpha is not None:
        channels.append(alpha[..., None])
    pixels = quantize(np.concatenate(channels, axis=-1), 16)
    height, width, count = pixels.shape
    with PNGStreamWriter(path, width, height, count, 16, picture.icc) as png:
        png.write(pixels)
