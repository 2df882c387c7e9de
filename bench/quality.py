"""Quality of a trained run vs bicubic on held-out photos (Y-PSNR / SSIM, shave = scale).

    python bench/quality.py runs/demo [--data FOLDER]

Scores the run's stage-1 generator (srresnet.keras) and final generator
(generator.keras) on whole images of FOLDER (default: the bundled held-out photos).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from common import machine_line, print_table  # noqa: E402

from srgan_tf.assets import SAMPLE_VAL_DIR  # noqa: E402
from srgan_tf.config import load_config  # noqa: E402
from srgan_tf.evaluation import evaluate_folder, keras_upscaler, summarize  # noqa: E402
from srgan_tf.trainer import RunDir  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run_dir")
    parser.add_argument("--data", default=SAMPLE_VAL_DIR)
    args = parser.parse_args()
    run, config = RunDir(args.run_dir), load_config(args.run_dir)
    t = config.train
    scale = config.model.scale
    rows, bicubic = [], None
    models = [("SRResNet (stage 1)", run.srresnet, t.pretrain_steps), ("SRGAN (stage 2)", run.generator, t.steps)]
    for label, path, steps in models:
        if not os.path.exists(path) or (label.startswith("SRGAN") and not steps):
            continue
        generator = keras.models.load_model(path, safe_mode=True)
        scores = evaluate_folder(keras_upscaler(generator), args.data, scale)
        mean = summarize(scores)
        bicubic = mean
        rows.append((f"{label}, {steps} steps", f"{mean['psnr']:.2f}", f"{mean['ssim']:.4f}"))
    if bicubic:
        rows.insert(0, ("bicubic", f"{bicubic['bicubic_psnr']:.2f}", f"{bicubic['bicubic_ssim']:.4f}"))
    print(machine_line())
    names = ", ".join(sorted(os.listdir(args.data)))
    print(f"run {args.run_dir} (config {config.name}); x{scale}; whole images of {args.data}: {names}\n")
    print_table(["method", "Y-PSNR (dB)", "SSIM"], rows)


if __name__ == "__main__":
    main()
