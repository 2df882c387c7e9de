"""Scores a named model on held-out photos and writes them into its card.

    python training/evaluate_card.py realesrgan-x4plus --val ~/srgan-corpus/val

For imported models, and to re-score released ones when a metric is added: the protocol of the
released models' cards — whole held-out images, x4, Y channel, shave 4, LPIPS-Alex on the whole
RGB images, sharpness as gradient energy over the photo's — so ``srgan models`` and the README
compare like with like.
The upscale is tiled as ``srgan upscale`` tiles it (the card's tile overlap): a 23-block RRDBNet
on a whole 2136x1424 photo needs more than 20 GB. Prints the card's markdown table.
"""

import argparse
import json
import os
import re
import sys

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import numpy as np  # noqa: E402

from srgan_tf.assets import WEIGHTS_DIR  # noqa: E402
from srgan_tf.evaluation.scoring import evaluate_folder, held_out_table, mean_scores  # noqa: E402
from srgan_tf.inference import Upscaler  # noqa: E402
from srgan_tf.pretrained.cards import get_card  # noqa: E402
from srgan_tf.utils.atomic import write_json  # noqa: E402


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
    tiling = f"; tiled {upscaler.tile} px with {upscaler.overlap} px overlap" if card.tile_overlap else ""
    data["evaluation"] = {
        "protocol": (
            f"whole held-out images, x{card.scale}; Y-PSNR/SSIM: Y channel (BT.601), shave {card.scale}; "
            f"LPIPS-Alex v0.1: whole RGB images{tiling}"
        ),
        "mean": mean_scores(scores),
        "images": [s.__dict__ for s in scores],
    }
    write_json(path, data)
    table = held_out_table(data["evaluation"])
    card_md = os.path.join(WEIGHTS_DIR, f"{args.name}.md")
    with open(card_md, encoding="utf-8") as f:
        text = f.read()
    # The card's table is the block of rows that starts with the photo header.
    text, found = re.subn(r"\| photo \|[^\n]*\n(\|[^\n]*\n)+", table + "\n", text, count=1)
    if found:
        with open(card_md, "w", encoding="utf-8") as f:
            f.write(text)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
