"""Upscaling real images: tiling, image files in and out, the batch driver."""

from srgan_tf.inference.upscale import Upscaler, upscale, upscale_files

__all__ = ["Upscaler", "upscale", "upscale_files"]
