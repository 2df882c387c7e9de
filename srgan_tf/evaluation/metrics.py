"""PSNR and SSIM the way super-resolution papers report them.

The protocol (SRGAN, EDSR, ESRGAN and their benchmarks): both images are
clipped and rounded to uint8, converted to the Y channel of ITU-R BT.601
YCbCr (Y = 16 + 65.481 R + 128.553 G + 24.966 B, RGB in [0, 1]; Y is kept
as a float, as BasicSR does — MATLAB would round it too), ``shave`` pixels
(usually the scale) are cut from every border, then PSNR uses peak 255 in
float64 and SSIM an 11x11 Gaussian window with σ = 1.5.

Every function works on a batch and returns one value per image.
"""

import tensorflow as tf

from srgan_tf.errors import SRGANError
from srgan_tf.utils.ranges import to_uint8

BT601_Y = (65.481, 128.553, 24.966)
# LPIPS-Alex's smallest input side (models.imagenet_features.min_side("alexnet")).
LPIPS_ALEX_MIN_SIDE = 31
COLOR_MODES = ("y", "rgb")


def _prepare(images, shave, mode):
    """uint8 or [0, 1] float (N, H, W, 3) -> float64 (N, H', W', C) in [0, 255]."""
    if mode not in COLOR_MODES:
        raise SRGANError(f"metric mode must be one of {COLOR_MODES}, got {mode!r}")
    images = tf.convert_to_tensor(images)
    if images.dtype != tf.uint8:
        images = to_uint8(images)
    images = tf.cast(images, tf.float64)
    if mode == "y":
        weights = tf.constant(BT601_Y, tf.float64) / 255.0
        images = 16.0 + tf.reduce_sum(images * weights, axis=-1, keepdims=True)
    if shave:
        images = images[:, shave:-shave, shave:-shave, :]
    return images


def psnr(images_a, images_b, shave=0, mode="y"):
    """Per-image PSNR in dB.

    Args:
        images_a, images_b: ``(N, H, W, 3)`` RGB, uint8 or float in [0, 1].
        shave: pixels cut from each border before comparing (use the scale).
        mode: "y" (BT.601 luma, the papers' protocol) or "rgb".

    Returns:
        float64 ``(N,)``; ``inf`` for identical images.
    """
    a = _prepare(images_a, shave, mode)
    b = _prepare(images_b, shave, mode)
    mse = tf.reduce_mean(tf.square(a - b), axis=[1, 2, 3])
    return 10.0 * tf.math.log(255.0**2 / mse) / tf.math.log(tf.constant(10.0, tf.float64))


def ssim(images_a, images_b, shave=0, mode="y"):
    """Per-image SSIM (11x11 Gaussian window, σ 1.5, K1 0.01, K2 0.03).

    Arguments as :func:`psnr`. For RGB the channels' SSIMs are averaged.
    Returns float32 ``(N,)``.
    """
    a = tf.cast(_prepare(images_a, shave, mode), tf.float32)
    b = tf.cast(_prepare(images_b, shave, mode), tf.float32)
    return tf.image.ssim(a, b, max_val=255.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03)


def score_batch(hr_images, sr_images, scale):
    """(Y-PSNR, SSIM) per image of [0, 1] batches, shaving ``scale`` border pixels: the
    validation score of training (``SRGAN.test_step``, ``Validator``) and of the figures."""
    return psnr(hr_images, sr_images, shave=scale), ssim(hr_images, sr_images, shave=scale)


def score_label(name, hr_images, sr_images, scale, lpips_model=None):
    """``name`` over "PSNR dB / SSIM" (and "/ LPIPS" with an LPIPS model) of the first image: a
    figure panel's title."""
    p, s = score_batch(hr_images, sr_images, scale)
    label = f"{name}\n{float(p[0]):.2f} dB / {float(s[0]):.4f}"
    if lpips_model is not None and min(sr_images.shape[1:3]) >= LPIPS_ALEX_MIN_SIDE:
        label += f" / {float(lpips(lpips_model, hr_images, sr_images)[0]):.3f}"
    return label


def gradient_energy(images, shave=0):
    """Per-image mean squared finite difference of Y (horizontal + vertical), in [0, 255]² units.

    A sharpness measure: blurry upscales lose gradient energy, so the ratio
    ``gradient_energy(sr) / gradient_energy(hr)`` is below 1 for bicubic and PSNR-trained
    networks and moves towards 1 as a generator restores texture (above 1: invented
    or noisy detail). Same preparation as :func:`psnr` (uint8 rounding, BT.601 Y, shave).
    Returns float64 ``(N,)``.
    """
    y = _prepare(images, shave, "y")
    dx = y[:, :, 1:, :] - y[:, :, :-1, :]
    dy = y[:, 1:, :, :] - y[:, :-1, :, :]
    return tf.reduce_mean(tf.square(dx), axis=[1, 2, 3]) + tf.reduce_mean(tf.square(dy), axis=[1, 2, 3])


def lpips(model, images_a, images_b):
    """Per-image LPIPS of two batches with ``model`` (:func:`srgan_tf.models.lpips.load_lpips`).

    Images are uint8 or [0, 1] floats, rounded to uint8 first as :func:`psnr` rounds them,
    then mapped to [-1, 1] as LPIPS reads an image file. Whole images: no shave (the protocol
    of SPSR and LDL). Returns float32 ``(N,)``.
    """

    def signed(images):
        images = tf.convert_to_tensor(images)
        images = images if images.dtype == tf.uint8 else to_uint8(images)
        return tf.cast(images, tf.float32) / 127.5 - 1.0

    return tf.cast(tf.reshape(model([signed(images_a), signed(images_b)], training=False), [-1]), tf.float32)


def lpips_if_large_enough(model, images_a, images_b, min_side=LPIPS_ALEX_MIN_SIDE):
    """(distances, weights) for a traced step: images below ``min_side`` get weight 0 (the
    network cannot see them) instead of failing inside the graph."""
    shape = tf.shape(images_a)
    large = tf.minimum(shape[1], shape[2]) >= min_side
    count = tf.fill([shape[0]], tf.cast(large, tf.float32))
    distance = tf.cond(large, lambda: lpips(model, images_a, images_b), lambda: tf.zeros([shape[0]]))
    return distance, count
