"""How much tile context a model needs: tiled upscales against the whole image, per overlap.

    python bench/tile_overlap.py realesrgan-x4plus --overlaps 16,32,48,64,96 --tile 64

Tiling is exact when the overlap reaches the receptive-field radius (srgan_tf.models.
receptive_field_radius), but for deep networks that radius is far beyond what matters: RRDBNet's
23 blocks see 349 LR pixels, and tiles that large cost many times the image. This measures, on
real photo crops, the largest difference (uint8 levels) and the share of pixels that differ
between a tiled and a whole-image upscale; a named model's card records the overlap at which
tiling costs at most one level (``tile_overlap``), and ``srgan upscale`` uses it. A small
``--tile`` puts many seams in one crop: the worst case.
"""

import argparse
import os
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import numpy as np  # noqa: E402
from common import machine_line, print_table  # noqa: E402

from srgan_tf.assets import SAMPLE_TRAIN_DIR, SAMPLE_VAL_DIR  # noqa: E402
from srgan_tf.inference import Upscaler  # noqa: E402
from srgan_tf.inference.tiling import upscale_tiled  # noqa: E402
from srgan_tf.utils.imageio import load_rgb8  # noqa: E402
from srgan_tf.utils.ranges import to_uint8  # noqa: E402

PHOTOS = (os.path.join(SAMPLE_VAL_DIR, "coffee.png"), os.path.join(SAMPLE_TRAIN_DIR, "astronaut.png"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="anything `srgan upscale --model` takes")
    parser.add_argument("--overlaps", default="16,32,48,64,96")
    parser.add_argument("--tile", type=int, default=64, help="LR tile core (small: many seams)")
    parser.add_argument("--crop", type=int, default=192, help="LR crop side taken from each photo's centre")
    args = parser.parse_args()
    for overlap in (int(v) for v in args.overlaps.split(",")):
        # Once tile + overlap reaches across the crop, every tile's context is the whole crop:
        # tiled equals whole trivially, and the row would measure nothing.
        if args.tile + overlap >= args.crop:
            parser.error(
                f"overlap {overlap}: tile {args.tile} + overlap spans the {args.crop} px crop; use a larger --crop"
            )
    upscaler = Upscaler.load(args.model)
    rows = []
    for photo in PHOTOS:
        image = load_rgb8(photo)
        top, left = (image.shape[0] - args.crop) // 2, (image.shape[1] - args.crop) // 2
        lr = image[top : top + args.crop, left : left + args.crop].astype(np.float32) / 255
        whole = to_uint8(upscaler.backend(lr[None])[0]).numpy().astype(int)
        for overlap in (int(v) for v in args.overlaps.split(",")):
            start = time.perf_counter()
            tiled = upscale_tiled(upscaler.backend, lr, upscaler.scale, args.tile, overlap)
            seconds = time.perf_counter() - start
            diff = np.abs(to_uint8(tiled).numpy().astype(int) - whole)
            rows.append(
                (
                    os.path.basename(photo),
                    overlap,
                    int(diff.max()),
                    f"{100 * np.mean(diff > 0):.2f} %",
                    f"{seconds:.1f}",
                )
            )
            print(rows[-1], flush=True)
    print(machine_line())
    print(f"model {args.model}; {args.crop}x{args.crop} LR centre crops; tile core {args.tile}; uint8 output levels\n")
    print_table(["photo", "overlap (LR px)", "max difference", "pixels differing", "tiled seconds"], rows)


if __name__ == "__main__":
    main()
