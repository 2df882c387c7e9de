"""median_time: the median of timed calls, after untimed warm-up calls."""

import time

from srgan_tf.utils.timing import median_time


def test_median_time_times_each_call_after_the_warm_up():
    sleeps = iter([0.5, 0.0, 0.03, 0.01, 0.05])  # the first call is the warm-up's

    def call():
        time.sleep(next(sleeps))

    median, times = median_time(call, repeats=4, warmup=1)
    assert len(times) == 4 and next(sleeps, None) is None  # 1 + 4 calls
    assert max(times) < 0.4  # the warm-up's 0.5 s is not among them
    assert all(t >= s for t, s in zip(times, [0.0, 0.03, 0.01, 0.05]))  # each call timed alone, in order
    ordered = sorted(times)
    assert median == (ordered[1] + ordered[2]) / 2
