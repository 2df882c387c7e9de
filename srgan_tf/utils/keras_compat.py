"""Every private Keras, TensorFlow or LiteRT hook the package relies on, in one place.

Each is used through a small named function (or mixin) here, and each has a canary test in
tests/utils/test_keras_compat.py that asserts the behaviour relied on, so an upgrade that renames
or changes a hook fails there, by name, rather than somewhere downstream or silently.
"""

from srgan_tf.errors import SRGANError

# keras.src.backend.tensorflow.optimizer.TFOptimizer: sums a replica's gradients over the
# replicas inside ``apply``, before the update.
_GRADIENT_REDUCTION = "_all_reduce_sum_gradients"


def set_gradient_reduction(optimizer, reduce):
    """Makes ``optimizer.apply`` reduce its ``(gradient, variable)`` pairs with ``reduce`` instead of
    Keras's sum over tf.distribute replicas (``list``: apply the gradients as given).

    A ``LossScaleOptimizer`` delegates to its inner optimizer, whose hook is the one replaced. If a
    Keras release renames the hook, this refuses rather than let Keras sum a second time.
    """
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if not hasattr(type(inner), _GRADIENT_REDUCTION):
        raise SRGANError(
            f"{type(inner).__name__} has no {_GRADIENT_REDUCTION}: this Keras version "
            "reduces gradients elsewhere, which srgan_tf does not support yet"
        )
    setattr(inner, _GRADIENT_REDUCTION, reduce)


class SkippableSampleBuild:
    """Mixin (before ``keras.Model``) that lets a model skip Keras's build from a sample batch.

    Under a distribution strategy ``fit`` first builds the model by reducing a sample batch with
    ``strategy.reduce``, in Keras's private ``_maybe_symbolic_build``; a model whose variables all
    exist already can skip it by returning True from ``skip_sample_build()``.
    """

    def skip_sample_build(self):
        return False

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self.skip_sample_build():
            self.built = True
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)


def tflite_op_details(interpreter):
    """The operators of a LiteRT ``Interpreter``: dicts with ``op_name`` ("CONV_2D", "FlexRFFT2D"),
    ``inputs`` and ``outputs`` (tensor indices, as in ``get_tensor_details()``)."""
    return interpreter._get_ops_details()
