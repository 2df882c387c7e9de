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
