"""Training: the GAN model and its losses, config -> networks, the two-stage resumable trainer.

``gan`` (``SRGAN(keras.Model)`` with the GAN ``train_step``), ``losses``, ``builders`` (config ->
generator, discriminator, feature extractor, optimizer, stage model), ``trainer`` (the stages,
resume, callbacks), ``run_dir``, ``runtime`` (precision, XLA, strategy, seeds), ``replicas`` and
``distributed`` (tf.distribute), ``callbacks/``, ``interpolation`` (network interpolation).
Names are imported lazily: ``import srgan_tf.training`` does not start TensorFlow.
"""

import importlib

_EXPORTS = {"SRGAN": "srgan_tf.training.gan", "train": "srgan_tf.training.trainer"}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'srgan_tf.training' has no attribute {name!r}")
