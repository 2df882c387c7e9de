"""Scores a named model on held-out photos and writes them into its card.

    python training/evaluate_card.py realesrgan-x4plus --val ~/srgan-corpus/val

For models whose card is not written by training/release.py (imported ones): the protocol of
the released models' cards — whole held-out images, x4, Y channel, shave 4, sharpness as
gradient energy over the photo's — so ``srgan models`` and the README compare like with like.
The upscale is tiled as ``srgan upscale`` tiles it (the card's tile overlap): a 23-block RRDBNet
on a whole 2136x1424 photo needs more than 20 GB. Prints the card's markdown table.
"""

import argparse
import json
import os
import sys

from srgan_tf.commands import load_tensorflow

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import numpy as np  # noqa: E402

from srgan_tf.assets import WEIGHTS_DIR  # noqa: E402
from srgan_tf.evaluation import evaluate_folder, summarize  # noqa: E402
from srgan_tf.inference import Upscaler  # noqa: E402
from srgan_tf.pretrained import get_card  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a named model (srgan models)")
    parser.add_argument("--val", required=True, help="held-out photos (never trained on)")
    args = parser.parse_args(argv)
    card = get_card(args.name)
    upscaler = Upscaler.load(args.name)
    scores = evaluate_folder(
        lambda lr: upscaler.upscale_array(np.asarray(lr)[0])[None], os.path.expanduser(args.val), card.scale
    )
    path = os.path.join(WEIGHTS_DIR, f"{args.name}.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["evaluation"] = {
        "protocol": (
            f"whole held-out images, x{card.scale}, Y channel (BT.601), shave {card.scale}; "
            f"tiled {upscaler.tile} px with {upscaler.overlap} px overlap"
        ),
        "mean": summarize(scores),
        "images": [s.__dict__ for s in scores],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("| photo | bicubic PSNR / SSIM | model PSNR / SSIM | Δ PSNR | sharpness bicubic → model |")
    print("|---|---|---|---|---|")
    rows = [s.__dict__ for s in scores] + [{"name": "**mean**", **data["evaluation"]["mean"]}]
    for s in rows:
        print(
            f"| {s['name']} | {s['bicubic_psnr']:.2f} / {s['bicubic_ssim']:.4f} | {s['psnr']:.2f} / {s['ssim']:.4f} "
            f"| {s['psnr'] - s['bicubic_psnr']:+.2f} | {s['bicubic_sharpness']:.3f} → {s['sharpness']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
