"""Seam-free tiled inference with memory bounded by the tile, not the image.

The image is cut into ``tile`` x ``tile`` cores; each core is run with
``overlap`` extra LR pixels of context on every side (clamped at the image
border) and only the core's SR pixels are kept. When ``overlap`` is at least
the generator's receptive-field radius, every kept pixel saw exactly the
context it would have seen untiled, so tiled and whole-image results agree to
float rounding. The paper generator's radius is 40 LR pixels (see
``srgan_tf.models.receptive_field_radius``).
"""

import os

import numpy as np
from tqdm.auto import tqdm

DEFAULT_TILE = 256  # LR pixels per tile side where a model's memory per pixel is unknown
AUTO_TILE = "auto"  # the tile from the model's memory per pixel and the memory available (choose_tile)
MEMORY_SHARE = 0.5  # of the memory available when an upscale starts, what its tiles may take
MIN_AUTO_TILE = 64
# Peak process memory over the model's own live activations (models.activation_bytes_per_lr_pixel),
# per runtime: its workspace (Winograd transforms, im2col, arenas). Measured with
# bench/upscale_cli.py; docs/upscaling.md has the table.
RUNTIME_OVERHEAD = {"tflite": 2.0, "onnx": 2.0, "ncnn": 18.0, "keras": 3.0, "saved_model": 3.0}
ARCHITECTURE_OVERHEAD = {("ncnn", "rrdbnet"): 6.0}  # where one architecture measured apart
DEFAULT_OVERLAP = 40  # the paper generator's receptive-field radius, for models that do not say theirs
# The bicubic skip (upsample_skip, the shipped srgan-x4) pads its input by 2 pixels with
# reflection, which needs 3 pixels a side; smaller inputs are edge-padded to this.
MIN_SIDE = 3


def run_padded(run, batch, scale, min_side=MIN_SIDE):
    """``run(batch)`` for any size: a side below ``min_side`` (a 1x1 image, or a thin last tile
    with no overlap) is edge-padded at the bottom/right and the result cropped back, so every
    generator upscales tiny images alike instead of some failing."""
    height, width = batch.shape[1:3]
    if height >= min_side and width >= min_side:
        return run(batch)
    padding = [(0, 0), (0, max(min_side - height, 0)), (0, max(min_side - width, 0)), (0, 0)]
    return run(np.pad(batch, padding, mode="edge"))[:, : height * scale, : width * scale]


def tile_boxes(height, width, tile, overlap):
    """``(core, context)`` boxes as (top, left, bottom, right) covering the image."""
    boxes = []
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            core = (top, left, min(top + tile, height), min(left + tile, width))
            context = (
                max(core[0] - overlap, 0),
                max(core[1] - overlap, 0),
                min(core[2] + overlap, height),
                min(core[3] + overlap, width),
            )
            boxes.append((core, context))
    return boxes


def memory_per_lr_pixel(activations, runtime, architecture=None):
    """Bytes per LR pixel a runtime holds for a network whose live activations are ``activations``
    bytes per pixel (None: unknown)."""
    if not activations:
        return None
    overhead = ARCHITECTURE_OVERHEAD.get((runtime, architecture)) or RUNTIME_OVERHEAD.get(runtime, 3.0)
    return activations * overhead


def available_memory():
    """Bytes the system can give this process now (Linux ``MemAvailable``, else free pages), or
    None where neither is known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def tile_memory(height, width, scale, tile, overlap, bytes_per_lr_pixel):
    """Bytes an upscale holds at its peak with this tile (0: the whole image): one tile's context
    through the model (``bytes_per_lr_pixel`` with the runtime's overhead), its SR output, and
    three float32 output bands (filling, waiting, being encoded)."""
    if not tile or tile <= 0 or (height <= tile and width <= tile):
        context_h, context_w, band_rows, bands = height, width, height, 1
    else:
        context_h, context_w = min(tile + 2 * overlap, height), min(tile + 2 * overlap, width)
        band_rows, bands = min(tile, height), 3
    model = bytes_per_lr_pixel * context_h * context_w
    sr_tile = context_h * context_w * scale * scale * 3 * 4
    return model + sr_tile + bands * band_rows * scale * width * scale * 3 * 4


def choose_tile(height, width, scale, overlap, bytes_per_lr_pixel, available=None):
    """The largest tile (a multiple of 64 LR pixels, or 0: the whole image) whose
    :func:`tile_memory` fits in :data:`MEMORY_SHARE` of the available memory: fewer tiles
    recompute less overlap. :data:`DEFAULT_TILE` when the model's memory or the machine's is
    unknown; :data:`MIN_AUTO_TILE` when even that does not fit (the OS may still page)."""
    available = available_memory() if available is None else available
    if not bytes_per_lr_pixel or not available:
        return DEFAULT_TILE
    budget = available * MEMORY_SHARE
    if tile_memory(height, width, scale, 0, overlap, bytes_per_lr_pixel) <= budget:
        return 0
    for tile in range(max(height, width) // 64 * 64, MIN_AUTO_TILE - 1, -64):
        if tile_memory(height, width, scale, tile, overlap, bytes_per_lr_pixel) <= budget:
            return tile
    return MIN_AUTO_TILE


def context_pixels(height, width, tile, overlap):
    """LR pixels the model runs on to upscale a ``height`` x ``width`` image: the tiles' contexts
    (cores plus overlap), or the image itself when it is not tiled (see :func:`tiled_bands`)."""
    if not tile or tile <= 0 or (height <= tile and width <= tile):
        return height * width
    boxes = tile_boxes(height, width, tile, overlap)
    return sum((bottom - top) * (right - left) for _, (top, left, bottom, right) in boxes)


def tiled_bands(run, rgb, scale, tile=DEFAULT_TILE, overlap=DEFAULT_OVERLAP, progress=False):
    """Yields ``(sr_top, band)`` row bands of the upscaled image, top to bottom.

    Each band is float32 ``(rows, s·W, 3)`` in [0, 1], made from one row of
    tiles. This generator holds only the band it is filling; the consumer adds
    the bands it keeps (``srgan upscale``'s write-behind keeps two: one
    waiting, one being encoded), so memory is bounded by a few bands, that is
    by the tile size and the image width, not the image height.

    Args:
        run: a backend ((1, h, w, 3) [0, 1] -> (1, s·h, s·w, 3) [0, 1]; see :mod:`srgan_tf.runtimes.runners`).
        rgb: float32 ``(H, W, 3)`` in [0, 1].
        scale: the model's factor.
        tile: core size in LR pixels; None or <= 0 runs the whole image at once.
        overlap: LR context pixels around each core.
        progress: show a tile progress bar.
    """
    height, width = rgb.shape[:2]
    if not tile or tile <= 0 or (height <= tile and width <= tile):
        yield 0, run_padded(run, rgb[None], scale)[0]
        return
    boxes = tile_boxes(height, width, tile, overlap)
    bar = tqdm(total=len(boxes), desc="tiles", unit="tile", disable=not progress, leave=False)
    band, band_top = None, None
    for core, context in boxes:
        if core[0] != band_top:
            if band is not None:
                yield band_top * scale, band
            band_top = core[0]
            band = np.empty(((core[2] - core[0]) * scale, width * scale, 3), np.float32)
        top, left, bottom, right = context
        sr = run_padded(run, np.ascontiguousarray(rgb[top:bottom, left:right])[None], scale)[0]
        y0, x0 = (core[0] - top) * scale, (core[1] - left) * scale
        y1, x1 = y0 + (core[2] - core[0]) * scale, x0 + (core[3] - core[1]) * scale
        band[:, core[1] * scale : core[3] * scale] = sr[y0:y1, x0:x1]
        bar.update()
    bar.close()
    yield band_top * scale, band


def upscale_tiled(run, rgb, scale, tile=DEFAULT_TILE, overlap=DEFAULT_OVERLAP, progress=False):
    """The whole upscaled image, float32 ``(s·H, s·W, 3)`` in [0, 1] (see :func:`tiled_bands`)."""
    height, width = rgb.shape[:2]
    out = np.empty((height * scale, width * scale, 3), np.float32)
    for top, band in tiled_bands(run, rgb, scale, tile, overlap, progress):
        out[top : top + band.shape[0]] = band
    return out
