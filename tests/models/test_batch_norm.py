"""BatchNorm trains through the fused op and computes what Keras' BatchNormalization does."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from srgan_tf.models import BatchNorm


def _pair(shape, momentum=0.9, **kwargs):
    rng = np.random.default_rng(0)
    layers = BatchNorm(momentum=momentum, **kwargs), keras.layers.BatchNormalization(momentum=momentum, **kwargs)
    for layer in layers:
        layer.build(shape)
    weights = [rng.normal(size=w.shape).astype(np.float32) for w in layers[1].get_weights()]
    weights[3] = np.abs(weights[3]) + 0.5  # a variance
    for layer in layers:
        layer.set_weights(weights)
    return layers, weights


def test_training_step_matches_keras_and_a_numpy_reference():
    shape = (4, 6, 5, 8)
    (fused, plain), (_, _, mean0, var0) = _pair(shape)
    x = tf.constant(np.random.default_rng(1).normal(2.0, 3.0, shape).astype(np.float32))
    upstream = tf.constant(np.random.default_rng(2).normal(size=shape).astype(np.float32))
    results = []
    for layer in (fused, plain):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
        grads = tape.gradient(y, [x, *layer.trainable_variables], output_gradients=upstream)
        results.append((y.numpy(), [g.numpy() for g in grads], [v.numpy() for v in layer.non_trainable_variables]))
    (y_f, g_f, stats_f), (y_k, g_k, stats_k) = results
    traced = tf.function(lambda v: fused(v, training=True)).get_concrete_function(x).graph
    assert "FusedBatchNormV3" in {op.type for op in traced.get_operations()}  # not Keras' fallback
    np.testing.assert_allclose(y_f, y_k, rtol=1e-5, atol=1e-5)
    for a, b in zip(g_f, g_k):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    # Keras' rule, from numpy: the biased batch variance, not the fused op's unbiased one.
    values = x.numpy().astype(np.float64)
    expected = [
        mean0 * 0.9 + values.mean(axis=(0, 1, 2)) * 0.1,
        var0 * 0.9 + values.var(axis=(0, 1, 2)) * 0.1,
    ]
    for got, keras_got, want in zip(stats_f, stats_k, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)
        np.testing.assert_allclose(keras_got, want, rtol=1e-5)


def test_inference_and_unfusable_cases_run_keras_own_code():
    shape = (3, 4, 4, 6)
    (fused, plain), _ = _pair(shape)
    x = tf.constant(np.random.default_rng(3).normal(size=shape).astype(np.float32))
    np.testing.assert_array_equal(fused(x, training=False).numpy(), plain(x, training=False).numpy())
    (fused2d, plain2d), _ = _pair((5, 6))  # not NHWC: Keras' path, bit for bit
    x2d = tf.constant(np.random.default_rng(4).normal(size=(5, 6)).astype(np.float32))
    np.testing.assert_array_equal(fused2d(x2d, training=True).numpy(), plain2d(x2d, training=True).numpy())


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_keeps_float32_statistics(policy):
    shape = (2, 4, 4, 8)
    x = np.random.default_rng(5).normal(1.0, 2.0, shape).astype(np.float32)
    (reference, _), _ = _pair(shape)
    expected = reference(tf.constant(x), training=True).numpy()
    layer = BatchNorm(momentum=0.9, dtype=policy)
    layer.build(shape)
    layer.set_weights(reference.get_weights())  # the reference's updated statistics don't matter here
    y = layer(tf.cast(x, layer.compute_dtype), training=True)
    assert y.dtype == layer.compute_dtype and layer.moving_mean.dtype == "float32"
    np.testing.assert_allclose(np.asarray(y, np.float32), expected, atol=0.05)


def test_saved_model_file_round_trip(tmp_path):
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, BatchNorm(name="bn")(keras.layers.Conv2D(4, 3, padding="same")(inputs)))
    x = np.random.default_rng(6).normal(size=(2, 5, 5, 3)).astype(np.float32)
    model(x, training=True)  # move the statistics off their initial values
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    assert type(loaded.get_layer("bn")) is BatchNorm
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
