"""Which runtime is fastest for each generator on this CPU: the table behind the default of
``srgan upscale`` (srgan_tf.inference.fastest.PREFERENCE).

    python bench/runtimes.py [--models srgan-x4,realesrgan-x4plus] [--sizes 256,128] [--repeats 3]

Every runtime runs the artifact ``srgan upscale`` would run (the float32 conversion in the user
cache, made first if missing and checked against Keras), in this one process, one after another
on the same input: batch 1, one tile-sized LR input per model (``--sizes``, in the order of
``--models``), median of ``--repeats`` calls after a warm-up call. The ratio is against Keras.
"""

import argparse
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("inference")  # as `srgan upscale` does when it needs TensorFlow

import numpy as np  # noqa: E402
from common import machine_line, median_time, print_table  # noqa: E402

from srgan_tf.inference.fastest import CONVERTED, PREFERENCE, converted_runner  # noqa: E402
from srgan_tf.runtimes.runners import KerasBackend  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="srgan-x4,realesrgan-x4plus")
    parser.add_argument("--sizes", default="256,128", help="LR input side per model")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for model, size in zip(args.models.split(","), (int(s) for s in args.sizes.split(","))):
        x = np.random.default_rng(0).random((1, size, size, 3), dtype=np.float32)
        runners = [("keras", KerasBackend(model), "")]
        for runtime in CONVERTED:
            runner, entry = converted_runner(model, runtime)
            runners.append((runtime, runner, f"{entry['parity']['max_abs']:.1e}"))
        keras_seconds = None
        for name, runner, parity in runners:
            seconds, _ = median_time(lambda runner=runner, x=x: runner(x), args.repeats, warmup=1)
            keras_seconds = keras_seconds or seconds
            rows.append((model, f"{size}x{size}", name, parity, f"{seconds:.3f}", f"{keras_seconds / seconds:.2f}x"))
            print(rows[-1], flush=True)
    print(machine_line())
    print(f"batch 1, float32; median of {args.repeats} after a warm-up; default order now: {', '.join(PREFERENCE)}\n")
    print_table(["model", "LR input", "runtime", "max abs vs Keras", "seconds", "vs Keras"], rows)


if __name__ == "__main__":
    main()
