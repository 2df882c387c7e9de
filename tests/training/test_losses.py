"""Loss terms against plain-numpy formulas of the paper's equations."""

import numpy as np
import pytest

from srgan_tf.training import losses


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


def test_relativistic_average_losses_follow_esrgan_equations(rng):
    # ESRGAN eq. 1-3: D_Ra(a, b) = sigmoid(C(a) - mean C(b)); per example, halved as in its code.
    real = rng.normal(size=(5, 1)).astype(np.float32) * 3
    fake = rng.normal(size=(5, 1)).astype(np.float32) * 3
    d_real_vs_fake = 1 / (1 + np.exp(-(real[:, 0].astype(np.float64) - fake.mean())))
    d_fake_vs_real = 1 / (1 + np.exp(-(fake[:, 0].astype(np.float64) - real.mean())))
    expected_d = 0.5 * (-np.log(d_real_vs_fake) - np.log(1 - d_fake_vs_real))
    expected_g = 0.5 * (-np.log(1 - d_real_vs_fake) - np.log(d_fake_vs_real))
    np.testing.assert_allclose(losses.relativistic_discriminator(real, fake), expected_d, rtol=1e-5)
    np.testing.assert_allclose(losses.relativistic_generator(real, fake), expected_g, rtol=1e-5)
    # Only differences count: shifting every logit by a constant changes nothing.
    np.testing.assert_allclose(
        losses.relativistic_generator(real + 7, fake + 7), losses.relativistic_generator(real, fake), rtol=1e-5
    )


def test_adversarial_is_stable_for_extreme_logits():
    value = losses.generator_adversarial(np.array([[-200.0]], np.float32)).numpy()
    assert np.isfinite(value).all() and value[0] == pytest.approx(200.0)


def test_total_variation():
    image = np.zeros((1, 4, 4, 1), np.float32)
    image[0, :, 2:, 0] = 1.0  # one vertical edge
    # dx: 4 rows x 3 diffs, one step each row -> 4/12; dy: 0
    assert losses.total_variation(image).numpy()[0] == pytest.approx(4 / 12)
