"""Writes real image files of every awkward kind for the data and upscale tests."""

import io
import os
import struct
import zlib

import numpy as np
from PIL import Image


def photo_crop(photo, height, width, top=0, left=0):
    return np.ascontiguousarray(photo[top : top + height, left : left + width])


def make_messy_folder(root, photo):
    """A folder with good images in odd formats and broken files; returns {name: kind}."""
    os.makedirs(root, exist_ok=True)
    rgb = photo_crop(photo, 160, 160)
    kinds = {}

    Image.fromarray(rgb).save(os.path.join(root, "good.png"))
    kinds["good.png"] = "ok"

    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(os.path.join(root, "rgba.png"))
    kinds["rgba.png"] = "ok"

    Image.fromarray(rgb).convert("L").save(os.path.join(root, "gray.jpg"), quality=95)
    kinds["gray.jpg"] = "ok"

    sixteen = (rgb[:, :, 1].astype(np.uint16) * 257).astype(np.uint16)
    Image.fromarray(sixteen).save(os.path.join(root, "sixteen.png"))
    kinds["sixteen.png"] = "ok"

    Image.fromarray(rgb[:10, :10]).save(os.path.join(root, "tiny.png"))
    kinds["tiny.png"] = "too small"

    with open(os.path.join(root, "notes.png"), "w") as f:
        f.write("this is a text file, not a PNG\n")
    kinds["notes.png"] = "not an image"

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    data[2:40] = b"\x00" * 38  # wreck the JPEG segment headers
    with open(os.path.join(root, "corrupt.jpg"), "wb") as f:
        f.write(bytes(data))
    kinds["corrupt.jpg"] = "corrupt"

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    with open(os.path.join(root, "truncated.png"), "wb") as f:
        f.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    kinds["truncated.png"] = "truncated"
    return kinds


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def exif_orientation_bytes(orientation):
    """A little-endian TIFF-format EXIF block holding one Orientation tag (PNG eXIf payload)."""
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)


def write_png16(path, pixels, icc=None, orientation=None):
    """A 16-bit PNG (gray, gray+alpha, RGB or RGBA from ``(H, W, C)`` uint16) written with
    numpy and zlib, with an optional iCCP profile and EXIF orientation (eXIf) before the data."""
    height, width, channels = pixels.shape
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = pixels.astype(">u2").reshape(height, width * channels).view(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()  # filter 0
    data = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0))
    if icc:
        data += _png_chunk(b"iCCP", b"profile\x00\x00" + zlib.compress(icc))
    if orientation:
        data += _png_chunk(b"eXIf", exif_orientation_bytes(orientation))
    data += _png_chunk(b"IDAT", zlib.compress(raw)) + _png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)
    return data


def srgb_profile():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_bomb(width=10000, height=10000, channels=1):
    """A valid 8-bit gray (or RGB) PNG of ``width`` x ``height`` black pixels: ~100 KB (gray) to
    ~300 KB (RGB) for 10000x10000, since the IDAT is compressed zeros, and ``width * height *
    channels`` bytes once decoded: the decompression bomb a hostile client sends."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + channels * width)  # filter byte + pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, {1: 0, 3: 2}[channels], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def write_png_bomb(path, width, height):
    """:func:`png_bomb` in RGB, written to ``path``."""
    with open(path, "wb") as f:
        f.write(png_bomb(width, height, channels=3))
