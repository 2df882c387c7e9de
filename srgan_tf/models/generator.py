"""SRResNet, the SRGAN generator (Ledig et al. 2017, Figure 4 top).

    LR [0,1] ─ conv9x9 ─ PReLU ─┬─ B × residual block ─ conv3x3 ─ BN ─(+)─ upsample ─ conv9x9 ─ tanh ─> SR [-1,1]
                                └───────────────── long skip ───────────┘

Departures from the paper: none in the graph. The pixel shuffle uses
TensorFlow's channel order (``depth_to_space``), which only permutes which
convolution filters feed which sub-pixel and does not change the function
class; it is why weights ported from a PyTorch SRResNet need their last
upsampling filters reordered.
"""

import math

import keras
from keras import layers

from srgan_tf.config import ARCHITECTURES
from srgan_tf.errors import SRGANError
from srgan_tf.models.batch_norm import BatchNorm
from srgan_tf.models.layers import BicubicUpsample, PixelShuffle
from srgan_tf.models.subpixel_tail import TailStage

# He et al.'s PReLU initial slope (and PyTorch's default), not Keras' 0: a zero slope is a ReLU,
# whose units can all die in the first steps — with the bicubic skip the upsampler's ReLUs went
# dead within 50 Adam steps at lr 1e-3, freezing the output at bicubic for good.
PRELU_INIT = 0.25


def upsampling_factors(scale):
    """The per-stage pixel-shuffle factors for ``scale``: x2 stages, or one x3."""
    scales = ARCHITECTURES["srresnet"].scales
    if scale not in scales:
        raise SRGANError(f"scale must be one of {scales}, got {scale!r}")
    if scale == 3:
        return [3]
    return [2] * int(math.log2(scale))


def _prelu(name):
    # One slope per channel, shared over H and W: per-pixel slopes (Keras'
    # default) would fix the input size and break any-size inference.
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(PRELU_INIT), shared_axes=[1, 2], name=name)


def _normalize(x, norm, name):
    # norm None: no BatchNormalization (EDSR's and ESRGAN's choice; see build_generator);
    # else (momentum, synchronized).
    if norm is None:
        return x
    momentum, synchronized = norm
    return BatchNorm(momentum=momentum, synchronized=synchronized, name=name)(x)


def _residual_block(x, filters, index, norm):
    prefix = f"res{index}"
    y = layers.Conv2D(filters, 3, padding="same", name=f"{prefix}_conv1")(x)
    y = _normalize(y, norm, f"{prefix}_bn1")
    y = _prelu(f"{prefix}_prelu")(y)
    y = layers.Conv2D(filters, 3, padding="same", name=f"{prefix}_conv2")(y)
    y = _normalize(y, norm, f"{prefix}_bn2")
    return layers.Add(name=f"{prefix}_add")([x, y])


def build_generator(
    scale=4,
    num_blocks=16,
    filters=64,
    bn_momentum=0.99,
    name="srresnet",
    upsample_skip=False,
    batch_norm=True,
    sync_batch_norm=False,
):
    """Builds the SRResNet generator as a Keras functional model.

    Args:
        scale: upscaling factor, one of 2, 3, 4, 8 (x2 stages; one x3 stage for 3).
        num_blocks: residual blocks B (16 in the paper).
        filters: feature channels (64 in the paper).
        bn_momentum: BatchNormalization moving-average momentum.
        name: the model's name.
        upsample_skip: a departure from the paper (global residual learning, as VDSR and
            EDSR do): the network adds its output to the bicubic upscale of the input
            instead of producing the image through tanh. Its last conv starts near zero, so
            training starts from bicubic quality and learns only the missing detail —
            far fewer steps to beat bicubic. Output no longer bounded by tanh (clip it).
        batch_norm: False drops every BatchNormalization (a departure from the paper, as
            EDSR and ESRGAN do): inference then computes exactly what training did, with no
            moving statistics to lag the weights, which is what shifts colours in short runs.
        sync_batch_norm: batch statistics over all replicas' examples (the global batch)
            instead of each replica's share; no effect on one device.

    Returns:
        A ``keras.Model`` mapping float ``(N, H, W, 3)`` images in [0, 1] to
        float32 ``(N, scale·H, scale·W, 3)`` images in [-1, 1]. H and W are
        ``None``: any size works.
    """
    factors = upsampling_factors(scale)
    if num_blocks < 1:
        raise SRGANError(f"num_blocks must be >= 1, got {num_blocks}")
    if filters < 1:
        raise SRGANError(f"filters must be >= 1, got {filters}")

    lr_images = keras.Input(shape=(None, None, 3), name="lr_images")
    x = layers.Conv2D(filters, 9, padding="same", name="head_conv")(lr_images)
    head = _prelu("head_prelu")(x)

    norm = (bn_momentum, sync_batch_norm) if batch_norm else None
    x = head
    for index in range(num_blocks):
        x = _residual_block(x, filters, index, norm)
    x = layers.Conv2D(filters, 3, padding="same", name="body_conv")(x)
    x = _normalize(x, norm, "body_bn")
    x = layers.Add(name="long_skip")([head, x])

    for stage, factor in enumerate(factors):
        x = layers.Conv2D(filters * factor * factor, 3, padding="same", name=f"up{stage}_conv")(x)
        x = PixelShuffle(factor, name=f"up{stage}_shuffle")(x)
        x = _prelu(f"up{stage}_prelu")(x)

    if upsample_skip:
        # Small, not zero: a zero last conv gives every earlier layer a zero gradient, and at
        # 1e-2 of Glorot's scale the output starts within ~2/255 of bicubic while the
        # gradients reaching the body stay well above Adam's epsilon.
        tail_init = keras.initializers.VarianceScaling(1e-4, mode="fan_avg", distribution="uniform")
        x = layers.Conv2D(3, 9, padding="same", kernel_initializer=tail_init, name="tail_conv")(x)
        base = BicubicUpsample(scale, name="bicubic")(lr_images)
        base = layers.Rescaling(2.0, offset=-1.0, name="bicubic_signed")(base)
        x = layers.Add(name="detail_add")([base, x])
        # float32 so mixed-precision training still produces full-precision images.
        sr_images = layers.Activation("linear", dtype="float32", name="sr_images")(x)
    else:
        x = layers.Conv2D(3, 9, padding="same", name="tail_conv")(x)
        # float32 so mixed-precision training still produces full-precision images.
        sr_images = layers.Activation("tanh", dtype="float32", name="sr_images")(x)
    return keras.Model(lr_images, sr_images, name=name)


def subpixel_tail_stage(generator):
    """The last stage of a :func:`build_generator` network, found by the layer names it gives,
    as a :class:`~srgan_tf.models.subpixel_tail.TailStage`; None for another network or a last
    stage that is not a pixel shuffle (the registry's ``subpixel_tail`` hook for SRResNet)."""
    names = {layer.name for layer in generator.layers}
    stage = max((int(n[2:-5]) for n in names if n.startswith("up") and n.endswith("_conv")), default=None)
    if stage is None or "tail_conv" not in names:
        return None
    shuffle = generator.get_layer(f"up{stage}_shuffle")
    if not isinstance(shuffle, PixelShuffle):
        return None

    def finish(x):
        if "detail_add" in names:  # upsample_skip: bicubic + detail
            x = generator.get_layer("detail_add")([generator.get_layer("bicubic_signed").output, x])
        return generator.get_layer("sr_images")(x)

    return TailStage(
        generator.get_layer(f"up{stage}_conv").output,
        generator.get_layer(f"up{stage}_prelu"),
        generator.get_layer("tail_conv"),
        shuffle.factor,
        finish,
    )
