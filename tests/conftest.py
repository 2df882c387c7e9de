import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# Two logical CPUs, so tf.distribute tests run real MirroredStrategy replicas.
# Must happen before TensorFlow initialises its devices, hence here.
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)

from srgan_tf.assets import SAMPLE_TRAIN_DIR, SAMPLE_VAL_DIR  # noqa: E402
from srgan_tf.utils.imageio import load_rgb8  # noqa: E402


@pytest.fixture(scope="session")
def photos():
    """The bundled held-out photos as uint8 RGB arrays (real images, not noise)."""
    return [load_rgb8(os.path.join(SAMPLE_VAL_DIR, name)) for name in sorted(os.listdir(SAMPLE_VAL_DIR))]


@pytest.fixture(scope="session")
def train_photo():
    return load_rgb8(os.path.join(SAMPLE_TRAIN_DIR, "astronaut.png"))


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    """A tiny x4 SRResNet (1 block, 8 filters) saved as .keras: fast wherever a test needs a real
    model file but not a trained one."""
    import keras

    from srgan_tf.models import build_generator

    keras.utils.set_random_seed(5)
    path = tmp_path_factory.mktemp("model") / "generator.keras"
    build_generator(4, 1, 8).save(path)
    return str(path)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


TINY = [
    "model.num_blocks=1",
    "model.filters=8",
    "model.discriminator_filters=8",
    "model.discriminator_dense_units=16",
    "data.patch_size=32",
    "data.batch_size=4",
    "data.patches_per_image=2",
    "data.val_max_images=1",
    "data.val_max_side=64",
    "train.steps_per_epoch=4",
    "train.checkpoint_every=2",
    "train.log_every=2",
]


@pytest.fixture
def tiny_config():
    """The demo preset shrunk to seconds: 1 block, 8 filters, 32 px patches, batch 4."""
    from srgan_tf.config import apply_overrides, get_preset

    return apply_overrides(get_preset("demo"), TINY)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def srgan_warnings():
    """The ``srgan: warning`` events the package reported during a test (a list of messages)."""
    collector = _Collector()
    logger = logging.getLogger("srgan_tf")
    logger.addHandler(collector)
    yield collector.messages
    logger.removeHandler(collector)
