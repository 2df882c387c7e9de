"""One configuration tree for everything: models, losses, data, training.

A config is plain data (nested dataclasses). It is built from a named preset
or a JSON/YAML file, adjusted with ``section.key=value`` overrides, validated
once, and written into the run directory so every later command (export,
upscale, evaluate) rebuilds the same model from the run dir alone::

    srgan train --config srgan_x4 --set data.batch_size=8 --set train.steps=5000

Presets mirror the paper (``srresnet_x4``: stage 1 only; ``srgan_x4``: both
stages) plus ``demo``, a small network trained from scratch in minutes on a laptop
CPU with no download (pixel-space content loss: the paper's "SRGAN-MSE" row of
Table 1).
"""

import contextlib
import dataclasses
import json
import os
from dataclasses import dataclass, field

import yaml

from srgan_tf.atomic import atomic_path
from srgan_tf.errors import SRGANError

CONTENT_LOSSES = ("vgg54", "vgg22", "mse", "l1")
PIXEL_LOSSES = ("mse", "l1")
ADVERSARIAL_LOSSES = ("standard", "relativistic")
# The paper rescales VGG feature maps by 1/12.75 so the content loss is of the
# same order as pixel MSE (≈ 0.006 on the squared error).
VGG_FEATURE_RESCALE = 1.0 / 12.75
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
JIT_MODES = ("auto", "on", "off")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


@dataclass
class ModelConfig:
    """Network sizes (defaults: the paper's)."""

    arch: str = "srresnet"  # the generator: srresnet (the paper's) or rrdbnet (ESRGAN's)
    scale: int = 4
    num_blocks: int = 16  # residual blocks (srresnet) / residual-in-residual dense blocks (rrdbnet)
    filters: int = 64
    growth: int = 32  # rrdbnet: channels each dense conv adds
    discriminator_filters: int = 64
    discriminator_dense_units: int = 1024
    bn_momentum: float = 0.99
    upsample_skip: bool = False  # add the output to a bicubic upscale (not in the paper; see build_generator)
    batch_norm: bool = True  # False: the generator without BatchNormalization (EDSR's choice)
    # BatchNorm statistics over the global batch when there are several replicas (as on one
    # device: the same function whatever the replica count); false: each replica's share.
    sync_batch_norm: bool = True


@dataclass
class LossConfig:
    """Loss choices and weights. Stage 1 uses ``pretrain_loss`` alone."""

    pretrain_loss: str = "mse"
    content: str = "vgg54"
    content_weight: float = 1.0
    adversarial_weight: float = 1e-3
    adversarial: str = "standard"  # SRGAN's GAN loss, or ESRGAN's "relativistic" average GAN
    pixel_weight: float = 0.0
    tv_weight: float = 0.0
    vgg_weights: str | None = "imagenet"
    vgg_before_activation: bool = False
    vgg_feature_rescale: float = VGG_FEATURE_RESCALE


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


def _presets():
    paper = Config(name="srgan_x4")
    srresnet = Config(
        name="srresnet_x4",
        train=TrainConfig(pretrain_steps=1_000_000, steps=0),
    )
    demo = Config(
        name="demo",
        # BatchNorm momentum 0.9: in runs this short, 0.99's moving averages lag the weights
        # and inference sees stale statistics (docs/pretrained.md, runs A and C: +4.6 dB).
        model=ModelConfig(
            num_blocks=4, filters=32, discriminator_filters=16, discriminator_dense_units=128, bn_momentum=0.9
        ),
        loss=LossConfig(content="mse", vgg_weights=None, adversarial_weight=1e-3),
        data=DataConfig(patch_size=64, batch_size=8, patches_per_image=8, val_max_images=2),
        train=TrainConfig(
            pretrain_steps=2500,
            steps=500,
            # A small net on a CPU budget: a faster stage 1 that settles at the end.
            pretrain_learning_rate=1e-3,
            pretrain_learning_rate_decay_at=0.7,
            steps_per_epoch=250,
            checkpoint_every=250,
            health_patience=100,
        ),
    )
    finetune = Config(
        name="finetune_x4",
        # The shipped srresnet-x4 (training/configs/photos_x4.yaml) fine-tuned on your photos for
        # a few CPU minutes: its architecture, its stage-1 loss, a learning rate 100x lower so a
        # short run refines the weights instead of undoing them (2e-5 ended 0.03 dB below the
        # start on the bundled held-out photos; 5e-6 did not), and a short SRGAN-MSE stage 2.
        model=ModelConfig(upsample_skip=True, batch_norm=False, bn_momentum=0.9),
        loss=LossConfig(pretrain_loss="l1", content="mse", vgg_weights=None, adversarial_weight=1e-3),
        data=DataConfig(patch_size=64, batch_size=8, patches_per_image=8, val_max_images=2),
        train=TrainConfig(
            init="srresnet-x4",
            pretrain_steps=120,
            steps=40,
            pretrain_learning_rate=5e-6,
            learning_rate=2e-6,
            steps_per_epoch=40,
            checkpoint_every=40,
            health_patience=100,
        ),
    )
    esrgan = Config(
        name="esrgan_x4",
        # ESRGAN (Wang et al. 2018, §4.1 and its released training options): RRDBNet, 128 px HR
        # patches; stage 1 L1 at 2e-4 halved every 200k of 1M steps; stage 2 perceptual loss on
        # VGG19 conv5_4 *before* activation + 5e-3 relativistic GAN + 1e-2 L1, 1e-4 halved at
        # 50k/100k/200k/300k of 400k. The discriminator is SRGAN's with ESRGAN's 100-unit dense layer.
        model=ModelConfig(arch="rrdbnet", num_blocks=23, filters=64, growth=32, discriminator_dense_units=100),
        loss=LossConfig(
            pretrain_loss="l1",
            content="vgg54",
            vgg_before_activation=True,
            adversarial="relativistic",
            adversarial_weight=5e-3,
            pixel_weight=1e-2,
        ),
        data=DataConfig(patch_size=128, batch_size=16),
        train=TrainConfig(
            pretrain_steps=1_000_000,
            pretrain_learning_rate=2e-4,
            pretrain_learning_rate_decay_at=[0.2, 0.4, 0.6, 0.8],
            steps=400_000,
            learning_rate=1e-4,
            learning_rate_decay_at=[0.125, 0.25, 0.5, 0.75],
            learning_rate_decay=0.5,
        ),
    )
    return {c.name: c for c in (paper, srresnet, demo, finetune, esrgan)}


PRESETS = tuple(_presets())


def get_preset(name):
    """Returns a fresh copy of the preset called ``name``."""
    presets = _presets()
    if name not in presets:
        raise SRGANError(f"unknown preset {name!r}; choose one of {', '.join(presets)} or a .json/.yaml file")
    return presets[name]


_SECTIONS = {"model": ModelConfig, "loss": LossConfig, "data": DataConfig, "train": TrainConfig}


def config_from_dict(data, base=None):
    """Builds a Config from nested dicts; unknown keys are errors, missing keys keep ``base``'s values."""
    base = base or Config()
    if not isinstance(data, dict):
        raise SRGANError("a config file must hold a mapping of sections (model, loss, data, train)")
    unknown = set(data) - set(_SECTIONS) - {"name"}
    if unknown:
        raise SRGANError(f"unknown config section(s): {', '.join(sorted(unknown))}")
    sections = {}
    for section, cls in _SECTIONS.items():
        values = data.get(section) or {}
        known = {f.name for f in dataclasses.fields(cls)}
        bad = set(values) - known
        if bad:
            raise SRGANError(f"unknown key(s) in {section}: {', '.join(sorted(bad))}")
        if section == "train" and isinstance(values.get("jit"), bool):
            values = {**values, "jit": "on" if values["jit"] else "off"}  # YAML reads on/off as booleans
        values = {name: _coerce(section, name, value) for name, value in values.items()}
        sections[section] = dataclasses.replace(getattr(base, section), **values)
    return validate(Config(name=data.get("name", base.name), **sections))


def load_config(source):
    """Loads a preset name, a JSON/YAML file, or a run directory holding ``config.json``."""
    if isinstance(source, Config):
        return validate(source)
    source = os.fspath(source)
    if os.path.isdir(source):
        source = os.path.join(source, "config.json")
        if not os.path.isfile(source):
            raise SRGANError(f"no config.json in run directory {os.path.dirname(source)}")
    if not os.path.isfile(source):
        return validate(get_preset(source))
    try:
        with open(source, encoding="utf-8") as f:
            # json for .json: PyYAML (YAML 1.1) reads JSON's 2e-05 as a string.
            data = json.load(f) if source.endswith(".json") else yaml.safe_load(f)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise SRGANError(f"cannot read config {source}: {error}") from error
    return config_from_dict(data or {})


def save_config(config, path):
    """Writes ``config`` as JSON (atomically: a crash never leaves half a file)."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(config.to_dict(), f, indent=2, sort_keys=False)
        f.write("\n")


def apply_overrides(config, overrides):
    """Applies ``["section.key=value", ...]``; values are parsed as YAML scalars."""
    data = config.to_dict()
    for item in overrides or ():
        key, sep, raw = item.partition("=")
        section, dot, name = key.strip().partition(".")
        if not sep or not dot:
            raise SRGANError(f"--set expects section.key=value, got {item!r}")
        if section not in _SECTIONS:
            raise SRGANError(f"unknown config section {section!r} in {item!r}")
        if name not in data[section]:
            raise SRGANError(f"unknown key {name!r} in section {section!r}")
        data[section][name] = _parse_value(raw, _field_type(section, name))
    return config_from_dict(data)


def _field_type(section, name):
    return {f.name: f.type for f in dataclasses.fields(_SECTIONS[section])}[name]


def _parse_value(raw, annotation):
    """Parses an override; strings stay strings (YAML would read ``on`` as True)."""
    raw = raw.strip()
    if raw.lower() in ("", "null", "none", "~"):
        return None
    if annotation in (str, str | None):  # noqa: SIM109
        return raw
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise SRGANError(f"cannot parse value {raw!r}: {error}") from error
    if annotation is float and isinstance(value, str):
        with contextlib.suppress(ValueError):  # YAML 1.1 reads "5e-4" (no dot) as a string
            value = float(value)
    return value


def _float_or_text(text):
    try:
        return float(text)
    except ValueError:
        return text


def _coerce(section, name, value):
    """Checks a value against its field's type; ints are accepted where floats are expected."""
    annotation = _field_type(section, name)
    if annotation == float | list:
        numbers = value if isinstance(value, list) else [value]
        if not numbers or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in numbers):
            raise SRGANError(f"{section}.{name} expects a number or a list of numbers, got {value!r}")
        return [float(v) for v in value] if isinstance(value, list) else float(value)
    allowed = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}
    optional = annotation in (str | None, int | None)
    base = {str | None: str, int | None: int}.get(annotation, annotation)
    if value is None and optional:
        return None
    kinds = allowed.get(base, (object,))
    if base is float and isinstance(value, str):
        value = _float_or_text(value)  # YAML 1.1 reads 1e-4 (no dot) as text
    if isinstance(value, bool) and base is not bool or not isinstance(value, kinds):
        raise SRGANError(f"{section}.{name} expects {base.__name__}, got {value!r}")
    return float(value) if base is float else value


def _check(condition, message):
    if not condition:
        raise SRGANError(message)


def validate(config):
    """Checks value ranges and choices; returns ``config`` or raises SRGANError."""
    # Imported here so reading a config (and ``srgan --help``) does not start TensorFlow.
    from srgan_tf.data.degradations import DEGRADATIONS
    from srgan_tf.models.architectures import ARCHITECTURES
    from srgan_tf.models.generator import SUPPORTED_SCALES
    from srgan_tf.models.rrdbnet import RRDB_SCALES

    m, lo, d, t = config.model, config.loss, config.data, config.train
    _check(m.arch in ARCHITECTURES, f"model.arch must be one of {ARCHITECTURES}, got {m.arch!r}")
    scales = RRDB_SCALES if m.arch == "rrdbnet" else SUPPORTED_SCALES
    _check(m.scale in scales, f"model.scale must be one of {scales} for {m.arch}, got {m.scale!r}")
    _check(isinstance(m.growth, int) and m.growth >= 1, "model.growth must be an integer >= 1")
    _check(isinstance(m.num_blocks, int) and m.num_blocks >= 1, "model.num_blocks must be an integer >= 1")
    _check(isinstance(m.filters, int) and m.filters >= 1, "model.filters must be an integer >= 1")
    _check(lo.content in CONTENT_LOSSES, f"loss.content must be one of {CONTENT_LOSSES}, got {lo.content!r}")
    _check(lo.pretrain_loss in PIXEL_LOSSES, f"loss.pretrain_loss must be one of {PIXEL_LOSSES}")
    for key in ("content_weight", "adversarial_weight", "pixel_weight", "tv_weight"):
        _check(getattr(lo, key) >= 0, f"loss.{key} must be >= 0")
    _check(
        d.patch_size % m.scale == 0 and d.patch_size % 16 == 0,
        f"data.patch_size must be a multiple of 16 and of the scale ({m.scale}), got {d.patch_size}",
    )
    _check(d.batch_size >= 1, "data.batch_size must be >= 1")
    _check(d.patches_per_image >= 1, "data.patches_per_image must be >= 1")
    _check(d.degradation in DEGRADATIONS, f"data.degradation must be one of {tuple(DEGRADATIONS)}")
    _check(d.cache is None or bool(d.cache), "data.cache must be null, memory or a folder")
    _check(t.pretrain_steps >= 0 and t.steps >= 0, "train.pretrain_steps and train.steps must be >= 0")
    _check(t.steps_per_epoch >= 1 and t.checkpoint_every >= 1, "train.steps_per_epoch/checkpoint_every must be >= 1")
    _check(t.keep_checkpoints >= 1 and t.log_every >= 1, "train.keep_checkpoints and train.log_every must be >= 1")
    spe = t.steps_per_execution
    _check(
        isinstance(spe, int) and spe >= 1 and all(n % spe == 0 for n in (t.steps_per_epoch, t.pretrain_steps, t.steps)),
        f"train.steps_per_execution ({spe}) must be >= 1 and divide steps_per_epoch, pretrain_steps and steps",
    )
    _check(t.precision in PRECISIONS, f"train.precision must be one of {PRECISIONS}, got {t.precision!r}")
    _check(t.jit in JIT_MODES, f"train.jit must be one of {JIT_MODES}, got {t.jit!r}")
    _check(t.strategy in STRATEGIES, f"train.strategy must be one of {STRATEGIES}, got {t.strategy!r}")
    for key in ("learning_rate_decay_at", "pretrain_learning_rate_decay_at"):
        at = getattr(t, key)
        milestones = at if isinstance(at, list) else [at]
        _check(
            all(0.0 <= v <= 1.0 for v in milestones) and milestones == sorted(milestones),
            f"train.{key} must be a fraction in [0, 1] or an ascending list of them, got {at!r}",
        )
    _check(
        lo.adversarial in ADVERSARIAL_LOSSES,
        f"loss.adversarial must be one of {ADVERSARIAL_LOSSES}, got {lo.adversarial!r}",
    )
    return config
