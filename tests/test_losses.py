"""Loss terms against plain-numpy formulas of the paper's equations."""

import numpy as np
import pytest

from srgan_tf import losses


def _np_bce(labels, logits):
    probs = 1 / (1 + np.exp(-logits.astype(np.float64)))
    return -(labels * np.log(probs) + (1 - labels) * np.log(1 - probs))


def test_pixel_losses_per_example(rng):
    hr = rng.uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32)
    sr = rng.uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(losses.pixel_mse(hr, sr), ((hr - sr) ** 2).mean(axis=(1, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(losses.pixel_l1(hr, sr), np.abs(hr - sr).mean(axis=(1, 2, 3)), rtol=1e-5)


def test_feature_mse_rescale(rng):
    a = rng.random((2, 4, 4, 16)).astype(np.float32) * 50
    b = rng.random((2, 4, 4, 16)).astype(np.float32) * 50
    expected = (((a - b) / 12.75) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(losses.feature_mse(a, b), expected, rtol=1e-5)


def test_adversarial_losses(rng):
    real = rng.normal(size=(4, 1)).astype(np.float32) * 3
    fake = rng.normal(size=(4, 1)).astype(np.float32) * 3
    np.testing.assert_allclose(losses.generator_adversarial(fake), -np.log(1 / (1 + np.exp(-fake[:, 0]))), rtol=1e-5)
    expected = _np_bce(1, real[:, 0]) + _np_bce(0, fake[:, 0])
    np.testing.assert_allclose(losses.discriminator_adversarial(real, fake), expected, rtol=1e-5)


def test_adversarial_is_stable_for_extreme_logits():
    value = losses.generator_adversarial(np.array([[-200.0]], np.float32)).numpy()
    assert np.isfinite(value).all() and value[0] == pytest.approx(200.0)


def test_total_variation():
    image = np.zeros((1, 4, 4, 1), np.float32)
    image[0, :, 2:, 0] = 1.0  # one vertical edge
    # dx: 4 rows x 3 diffs, one step each row -> 4/12; dy: 0
    assert losses.total_variation(image).numpy()[0] == pytest.approx(4 / 12)
