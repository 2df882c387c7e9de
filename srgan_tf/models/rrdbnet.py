"""RRDBNet, ESRGAN's generator (Wang et al. 2018), as used by Real-ESRGAN x4plus.

    LR [0,1] ─ conv3x3 ─┬─ B × RRDB ─ conv3x3 ─(+)─ [nearest x2 ─ conv3x3 ─ lrelu] × log2(s)
                        └──────── long skip ────┘     ─ conv3x3 ─ lrelu ─ conv3x3 ─> y ─ 2y−1 ─> SR [-1,1]

    RRDB(x)  = x + 0.2 · RDB(RDB(RDB(x)))
    RDB(x)   = x + 0.2 · conv5([x, x1, x2, x3, x4]),  xi = lrelu(conv_i([x, x1, …, x_{i-1}]))

No BatchNorm (ESRGAN removed it: it caused artefacts and colour shifts). ESRGAN's network maps
[0, 1] to [0, 1] unbounded; the package's convention is [0, 1] in and [-1, 1] out, so a fixed
``2y − 1`` follows the last conv: ``signed_to_unit`` gives back ``y`` exactly, and weights of the
original network load unchanged. Layer names follow BasicSR's parameter names
(``conv_first``, ``body.N.rdbM.convK``, ``conv_body``, ``conv_upN``, ``conv_hr``, ``conv_last``).
"""

import math

import keras
from keras import layers

from srgan_tf.config import ARCHITECTURES
from srgan_tf.errors import SRGANError
from srgan_tf.models.layers import PixelShuffle

RESIDUAL_SCALE = 0.2  # ESRGAN §3.2: residual scaling keeps a deep BN-free trunk stable


def _lrelu(name):
    return layers.LeakyReLU(negative_slope=0.2, name=name)


def _dense_block(x, filters, growth, prefix):
    outputs = [x]
    for index in range(1, 5):
        inputs = outputs[0] if index == 1 else layers.Concatenate(name=f"{prefix}_cat{index}")(outputs)
        y = layers.Conv2D(growth, 3, padding="same", name=f"{prefix}_conv{index}")(inputs)
        outputs.append(_lrelu(f"{prefix}_lrelu{index}")(y))
    y = layers.Concatenate(name=f"{prefix}_cat5")(outputs)
    y = layers.Conv2D(filters, 3, padding="same", name=f"{prefix}_conv5")(y)
    y = layers.Rescaling(RESIDUAL_SCALE, name=f"{prefix}_scale")(y)
    return layers.Add(name=f"{prefix}_add")([x, y])


def _rrdb(x, filters, growth, index):
    prefix = f"body{index}"
    y = x
    for rdb in range(1, 4):
        y = _dense_block(y, filters, growth, f"{prefix}_rdb{rdb}")
    y = layers.Rescaling(RESIDUAL_SCALE, name=f"{prefix}_scale")(y)
    return layers.Add(name=f"{prefix}_add")([x, y])


def build_rrdbnet(scale=4, num_blocks=23, filters=64, growth=32, name="rrdbnet"):
    """Builds RRDBNet as a Keras functional model.

    Args:
        scale: 2, 4 or 8 (one nearest-neighbour x2 + conv stage per factor of 2).
        num_blocks: residual-in-residual dense blocks (23 in ESRGAN and Real-ESRGAN x4plus).
        filters: trunk channels (64); growth: channels each dense conv adds (32).
        name: the model's name.

    Returns:
        A ``keras.Model`` mapping float ``(N, H, W, 3)`` in [0, 1] to float32
        ``(N, scale·H, scale·W, 3)`` in [-1, 1] (unbounded; clip for images). Any H, W.
    """
    scales = ARCHITECTURES["rrdbnet"].scales
    if scale not in scales:
        raise SRGANError(f"RRDBNet scale must be one of {scales}, got {scale!r}")
    for key, value in (("num_blocks", num_blocks), ("filters", filters), ("growth", growth)):
        if not isinstance(value, int) or value < 1:
            raise SRGANError(f"RRDBNet {key} must be an integer >= 1, got {value!r}")
    lr_images = keras.Input(shape=(None, None, 3), name="lr_images")
    first = layers.Conv2D(filters, 3, padding="same", name="conv_first")(lr_images)
    x = first
    for index in range(num_blocks):
        x = _rrdb(x, filters, growth, index)
    x = layers.Conv2D(filters, 3, padding="same", name="conv_body")(x)
    x = layers.Add(name="long_skip")([first, x])
    for stage in range(1, int(math.log2(scale)) + 1):
        # Nearest-neighbour x2 as four copies through a pixel shuffle: the same values as
        # UpSampling2D, but TFLite keeps the channel count static (UpSampling2D's resize lost
        # it, and the next conv then needed Flex ops).
        x = layers.Concatenate(name=f"up{stage}_copies")([x] * 4)
        x = PixelShuffle(2, name=f"up{stage}")(x)
        x = layers.Conv2D(filters, 3, padding="same", name=f"conv_up{stage}")(x)
        x = _lrelu(f"lrelu_up{stage}")(x)
    x = layers.Conv2D(filters, 3, padding="same", name="conv_hr")(x)
    x = _lrelu("lrelu_hr")(x)
    x = layers.Conv2D(3, 3, padding="same", name="conv_last")(x)
    # float32 so mixed-precision training still produces full-precision images.
    sr_images = layers.Rescaling(2.0, offset=-1.0, dtype="float32", name="sr_images")(x)
    return keras.Model(lr_images, sr_images, name=name)
