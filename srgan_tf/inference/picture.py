"""Real image files in and out of ``srgan upscale``, keeping what the user would expect to keep.

- EXIF orientation is applied (phone photos come out upright);
- RGBA / LA / transparent palettes: the alpha channel is split off, upscaled
  separately (bicubic) and re-attached;
- grayscale in -> grayscale out; 16-bit PNG/TIFF in -> 16-bit out;
- the ICC colour profile is carried over; animated images are refused;
- absurd dimensions are refused before decoding (decompression bombs).
"""

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from srgan_tf.atomic import atomic_path
from srgan_tf.errors import SRGANError
from srgan_tf.imageio import MAX_DECODE_PIXELS, open_image

OUTPUT_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
_SIXTEEN_BIT_GRAY = ("I;16", "I;16B", "I;16L", "I;16N", "I")


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

    pixels = tf.io.decode_png(tf.io.read_file(path), dtype=tf.uint16).numpy().astype(np.float32) / 65535.0
    channels = pixels.shape[-1]
    gray = channels in (1, 2)
    rgb = np.repeat(pixels[..., :1], 3, axis=-1) if gray else pixels[..., :3]
    alpha = pixels[..., -1] if channels in (2, 4) else None
    return rgb, alpha, gray


def read_picture(path, max_pixels=MAX_DECODE_PIXELS):
    """Reads ``path`` into a :class:`Picture`; raises SRGANError for unusable files."""
    path = os.fspath(path)
    image = open_image(path, max_pixels)
    with image:
        if getattr(image, "n_frames", 1) > 1:
            raise SRGANError(f"{path}: animated images ({image.n_frames} frames) are not supported")
        icc = image.info.get("icc_profile")
        depth, _ = _png_bit_depth(path) if image.format == "PNG" else (None, None)
        try:
            if depth == 16 and image.mode not in _SIXTEEN_BIT_GRAY:
                # Pillow reads 16-bit colour PNGs as 8-bit; TensorFlow keeps all 16.
                rgb, alpha, gray = _read_png16(path)
                return Picture(rgb, alpha, gray, 16, icc)
            image.load()
            image = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError) as error:
            raise SRGANError(f"{path}: cannot decode ({error})") from error
    mode = image.mode
    if mode in _SIXTEEN_BIT_GRAY:
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
    with atomic_path(path) as tmp:
        if bits == 16 and (not picture.gray or alpha is not None):
            _write_png16(picture, tmp, alpha)
        else:
            if picture.gray:
                pixels = quantize(luma(picture.rgb), bits)
                image = Image.fromarray(pixels, "I;16" if bits == 16 else "L")
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
    import tensorflow as tf

    channels = [luma(picture.rgb)[..., None]] if picture.gray else [picture.rgb]
    if alpha is not None:
        channels.append(alpha[..., None])
    pixels = quantize(np.concatenate(channels, axis=-1), 16)
    tf.io.write_file(path, tf.io.encode_png(pixels))
