"""The order training visits files in: a seeded permutation per pass, computed per visit.

Visit ``v`` reads file ``file_for_visit(v, seed, count)``; the map is a bijection on each pass
over the files, so every file is read once per pass, and it is O(1) per visit, so a resumed run
starts at its step without replaying or storing anything.
"""

import tensorflow as tf


def file_for_visit(visit, seed, count):
    """The file index of ``visit`` (a scalar): pass ``visit // count`` through the permutation of
    ``[0, count)`` that ``tf.random.experimental.index_shuffle`` keys by (seed, pass)."""
    visit = tf.ensure_shape(tf.cast(visit, tf.int64), [])  # the wrapper mis-pads a batch of seeds
    key = tf.stack([tf.cast(seed, tf.int64), visit // count])
    return tf.random.experimental.index_shuffle(visit % count, key, tf.constant(count - 1, tf.int64))
