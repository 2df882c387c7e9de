import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from srgan_tf.assets import SAMPLE_TRAIN_DIR, SAMPLE_VAL_DIR  # noqa: E402
from srgan_tf.imageio import load_rgb8  # noqa: E402


@pytest.fixture(scope="session")
def photos():
    """The bundled held-out photos as uint8 RGB arrays (real images, not noise)."""
    return [load_rgb8(os.path.join(SAMPLE_VAL_DIR, name)) for name in sorted(os.listdir(SAMPLE_VAL_DIR))]


@pytest.fixture(scope="session")
def train_photo():
    return load_rgb8(os.path.join(SAMPLE_TRAIN_DIR, "astronaut.png"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)
