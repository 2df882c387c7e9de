"""srgan_tf: SRGAN super-resolution (Ledig et al., CVPR 2017) for TensorFlow 2 / Keras 3."""

__version__ = "0.1.0"

from srgan_tf.config import Config, get_preset, load_config  # noqa: E402
from srgan_tf.errors import SRGANError  # noqa: E402
from srgan_tf.models import build_discriminator, build_feature_extractor, build_generator  # noqa: E402

__all__ = [
    "Config",
    "SRGANError",
    "__version__",
    "build_discriminator",
    "build_feature_extractor",
    "build_generator",
    "get_preset",
    "load_config",
]
