"""Shared helpers for the benchmark scripts: machine facts, medians, tables."""

import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def machine_line():
    import keras
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpus = tf.config.list_physical_devices("GPU")
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {f'GPU x{len(gpus)}' if gpus else 'no GPU'}; "
        f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}"
    )


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
