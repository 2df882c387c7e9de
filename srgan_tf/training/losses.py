"""SRGAN's loss terms, each returning one value per example.

Per-example values (shape ``(N,)``) let the training step divide by the
*global* batch size, which is what keeps gradients right under tf.distribute
(``tf.nn.compute_average_loss``). Images are in [-1, 1] as the generator
produces them; discriminator outputs are logits.

Paper: Ledig et al. 2017, eq. 3-6 (https://arxiv.org/abs/1609.04802).
"""

import tensorflow as tf

from srgan_tf.config import VGG_FEATURE_RESCALE
from srgan_tf.training.replicas import global_batch_mean


def _per_example_mean(values):
    values = tf.cast(values, tf.float32)
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def pixel_mse(hr_images, sr_images):
    """Mean squared error in pixel space (SRResNet-MSE, eq. 4)."""
    return _per_example_mean(tf.square(tf.cast(hr_images, tf.float32) - tf.cast(sr_images, tf.float32)))


def pixel_l1(hr_images, sr_images):
    """Mean absolute error in pixel space (an option; not in the paper)."""
    return _per_example_mean(tf.abs(tf.cast(hr_images, tf.float32) - tf.cast(sr_images, tf.float32)))


def feature_mse(hr_features, sr_features, rescale=VGG_FEATURE_RESCALE):
    """VGG content loss (eq. 5): MSE between feature maps scaled by ``rescale``."""
    diff = (tf.cast(hr_features, tf.float32) - tf.cast(sr_features, tf.float32)) * rescale
    return _per_example_mean(tf.square(diff))


def feature_l1(hr_features, sr_features, rescale=1.0):
    """Mean absolute difference of feature maps scaled by ``rescale`` (ESRGAN, Real-ESRGAN)."""
    diff = (tf.cast(hr_features, tf.float32) - tf.cast(sr_features, tf.float32)) * rescale
    return _per_example_mean(tf.abs(diff))


FEATURE_CRITERIA = {"mse": feature_mse, "l1": feature_l1}


def feature_content(hr_features, sr_features, weights, criterion, rescale):
    """Weighted sum over taps of ``criterion`` ("mse" or "l1") between feature maps: one tap is
    SRGAN's VGG54 loss, five with Real-ESRGAN's weights its perceptual loss."""
    measure = FEATURE_CRITERIA[criterion]
    terms = [w * measure(hr, sr, rescale) for w, hr, sr in zip(weights, hr_features, sr_features)]
    return tf.add_n(terms)


def generator_adversarial(fake_logits):
    """Non-saturating generator loss −log D(G(x)) (eq. 6), from logits."""
    fake_logits = tf.cast(fake_logits, tf.float32)
    return _per_example_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake_logits), logits=fake_logits)
    )


def standard_generator(real_logits, fake_logits):
    """:func:`generator_adversarial` in the ``(real_logits, fake_logits)`` form every generator
    loss of ``registry.ADVERSARIAL_LOSSES`` takes (the relativistic one reads both)."""
    del real_logits
    return generator_adversarial(fake_logits)


def discriminator_adversarial(real_logits, fake_logits):
    """Discriminator BCE: −log D(HR) − log(1 − D(G(LR))) (eq. 2), from logits."""
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    real = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real_logits), logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return _per_example_mean(real) + _per_example_mean(fake)


def total_variation(sr_images):
    """Mean anisotropic total variation per pixel (a smoothness regulariser; option)."""
    sr_images = tf.cast(sr_images, tf.float32)
    dy = tf.abs(sr_images[:, 1:, :, :] - sr_images[:, :-1, :, :])
    dx = tf.abs(sr_images[:, :, 1:, :] - sr_images[:, :, :-1, :])
    return _per_example_mean(dy) + _per_example_mean(dx)


def _bce(labels_value, logits):
    return _per_example_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), labels_value), logits=logits)
    )


def relativistic_discriminator(real_logits, fake_logits):
    """ESRGAN's relativistic average discriminator loss (Wang et al. 2018, eq. 2), from logits.

    ``D_Ra(a, b) = σ(C(a) − E[C(b)])``; the loss is the mean of −log D_Ra(HR, SR) and
    −log(1 − D_Ra(SR, HR)), halved as in ESRGAN's released code, whose λ = 5e-3 assumes it.
    """
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    real = _bce(1.0, real_logits - global_batch_mean(fake_logits))
    fake = _bce(0.0, fake_logits - global_batch_mean(real_logits))
    return 0.5 * (real + fake)


def relativistic_generator(real_logits, fake_logits):
    """ESRGAN's relativistic average generator loss (eq. 3): the discriminator's labels swapped,
    so the generator learns from the real images' logits too, not only from its own."""
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    real = _bce(0.0, real_logits - global_batch_mean(fake_logits))
    fake = _bce(1.0, fake_logits - global_batch_mean(real_logits))
    return 0.5 * (real + fake)
