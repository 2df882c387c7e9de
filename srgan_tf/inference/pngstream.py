"""A PNG writer that takes the image in row bands, so a huge output never sits in memory whole.

PNG is a zlib stream of filtered rows; writing bands as they are produced only
needs the current band. Supports 8- and 16-bit gray, gray+alpha, RGB and RGBA.
"""

import os
import struct
import zlib

import numpy as np

from srgan_tf.utils.atomic import remove_temporary, temporary_name

_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


class PNGStreamWriter:
    """``with PNGStreamWriter(path, width, height, channels, bits) as png: png.write(rows)``.

    The file is written under a temporary name of its own (see :func:`srgan_tf.utils.atomic.temporary_name`)
    and renamed on a clean exit, so an interrupted run never leaves a truncated PNG behind and two
    writers of one target never share a file.
    """

    def __init__(self, path, width, height, channels=3, bits=8, icc=None, level=6):
        self.path, self.tmp = path, temporary_name(path)
        self.width, self.height, self.channels, self.bits = width, height, channels, bits
        self.rows_written = 0
        self._compressor = zlib.compressobj(level)
        self._file = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()/__exit__
        self._file.write(b"\x89PNG\r\n\x1a\n")
        header = struct.pack(">IIBBBBB", width, height, bits, _COLOUR_TYPES[channels], 0, 0, 0)
        self._file.write(_chunk(b"IHDR", header))
        if icc:
            self._file.write(_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(icc)))

    def write(self, rows):
        """Appends ``rows``: uint8/uint16 array ``(n, width, channels)``."""
        dtype = ">u2" if self.bits == 16 else np.uint8
        raw = np.asarray(rows).reshape(len(rows), self.width * self.channels).astype(dtype).view(np.uint8)
        # Filter "Sub" (type 1): each byte minus the same byte of the pixel to its left.
        step = self.channels * (2 if self.bits == 16 else 1)
        sub = raw.copy()
        sub[:, step:] = raw[:, step:] - raw[:, :-step]
        filtered = np.concatenate([np.ones((len(rows), 1), np.uint8), sub], axis=1)
        data = self._compressor.compress(filtered.tobytes())
        if data:
            self._file.write(_chunk(b"IDAT", data))
        self.rows_written += len(rows)

    def close(self, keep=True):
        """Finishes the PNG and renames it into place (``keep``), or discards it; the temporary
        file never outlives a failure."""
        if self._file.closed:
            return
        try:
            if keep and self.rows_written != self.height:
                raise ValueError(f"PNG has {self.height} rows, {self.rows_written} were written")
            if keep:
                self._file.write(_chunk(b"IDAT", self._compressor.flush()))
                self._file.write(_chunk(b"IEND", b""))
            self._file.close()
            if keep:
                os.replace(self.tmp, self.path)
                return
        except BaseException:
            self._file.close()
            remove_temporary(self.tmp)
            raise
        remove_temporary(self.tmp)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.close(keep=kind is None)
