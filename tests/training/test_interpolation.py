"""``srgan interpolate``: parameter-wise blends of two generators (ESRGAN network interpolation)."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from srgan_tf.models import build_generator


def _save(tmp_path, name, seed, **kwargs):
    keras.utils.set_random_seed(seed)
    model = build_generator(4, 1, 8, **kwargs)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    return model, str(path)


def _srgan(*args):
    return subprocess.run([sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_interpolate_blends_every_parameter(tmp_path):
    a, path_a = _save(tmp_path, "a", 0)
    b, path_b = _save(tmp_path, "b", 1)
    out = tmp_path / "c.keras"
    result = _srgan("interpolate", path_a, path_b, "--alpha", "0.25", "--out", str(out))
    assert result.returncode == 0, result.stderr
    blended = keras.models.load_model(out, safe_mode=True)
    for wa, wb, wc in zip(a.get_weights(), b.get_weights(), blended.get_weights()):
        np.testing.assert_allclose(wc, 0.75 * wa + 0.25 * wb, rtol=1e-6, atol=1e-7)
    # alpha 0 and 1 are the ends themselves.
    from srgan_tf.training.interpolation import interpolate_generators

    for alpha, end in ((0.0, a), (1.0, b)):
        for x, y in zip(interpolate_generators(path_a, path_b, alpha).get_weights(), end.get_weights()):
            np.testing.assert_array_equal(x, y)


@pytest.mark.slow
def test_interpolate_refuses_mismatches_and_overwrites(tmp_path):
    _, path_a = _save(tmp_path, "a", 0)
    _, path_other = _save(tmp_path, "other", 0, upsample_skip=True)
    result = _srgan("interpolate", path_a, path_other, "--alpha", "0.5", "--out", str(tmp_path / "c.keras"))
    assert result.returncode == 2
    assert result.stderr.startswith("srgan: error: ") and "different networks" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not os.path.exists(tmp_path / "c.keras")
    (tmp_path / "c.keras").write_text("keep me")
    result = _srgan("interpolate", path_a, path_a, "--alpha", "0.5", "--out", str(tmp_path / "c.keras"))
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert (tmp_path / "c.keras").read_text() == "keep me"
    result = _srgan("interpolate", path_a, path_a, "--alpha", "1.5", "--out", str(tmp_path / "d.keras"))
    assert result.returncode == 2 and "alpha" in result.stderr


def test_interpolate_accepts_a_generator_saved_with_keras_batch_normalization(tmp_path):
    # Files saved before srgan_tf had its own BatchNorm class hold Keras' BatchNormalization in
    # the same places, with the same variables: the same network for interpolation.
    from srgan_tf.models import BatchNorm
    from srgan_tf.training.interpolation import interpolate_generators

    def as_keras_batch_normalization(layer):
        if isinstance(layer, BatchNorm):
            return keras.layers.BatchNormalization.from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    rng = np.random.default_rng(7)
    current = build_generator(4, 2, 8)
    old = keras.models.clone_model(build_generator(4, 2, 8), clone_function=as_keras_batch_normalization)
    assert {type(layer) for layer in old.layers} >= {keras.layers.BatchNormalization}
    assert not any(isinstance(layer, BatchNorm) for layer in old.layers)
    for model in (old, current):  # every tensor distinct, statistics included (variances positive)
        model.set_weights([np.abs(rng.normal(size=w.shape)).astype(np.float32) + 0.1 for w in model.get_weights()])
    expected = [0.7 * x.astype(np.float64) + 0.3 * y for x, y in zip(old.get_weights(), current.get_weights())]
    old.save(tmp_path / "old.keras")
    current.save(tmp_path / "current.keras")
    for first, second, alpha in (("old", "current", 0.3), ("current", "old", 0.7)):
        blended = interpolate_generators(str(tmp_path / f"{first}.keras"), str(tmp_path / f"{second}.keras"), alpha)
        for got, want in zip(blended.get_weights(), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
