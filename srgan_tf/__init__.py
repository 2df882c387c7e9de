"""srgan_tf: SRGAN super-resolution (Ledig et al., CVPR 2017) for TensorFlow 2 / Keras 3.

Top-level names are imported lazily, so ``import srgan_tf`` (and ``srgan --help``)
does not start TensorFlow.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Config": "srgan_tf.config",
    "get_preset": "srgan_tf.config",
    "load_config": "srgan_tf.config",
    "SRGANError": "srgan_tf.errors",
    "build_discriminator": "srgan_tf.models",
    "build_feature_extractor": "srgan_tf.models",
    "build_generator": "srgan_tf.models",
    "SRGAN": "srgan_tf.training.gan",
    "train": "srgan_tf.training.trainer",
    "upscale": "srgan_tf.inference.upscale",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'srgan_tf' has no attribute {name!r}")
