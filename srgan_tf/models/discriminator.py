"""The SRGAN discriminator (Ledig et al. 2017, Figure 4 bottom).

Eight 3x3 convolutions (64, 64, 128, 128, 256, 256, 512, 512 filters; strides
1, 2, 1, 2, ...), BatchNorm on all but the first, LeakyReLU(0.2), then
Dense(1024), LeakyReLU(0.2), Dense(1). ``norm="spectral"`` replaces the BatchNorms with
spectral normalisation of every kernel (Miyato et al. 2018; Real-ESRGAN's discriminator is
normalised so), which bounds how far the discriminator can separate SR from HR. The paper ends in a sigmoid; here the
model returns the logit and the sigmoid lives in the loss (``from_logits``),
which is the numerically stable form of the same function.
"""

import keras
from keras import layers

from srgan_tf.config.schema import DISCRIMINATOR_NORMS
from srgan_tf.errors import SRGANError
from srgan_tf.models.batch_norm import BatchNorm
from srgan_tf.models.spectral_norm import SpectralConv2D, SpectralDense


def build_discriminator(
    patch_size=96,
    filters=64,
    dense_units=1024,
    bn_momentum=0.99,
    name="discriminator",
    sync_batch_norm=False,
    norm="batch",
):
    """Builds the SRGAN discriminator.

    Args:
        patch_size: side of the square HR patches it judges (96 in the paper).
            Fixed, because the flatten before the dense layer fixes it.
        filters: channels of the first block; they double every two convs.
        dense_units: width of the hidden dense layer (1024 in the paper).
        bn_momentum: BatchNormalization moving-average momentum.
        name: the model's name.
        sync_batch_norm: batch statistics over all replicas' examples (the global batch)
            instead of each replica's share; no effect on one device.
        norm: "batch" (the paper's BatchNorm after every conv but the first) or "spectral"
            (no BatchNorm; every conv and dense kernel spectrally normalised).

    Returns:
        A ``keras.Model`` mapping ``(N, patch_size, patch_size, 3)`` images in
        [-1, 1] to float32 logits of shape ``(N, 1)`` (real > 0 > fake).
    """
    if patch_size < 16 or patch_size % 16:
        raise SRGANError(f"discriminator patch_size must be a multiple of 16 (four stride-2 convs), got {patch_size}")
    if norm not in DISCRIMINATOR_NORMS:
        raise SRGANError(f"discriminator norm must be one of {', '.join(DISCRIMINATOR_NORMS)}, got {norm!r}")
    conv, dense = (SpectralConv2D, SpectralDense) if norm == "spectral" else (layers.Conv2D, layers.Dense)
    hr_images = keras.Input(shape=(patch_size, patch_size, 3), name="hr_images")
    x = hr_images
    for index in range(8):
        width = filters * 2 ** (index // 2)
        strides = 2 if index % 2 else 1
        x = conv(width, 3, strides=strides, padding="same", name=f"conv{index}")(x)
        if index and norm == "batch":
            x = BatchNorm(momentum=bn_momentum, synchronized=sync_batch_norm, name=f"bn{index}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{index}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = dense(dense_units, name="dense")(x)
    x = layers.LeakyReLU(negative_slope=0.2, name="dense_lrelu")(x)
    logits = dense(1, dtype="float32", name="logits")(x)
    return keras.Model(hr_images, logits, name=name)
