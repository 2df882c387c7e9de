"""Custom layers, registered so `.keras` files load with ``safe_mode=True``.

SRGAN needs two operations that Keras has no layer for: sub-pixel convolution's
pixel shuffle and VGG's input preprocessing. Writing them as ``Lambda`` layers
would serialise Python bytecode, which Keras 3 refuses to load safely.
"""

import keras
from keras import ops

PACKAGE = "srgan_tf"

# ImageNet BGR means that keras.applications.vgg19.preprocess_input subtracts
# in its "caffe" mode; kept here so the layer is a pure graph op.
VGG_BGR_MEANS = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package=PACKAGE)
class PixelShuffle(keras.layers.Layer):
    """Rearranges ``(N, H, W, C·r²)`` into ``(N, r·H, r·W, C)`` (Shi et al. 2016).

    Uses TensorFlow's ``depth_to_space`` channel order, which converts
    directly to TFLite's DEPTH_TO_SPACE and ONNX's DepthToSpace (DCR mode).

    Args:
        factor: the upscaling factor ``r`` (an integer >= 2).
    """

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        if int(factor) < 2:
            raise ValueError(f"PixelShuffle factor must be >= 2, got {factor}")
        self.factor = int(factor)

    def call(self, inputs):
        return ops.depth_to_space(inputs, self.factor, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.factor
        return (
            n,
            None if h is None else h * r,
            None if w is None else w * r,
            None if c is None else c // (r * r),
        )

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package=PACKAGE)
class VGGPreprocess(keras.layers.Layer):
    """Turns RGB images in [-1, 1] into VGG19's input (BGR, 0-255, mean-free).

    Equivalent to ``keras.applications.vgg19.preprocess_input((x + 1) * 127.5)``
    but inside the graph, so the feature extractor takes the generator's range.
    """

    def call(self, inputs):
        pixels = (ops.cast(inputs, self.compute_dtype) + 1.0) * 127.5
        bgr = ops.flip(pixels, axis=-1)
        return bgr - ops.convert_to_tensor(VGG_BGR_MEANS, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


def cubic_weights(offset):
    """Keys' cubic convolution kernel (a = -0.5, as MATLAB, PIL and tf.image use) at 5 taps.

    ``offset``: where the output sample lies relative to its centre input pixel (|offset| < 0.5);
    returns the weights of input pixels -2..2 around it.
    """
    weights = []
    for tap in range(-2, 3):
        d = abs(offset - tap)
        if d <= 1:
            w = 1.5 * d**3 - 2.5 * d**2 + 1
        elif d < 2:
            w = -0.5 * d**3 + 2.5 * d**2 - 4 * d + 2
        else:
            w = 0.0
        weights.append(w)
    return weights


@keras.saving.register_keras_serializable(package=PACKAGE)
class BicubicUpsample(keras.layers.Layer):
    """Bicubic upsampling by ``factor`` as one fixed convolution plus a pixel shuffle.

    Each of the factor² output phases is a 5x5 separable cubic filter over the input
    (half-pixel centres, as ``tf.image.resize(..., "bicubic")``), so the layer converts
    to builtin TFLite (MIRROR_PAD, CONV_2D, DEPTH_TO_SPACE) and ONNX ops; borders are
    reflected. Not trainable: the filters follow from ``factor``.
    """

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)
        r = self.factor
        phases = [cubic_weights((p + 0.5) / r - 0.5) for p in range(r)]
        kernel = [[[[0.0] * (3 * r * r) for _ in range(3)] for _ in range(5)] for _ in range(5)]
        for py in range(r):
            for px in range(r):
                for c in range(3):
                    out = (py * r + px) * 3 + c  # depth_to_space's channel order
                    for i in range(5):
                        for j in range(5):
                            kernel[i][j][c][out] = phases[py][i] * phases[px][j]
        self._kernel = kernel

    def call(self, inputs):
        kernel = ops.convert_to_tensor(self._kernel, dtype=self.compute_dtype)
        padded = ops.pad(ops.cast(inputs, self.compute_dtype), [[0, 0], [2, 2], [2, 2], [0, 0]], mode="reflect")
        return ops.depth_to_space(ops.conv(padded, kernel, padding="valid"), self.factor)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.factor
        return (n, None if h is None else h * r, None if w is None else w * r, c)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
