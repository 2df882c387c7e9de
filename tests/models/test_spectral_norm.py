"""Spectrally normalised layers and the discriminator built from them, against numpy's SVD."""

import keras
import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.config import apply_overrides, get_preset
from srgan_tf.models import build_discriminator
from srgan_tf.models.spectral_norm import SpectralConv2D, SpectralDense


def _largest_singular_value(kernel):
    kernel = np.asarray(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def _converge(layer, x, calls=40):
    for _ in range(calls):
        layer(x, training=True)


def test_dense_divides_its_kernel_by_the_largest_singular_value(rng):
    layer = SpectralDense(7)
    x = rng.normal(size=(5, 12)).astype("float32")
    layer(x)
    layer.kernel.assign(rng.normal(size=(12, 7)) * 3.0)
    _converge(layer, x)
    kernel = layer.kernel.numpy()
    expected = x @ (kernel / _largest_singular_value(kernel)) + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_conv_kernel_has_unit_spectral_norm_and_ignores_the_kernels_scale(rng):
    layer = SpectralConv2D(6, 3, padding="same")
    x = rng.uniform(-1, 1, size=(2, 9, 11, 4)).astype("float32")
    layer(x)
    _converge(layer, x)
    assert _largest_singular_value(layer._normalized_kernel(False)) == pytest.approx(1.0, abs=1e-4)
    before = layer(x).numpy()
    layer.kernel.assign(layer.kernel.numpy() * 5.0)  # W and 5W normalise to the same kernel
    np.testing.assert_allclose(layer(x).numpy(), before, rtol=1e-4, atol=1e-5)


def test_only_training_calls_move_the_power_iteration_vector(rng):
    layer = SpectralDense(3)
    x = rng.normal(size=(2, 4)).astype("float32")
    layer(x)
    vector = layer.singular_vector.numpy().copy()
    layer(x, training=False)
    np.testing.assert_array_equal(layer.singular_vector.numpy(), vector)
    layer(x, training=True)
    assert not np.array_equal(layer.singular_vector.numpy(), vector)


def test_gradient_flows_through_sigma(rng):
    """d(output)/dW of W/σ(W) is orthogonal to W (the output does not change along W), so the
    kernel's gradient has no component along the kernel itself."""
    import tensorflow as tf

    layer = SpectralDense(5, use_bias=False)
    x = rng.normal(size=(8, 6)).astype("float32")
    layer(x)
    _converge(layer, x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(x, training=False) - 1.0))
    gradient = tape.gradient(loss, layer.kernel).numpy()
    kernel = layer.kernel.numpy()
    cosine = np.sum(gradient * kernel) / (np.linalg.norm(gradient) * np.linalg.norm(kernel))
    assert abs(cosine) < 1e-3


def test_spectral_discriminator_round_trips_through_keras_file(tmp_path, rng):
    model = build_discriminator(32, 8, 16, norm="spectral")
    assert not [layer for layer in model.layers if "bn" in layer.name]
    assert {type(layer) for layer in model.layers if hasattr(layer, "kernel")} == {SpectralConv2D, SpectralDense}
    x = rng.uniform(-1, 1, size=(3, 32, 32, 3)).astype("float32")
    for _ in range(3):
        model(x, training=True)
    model.save(tmp_path / "d.keras")
    loaded = keras.models.load_model(tmp_path / "d.keras", safe_mode=True)
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unknown_norm_is_refused():
    with pytest.raises(SRGANError, match="norm must be one of batch, spectral"):
        build_discriminator(32, norm="layer")
    with pytest.raises(SRGANError, match="model.discriminator_norm must be one of"):
        apply_overrides(get_preset("demo"), ["model.discriminator_norm=instance"])
