"""Synchronised vs per-replica BatchNorm on two replicas: what it changes and what it costs.

    python bench/sync_batch_norm.py [--steps 6] [--size paper|tiny]

Two logical CPU devices under MirroredStrategy, the SRGAN step (stage 2, pixel content loss)
on one fixed global batch. For each mode: the median step time, and how far every variable
(moving statistics included) ends from the same steps on one device. Synchronised statistics
make two replicas compute the one-device function; per-replica statistics normalise each half
of the batch on its own — another function, which drifts with the replica count.
"""

import argparse
import os
import statistics
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("training")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine_line, print_table  # noqa: E402

from srgan_tf.models import build_discriminator, build_generator  # noqa: E402
from srgan_tf.training.gan import SRGAN  # noqa: E402

SIZES = {
    "paper": {"blocks": 16, "filters": 64, "d_filters": 64, "dense": 1024},
    "tiny": {"blocks": 2, "filters": 16, "d_filters": 16, "dense": 64},
}


def build(size, sync):
    keras.utils.set_random_seed(0)
    s = SIZES[size]
    generator = build_generator(4, s["blocks"], s["filters"], bn_momentum=0.9, sync_batch_norm=sync)
    discriminator = build_discriminator(96, s["d_filters"], s["dense"], bn_momentum=0.9, sync_batch_norm=sync)
    model = SRGAN(generator, discriminator, content="mse")
    model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    model.build_optimizers()
    return model


def run(model, data, steps):
    """Median seconds per step over ``steps`` steps, after one step that traces."""
    stamps = []
    clock = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: stamps.append(time.perf_counter()))
    model.fit(data, steps_per_epoch=steps + 1, epochs=1, verbose=0, callbacks=[clock])
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def weights(model):
    return [np.asarray(v.value.values[0] if hasattr(v.value, "values") else v) for v in model.weights]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--size", choices=tuple(SIZES), default="paper")
    args = parser.parse_args()
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    rng = np.random.default_rng(0)
    lr = rng.random((16, 24, 24, 3), dtype=np.float32)
    hr = rng.uniform(-1, 1, (16, 96, 96, 3)).astype(np.float32)
    data = tf.data.Dataset.from_tensors((lr, hr)).repeat()

    single = build(args.size, False)
    single_time = run(single, data, args.steps)
    reference = weights(single)
    rows = [["1 device", "-", f"{single_time:.2f}", "1.00", "0"]]
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    for sync in (True, False):
        with strategy.scope():
            model = build(args.size, sync)
        seconds = run(model, data, args.steps)
        drift = max(float(np.abs(a - b).max()) for a, b in zip(reference, weights(model)))
        rows.append(
            [
                "2 replicas",
                "synchronised" if sync else "per replica",
                f"{seconds:.2f}",
                f"{seconds / single_time:.2f}",
                f"{drift:.1e}",
            ]
        )
    print(machine_line())
    print(f"{args.size} SRGAN step, global batch 16, {args.steps + 1} steps each (median of the last {args.steps})")
    print_table(["devices", "BatchNorm statistics", "s/step", "vs 1 device", "max abs weight diff vs 1 device"], rows)


if __name__ == "__main__":
    main()
