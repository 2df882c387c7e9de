"""The tail computed before the last shuffle is the generator's own function, for every layout."""

import keras
import numpy as np
import pytest

from srgan_tf.models import build_generator, build_rrdbnet
from srgan_tf.models.subpixel_tail import phase_kernel, with_subpixel_tail


def _randomise(generator, rng):
    # Slopes away from the 0.25 init (negative ones included) and a full-scale tail, so a
    # wrong phase, channel order or slope would show.
    for layer in generator.layers:
        if isinstance(layer, keras.layers.PReLU):
            (slopes,) = layer.get_weights()
            layer.set_weights([rng.normal(size=slopes.shape).astype(np.float32)])
    tail = generator.get_layer("tail_conv")
    kernel, bias = tail.get_weights()
    kernel = rng.normal(0, 0.05, kernel.shape).astype(np.float32)
    tail.set_weights([kernel, rng.normal(size=bias.shape).astype(np.float32)])


@pytest.mark.parametrize(("scale", "upsample_skip"), [(2, True), (3, False), (4, False), (4, True), (8, False)])
def test_same_function_as_the_generator(scale, upsample_skip):
    rng = np.random.default_rng(scale)
    keras.utils.set_random_seed(scale)
    generator = build_generator(scale, 1, 8, upsample_skip=upsample_skip)
    _randomise(generator, rng)
    fast = with_subpixel_tail(generator)
    assert fast is not generator and "tail_conv" not in {layer.name for layer in fast.layers}
    lr = rng.random((2, 13, 11, 3), dtype=np.float32)  # odd sizes: borders of every phase
    expected, got = generator.predict(lr, verbose=0), fast.predict(lr, verbose=0)
    assert got.shape == expected.shape == (2, 13 * scale, 11 * scale, 3)
    assert np.abs(got - expected).max() <= 2e-6
    assert with_subpixel_tail(fast) is fast  # nothing left to move


def test_phase_kernel_by_direct_convolution():
    # Independent of Keras: a 9x9 convolution on the shuffled map, written as loops over numpy
    # arrays, equals the phase kernel applied to the map before the shuffle.
    rng = np.random.default_rng(0)
    r, channels, outputs, size = 2, 2, 3, 4
    kernel = rng.normal(size=(9, 9, channels, outputs))
    lr_map = rng.normal(size=(size, size, r * r * channels))  # depth_to_space order
    hr_map = lr_map.reshape(size, size, r, r, channels).transpose(0, 2, 1, 3, 4).reshape(size * r, size * r, channels)

    def conv_same(image, weights):
        k = weights.shape[0]
        padded = np.pad(image, ((k // 2, k // 2), (k // 2, k // 2), (0, 0)))
        out = np.zeros((*image.shape[:2], weights.shape[3]))
        for y in range(image.shape[0]):
            for x in range(image.shape[1]):
                out[y, x] = np.einsum("hwc,hwco->o", padded[y : y + k, x : x + k], weights)
        return out

    expected = conv_same(hr_map, kernel)
    phases = conv_same(lr_map, phase_kernel(kernel, r))  # (size, size, r·r·outputs)
    got = phases.reshape(size, size, r, r, outputs).transpose(0, 2, 1, 3, 4).reshape(size * r, size * r, outputs)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_rrdbnet_is_left_as_it_is():
    generator = build_rrdbnet(4, 1, 8, 4)
    assert with_subpixel_tail(generator) is generator


@pytest.mark.parametrize(("scale", "upsample_skip"), [(3, False), (4, True)])
def test_training_through_it_updates_the_generators_own_weights(scale, upsample_skip):
    # SRGAN's steps run the rewritten model: its gradients must be the generator's gradients
    # (same variables, same values to rounding), BatchNorm's moving statistics included.
    import tensorflow as tf

    rng = np.random.default_rng(7)
    keras.utils.set_random_seed(7)
    generator = build_generator(scale, 2, 8, upsample_skip=upsample_skip)
    _randomise(generator, rng)
    fast = with_subpixel_tail(generator)
    assert {id(v) for v in fast.trainable_variables} == {id(v) for v in generator.trainable_variables}
    assert {id(v) for v in fast.non_trainable_variables} == {id(v) for v in generator.non_trainable_variables}
    lr = tf.constant(rng.random((2, 7, 9, 3), dtype=np.float32))
    hr = tf.constant(rng.uniform(-1, 1, (2, 7 * scale, 9 * scale, 3)).astype(np.float32))

    def step(model):
        start = [v.numpy() for v in generator.non_trainable_variables]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(lr, training=True) - hr))
        grads = tape.gradient(loss, generator.trainable_variables)
        moved = [v.numpy() for v in generator.non_trainable_variables]
        for variable, value in zip(generator.non_trainable_variables, start):
            variable.assign(value)  # the next model starts from the same statistics
        return float(loss), grads, moved

    expected_loss, expected, expected_stats = step(generator)
    got_loss, got, got_stats = step(fast)
    assert got_loss == pytest.approx(expected_loss, rel=1e-5)
    assert all(g is not None for g in got)
    # The biases of convs before a BatchNorm have a zero gradient up to rounding: an absolute
    # floor at the scale of the largest gradient covers them.
    floor = 1e-6 * max(float(tf.reduce_max(tf.abs(e))) for e in expected)
    for variable, e, g in zip(generator.trainable_variables, expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=floor, err_msg=variable.path)
    for e, g in zip(expected_stats, got_stats):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
