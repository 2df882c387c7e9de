"""Scalars from a run's TensorBoard logs, for the release scripts' cards and figures."""

import glob
import os

import numpy as np
import tensorflow as tf


def scalar_events(log_dir):
    """{tag: [(step, value, wall_time)]} from a TensorBoard log folder."""
    events = {}
    for path in sorted(glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                array = tf.make_ndarray(value.tensor) if value.HasField("tensor") else np.float32(value.simple_value)
                if np.size(array) == 1 and array.dtype.kind == "f":  # scalars, not the sample images
                    events.setdefault(value.tag, []).append((event.step, float(array), event.wall_time))
    return events
