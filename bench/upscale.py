"""Seconds and peak memory to upscale 512², 1024² and 2000² photos x4, per backend, tiled vs whole.

    python bench/upscale.py MODEL_SOURCE [--sizes 512,1024,2000] [--repeats 3]

MODEL_SOURCE is a named model, run dir or .keras; it is exported once (SavedModel, TFLite
float32, ONNX) into a temp folder when a backend other than keras is asked for. Each row
runs in a fresh process (so peak RSS is that configuration's alone): median wall time of
--repeats upscales of a real photo (the bundled retina image resized to the size) written as PNG,
and the process's peak resident memory; and the conv rate end to end: the model's convolution
FLOPs over every tile's context (overlap counted: it is computed) per second of the whole run,
beside a 3x3 64->64 convolution timed alone with the same TensorFlow kernels.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]
# Workers start in this script's checkout: ``python -c`` puts the current directory first on
# sys.path, so started elsewhere (a git worktree's bench run from the main tree) they would
# import that other tree's srgan_tf and time the wrong code.
CHECKOUT = os.path.dirname(BENCH)

from common import machine_line, print_table  # noqa: E402

WORKER = r"""
import json, os, resource, statistics, sys, time
from srgan_tf.cli.commands import load_tensorflow
load_tensorflow("inference")  # as `srgan upscale` does
from PIL import Image
from srgan_tf.inference import Upscaler
from srgan_tf.inference.upscale import upscale_file
model, photo, size, tile, repeats, out = sys.argv[1:7]
size, tile, repeats = int(size), int(tile), int(repeats)
source = os.path.join(out, f"in_{size}.png")
if not os.path.exists(source):
    Image.open(photo).convert("RGB").resize((size, size), Image.BICUBIC).save(source)
upscaler = Upscaler.load(model, tile=tile)
times = []
for index in range(repeats):
    start = time.perf_counter()
    upscale_file(upscaler, source, os.path.join(out, "out.png"), overwrite=True)
    times.append(time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from srgan_tf.inference.tiling import context_pixels
lr_pixels = context_pixels(size, size, tile, upscaler.overlap)
print(json.dumps({"seconds": statistics.median(times), "rss_mb": rss, "lr_pixels": lr_pixels}))
"""

CONV_RATE_WORKER = r"""
import json, os, statistics, time
from srgan_tf.cli.commands import load_tensorflow
load_tensorflow("inference")  # the kernels `srgan upscale` runs
import tensorflow as tf
x = tf.random.uniform((1, 256, 256, 64))
w = tf.random.uniform((3, 3, 64, 64))
conv = tf.function(lambda x: tf.nn.conv2d(x, w, 1, "SAME"))
conv(x).numpy()
times = []
for _ in range(10):
    start = time.perf_counter()
    conv(x).numpy()
    times.append(time.perf_counter() - start)
print(json.dumps({"gflops": 2 * 256 * 256 * 9 * 64 * 64 / statistics.median(times) / 1e9}))
"""


def run_case(artifact, photo, size, tile, repeats, out):
    artifact = os.path.abspath(artifact) if os.path.exists(artifact) else artifact  # a path, or a model's name
    command = [sys.executable, "-c", WORKER, artifact, photo, str(size), str(tile), str(repeats), out]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=CHECKOUT)
    if result.returncode:
        return None, result.stderr.strip().splitlines()[-1][:80]
    return json.loads(result.stdout.strip().splitlines()[-1]), None


def model_flops_per_lr_pixel(model):
    from srgan_tf.models import conv_flops_per_lr_pixel
    from srgan_tf.runtimes.runners import KerasBackend

    return conv_flops_per_lr_pixel(KerasBackend(model).generator)


def conv_rate():
    """GFLOP/s of a 3x3 64->64 convolution on a 256x256 map, batch 1, with upscale's kernels."""
    command = [sys.executable, "-c", CONV_RATE_WORKER]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=CHECKOUT)
    return json.loads(result.stdout.strip().splitlines()[-1])["gflops"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--sizes", default="512,1024,2000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tile", type=int, default=256)
    parser.add_argument("--whole-up-to", type=int, default=1024, help="largest size also run untiled")
    parser.add_argument("--backends", default="keras,saved_model,tflite,onnx")
    args = parser.parse_args()
    from srgan_tf.assets import SAMPLE_TRAIN_DIR
    from srgan_tf.export import export_model

    photo = os.path.join(SAMPLE_TRAIN_DIR, "retina.jpg")
    rows = []
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        if set(backends) - {"keras"}:
            export_model(args.model, tmp, quantizations=["float32"], print_fn=lambda *a: None)
        per_pixel = model_flops_per_lr_pixel(args.model)
        reference = conv_rate()
        artifacts = {
            "keras": args.model,
            "saved_model": os.path.join(tmp, "saved_model", "srgan", "1"),
            "tflite": os.path.join(tmp, "tflite", "srgan_float32.tflite"),
            "onnx": os.path.join(tmp, "onnx", "srgan.onnx"),
        }
        for size in (int(s) for s in args.sizes.split(",")):
            for backend in backends:
                tiles = [args.tile] + ([0] if size <= args.whole_up_to else [])
                for tile in tiles:
                    result, error = run_case(artifacts[backend], photo, size, tile, args.repeats, tmp)
                    label = f"tiled {tile}" if tile else "whole image"
                    if error:
                        rows.append((f"{size}x{size}", backend, label, "failed", error, "", ""))
                    else:
                        gflops = per_pixel * result["lr_pixels"] / result["seconds"] / 1e9
                        rows.append(
                            (
                                f"{size}x{size}",
                                backend,
                                label,
                                f"{result['seconds']:.2f}",
                                f"{result['rss_mb']:.0f}",
                                f"{gflops:.0f}",
                                f"{100 * gflops / reference:.0f} %",
                            )
                        )
                    print(rows[-1], flush=True)
    print(machine_line())
    print(f"model {args.model}; x4 output written as PNG; median of {args.repeats} runs; peak RSS of the process")
    print(
        f"conv rate: the model's convolution FLOPs over every tile's context (overlap included) per "
        f"second of the whole run (decode, tiles, PNG); reference: a 3x3 64->64 convolution on a "
        f"256x256 map, batch 1, same kernels: {reference:.0f} GFLOP/s\n"
    )
    print_table(["input", "backend", "mode", "seconds", "peak RSS (MB)", "conv GFLOP/s", "of reference"], rows)


if __name__ == "__main__":
    main()
