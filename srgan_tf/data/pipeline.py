"""tf.data pipelines: random aligned LR/HR patches for training, whole images for validation.

Training reads the data as *visits*: visit ``v`` decodes one image (file
order: a fresh seeded permutation per pass over the files) and cuts
``patches_per_image`` random crops from it; ``batch_size`` consecutive visits
form a *round* whose patches are interleaved, so every batch holds one patch
from each of ``batch_size`` different visits::

    visit index ─ decode (parallel, PIL) ─ K aligned crops + flips/rotations
        (LR: each crop's window with a margin, bicubic ↓, cropped)
      ─ group B visits ─ interleave ─ batch B ─ prefetch
      -> (lr_images (B, P/s, P/s, 3) in [0, 1], hr_images (B, P, P, 3) in [-1, 1])

Every random choice is a stateless op seeded by ``(seed, visit, patch)``, so
batch ``n`` is a pure function of the seed and ``n``: the stream is
reproducible, and a resumed run restarts it at its step (``start_step``)
by decoding at most one round again — no replay, no shuffle-buffer state.
Crop offsets are drawn on the LR grid, so LR and HR stay pixel-aligned.

Decoding goes through :func:`srgan_tf.imageio.load_rgb8` (PIL), so EXIF,
16-bit, palette, RGBA and CMYK files become RGB8 exactly as everywhere else
in the package. A file that fails to decode is skipped and counted, never
fatal: its visit is replaced by the next file of the permutation.
"""

import hashlib
import os
import threading

import numpy as np
import tensorflow as tf

from srgan_tf.data.degradations import get_degradation, quantize
from srgan_tf.errors import SRGANError
from srgan_tf.imageio import load_rgb8
from srgan_tf.messages import warn
from srgan_tf.ranges import unit_to_signed

AUTOTUNE = tf.data.AUTOTUNE


class DecodeFailures:
    """Thread-safe record of files the pipeline could not decode (skipped, not fatal).

    ``paths`` lists each bad file once, in the order found; ``count`` counts
    every skip (a bad file is met again each epoch, but decoded only once).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.paths = []
        self.reasons = {}
        self._known = set()
        self.count = 0

    def add(self, path, reason):
        with self._lock:
            self.count += 1
            if path in self._known:
                return
            self._known.add(path)
            self.paths.append(path)
            self.reasons[path] = reason
        warn(f"skipping {path}: {reason}")

    def __contains__(self, path):
        return path in self._known


class _ImageCache:
    """Decoded images kept in memory, or as ``.npy`` files read back memory-mapped."""

    def __init__(self, mode):
        self.mode = mode
        self._memory = {}
        self._lock = threading.Lock()
        if mode not in (None, "memory"):
            os.makedirs(mode, exist_ok=True)

    def _file(self, path):
        return os.path.join(self.mode, hashlib.sha1(path.encode()).hexdigest() + ".npy")

    def get(self, path):
        if self.mode is None:
            return None
        if self.mode == "memory":
            return self._memory.get(path)
        cached = self._file(path)
        return np.load(cached, mmap_mode="r") if os.path.exists(cached) else None

    def put(self, path, image):
        if self.mode == "memory":
            with self._lock:
                self._memory[path] = image
        elif self.mode is not None:
            target = self._file(path)
            tmp = f"{target}.{threading.get_ident()}.partial.npy"
            np.save(tmp, image)
            os.replace(tmp, target)


def _loader(failures, min_size, cache=None):
    """Returns a Python function path -> (uint8 image, ok) that never raises on bad files."""
    cache = cache or _ImageCache(None)
    empty = np.zeros((1, 1, 3), np.uint8)

    def load(path):
        path = path.decode() if isinstance(path, bytes) else str(path)
        if path in failures:
            failures.add(path, "known bad")
            return empty, False
        cached = cache.get(path)
        if cached is not None:
            return np.asarray(cached), True
        try:
            image = load_rgb8(path)
        except SRGANError as error:
            failures.add(path, str(error).split(": ", 1)[-1])
            return empty, False
        if min(image.shape[:2]) < min_size:
            failures.add(path, f"{image.shape[1]}x{image.shape[0]} is smaller than {min_size}px")
            return empty, False
        cache.put(path, image)
        return image, True

    return load


def _decoder(failures, min_size, cache=None):
    """Wraps :func:`_loader` as a graph op: path -> (image (H, W, 3) uint8, ok)."""
    load = _loader(failures, min_size, cache)

    def tf_load(path):
        image, ok = tf.numpy_function(load, [path], [tf.uint8, tf.bool], stateful=False)
        image.set_shape([None, None, 3])
        ok.set_shape([])
        return image, ok

    return tf_load


def _crop_offsets(seed, lr_height, lr_width, lr_patch, count):
    """``count`` random top-left corners on the LR grid, from a stateless seed."""
    seeds = tf.random.experimental.stateless_split(seed, 2)
    ys = tf.random.stateless_uniform([count], seeds[0], 0, lr_height - lr_patch + 1, tf.int32)
    xs = tf.random.stateless_uniform([count], seeds[1], 0, lr_width - lr_patch + 1, tf.int32)
    return ys, xs


def _gather_patches(image, ys, xs, size, width=None):
    """Crops ``size``x``width`` patches at corners (ys, xs) from one image: (K, size, width, C)."""
    rows = ys[:, None] + tf.range(size)[None, :]
    cols = xs[:, None] + tf.range(size if width is None else width)[None, :]
    strips = tf.gather(image, rows)  # (K, size, W, C)
    return tf.gather(strips, cols, axis=2, batch_dims=1)


# LR pixels of context degraded around each patch: the antialiased bicubic kernel reaches 2 LR
# pixels each way, so with this margin a patch's LR pixels equal the whole image's LR pixels
# there (degrading the bare 96x96 HR patch cut the kernel at its edges and changed ~30 % of a
# 24x24 LR patch from what validation and inference see).
DEGRADATION_MARGIN = 3


def _degrade_patches(hr, ys, xs, lr_patch, scale, degrade):
    """LR patches at LR corners (ys, xs) of ``hr``, each degraded with its surrounding context.

    Each patch is degraded inside a window of ``DEGRADATION_MARGIN`` LR pixels more on every
    side, moved inwards at the image's borders (where whole-image degradation meets the same
    border), then cropped: float (K, p, p, 3) in [0, 1], as :func:`bicubic` of the whole image.
    """
    lr_height, lr_width = tf.shape(hr)[0] // scale, tf.shape(hr)[1] // scale
    window_h = tf.minimum(lr_patch + 2 * DEGRADATION_MARGIN, lr_height)
    window_w = tf.minimum(lr_patch + 2 * DEGRADATION_MARGIN, lr_width)
    wy = tf.clip_by_value(ys - DEGRADATION_MARGIN, 0, lr_height - window_h)
    wx = tf.clip_by_value(xs - DEGRADATION_MARGIN, 0, lr_width - window_w)
    windows = _gather_patches(hr, wy * scale, wx * scale, window_h * scale, window_w * scale)
    lr_windows = degrade(tf.cast(windows, tf.float32) / 255.0, scale)
    offsets_y, offsets_x = ys - wy, xs - wx
    return tf.map_fn(
        lambda args: args[0][args[1] : args[1] + lr_patch, args[2] : args[2] + lr_patch],
        (lr_windows, offsets_y, offsets_x),
        fn_output_signature=tf.TensorSpec([lr_patch, lr_patch, 3], tf.float32),
    )


def _augment(seed, hr, lr):
    """The same random horizontal flip and 90° rotation for an HR patch and its LR patch."""
    draws = tf.random.stateless_uniform([2], seed, 0, 4, tf.int32)
    flip, turns = draws[0] % 2 == 1, draws[1]
    out = []
    for image in (hr, lr):
        image = tf.cond(flip, lambda im=image: tf.image.flip_left_right(im), lambda im=image: im)
        out.append(tf.image.rot90(image, turns))
    return out[0], out[1]


_MASK31 = (1 << 31) - 1


def _mix(value):
    """A 31-bit integer hash (multiply / xor-shift), in int64 arithmetic that cannot overflow."""
    value = tf.bitwise.bitwise_and(value, _MASK31)
    for _ in range(2):
        value = tf.bitwise.bitwise_and(value * 0x45D9F3B, _MASK31)
        value = tf.bitwise.bitwise_xor(value, tf.bitwise.right_shift(value, 16))
    return value


def _file_for_visit(visit, seed, count):
    """The file index of ``visit``: pass ``visit // count`` through a seeded permutation.

    The permutation is a 4-round Feistel network over the smallest even power of two
    ≥ ``count``, keyed by (seed, pass), with cycle walking back into ``[0, count)``: a
    bijection computed in O(1) per visit (an argsort of the whole file list per visit
    cost 44 ms at 350k files and 180 ms at 1.28M).
    """
    if count == 1:
        return tf.zeros_like(tf.cast(visit, tf.int64))
    visit = tf.cast(visit, tf.int64)
    epoch, position = visit // count, visit % count
    half = max(1, ((count - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    base = _mix(tf.cast(seed, tf.int64) * 1_000_003 + _mix(epoch))
    keys = [_mix(base + 7919 * (i + 1)) for i in range(4)]

    bits = tf.bitwise

    def feistel(x):
        left, right = bits.right_shift(x, half), bits.bitwise_and(x, mask)
        for key in keys:
            round_value = bits.bitwise_and(_mix(bits.bitwise_xor(right, key)), mask)
            left, right = right, bits.bitwise_xor(left, round_value)
        return bits.bitwise_or(bits.left_shift(left, half), right)

    def walk(x):
        return (tf.where(x >= count, feistel(x), x),)

    (index,) = tf.while_loop(lambda x: tf.reduce_any(x >= count), walk, (feistel(position),), parallel_iterations=1)
    return index


def training_dataset(
    files,
    *,
    scale,
    patch_size,
    batch_size,
    patches_per_image=16,
    lr_files=None,
    augment=True,
    degradation="bicubic",
    seed=0,
    cache=None,
    failures=None,
    start_step=0,
):
    """Infinite dataset of aligned ``(lr_images, hr_images)`` training batches.

    Args:
        files: HR image paths (already scanned).
        scale: upscaling factor; ``patch_size`` must be divisible by it.
        patch_size: HR patch side P (96 in the paper); LR patches are P/scale.
        batch_size: patches per batch (static: every batch is full).
        patches_per_image: crops K taken from each decoded image per visit.
        lr_files: optional LR partner of each file (paired data; no degradation).
        augment: random flips and 90° rotations, the same for LR and HR.
        degradation: name in ``DEGRADATIONS`` (HR-only data).
        seed: makes the stream reproducible.
        cache: None, "memory", or a folder for decoded images (``.npy``).
        failures: a :class:`DecodeFailures` to record skipped files in.
        start_step: the first batch to produce (resuming a run).

    Returns:
        ``tf.data.Dataset`` of float32 ``(B, P/s, P/s, 3)`` in [0, 1] and
        ``(B, P, P, 3)`` in [-1, 1].
    """
    if patch_size % scale:
        raise SRGANError(f"patch_size {patch_size} is not divisible by scale {scale}")
    failures = failures if failures is not None else DecodeFailures()
    lr_patch, count, per_image = patch_size // scale, len(files), patches_per_image
    paired = lr_files is not None
    degrade = None if paired else get_degradation(degradation)
    image_cache = _ImageCache(cache)
    decode_hr = _decoder(failures, patch_size, image_cache)
    decode_lr = _decoder(failures, lr_patch, image_cache)
    hr_paths = tf.constant(list(files))
    lr_paths = tf.constant(list(lr_files) if paired else [""] * count)

    def load(visit):
        # A bad file is replaced by the next ones of the permutation, so a visit always yields patches.
        first = _file_for_visit(visit, seed, count)

        def attempt(offset):
            index = (first + offset) % count
            hr, ok = decode_hr(hr_paths[index])
            if not paired:
                return hr, hr[:1, :1], ok
            lr, lr_ok = decode_lr(lr_paths[index])
            fits = (tf.shape(hr)[0] // scale >= tf.shape(lr)[0]) & (tf.shape(hr)[1] // scale >= tf.shape(lr)[1])
            return hr, lr, ok & lr_ok & fits

        def body(offset, hr, lr, ok):
            hr, lr, ok = attempt(offset)
            return offset + 1, hr, lr, ok

        hr, lr, ok = attempt(0)
        _, hr, lr, ok = tf.while_loop(
            lambda offset, hr, lr, ok: tf.logical_and(tf.logical_not(ok), offset < count),
            body,
            (tf.constant(1, tf.int64), hr, lr, ok),
            shape_invariants=(
                tf.TensorShape([]),
                tf.TensorShape([None, None, 3]),
                tf.TensorShape([None, None, 3]),
                tf.TensorShape([]),
            ),
        )
        tf.debugging.assert_equal(ok, True, message="no training image could be decoded")
        return visit, hr, lr

    def crop(visit, hr, lr):
        seed_pair = tf.stack([tf.cast(seed, tf.int64), visit])
        if paired:
            height, width = tf.shape(lr)[0], tf.shape(lr)[1]
        else:
            height, width = tf.shape(hr)[0] // scale, tf.shape(hr)[1] // scale
        ys, xs = _crop_offsets(seed_pair, height, width, lr_patch, per_image)
        hr_patches = _gather_patches(hr, ys * scale, xs * scale, patch_size)
        if paired:
            lr_patches = tf.cast(_gather_patches(lr, ys, xs, lr_patch), tf.float32) / 255.0
        else:
            lr_patches = _degrade_patches(hr, ys, xs, lr_patch, scale, degrade)
        if augment:
            seeds = tf.random.experimental.stateless_split(seed_pair + 1, per_image)
            hr_patches, lr_patches = tf.map_fn(
                lambda args: _augment(args[0], args[1], args[2]),
                (seeds, hr_patches, lr_patches),
                fn_output_signature=(hr_patches.dtype, lr_patches.dtype),
            )
        return hr_patches, lr_patches

    # One round = batch_size visits = patches_per_image batches.
    first_round, skip = divmod(start_step, per_image)
    dataset = tf.data.Dataset.range(first_round * batch_size, 2**62)
    dataset = dataset.map(load, num_parallel_calls=AUTOTUNE).map(crop, num_parallel_calls=AUTOTUNE)
    dataset = dataset.batch(batch_size, drop_remainder=True)  # (B, K, ...): B visits
    dataset = dataset.map(lambda hr, lr: (_swap01(hr), _swap01(lr))).unbatch()  # K batches of B patches
    dataset = dataset.skip(skip)

    def finish(hr, lr):
        return lr, unit_to_signed(tf.cast(hr, tf.float32) / 255.0)

    options = tf.data.Options()
    # Every worker builds the same deterministic stream and keeps its share of each
    # global batch: there are no files to shard by (the stream is indexed by visit).
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.map(finish, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE).with_options(options)


def _swap01(tensor):
    return tf.transpose(tensor, [1, 0, *range(2, len(tensor.shape))])


def validation_dataset(
    files, *, scale, lr_files=None, degradation="bicubic", max_side=None, failures=None, with_paths=False
):
    """Whole validation images, batch 1: ``(lr (1, h, w, 3) in [0, 1], hr (1, s·h, s·w, 3) in [-1, 1])``.

    Files that fail to decode are left out (and recorded in ``failures``); with
    ``with_paths`` each element is ``(path, lr, hr)``, so scores can never be
    attributed to the wrong file when one is left out.

    HR is cropped to a multiple of ``scale`` (and centre-cropped to
    ``max_side`` when given, to bound evaluation time); LR is either the
    partner file or made by the same degradation as in training.
    """
    failures = failures if failures is not None else DecodeFailures()
    paired = lr_files is not None
    degrade = None if paired else get_degradation(degradation)
    decode = _decoder(failures, scale)

    def load(hr_path, lr_path):
        hr, ok = decode(hr_path)
        lr, lr_ok = decode(lr_path) if paired else (hr[:1, :1], ok)
        return hr, lr, ok & lr_ok, hr_path

    def prepare(hr, lr, _, path):
        if paired:
            height, width = tf.shape(lr)[0], tf.shape(lr)[1]
        else:
            height, width = tf.shape(hr)[0] // scale, tf.shape(hr)[1] // scale
        if max_side:
            limit = max_side // scale
            top = tf.maximum(height - limit, 0) // 2
            left = tf.maximum(width - limit, 0) // 2
            height, width = tf.minimum(height, limit), tf.minimum(width, limit)
        else:
            top = left = 0
        hr = tf.cast(hr[top * scale : (top + height) * scale, left * scale : (left + width) * scale], tf.float32)
        hr = hr / 255.0
        if paired:
            lr = tf.cast(lr[top : top + height, left : left + width], tf.float32) / 255.0
        else:
            lr = degrade(hr, scale)
        if with_paths:
            return path, lr[None], unit_to_signed(quantize(hr))[None]
        return lr[None], unit_to_signed(quantize(hr))[None]

    dataset = tf.data.Dataset.from_tensor_slices((list(files), list(lr_files) if paired else [""] * len(files)))
    dataset = dataset.map(load).filter(lambda hr, lr, ok, path: ok)
    return dataset.map(prepare).prefetch(AUTOTUNE)
