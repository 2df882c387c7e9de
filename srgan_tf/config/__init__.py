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

from srgan_tf.config.loading import apply_overrides, config_from_dict, load_config, save_config
from srgan_tf.config.presets import PRESETS, get_preset
from srgan_tf.config.registry import (
    ADVERSARIAL_LOSSES,
    ARCHITECTURES,
    CONTENT_LAYERS,
    CONTENT_LOSSES,
    DEGRADATIONS,
    PIXEL_LOSSES,
    canonical_architecture,
    get_architecture,
    resolve,
)
from srgan_tf.config.schema import (
    JIT_MODES,
    PRECISIONS,
    STRATEGIES,
    VGG_FEATURE_RESCALE,
    Config,
    DataConfig,
    LossConfig,
    ModelConfig,
    TrainConfig,
)
from srgan_tf.config.validation import validate

__all__ = [
    "ADVERSARIAL_LOSSES",
    "ARCHITECTURES",
    "CONTENT_LAYERS",
    "CONTENT_LOSSES",
    "DEGRADATIONS",
    "JIT_MODES",
    "PIXEL_LOSSES",
    "PRECISIONS",
    "PRESETS",
    "STRATEGIES",
    "VGG_FEATURE_RESCALE",
    "Config",
    "DataConfig",
    "LossConfig",
    "ModelConfig",
    "TrainConfig",
    "apply_overrides",
    "canonical_architecture",
    "config_from_dict",
    "get_architecture",
    "get_preset",
    "load_config",
    "resolve",
    "save_config",
    "validate",
]
