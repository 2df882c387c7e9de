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

Decoding goes through :func:`srgan_tf.utils.imageio.load_rgb8` (PIL), so EXIF,
16-bit, palette, RGBA and CMYK files become RGB8 exactly as everywhere else
in the package. A file that fails to decode is skipped and counted, never
fatal: its visit is replaced by the next file of the permutation.
"""

import tensorflow as tf

from srgan_tf.data.decoding import DecodeFailures, ImageCache, make_decoder
from srgan_tf.data.degradations import get_degradation, round_to_8_bits
from srgan_tf.data.patches import augment_pair, crop_offsets, degrade_patches, gather_patches
from srgan_tf.data.visits import file_for_visit
from srgan_tf.errors import SRGANError
from srgan_tf.utils.ranges import unit_to_signed

AUTOTUNE = tf.data.AUTOTUNE


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
        degradation: a name of ``config.registry.DEGRADATIONS`` (HR-only data).
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
    image_cache = ImageCache(cache)
    decode_hr = make_decoder(failures, patch_size, image_cache)
    decode_lr = make_decoder(failures, lr_patch, image_cache)
    hr_paths = tf.constant(list(files))
    lr_paths = tf.constant(list(lr_files) if paired else [""] * count)

    def load(visit):
        # A bad file is replaced by the next ones of the permutation, so a visit always yields patches.
        first = file_for_visit(visit, seed, count)

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
        return visit, lr, hr

    def crop(visit, lr, hr):
        seed_pair = tf.stack([tf.cast(seed, tf.int64), visit])
        if paired:
            height, width = tf.shape(lr)[0], tf.shape(lr)[1]
        else:
            height, width = tf.shape(hr)[0] // scale, tf.shape(hr)[1] // scale
        ys, xs = crop_offsets(seed_pair, height, width, lr_patch, per_image)
        hr_patches = gather_patches(hr, ys * scale, xs * scale, patch_size)
        if paired:
            lr_patches = tf.cast(gather_patches(lr, ys, xs, lr_patch), tf.float32) / 255.0
        else:
            lr_patches = degrade_patches(hr, ys, xs, lr_patch, scale, degrade)
        if augment:
            seeds = tf.random.experimental.stateless_split(seed_pair + 1, per_image)
            lr_patches, hr_patches = tf.map_fn(
                lambda args: augment_pair(args[0], args[1], args[2]),
                (seeds, lr_patches, hr_patches),
                fn_output_signature=(lr_patches.dtype, hr_patches.dtype),
            )
        return lr_patches, hr_patches

    # One round = batch_size visits = patches_per_image batches.
    first_round, skip = divmod(start_step, per_image)
    dataset = tf.data.Dataset.range(first_round * batch_size, 2**62)
    dataset = dataset.map(load, num_parallel_calls=AUTOTUNE).map(crop, num_parallel_calls=AUTOTUNE)
    dataset = dataset.batch(batch_size, drop_remainder=True)  # (B, K, ...): B visits
    dataset = dataset.map(lambda lr, hr: (_swap01(lr), _swap01(hr))).unbatch()  # K batches of B patches
    dataset = dataset.skip(skip)

    def finish(lr, hr):
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
    decode = make_decoder(failures, scale)

    def load(lr_path, hr_path):
        hr, ok = decode(hr_path)
        lr, lr_ok = decode(lr_path) if paired else (hr[:1, :1], ok)
        return lr, hr, ok & lr_ok, hr_path

    def prepare(lr, hr, _, path):
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
            return path, lr[None], unit_to_signed(round_to_8_bits(hr))[None]
        return lr[None], unit_to_signed(round_to_8_bits(hr))[None]

    dataset = tf.data.Dataset.from_tensor_slices((list(lr_files) if paired else [""] * len(files), list(files)))
    dataset = dataset.map(load).filter(lambda lr, hr, ok, path: ok)
    return dataset.map(prepare).prefetch(AUTOTUNE)
