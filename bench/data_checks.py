"""The data pipeline on a messy folder, and a picture of aligned LR/HR pairs.

    python bench/data_checks.py [--out pairs.png]

Builds a folder with a corrupt JPEG, a truncated PNG, a text file named .png,
a 10x10 image, an RGBA PNG, a grayscale JPEG and a 16-bit PNG (plus one good
PNG), scans it, pulls batches, and prints what was skipped and how many
patches came out. Then draws LR/HR pairs from the bundled photos.
"""

import argparse
import os
import sys
import tempfile
import warnings

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(CHECKOUT, "tests"), CHECKOUT]  # this checkout's test helpers and srgan_tf

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

import numpy as np  # noqa: E402
from imagefiles import make_messy_folder  # noqa: E402

from srgan_tf.assets import SAMPLE_TRAIN_DIR  # noqa: E402
from srgan_tf.config import apply_overrides, get_preset  # noqa: E402
from srgan_tf.data import DecodeFailures, find_images, make_training_data, scan_images, training_dataset  # noqa: E402
from srgan_tf.evaluation.plots import save_png, subplots  # noqa: E402
from srgan_tf.utils.imageio import load_rgb8  # noqa: E402
from srgan_tf.utils.ranges import signed_to_unit  # noqa: E402


def plot_patch_pairs(lr_images, hr_images, path, count=4):
    """LR patches beside their HR patches (both [0, 1]) and |nearest-LR↑ − HR|, one pair per row."""
    count = min(count, len(lr_images))
    figure, axes = subplots(count, 3, figsize=(7.5, 2.6 * count), squeeze=False)
    for row in range(count):
        lr, hr = np.clip(lr_images[row], 0.0, 1.0), np.clip(hr_images[row], 0.0, 1.0)
        factor = hr.shape[0] // lr.shape[0]
        enlarged = np.repeat(np.repeat(lr, factor, axis=0), factor, axis=1)
        difference = np.abs(enlarged - hr).mean(axis=-1)
        panels = [
            (lr, f"LR {lr.shape[1]}x{lr.shape[0]}"),
            (hr, f"HR {hr.shape[1]}x{hr.shape[0]}"),
            (difference, "|LR↑ − HR| (edges only if aligned)"),
        ]
        for ax, (image, title) in zip(axes[row], panels):
            ax.imshow(image, cmap="magma" if image.ndim == 2 else None, interpolation="nearest")
            ax.set_title(title, fontsize=8)
            ax.axis("off")
    return save_png(figure, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="pairs.png")
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        kinds = make_messy_folder(folder, load_rgb8(os.path.join(SAMPLE_TRAIN_DIR, "astronaut.png")))
        print("folder:", ", ".join(f"{name} ({kind})" for name, kind in sorted(kinds.items())))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scan = scan_images(find_images(folder), min_size=96, what="training images")
            failures = DecodeFailures()
            dataset = training_dataset(scan.files, scale=4, patch_size=96, batch_size=16, failures=failures)
            patches = sum(int(lr.shape[0]) for lr, _ in dataset.take(args.batches))
        for warning in caught:
            print("warning:", warning.message)
        print(f"usable after the scan: {', '.join(sorted(os.path.basename(p) for p in scan.files))}")
        print(
            f"decode failures during training (skipped, counted): {failures.count} skips of "
            f"{[os.path.basename(p) for p in failures.paths]}"
        )
        print(f"{args.batches} batches x 16 = {patches} patches of 96x96 came out")
    config = apply_overrides(get_preset("srgan_x4"), ["data.batch_size=4"])
    lr, hr = next(iter(make_training_data(config)[0]))
    print("pairs figure:", plot_patch_pairs(lr.numpy(), signed_to_unit(hr).numpy(), args.out))


if __name__ == "__main__":
    main()
