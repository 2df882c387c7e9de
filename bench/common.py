"""Shared helpers for the benchmark scripts: machine facts, medians, tables."""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def machine_line():
    from srgan_tf.runtime import machine_description

    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (TensorFlow's default)")
    return f"machine: {machine_description()}; TF_ENABLE_ONEDNN_OPTS={onednn}"


def median_time(fn, repeats=5, warmup=1):
    """Median wall time of ``fn()`` over ``repeats`` runs after ``warmup`` runs, and all times."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def print_table(headers, rows):
    """A GitHub-markdown table, so results paste straight into the README."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
