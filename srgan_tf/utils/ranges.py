"""Value-range conventions, kept in one place.

As in the paper, the generator takes low-resolution images in [0, 1] and
returns images in [-1, 1] (tanh); high-resolution targets are in [-1, 1] too.
Everything users touch (files, exported models, metrics) is in [0, 1] or uint8.
"""

import tensorflow as tf


def unit_to_signed(images):
    """Maps images from [0, 1] to [-1, 1]."""
    return images * 2.0 - 1.0


def signed_to_unit(images):
    """Maps images from [-1, 1] to [0, 1]."""
    return (images + 1.0) * 0.5


def sr_images(generator, lr_images):
    """A generator's output as images: [0, 1], clipped. Every consumer of SR images (export,
    backends, evaluation, validation, samples) goes through here, so they all score and show
    the same pixels."""
    return tf.clip_by_value(signed_to_unit(generator(lr_images, training=False)), 0.0, 1.0)


def to_uint8(images):
    """Clips [0, 1] float images and rounds them to uint8 (round half up, as PIL)."""
    images = tf.clip_by_value(tf.cast(images, tf.float32), 0.0, 1.0)
    return tf.cast(tf.floor(images * 255.0 + 0.5), tf.uint8)
