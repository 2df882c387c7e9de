"""The three networks: shapes, sizes, any-size inference, safe .keras round-trips."""

import keras
import numpy as np
import pytest
from network_contract import assert_network_contract

from srgan_tf import SRGANError
from srgan_tf.models import PixelShuffle, build_discriminator, build_generator


def test_paper_generator_has_paper_size():
    # Ledig et al.: ~1.55 M parameters for B=16, 64 filters, x4.
    assert build_generator().count_params() == 1_554_883


def test_paper_discriminator_layout():
    model = build_discriminator()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [c.strides[0] for c in convs] == [1, 2, 1, 2, 1, 2, 1, 2]
    bns = [layer.name for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert bns == [f"bn{i}" for i in range(1, 8)]  # none after the first conv
    assert model.get_layer("dense").units == 1024
    assert model.get_layer("logits").activation.__name__ == "linear"  # logits; sigmoid lives in the loss


@pytest.mark.parametrize("scale", [2, 3, 4, 8])
def test_generator_any_size_and_range(scale, rng):
    model = build_generator(scale=scale, num_blocks=1, filters=8)
    for height, width in [(7, 13), (16, 9)]:
        lr_images = rng.random((2, height, width, 3), dtype=np.float32)
        sr_images = model(lr_images, training=False).numpy()
        assert sr_images.shape == (2, height * scale, width * scale, 3)
        assert sr_images.dtype == np.float32
        assert np.all(np.abs(sr_images) <= 1.0)


def test_generator_prelu_is_per_channel():
    model = build_generator(num_blocks=1, filters=8)
    assert model.get_layer("head_prelu").get_weights()[0].shape == (1, 1, 8)


def test_generator_rejects_bad_scale():
    with pytest.raises(SRGANError, match="scale must be one of"):
        build_generator(scale=5)


def test_discriminator_rejects_bad_patch():
    with pytest.raises(SRGANError, match="multiple of 16"):
        build_discriminator(patch_size=40)


def test_pixel_shuffle_matches_reference_layout(rng):
    # Reference: out[n, h*r + i, w*r + j, c] = in[n, h, w, (i*r + j)*C + c]  (TF's DCR order).
    r, channels = 2, 3
    inputs = rng.random((1, 3, 4, channels * r * r), dtype=np.float32)
    out = PixelShuffle(r)(inputs).numpy()
    expected = inputs.reshape(1, 3, 4, r, r, channels).transpose(0, 1, 3, 2, 4, 5).reshape(1, 6, 8, channels)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_upsample_layer_matches_tf_image_resize(scale, photos):
    import tensorflow as tf

    from srgan_tf.models.layers import BicubicUpsample

    x = photos[0][:40, :52].astype(np.float32)[None] / 255.0
    ours = BicubicUpsample(scale)(x).numpy()
    reference = tf.image.resize(x, (40 * scale, 52 * scale), "bicubic").numpy()
    inner = 3 * scale  # borders differ: reflected here, clamped there
    # x2/x4 phase offsets are binary fractions; at x3 (offsets ±1/3) tf.image's kernel
    # is tabulated and ours exact: 6e-4 apart.
    tolerance = 1e-3 if scale == 3 else 1e-6
    np.testing.assert_allclose(
        ours[:, inner:-inner, inner:-inner], reference[:, inner:-inner, inner:-inner], atol=tolerance
    )
    assert np.abs(ours - reference).max() < 0.1


def test_upsample_skip_generator_starts_at_bicubic_and_round_trips(tmp_path, rng, photos):
    from srgan_tf.models import receptive_field_radius
    from srgan_tf.models.layers import BicubicUpsample

    model = build_generator(4, num_blocks=2, filters=8, upsample_skip=True)
    x = photos[1][:24, :20].astype(np.float32)[None] / 255.0
    residual = (model(x).numpy() + 1) / 2 - BicubicUpsample(4)(x).numpy()
    assert 0 < np.abs(residual).max() < 0.05  # starts next to bicubic, not on it (gradients must flow)
    model.get_layer("tail_conv").kernel.assign(rng.normal(0, 0.05, (9, 9, 8, 3)).astype(np.float32))
    loaded = assert_network_contract(model, x, tmp_path)
    assert isinstance(loaded.get_layer("bicubic"), BicubicUpsample)
    assert receptive_field_radius(model) == receptive_field_radius(build_generator(4, num_blocks=2, filters=8))


def test_generator_without_batch_norm_is_the_paper_graph_with_identity_norms(rng):
    plain = build_generator(4, num_blocks=2, filters=8, batch_norm=False)
    paper = build_generator(4, num_blocks=2, filters=8)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers)
    for layer in paper.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, _, _ = layer.get_weights()
            # variance 1 - epsilon: the layer divides by sqrt(var + eps) = 1 exactly
            layer.set_weights(
                [np.ones_like(gamma), np.zeros_like(beta), np.zeros_like(gamma), np.ones_like(gamma) - layer.epsilon]
            )
        elif layer.weights:
            weights = [rng.normal(0, 0.05, w.shape).astype(np.float32) for w in layer.get_weights()]
            layer.set_weights(weights)
            plain.get_layer(layer.name).set_weights(weights)
    x = rng.random((1, 12, 10, 3), dtype=np.float32)
    np.testing.assert_allclose(plain(x).numpy(), paper(x, training=False).numpy(), atol=1e-5)


def test_prelu_starts_at_a_quarter_slope():
    # He et al.'s (and PyTorch's) 0.25, not Keras' 0 (a ReLU whose units can all die early).
    model = build_generator(num_blocks=1, filters=8)
    np.testing.assert_array_equal(model.get_layer("up0_prelu").get_weights()[0], np.full((1, 1, 8), 0.25))


def test_summary_builds_the_configs_networks_through_stages():
    from srgan_tf.cli.commands.summary import summarize_networks

    lines = []
    overrides = ["model.arch=rrdbnet", "model.num_blocks=1", "model.filters=8", "model.growth=4"]
    counts = summarize_networks("demo", overrides, vgg=True, print_fn=lines.append)
    per_rdb = sum(9 * (8 + 4 * k) * 4 + 4 for k in range(4)) + 9 * 24 * 8 + 8
    rrdbnet = 3 * per_rdb + (9 * 3 * 8 + 8) + 4 * (9 * 8 * 8 + 8) + (9 * 8 * 3 + 3)
    assert list(counts.values())[0] == rrdbnet
    assert list(counts.values())[2] == 20_024_384  # VGG19's 16 convs: vgg54 is the last
    assert "x4, rrdbnet, 1 blocks, 8 filters" in "\n".join(lines)
