"""Convolution FLOPs per LR pixel against the networks' layer tables written out by hand."""

import pytest

from srgan_tf.models import build_generator, build_rrdbnet, conv_flops_per_lr_pixel


def _conv(kernel, cin, cout, area=1):
    return 2 * kernel * kernel * cin * cout * area  # area: output pixels per LR pixel


def test_srresnet_flops_match_the_paper_layer_table():
    blocks, f = 16, 64
    expected = (
        _conv(9, 3, f)  # head
        + (2 * blocks + 1) * _conv(3, f, f)  # residual blocks, body conv
        + _conv(3, f, 4 * f, area=1)  # x2 stage 1, before its shuffle
        + _conv(3, f, 4 * f, area=4)  # x2 stage 2, on the 2x map
        + _conv(9, f, 3, area=16)  # tail on the 4x map
    )
    assert conv_flops_per_lr_pixel(build_generator(4, blocks, f)) == pytest.approx(expected, rel=1e-12)
    # The figure the speed work quotes: 72.7 GFLOP for a 128x128 input.
    assert expected * 128 * 128 / 1e9 == pytest.approx(72.685, abs=1e-3)


def test_rrdbnet_flops_match_its_layer_table():
    blocks, f, g = 2, 16, 8
    dense_block = sum(_conv(3, f + k * g, g) for k in range(4)) + _conv(3, f + 4 * g, f)
    expected = (
        _conv(3, 3, f)  # conv_first
        + blocks * 3 * dense_block  # three dense blocks per RRDB
        + _conv(3, f, f)  # conv_body
        + _conv(3, f, f, area=4)  # conv_up1 after nearest x2
        + _conv(3, f, f, area=16)  # conv_up2 after the second x2
        + _conv(3, f, f, area=16)  # conv_hr
        + _conv(3, f, 3, area=16)  # conv_last
    )
    model = build_rrdbnet(4, blocks, f, g)
    assert conv_flops_per_lr_pixel(model) == pytest.approx(expected, rel=1e-12)


def test_activation_peak_follows_liveness_by_hand():
    """x -> a (conv 3->8) -> b (conv 8->8) -> c = a + b -> d (conv 8->12) -> shuffle x2 -> e (conv 3->3):
    a is read by c, so it lives beside b; the peak is where the most live bytes meet."""
    import keras

    from srgan_tf.models import PixelShuffle, activation_bytes_per_lr_pixel

    x = keras.Input((None, None, 3))
    a = keras.layers.Conv2D(8, 3, padding="same", name="a")(x)
    b = keras.layers.Conv2D(8, 3, padding="same", name="b")(a)
    c = keras.layers.Add(name="c")([a, b])
    d = keras.layers.Conv2D(12, 3, padding="same", name="d")(c)
    s = PixelShuffle(2, name="s")(d)
    e = keras.layers.Conv2D(3, 3, padding="same", name="e")(s)
    model = keras.Model(x, e)
    # Floats per LR pixel alive at each layer (x: 3; a, b, c: 8; d: 12; s: 12 (3 x 4); e: 12 (3 x 4)):
    # at a: x+a = 11; at b: a+b = 16; at c: a+b+c = 24; at d: c+d = 20; at s: d+s = 24; at e: s+e = 24.
    assert activation_bytes_per_lr_pixel(model) == 24 * 4


def test_activation_peak_of_a_sequential_chain():
    import keras

    from srgan_tf.models import activation_bytes_per_lr_pixel

    model = keras.Sequential([keras.Input((None, None, 3)), keras.layers.UpSampling2D(4), keras.layers.Rescaling(2.0)])
    # input 3 floats per LR pixel; upsampling 3 x 16 = 48; rescaling 48: the peak is 48 + 48.
    assert activation_bytes_per_lr_pixel(model) == 96 * 4
