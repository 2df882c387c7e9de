"""Shared helpers for the benchmark scripts: machine facts, medians, tables."""

import os
import time

from srgan_tf.utils.timing import median_time  # noqa: F401 - the scripts import it from here


def machine_line():
    from srgan_tf.cli.commands import load_tensorflow

    load_tensorflow()  # a no-op where the script already loaded it; else its start-up lines stay hidden

    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (TensorFlow's default)")
    return f"machine: {machine_description()}; TF_ENABLE_ONEDNN_OPTS={onednn}"


def machine_description():
    """ "<CPU model>, <n> cores, <GPUs>; python …, tensorflow …, keras …" for reports and model cards."""
    import platform

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
        f"{cpu}, {os.cpu_count()} cores, {f'GPU x{len(gpus)}' if gpus else 'no GPU'}; "
        f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}"
    )


def fit_step_times(model, data, steps, warmup=2):
    """Seconds per training step inside one ``fit`` of ``warmup + steps`` steps: the gaps between
    consecutive batch ends after ``warmup`` steps (tracing, compilation).

    A step is timed where a training run spends it, inside a long ``fit``: timing whole short
    ``fit`` calls would add each call's set-up and tear-down to a few steps (on TF 2.21 the
    tf.data autotuner's tear-down alone holds a short ``fit`` for up to 1.7 s after its last step).
    """
    import keras

    class BatchEnds(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    recorder = BatchEnds()
    model.fit(data, steps_per_epoch=warmup + steps, epochs=1, verbose=0, callbacks=[recorder])
    ends = recorder.ends[warmup - 1 :]
    return [later - earlier for earlier, later in zip(ends, ends[1:])]


def print_table(headers, rows):
    """A GitHub-markdown table, so results paste straight into the README."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
