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
