"""Spectrally normalised convolution and dense layers (Miyato et al. 2018), for discriminators.

The kernel is divided by an estimate of its largest singular value on every call, so each layer
is 1-Lipschitz and the discriminator's logit can move by at most the input's change times a
constant: it cannot push SR patches to logits of -50 as a batch-normalised one does within a
few hundred steps of perceptual training (docs/pretrained.md, runs P1/P2), after which its
gradients carry nothing. The estimate is one power iteration per training call, its vector kept
between calls, as in the paper and PyTorch's ``spectral_norm`` (which Real-ESRGAN's
discriminator uses). Unlike ``keras.layers.SpectralNormalization``, which writes W/σ back into
the kernel variable, the variable keeps the unnormalised W and the gradient flows through σ
(the paper's reparametrisation). Inference uses the stored vector and does not update it.
"""

import keras
from keras import ops

from srgan_tf.models.layers import PACKAGE


class _SpectralKernel:
    """The shared part: the power-iteration vector and the normalised kernel."""

    def _build_vector(self):
        self.singular_vector = self.add_weight(
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
            autocast=False,
            aggregation="mean",
            name="singular_vector",
        )

    # Conv2D and Dense store only kernel and bias; the plain Layer rule stores every variable.
    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)

    def _normalized_kernel(self, training):
        kernel = ops.cast(self.kernel, "float32")
        matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))
        u = ops.cast(self.singular_vector, "float32")
        v = _unit(ops.matmul(u, ops.transpose(matrix)))
        u = _unit(ops.matmul(v, matrix))
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        if training:
            self.singular_vector.assign(u)
        sigma = ops.sum(ops.matmul(v, matrix) * u)
        return ops.cast(kernel / sigma, self.compute_dtype)


def _unit(x):
    return x / (ops.sqrt(ops.sum(ops.square(x))) + 1e-12)


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpectralConv2D(_SpectralKernel, keras.layers.Conv2D):
    """``keras.layers.Conv2D`` (channels last, no groups) with a spectrally normalised kernel."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.groups != 1 or self.data_format != "channels_last":
            raise ValueError("SpectralConv2D supports channels_last convolutions without groups")

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector()

    def call(self, inputs, training=None):
        outputs = ops.conv(
            inputs,
            self._normalized_kernel(training),
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            data_format=self.data_format,
        )
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpectralDense(_SpectralKernel, keras.layers.Dense):
    """``keras.layers.Dense`` with a spectrally normalised kernel."""

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector()

    def call(self, inputs, training=None):
        outputs = ops.matmul(inputs, self._normalized_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs
