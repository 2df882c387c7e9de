"""The paper's three networks: generator, discriminator, VGG19 features."""

from srgan_tf.models.discriminator import build_discriminator
from srgan_tf.models.generator import build_generator, generator_kwargs
from srgan_tf.models.layers import PixelShuffle, VGGPreprocess
from srgan_tf.models.receptive_field import receptive_field_radius
from srgan_tf.models.vgg import build_feature_extractor

__all__ = [
    "PixelShuffle",
    "VGGPreprocess",
    "build_discriminator",
    "build_feature_extractor",
    "build_generator",
    "generator_kwargs",
    "receptive_field_radius",
]
