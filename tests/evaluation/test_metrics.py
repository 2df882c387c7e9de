"""PSNR/SSIM against scikit-image (a test-only oracle) on real photos."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageFilter
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from srgan_tf import SRGANError
from srgan_tf.evaluation import metrics


def _degrade(photo):
    # A realistic SR-like error: bicubic down x4 then up, with some noise.
    height, width = (np.array(photo.shape[:2]) // 4) * 4
    hr = photo[:height, :width]
    lr = tf.image.resize(hr[None] / 255.0, (height // 4, width // 4), "bicubic", antialias=True)
    up = tf.image.resize(lr, (height, width), "bicubic")[0].numpy()
    up += np.random.default_rng(0).normal(0, 0.01, up.shape)
    return hr, np.clip(np.floor(up * 255 + 0.5), 0, 255).astype(np.uint8)


def _oracle(hr, sr, shave):
    y_hr = rgb2ycbcr(hr)[..., 0][shave:-shave, shave:-shave]
    y_sr = rgb2ycbcr(sr)[..., 0][shave:-shave, shave:-shave]
    p = peak_signal_noise_ratio(y_hr, y_sr, data_range=255)
    s = structural_similarity(y_hr, y_sr, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    return p, s


def test_y_psnr_ssim_match_reference_on_real_photos(photos):
    pairs = [_degrade(photo) for photo in photos]
    for hr, sr in pairs:
        expected_psnr, expected_ssim = _oracle(hr, sr, shave=4)
        got_psnr = metrics.psnr(hr[None], sr[None], shave=4).numpy()[0]
        got_ssim = metrics.ssim(hr[None], sr[None], shave=4).numpy()[0]
        assert abs(got_psnr - expected_psnr) < 0.01
        assert abs(got_ssim - expected_ssim) < 0.001
        assert 20 < got_psnr < 40  # a sane SR-like gap, not a trivial case


def test_batch_gives_every_image(photos):
    hr, sr = _degrade(photos[0])
    batch_hr = np.stack([hr, hr, hr])
    batch_sr = np.stack([sr, hr, sr[::-1]])
    values = metrics.psnr(batch_hr, batch_sr, shave=4).numpy()
    assert values.shape == (3,)
    assert np.isinf(values[1]) and values[2] < values[0]


def test_float_input_is_rounded_like_uint8(photos):
    hr, sr = _degrade(photos[1])
    as_float = metrics.psnr(hr[None] / 255.0, sr[None] / 255.0, shave=4).numpy()
    as_uint8 = metrics.psnr(hr[None], sr[None], shave=4).numpy()
    np.testing.assert_allclose(as_float, as_uint8, rtol=0, atol=1e-9)


def test_rgb_mode_matches_reference(photos):
    hr, sr = _degrade(photos[0])
    expected = peak_signal_noise_ratio(hr[4:-4, 4:-4], sr[4:-4, 4:-4], data_range=255)
    assert metrics.psnr(hr[None], sr[None], shave=4, mode="rgb").numpy()[0] == pytest.approx(expected, abs=0.01)


def test_bad_mode():
    with pytest.raises(SRGANError, match="metric mode"):
        metrics.psnr(np.zeros((1, 8, 8, 3), np.uint8), np.zeros((1, 8, 8, 3), np.uint8), mode="lab")


def test_gradient_energy_matches_numpy(photos):
    from srgan_tf.evaluation.metrics import gradient_energy

    image = photos[0][:64, :80]
    y = 16.0 + image.astype(np.float64) @ (np.array([65.481, 128.553, 24.966]) / 255.0)
    y = y[4:-4, 4:-4]
    expected = np.mean(np.diff(y, axis=1) ** 2) + np.mean(np.diff(y, axis=0) ** 2)
    assert float(gradient_energy(image[None], shave=4)[0]) == pytest.approx(expected, rel=1e-12)
    blurred = np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(2)))
    assert float(gradient_energy(blurred[None], shave=4)[0]) < 0.5 * expected  # blur loses gradient energy
