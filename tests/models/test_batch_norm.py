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


def _op_types(graph):
    """Op types of a graph and of every function it calls (gradients, control flow)."""
    types = {op.type for op in graph.get_operations()}
    for function in graph._functions.values():
        types |= {op.type for op in function.graph.get_operations()}
    return types


def _as_keras_batch_normalization(model):
    """``model`` with every BatchNorm replaced by Keras' own class (same config), same weights."""

    def clone(layer):
        cls = keras.layers.BatchNormalization if isinstance(layer, BatchNorm) else layer.__class__
        return cls.from_config(layer.get_config())

    twin = keras.models.clone_model(model, clone_function=clone)
    twin.set_weights(model.get_weights())
    return twin


@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_preset_networks_train_through_the_fused_op_on_one_device(tiny_config, network):
    """A preset's networks (synchronised BatchNorm, the default) on one device: the fused op runs in
    the training graph, and a step computes what Keras' synchronised BatchNormalization does."""
    from srgan_tf.training.builders import build_discriminator_from_config, build_generator_from_config

    assert tiny_config.model.sync_batch_norm and tiny_config.model.batch_norm
    build = build_generator_from_config if network == "generator" else build_discriminator_from_config
    keras.utils.set_random_seed(8)
    model = build(tiny_config)
    norms = [layer for layer in model.layers if isinstance(layer, BatchNorm)]
    assert norms and all(layer.synchronized for layer in norms)
    rng = np.random.default_rng(9)
    for layer in norms:  # statistics off their initial values, so the update rule shows
        gamma, beta, mean, variance = (w.shape for w in layer.get_weights())
        layer.set_weights(
            [rng.normal(1, 0.2, gamma), rng.normal(0, 0.2, beta), rng.normal(0, 1, mean), rng.uniform(0.5, 2, variance)]
        )
    reference = _as_keras_batch_normalization(model)
    assert not any(isinstance(layer, BatchNorm) for layer in reference.layers)
    size = tiny_config.data.patch_size // (tiny_config.model.scale if network == "generator" else 1)
    x = tf.constant(rng.uniform(0, 1, (4, size, size, 3)).astype(np.float32))

    def step(net):
        with tf.GradientTape() as tape:
            y = net(x, training=True)
            loss = tf.reduce_mean(tf.square(y))
        return y, tape.gradient(loss, net.trainable_variables)

    assert "FusedBatchNormV3" in _op_types(tf.function(step).get_concrete_function(model).graph)
    assert "FusedBatchNormV3" not in _op_types(tf.function(step).get_concrete_function(reference).graph)
    (y, grads), (y_keras, grads_keras) = step(model), step(reference)
    np.testing.assert_allclose(y.numpy(), y_keras.numpy(), rtol=1e-4, atol=1e-5)
    # Float32 sums in another order (and Keras' synchronised variance is E[x²] − E[x]²): entries
    # near zero (the biases before a BatchNorm: zero but for roundoff) differ by roundoff.
    atol = 1e-5 * max(np.abs(g.numpy()).max() for g in grads_keras)
    for variable, got, want in zip(model.trainable_variables, grads, grads_keras):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-3, atol=atol, err_msg=variable.path)
    for variable, want in zip(model.non_trainable_variables, reference.non_trainable_variables):
        np.testing.assert_allclose(variable.numpy(), want.numpy(), rtol=1e-4, atol=1e-6, err_msg=variable.path)
