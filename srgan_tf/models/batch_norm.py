"""Keras BatchNormalization, trained through TensorFlow's fused batch-norm kernel.

Keras 3 normalises a training batch with separate ops (mean, squared difference, mean, rsqrt,
multiply, add) and differentiates each of them: on the CPU that is several passes over every
activation map, forward and backward. TensorFlow's ``FusedBatchNormV3`` (oneDNN's kernel when
``srgan train`` loads oneDNN) computes the same normalisation and its gradient in one op each.
Measured with both variants in one process, steps alternating (median per-pair ratio): 2-4 % off
a paper GAN step (0.963, 0.977) and 1-4 % off a pretrain step (0.957, 0.965, 0.988).

Same variables, same updates: the moving statistics move by Keras' own rule with the *biased*
batch variance (the fused op returns the unbiased one; its ``n/(n-1)`` is taken back out), and
inference (``training=False``), batch norm synchronised over several replicas and masks run
Keras' own code. Saved
models name this class; files written with Keras' class load as they are.
"""

import keras
import tensorflow as tf

from srgan_tf.models.layers import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class BatchNorm(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` whose training-mode call is one fused op."""

    def _fused(self, inputs, training, mask):
        # The cases the fused op computes as Keras does: a training batch of NHWC maps, normalised
        # over N, H and W with this replica's statistics, scaled and shifted. Synchronised
        # statistics are this replica's when it is the only one in sync (no strategy, or one
        # device): decided here, at trace time, where the strategy is known. The presets
        # synchronise by default, so this is the case `srgan train` on one device runs.
        local = not self.synchronized or tf.distribute.get_strategy().num_replicas_in_sync == 1
        plain = mask is None and local and not self.renorm and self.scale and self.center
        nhwc = len(inputs.shape) == 4 and self.axis % 4 == 3
        return bool(training) and self.trainable and plain and nhwc

    def call(self, inputs, training=None, mask=None):
        if not self._fused(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        x = tf.cast(inputs, "float32")  # as Keras does: statistics in float32 under mixed precision
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            x, tf.cast(self.gamma, "float32"), tf.cast(self.beta, "float32"), epsilon=self.epsilon, is_training=True
        )
        count = tf.cast(tf.size(x) // tf.shape(x)[-1], "float32")
        variance = variance * (count - 1.0) / count  # the op's unbiased estimate -> Keras' biased one
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return tf.cast(y, self.compute_dtype)
