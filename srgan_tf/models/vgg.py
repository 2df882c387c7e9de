"""The frozen VGG19 feature extractor behind SRGAN's content loss.

SRGAN's "VGG54" loss compares φ5,4, the feature map of the 4th convolution
before the 5th max-pool (Keras' ``block5_conv4``); "VGG22" uses φ2,2
(``block2_conv2``). Keras' VGG convolutions include their ReLU, so by default
the features are taken *after* the activation, as in SRGAN. ESRGAN (Wang et
al. 2018) showed features *before* the activation keep more signal;
``before_activation=True`` gives that variant.
"""

import os

import keras
from keras import layers

from srgan_tf.errors import SRGANError
from srgan_tf.models.layers import VGGPreprocess

# Friendly aliases for the paper's names.
LAYER_ALIASES = {"vgg54": "block5_conv4", "vgg22": "block2_conv2"}


def resolve_layer_name(layer):
    """Maps "vgg54"/"vgg22" to Keras layer names; passes VGG19 conv names through."""
    return LAYER_ALIASES.get(str(layer).lower(), layer)


def _vgg19_backbone(weights):
    if weights not in ("imagenet", None):
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise SRGANError(f"VGG19 weights file not found: {path}")
        weights = path
    try:
        return keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
    except Exception as error:  # keras raises bare Exceptions for offline downloads
        if weights == "imagenet":
            raise SRGANError(
                "could not get VGG19 ImageNet weights (offline?); download them once or pass "
                f"a local weights file: {str(error).splitlines()[0]}"
            ) from error
        raise SRGANError(f"could not load VGG19 weights from {weights}: {error}") from error


def build_feature_extractor(
    layer="block5_conv4",
    weights="imagenet",
    before_activation=False,
    name="vgg19_features",
):
    """Builds a frozen VGG19 that maps images in [-1, 1] to one feature map.

    Args:
        layer: a VGG19 conv layer name (e.g. "block5_conv4") or "vgg54"/"vgg22".
        weights: "imagenet" (downloaded and cached by Keras on first use), None
            (random, for tests), or a path to a VGG19 ``.weights.h5``/``.h5`` file.
        before_activation: take the convolution's output before its ReLU
            (ESRGAN) instead of after (SRGAN, the default).
        name: the model's name.

    Returns:
        A non-trainable ``keras.Model`` mapping float ``(N, H, W, 3)`` RGB in
        [-1, 1] to float32 features ``(N, H/2^k, W/2^k, C)``.
    """
    layer = resolve_layer_name(layer)
    backbone = _vgg19_backbone(weights)
    conv_names = [lay.name for lay in backbone.layers if isinstance(lay, layers.Conv2D)]
    if layer not in conv_names:
        raise SRGANError(f"unknown VGG19 layer {layer!r}; choose one of vgg54, vgg22, {', '.join(conv_names)}")

    images = keras.Input(shape=(None, None, 3), name="images")
    x = VGGPreprocess(name="vgg_preprocess")(images)
    for lay in backbone.layers[1:]:
        if lay.name == layer and before_activation:
            # Same kernel and bias, no ReLU: a linear twin of the tapped conv.
            config = {**lay.get_config(), "activation": "linear", "name": f"{layer}_linear"}
            twin = layers.Conv2D.from_config(config)
            x = twin(x)
            twin.set_weights(lay.get_weights())
            break
        x = lay(x)
        if lay.name == layer:
            break
    features = layers.Activation("linear", dtype="float32", name="features")(x)
    model = keras.Model(images, features, name=name)
    model.trainable = False
    return model
