"""The weights file of a generator: every variable in one ``.npz``, keyed by order and path.

Keys are ``NNN:<variable path>`` in ``generator.weights`` order (BatchNorm statistics
included), so loading can refuse a file that does not fit the network by name and shape
instead of loading part of it silently.
"""

import hashlib
import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import atomic_path


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weight_keys(generator):
    """The storage key of each variable, in ``generator.weights`` order."""
    return [f"{i:03d}:{variable.path}" for i, variable in enumerate(generator.weights)]


def weight_arrays(generator, dtype=np.float16):
    """``{key: array}`` of every variable of ``generator``, keyed as :func:`weight_keys`."""
    return {key: np.asarray(value, dtype) for key, value in zip(weight_keys(generator), generator.get_weights())}


def save_weights(generator, path, dtype=np.float16):
    """Writes every variable of ``generator`` to ``path`` (npz, ``dtype``), atomically."""
    with atomic_path(path) as tmp:
        np.savez(tmp, **weight_arrays(generator, dtype))
    return path


def load_weights(generator, path):
    """Sets ``generator``'s variables from an npz written by :func:`save_weights`.

    Raises SRGANError unless the file holds exactly the network's variables, by name and shape.
    """
    with np.load(path) as stored:
        keys = weight_keys(generator)
        if sorted(stored.files) != sorted(keys):
            missing = sorted(set(keys) - set(stored.files))[:3]
            extra = sorted(set(stored.files) - set(keys))[:3]
            raise SRGANError(
                f"{os.path.basename(path)} does not fit this network "
                f"({len(stored.files)} tensors stored, {len(keys)} expected; missing {missing}, unexpected {extra})"
            )
        values = []
        for key, variable in zip(keys, generator.weights):
            value = stored[key]
            if tuple(value.shape) != tuple(variable.shape):
                raise SRGANError(
                    f"{os.path.basename(path)}: {key} has shape {value.shape}, the network needs {variable.shape}"
                )
            values.append(value.astype(np.float32))
    generator.set_weights(values)
    return generator
