"""The file order of training: every file once per pass, a function of the seed, resumable."""

import numpy as np
import pytest
import tensorflow as tf

from srgan_tf.data.visits import file_for_visit


def _files(first, stop, seed, count):
    """The files of visits ``first`` … ``stop - 1``, one visit at a time in a tf.data map, as the
    training pipeline computes them."""
    visits = tf.data.Dataset.range(first, stop)
    return np.array(list(visits.map(lambda v: file_for_visit(v, seed, count)).as_numpy_iterator()))


@pytest.mark.parametrize("count", [1, 2, 3, 7, 100, 4097])
def test_each_pass_visits_every_file_exactly_once(count):
    for one_pass in _files(0, 3 * count, 5, count).reshape(3, count):
        assert sorted(one_pass) == list(range(count))


def test_the_order_is_a_function_of_the_seed_and_the_pass():
    count = 100
    order = _files(0, 2 * count, 5, count).reshape(2, count)
    np.testing.assert_array_equal(order, _files(0, 2 * count, 5, count).reshape(2, count))  # deterministic
    assert not np.array_equal(order[0], _files(0, count, 6, count))  # seeded
    assert not np.array_equal(order[0], order[1])  # a new order each pass
    assert not np.array_equal(order[0], np.arange(count))  # shuffled


def test_a_run_resumed_at_any_visit_continues_the_same_order():
    count = 100
    full = _files(0, 3 * count, 5, count)
    for start in (1, 99, 100, 137, 250):  # mid-pass, at and across pass boundaries
        np.testing.assert_array_equal(_files(start, 3 * count, 5, count), full[start:])
    eager = [int(file_for_visit(tf.constant(v, tf.int64), 5, count)) for v in (0, 137, 299)]
    assert eager == [full[0], full[137], full[299]]  # eager as in the graph


def test_a_large_corpus_stays_in_range():
    count = 1_281_167  # ImageNet's training set
    files = _files(3 * count - 500, 3 * count + 500, 5, count)
    assert files.min() >= 0 and files.max() < count
    assert len(set(files[:500])) == 500 and len(set(files[500:])) == 500
