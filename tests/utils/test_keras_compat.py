"""Canaries for the private Keras / TensorFlow / LiteRT hooks in ``srgan_tf.utils.keras_compat``:
each asserts the behaviour the package relies on, so an upgrade that changes a hook fails here."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from srgan_tf.utils.keras_compat import SkippableSampleBuild, set_gradient_reduction, tflite_op_details


@pytest.mark.parametrize("loss_scaled", [False, True])
def test_optimizer_apply_reduces_gradients_through_the_replaceable_hook(loss_scaled):
    """``SRGAN`` sums gradients itself and makes the optimizers apply them as given; that works only
    while ``apply`` passes its (gradient, variable) pairs through the hook and applies what it returns."""
    optimizer = keras.optimizers.SGD(0.5)
    if loss_scaled:
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=8.0)
    variable = keras.Variable([1.0, 2.0])
    seen = []

    def doubled(grads_and_vars):
        seen.append(len(grads_and_vars))
        return [(2.0 * g, v) for g, v in grads_and_vars]

    set_gradient_reduction(optimizer, doubled)
    scale = 8.0 if loss_scaled else 1.0
    optimizer.apply([tf.constant([scale, -scale])], [variable])
    assert seen == [1], "Keras's optimizer.apply no longer calls _all_reduce_sum_gradients"
    # SGD: variable - lr * gradient, with the gradient the hook returned (doubled, unscaled).
    np.testing.assert_allclose(variable.numpy(), [1.0 - 0.5 * 2.0, 2.0 + 0.5 * 2.0])


def test_gradient_reduction_refuses_an_optimizer_without_the_hook():
    class Plain:
        pass

    with pytest.raises(Exception, match="_all_reduce_sum_gradients"):
        set_gradient_reduction(Plain(), list)


class Linear(SkippableSampleBuild, keras.Model):
    def __init__(self, skip):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.skip = skip
        self.asked = 0

    def skip_sample_build(self):
        self.asked += 1
        return self.skip

    def call(self, x):
        return self.dense(x)


@pytest.mark.parametrize("skip", [False, True])
def test_fit_asks_the_model_whether_to_build_from_a_sample_batch(skip):
    """``SRGAN`` skips Keras's sample-batch build under MultiWorkerMirroredStrategy; that works only
    while ``fit`` calls ``_maybe_symbolic_build(iterator=..., data_batch=...)`` before training."""
    hook = getattr(keras.Model, "_maybe_symbolic_build", None)
    assert hook is not None, "keras.Model no longer has _maybe_symbolic_build"
    assert list(inspect.signature(hook).parameters) == ["self", "iterator", "data_batch"], (
        "keras.Model._maybe_symbolic_build changed its arguments"
    )
    keras.utils.set_random_seed(0)
    model = Linear(skip)
    model(np.zeros((1, 2), np.float32))  # built eagerly, as SRGAN's functional networks are
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    before = model.dense.kernel.numpy().copy()
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert model.asked == 1, "Keras's fit no longer calls _maybe_symbolic_build"
    assert model.built
    assert not np.array_equal(model.dense.kernel.numpy(), before)  # and it trained


def test_litert_op_details_name_each_operator_and_its_tensors(tmp_path):
    """The TFLite report and the GPU-delegate check read each op's name and its tensors' dtypes."""
    from ai_edge_litert.interpreter import Interpreter

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def add_then_cast(x):
        return tf.cast(x + 1.0, tf.int32)

    converter = tf.lite.TFLiteConverter.from_concrete_functions([add_then_cast.get_concrete_function()])
    path = tmp_path / "tiny.tflite"
    path.write_bytes(converter.convert())
    interpreter = Interpreter(model_path=str(path))
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    ops = tflite_op_details(interpreter)
    assert [op["op_name"] for op in ops] == ["ADD", "CAST"], "LiteRT's _get_ops_details changed"
    add, cast = ops
    assert [tensors[i]["dtype"] for i in add["outputs"]] == [np.float32]
    assert list(cast["inputs"]) == list(add["outputs"])
    assert [tensors[i]["dtype"] for i in cast["outputs"]] == [np.int32]
    assert list(cast["outputs"]) == [interpreter.get_output_details()[0]["index"]]
