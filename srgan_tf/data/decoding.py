"""Decoding training and validation images: every file through PIL (``load_rgb8``), a bad file
skipped and recorded instead of failing the run, decoded images optionally cached."""

import hashlib
import os
import threading

import numpy as np
import tensorflow as tf

from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import atomic_path
from srgan_tf.utils.imageio import load_rgb8
from srgan_tf.utils.messages import warn


class DecodeFailures:
    """Thread-safe record of files the pipeline could not decode (skipped, not fatal).

    ``paths`` lists each bad file once, in the order found; ``count`` counts
    every skip (a bad file is met again each epoch, but decoded only once).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.paths = []
        self.reasons = {}
        self._known = set()
        self.count = 0

    def add(self, path, reason):
        with self._lock:
            self.count += 1
            if path in self._known:
                return
            self._known.add(path)
            self.paths.append(path)
            self.reasons[path] = reason
        warn(f"skipping {path}: {reason}")

    def __contains__(self, path):
        return path in self._known


class ImageCache:
    """Decoded images kept in memory, or as ``.npy`` files read back memory-mapped."""

    def __init__(self, mode):
        self.mode = mode
        self._memory = {}
        self._lock = threading.Lock()
        if mode not in (None, "memory"):
            os.makedirs(mode, exist_ok=True)

    def _file(self, path):
        return os.path.join(self.mode, hashlib.sha1(path.encode()).hexdigest() + ".npy")

    def get(self, path):
        if self.mode is None:
            return None
        if self.mode == "memory":
            return self._memory.get(path)
        cached = self._file(path)
        return np.load(cached, mmap_mode="r") if os.path.exists(cached) else None

    def put(self, path, image):
        if self.mode == "memory":
            with self._lock:
                self._memory[path] = image
        elif self.mode is not None:
            target = self._file(path)
            with atomic_path(target) as tmp:  # one temporary per writer: workers may share the cache
                np.save(tmp, image)


def make_loader(failures, min_size, cache=None):
    """Returns a Python function path -> (uint8 image, ok) that never raises on bad files."""
    cache = cache or ImageCache(None)
    empty = np.zeros((1, 1, 3), np.uint8)

    def load(path):
        path = path.decode() if isinstance(path, bytes) else str(path)
        if path in failures:
            failures.add(path, "known bad")
            return empty, False
        cached = cache.get(path)
        if cached is not None:
            return np.asarray(cached), True
        try:
            image = load_rgb8(path)
        except SRGANError as error:
            failures.add(path, str(error).split(": ", 1)[-1])
            return empty, False
        if min(image.shape[:2]) < min_size:
            failures.add(path, f"{image.shape[1]}x{image.shape[0]} is smaller than {min_size}px")
            return empty, False
        cache.put(path, image)
        return image, True

    return load


def make_decoder(failures, min_size, cache=None):
    """Wraps :func:`make_loader` as a graph op: path -> (image (H, W, 3) uint8, ok)."""
    load = make_loader(failures, min_size, cache)

    def tf_load(path):
        image, ok = tf.numpy_function(load, [path], [tf.uint8, tf.bool], stateful=False)
        image.set_shape([None, None, 3])
        ok.set_shape([])
        return image, ok

    return tf_load
