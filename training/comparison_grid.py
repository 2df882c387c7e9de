"""Held-out crops side by side: bicubic, each model and the photo, one row a crop.

    python training/comparison_grid.py --model srresnet-x4 --model srgan-x4 \
        --crop ~/srgan-corpus/val/ColorfulCups.png:600,900 --crop ... --size 128 \
        --out docs/images/perceptual_comparison.png

Each crop is cut from the photo with a margin of context, degraded as training degrades (bicubic,
antialiased), upscaled by every model and cut back to ``--size``: the pixels a whole-image
upscale gives there, without upscaling whole 2000-pixel photos per model. Titles carry the
crop's Y-PSNR and LPIPS-Alex against the photo.
"""

import argparse
import os
import sys

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

import numpy as np  # noqa: E402

from srgan_tf.data.degradations import bicubic  # noqa: E402
from srgan_tf.evaluation.metrics import lpips, psnr  # noqa: E402
from srgan_tf.evaluation.plots import plot_comparison_grid  # noqa: E402
from srgan_tf.evaluation.scoring import bicubic_upscale, load_lpips_metric  # noqa: E402
from srgan_tf.inference import Upscaler  # noqa: E402
from srgan_tf.utils.imageio import load_rgb8  # noqa: E402

MARGIN = 64  # HR pixels of context around a crop: 16 LR pixels, beyond the kernels' reach


def parse_crop(text):
    path, _, at = text.rpartition(":")
    top, left = (int(v) for v in at.split(","))
    return os.path.expanduser(path), top, left


def crop_row(path, top, left, size, models, scale, lpips_model):
    photo = load_rgb8(path).astype(np.float32) / 255.0
    y0, x0 = max(0, top - MARGIN) // scale * scale, max(0, left - MARGIN) // scale * scale
    y1 = min(photo.shape[0], top + size + MARGIN) // scale * scale
    x1 = min(photo.shape[1], left + size + MARGIN) // scale * scale
    region = photo[y0:y1, x0:x1]
    lr = bicubic(region, scale).numpy()
    hr = region[top - y0 : top - y0 + size, left - x0 : left - x0 + size]

    def panel(image, label):
        image = np.clip(image[top - y0 : top - y0 + size, left - x0 : left - x0 + size], 0, 1)
        score = f"{float(psnr(hr[None], image[None])[0]):.2f} dB"
        if lpips_model is not None:
            score += f" / {float(lpips(lpips_model, hr[None], image[None])[0]):.3f}"
        return image, f"{label}\n{score}"

    row = [panel(bicubic_upscale(lr[None], scale)[0].numpy(), "bicubic")]
    row += [panel(upscaler.upscale_array(lr), name) for name, upscaler in models]
    row.append((hr, f"HR: {os.path.basename(path)}"))
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="a named model, run dir or model file")
    parser.add_argument("--crop", action="append", required=True, help="PHOTO:TOP,LEFT (HR pixels)")
    parser.add_argument("--size", type=int, default=128, help="crop side in HR pixels")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    models = [(name, Upscaler.load(name)) for name in args.model]
    scale = models[0][1].scale
    lpips_model = load_lpips_metric()
    rows = [crop_row(*parse_crop(text), args.size, models, scale, lpips_model) for text in args.crop]
    title = f"x{scale}, held-out crops, enlarged pixel for pixel (titles: Y-PSNR / LPIPS-Alex of the crop)"
    print(plot_comparison_grid(rows, args.out, title=title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
