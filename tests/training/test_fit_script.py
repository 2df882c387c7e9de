"""training/fit.py, the plain-Keras script the README points to: both stages for a couple of steps
on the bundled photos, and a generator file that loads."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import srgan_tf.models  # noqa: F401 - registers the custom layers for load_model

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = [
    "model.num_blocks=1",
    "model.filters=8",
    "model.discriminator_filters=8",
    "model.discriminator_dense_units=16",
    "data.patch_size=32",
    "data.batch_size=2",
    "data.patches_per_image=1",
    "train.pretrain_steps=2",
    "train.steps=2",
]


@pytest.mark.slow
def test_fit_script_trains_both_stages_and_saves_the_generator(tmp_path):
    command = [sys.executable, os.path.join(REPO, "training", "fit.py"), "--out", "generator.keras"]
    for item in TINY:
        command += ["--set", item]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "pixel_loss" in result.stdout and "d_loss" in result.stdout  # stage 1's fit, then stage 2's
    generator = keras.models.load_model(tmp_path / "generator.keras", safe_mode=True)
    assert generator.count_params() == srgan_tf.models.build_generator(4, 1, 8).count_params()
    sr = generator(np.zeros((1, 6, 5, 3), np.float32))
    assert sr.shape == (1, 24, 20, 3)
    assert sorted(os.listdir(tmp_path)) == ["generator.keras"]  # no run dir, nothing else
