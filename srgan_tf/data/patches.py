"""Aligned LR/HR patches: where to cut them, how to cut them, their LR made with context, and
the same flip and rotation for both. Offsets are drawn on the LR grid, so LR and HR stay
pixel-aligned; every draw is stateless, seeded by (seed, visit, patch)."""

import tensorflow as tf


def crop_offsets(seed, lr_height, lr_width, lr_patch, count):
    """``count`` random top-left corners on the LR grid, from a stateless seed."""
    seeds = tf.random.experimental.stateless_split(seed, 2)
    ys = tf.random.stateless_uniform([count], seeds[0], 0, lr_height - lr_patch + 1, tf.int32)
    xs = tf.random.stateless_uniform([count], seeds[1], 0, lr_width - lr_patch + 1, tf.int32)
    return ys, xs


def gather_patches(image, ys, xs, size, width=None):
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


def degrade_patches(hr, ys, xs, lr_patch, scale, degrade):
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
    windows = gather_patches(hr, wy * scale, wx * scale, window_h * scale, window_w * scale)
    lr_windows = degrade(tf.cast(windows, tf.float32) / 255.0, scale)
    offsets_y, offsets_x = ys - wy, xs - wx
    return tf.map_fn(
        lambda args: args[0][args[1] : args[1] + lr_patch, args[2] : args[2] + lr_patch],
        (lr_windows, offsets_y, offsets_x),
        fn_output_signature=tf.TensorSpec([lr_patch, lr_patch, 3], tf.float32),
    )


def augment_pair(seed, lr, hr):
    """The same random horizontal flip and 90° rotation for an LR patch and its HR patch."""
    draws = tf.random.stateless_uniform([2], seed, 0, 4, tf.int32)
    flip, turns = draws[0] % 2 == 1, draws[1]
    out = []
    for image in (lr, hr):
        image = tf.cond(flip, lambda im=image: tf.image.flip_left_right(im), lambda im=image: im)
        out.append(tf.image.rot90(image, turns))
    return out[0], out[1]
