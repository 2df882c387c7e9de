"""ImageNet feature networks with named taps: VGG16 (content loss, LPIPS-VGG) and AlexNet (LPIPS).

Both take RGB in [-1, 1], the generator's range, and normalise it inside the graph as
torchvision's ImageNet models expect ((x - mean) / std on [0, 1], i.e. ``(x - shift) / scale``
on [-1, 1] with shift = 2·mean − 1 and scale = 2·std: LPIPS's scaling layer). Convolutions and
ReLUs are separate layers, so a tap can sit before the activation (``conv5_3``, as ESRGAN takes
its features) or after it (``relu5_3``, as SRGAN and LPIPS do). Layer names follow Keras'
``VGG16`` (``block5_conv3``) and torchvision's AlexNet order (``conv1`` .. ``conv5``); weights
come from :mod:`srgan_tf.pretrained.imagenet_weights` by those names.
"""

import keras
from keras import layers, ops

from srgan_tf.errors import SRGANError
from srgan_tf.models.layers import PACKAGE

# torchvision's ImageNet statistics as LPIPS writes them for [-1, 1] inputs.
IMAGENET_SHIFT = (-0.030, -0.088, -0.188)
IMAGENET_SCALE = (0.458, 0.448, 0.450)

VGG16_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))
# (filters, kernel, stride, padding, max-pool before it) of torchvision's AlexNet features.
ALEXNET_CONVS = ((64, 11, 4, 2, False), (192, 5, 1, 2, True), (384, 3, 1, 1, True), (256, 3, 1, 1, False))
ALEXNET_CONVS += ((256, 3, 1, 1, False),)

NETWORKS = ("vgg16", "alexnet")


def vgg16_tap_names():
    """Every tap of VGG16: ``conv{block}_{i}`` (before ReLU) and ``relu{block}_{i}`` (after)."""
    names = []
    for block, widths in enumerate(VGG16_BLOCKS, 1):
        for i in range(1, len(widths) + 1):
            names += [f"conv{block}_{i}", f"relu{block}_{i}"]
    return names


def alexnet_tap_names():
    return [f"{kind}{k}" for k in range(1, len(ALEXNET_CONVS) + 1) for kind in ("conv", "relu")]


def min_side(network):
    """The smallest image side the network's pools accept: VGG16 pools 4 times by 2; AlexNet
    needs 31 pixels for its stride-4 conv and two 3x3 stride-2 pools."""
    return {"vgg16": 16, "alexnet": 31}[network]


@keras.saving.register_keras_serializable(package=PACKAGE)
class ImageNetNormalize(layers.Layer):
    """``(x - shift) / scale`` per channel: [-1, 1] RGB to torchvision's normalised input."""

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        shift = ops.convert_to_tensor(IMAGENET_SHIFT, dtype=self.compute_dtype)
        scale = ops.convert_to_tensor(IMAGENET_SCALE, dtype=self.compute_dtype)
        return (x - shift) / scale

    def compute_output_shape(self, input_shape):
        return input_shape


def _check_taps(taps, known, network):
    unknown = [tap for tap in taps if tap not in known]
    if unknown or not taps:
        raise SRGANError(f"unknown {network} layer(s) {unknown or taps}; choose from {', '.join(known)}")


def _frozen(images, outputs, taps, name):
    # float32 outputs: losses and distances stay float32 under a mixed precision policy.
    outputs = [layers.Activation("linear", dtype="float32", name=f"tap_{tap}")(outputs[tap]) for tap in taps]
    model = keras.Model(images, outputs, name=name)
    model.trainable = False
    return model


def build_vgg16_features(taps, name="vgg16_features"):
    """A frozen VGG16 from [-1, 1] RGB to the feature maps ``taps`` (list, in that order).

    Layers after the deepest tap are not built. Weights are random until loaded
    (:func:`srgan_tf.pretrained.imagenet_weights.load_imagenet_weights`).
    """
    taps = list(taps)
    _check_taps(taps, vgg16_tap_names(), "VGG16")
    images = keras.Input(shape=(None, None, 3), name="images")
    x = ImageNetNormalize(name="imagenet_normalize")(images)
    found = {}
    for block, widths in enumerate(VGG16_BLOCKS, 1):
        if len(found) == len(taps):
            break
        if block > 1:
            x = layers.MaxPooling2D(2, name=f"block{block - 1}_pool")(x)
        for i, width in enumerate(widths, 1):
            x = layers.Conv2D(width, 3, padding="same", name=f"block{block}_conv{i}")(x)
            found.update({f"conv{block}_{i}": x} if f"conv{block}_{i}" in taps else {})
            x = layers.ReLU(name=f"block{block}_relu{i}")(x)
            found.update({f"relu{block}_{i}": x} if f"relu{block}_{i}" in taps else {})
    return _frozen(images, found, taps, name)


def build_alexnet_features(taps, name="alexnet_features"):
    """A frozen AlexNet (torchvision's features) from [-1, 1] RGB to the maps ``taps``."""
    taps = list(taps)
    _check_taps(taps, alexnet_tap_names(), "AlexNet")
    images = keras.Input(shape=(None, None, 3), name="images")
    x = ImageNetNormalize(name="imagenet_normalize")(images)
    found = {}
    for k, (filters, kernel, stride, pad, pool_before) in enumerate(ALEXNET_CONVS, 1):
        if len(found) == len(taps):
            break
        if pool_before:
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{k - 1}")(x)
        x = layers.ZeroPadding2D(pad, name=f"pad{k}")(x)
        x = layers.Conv2D(filters, kernel, strides=stride, name=f"conv{k}")(x)
        found.update({f"conv{k}": x} if f"conv{k}" in taps else {})
        x = layers.ReLU(name=f"relu{k}")(x)
        found.update({f"relu{k}": x} if f"relu{k}" in taps else {})
    return _frozen(images, found, taps, name)


def build_features(network, taps, name=None):
    """``build_vgg16_features`` or ``build_alexnet_features`` by ``network`` name."""
    builders = {"vgg16": build_vgg16_features, "alexnet": build_alexnet_features}
    if network not in builders:
        raise SRGANError(f"unknown ImageNet network {network!r}; choose one of {', '.join(NETWORKS)}")
    return builders[network](taps, **({"name": name} if name else {}))
