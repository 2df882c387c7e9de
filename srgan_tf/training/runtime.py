"""Process-wide training set-up: precision policy, determinism, XLA and tf.distribute.

Kept apart from the trainer so the choices are made once, in one place, from
the config — never from environment variables read deep inside the library.
"""

import contextlib

import keras
import tensorflow as tf

from srgan_tf.errors import SRGANError


def has_gpu():
    return bool(tf.config.list_physical_devices("GPU"))


def resolve_jit(mode):
    """``"auto"`` compiles with XLA only on GPU: on CPU it measured slower than oneDNN."""
    if mode == "auto":
        return has_gpu()
    return mode == "on"


def make_strategy(name, collective_timeout=None):
    """The ``tf.distribute`` strategy for ``train.strategy``.

    ``collective_timeout`` (seconds) bounds how long a multi-worker all-reduce
    waits for a peer, so a dead worker stops the job instead of hanging it.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        # Reads the cluster from TF_CONFIG, as Kubeflow's TFJob and Vertex AI set it.
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=collective_timeout)
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as error:
            raise SRGANError(f"no TPU found: {error}") from error
        return tf.distribute.TPUStrategy(resolver)
    raise SRGANError(f"unknown strategy {name!r}")


@contextlib.contextmanager
def precision_policy(name):
    """Sets Keras' global dtype policy for the block, restoring the previous one after."""
    previous = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def seed_everything(seed, deterministic=False):
    """Seeds Python, NumPy and TF; with ``deterministic`` also makes TF ops deterministic."""
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
