"""The networks: generators (SRResNet, RRDBNet), the discriminator, VGG19 features."""

from srgan_tf.models.architectures import ARCHITECTURES, architecture_of, build_from_architecture
from srgan_tf.models.batch_norm import BatchNorm
from srgan_tf.models.discriminator import build_discriminator
from srgan_tf.models.flops import activation_bytes_per_lr_pixel, conv_flops_per_lr_pixel
from srgan_tf.models.generator import build_generator
from srgan_tf.models.layers import PixelShuffle, VGGPreprocess
from srgan_tf.models.receptive_field import receptive_field_radius
from srgan_tf.models.rrdbnet import build_rrdbnet
from srgan_tf.models.vgg import build_feature_extractor

__all__ = [
    "ARCHITECTURES",
    "BatchNorm",
    "architecture_of",
    "build_from_architecture",
    "build_rrdbnet",
    "activation_bytes_per_lr_pixel",
    "conv_flops_per_lr_pixel",
    "PixelShuffle",
    "VGGPreprocess",
    "build_discriminator",
    "build_feature_extractor",
    "build_generator",
    "receptive_field_radius",
]
