"""Latency of one model per backend at 128x128, each artifact of an export and the Keras model.

    srgan export realesrgan-x4plus --out exported --tflite-quant float32,float16,int8
    python bench/latency.py realesrgan-x4plus exported [--repeats 5]

All rows in one process, one after another, on the same input, so they compare with each other
(the export's own report times each artifact while the export is still running). Median of
``--repeats`` calls after one warm-up call, batch 1.
"""

import argparse
import glob
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import numpy as np  # noqa: E402
from common import machine_line, median_time, print_table  # noqa: E402

from srgan_tf.runtimes.runners import load_backend  # noqa: E402


def artifacts(export_dir):
    found = sorted(glob.glob(os.path.join(export_dir, "saved_model", "*", "*")))[-1:]
    found += sorted(glob.glob(os.path.join(export_dir, "tflite", "*.tflite")))
    found += sorted(glob.glob(os.path.join(export_dir, "onnx", "*.onnx")))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the Keras model the export came from (named model, run dir, .keras)")
    parser.add_argument("export_dir")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    x = np.random.default_rng(0).random((1, args.size, args.size, 3), dtype=np.float32)
    rows = []
    for path in [args.model, *artifacts(args.export_dir)]:
        backend = load_backend(path)
        seconds, _ = median_time(lambda backend=backend: backend(x), args.repeats, warmup=1)
        label = path if path == args.model else os.path.relpath(path, args.export_dir)
        size = "" if path == args.model else f"{_size(path) / 1e6:.1f} MB"
        rows.append((label, backend.name, size, f"{seconds * 1000:.0f} ms"))
        print(rows[-1], flush=True)
    print(machine_line())
    print(f"{args.size}x{args.size} LR input, batch 1; median of {args.repeats} after a warm-up\n")
    print_table(["artifact", "backend", "size", "latency"], rows)


def _size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
    return os.path.getsize(path)


if __name__ == "__main__":
    main()
