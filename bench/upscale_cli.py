"""`srgan upscale` end to end, as users run it: one fresh process per run, wall time and peak memory.

    python bench/upscale_cli.py [--sizes 256x256,600x400,2000x2000] [--models srgan-x4,realesrgan-x4plus]
                                [--repeats 3] [--skip realesrgan-x4plus@2000x2000]

For each model and photo size (the bundled retina photo resized, PNG in and out), side by side in
this one run:
- ``keras``: the path every release before this one took by default (``--backend keras``);
- ``default``: today's default (``--backend auto``), warm: its converted runtime already cached;
- ``default, cold``: the same with an empty cache (conversion and its parity check included), once;
- for realesrgan-x4plus, ``Real-ESRGAN's ncnn files``: the files its own apps load, run by the ncnn
  runtime with the same tiling (``--model <the package's .param> --tile-overlap 64``).
Median wall time of ``--repeats`` runs (cold: one), peak resident memory of the process
(/usr/bin/time), and the speed-up over ``keras``. The tile size is the CLI's default unless
``--tile`` is given. Pause other work first: timings beside a training run mean nothing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(BENCH)
sys.path[:0] = [BENCH, CHECKOUT]

from common import machine_line, print_table  # noqa: E402


def realesrgan_files():
    from srgan_tf.pretrained.cards import get_card
    from srgan_tf.pretrained.installed import source_paths

    return source_paths(get_card("realesrgan-x4plus"))["param"]


def run(args, env):
    """(seconds, peak RSS in MB) of one `srgan upscale` process."""
    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "srgan_tf.cli", "upscale", *args, "--overwrite"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=CHECKOUT)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(result.stderr.strip().splitlines()[-2:])
    return seconds, int(result.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256x256,600x400,2000x2000", help="WxH of the input photos")
    parser.add_argument("--models", default="srgan-x4,realesrgan-x4plus")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tile", type=int, help="--tile for every run (default: the CLI's)")
    parser.add_argument("--skip", default="", help="model@WxH pairs to leave out, comma-separated")
    parser.add_argument("--cache", help="the warm cache to use (default: the user's)")
    parser.add_argument(
        "--paths", default="keras,cold,default,own", help="which rows to run (own: Real-ESRGAN's files)"
    )
    args = parser.parse_args()
    from PIL import Image

    from srgan_tf.assets import SAMPLE_TRAIN_DIR
    from srgan_tf.pretrained.user_cache import cache_dir

    skip = set(filter(None, args.skip.split(",")))
    warm_env = {**os.environ, **({"SRGAN_TF_CACHE": args.cache} if args.cache else {})}
    warm_cache = args.cache or cache_dir()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            width, height = (int(v) for v in size.split("x"))
            photo = os.path.join(tmp, f"photo_{size}.png")
            with Image.open(os.path.join(SAMPLE_TRAIN_DIR, "retina.jpg")) as image:
                image.convert("RGB").resize((width, height), Image.BICUBIC).save(photo)
            for model in args.models.split(","):
                if f"{model}@{size}" in skip:
                    continue
                base = [photo, "--model", model, "--out", os.path.join(tmp, "out")]
                base += ["--tile", str(args.tile)] if args.tile is not None else []
                paths = args.paths.split(",")
                cases = [("keras", base + ["--backend", "keras"], warm_env, args.repeats)] if "keras" in paths else []
                if "cold" in paths:
                    cold_cache = os.path.join(tmp, "cold")
                    # The cold run keeps third-party weights already converted (Real-ESRGAN's Keras
                    # weights): what a first `srgan upscale` converts is the runtime's model.
                    shutil.rmtree(cold_cache, ignore_errors=True)
                    shutil.copytree(warm_cache, cold_cache, ignore=shutil.ignore_patterns("runtimes"))
                    cases.append(("default, cold", base, {**os.environ, "SRGAN_TF_CACHE": cold_cache}, 1))
                if "default" in paths:
                    cases.append(("default", base, warm_env, args.repeats))
                if model == "realesrgan-x4plus" and "own" in paths:
                    own = [photo, "--model", realesrgan_files(), "--tile-overlap", "64", *base[3:]]
                    cases.append(("Real-ESRGAN's ncnn files", own, warm_env, args.repeats))
                keras_seconds = None
                for label, command, env, repeats in cases:
                    if label == "default":
                        run(command, env)  # makes sure the warm cache holds the conversion
                    results = [run(command, env) for _ in range(repeats)]
                    seconds = statistics.median(r[0] for r in results)
                    keras_seconds = keras_seconds or seconds
                    rss = max(r[1] for r in results)
                    ratio = f"{keras_seconds / seconds:.2f}x" if "keras" in paths else ""
                    rows.append((model, size, label, f"{seconds:.2f}", f"{rss:.0f}", ratio))
                    print(rows[-1], flush=True)
    print(machine_line())
    print(f"`srgan upscale` wall time, one process per run (start-up included); median of {args.repeats} (cold: 1)\n")
    print_table(["model", "input", "path", "seconds", "peak RSS (MB)", "vs keras"], rows)


if __name__ == "__main__":
    main()
