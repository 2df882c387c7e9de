"""How low-resolution inputs are made from high-resolution photos.

The paper downsamples with a bicubic kernel by the scale factor. Like
MATLAB's ``imresize`` (which produced the standard Set5/Set14/BSD100 LR
images), the kernel is widened by the scale (antialiasing); the result is
rounded to 8 bits, because real LR images are 8-bit files.

Each degradation is one function ``(hr_images, scale) -> lr_images`` on float
images in [0, 1], named in ``config.registry.DEGRADATIONS``, so others (blur +
noise + JPEG, as in Real-ESRGAN) slot in beside it: a function here, a line there.
"""

import numpy as np
import tensorflow as tf

from srgan_tf.config import DEGRADATIONS, resolve
from srgan_tf.errors import SRGANError
from srgan_tf.utils.imageio import load_rgb8


def round_to_8_bits(images):
    """Rounds [0, 1] images to the nearest 8-bit level (as saving a PNG would)."""
    return tf.round(tf.clip_by_value(images, 0.0, 1.0) * 255.0) / 255.0


def bicubic(hr_images, scale):
    """Antialiased bicubic downsampling by ``scale``, rounded to 8 bits.

    Args:
        hr_images: float ``(N, H, W, 3)`` or ``(H, W, 3)`` in [0, 1]; H, W divisible by ``scale``.
        scale: integer factor.

    Returns:
        float32 images of size ``(H/scale, W/scale)`` in [0, 1].
    """
    hr_images = tf.convert_to_tensor(hr_images, tf.float32)
    shape = tf.shape(hr_images)
    size = tf.stack([shape[-3] // scale, shape[-2] // scale])
    lr_images = tf.image.resize(hr_images, size, method="bicubic", antialias=True)
    return round_to_8_bits(lr_images)


def photo_pair(path, scale):
    """A photo as a training pair: HR float32 ``(H, W, 3)`` in [0, 1], cropped to a multiple of
    ``scale`` from the top left, and its :func:`bicubic` LR (numpy), as validation makes them."""
    hr = load_rgb8(path)
    hr = hr[: hr.shape[0] // scale * scale, : hr.shape[1] // scale * scale].astype(np.float32) / 255.0
    return hr, bicubic(hr, scale).numpy()


def get_degradation(name):
    if name not in DEGRADATIONS:
        raise SRGANError(f"unknown degradation {name!r}; choose one of {', '.join(DEGRADATIONS)}")
    return resolve(DEGRADATIONS[name])
