"""The order training visits files in: a seeded permutation per pass, computed per visit.

Visit ``v`` reads file ``file_for_visit(v, seed, count)``; the map is a bijection on each pass
over the files, so every file is read once per pass, and it is O(1) per visit, so a resumed run
starts at its step without replaying or storing anything.
"""

import tensorflow as tf

MASK31 = (1 << 31) - 1


def mix(value):
    """A 31-bit integer hash (multiply / xor-shift), in int64 arithmetic that cannot overflow."""
    value = tf.bitwise.bitwise_and(value, MASK31)
    for _ in range(2):
        value = tf.bitwise.bitwise_and(value * 0x45D9F3B, MASK31)
        value = tf.bitwise.bitwise_xor(value, tf.bitwise.right_shift(value, 16))
    return value


def file_for_visit(visit, seed, count):
    """The file index of ``visit``: pass ``visit // count`` through a seeded permutation.

    The permutation is a 4-round Feistel network over the smallest even power of two
    ≥ ``count``, keyed by (seed, pass), with cycle walking back into ``[0, count)``: a
    bijection computed in O(1) per visit (an argsort of the whole file list per visit
    cost 44 ms at 350k files and 180 ms at 1.28M).
    """
    if count == 1:
        return tf.zeros_like(tf.cast(visit, tf.int64))
    visit = tf.cast(visit, tf.int64)
    epoch, position = visit // count, visit % count
    half = max(1, ((count - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    base = mix(tf.cast(seed, tf.int64) * 1_000_003 + mix(epoch))
    keys = [mix(base + 7919 * (i + 1)) for i in range(4)]

    bits = tf.bitwise

    def feistel(x):
        left, right = bits.right_shift(x, half), bits.bitwise_and(x, mask)
        for key in keys:
            round_value = bits.bitwise_and(mix(bits.bitwise_xor(right, key)), mask)
            left, right = right, bits.bitwise_xor(left, round_value)
        return bits.bitwise_or(bits.left_shift(left, half), right)

    def walk(x):
        return (tf.where(x >= count, feistel(x), x),)

    (index,) = tf.while_loop(lambda x: tf.reduce_any(x >= count), walk, (feistel(position),), parallel_iterations=1)
    return index
