"""Input pipeline throughput at the paper's config (batch 16, 96x96 HR, x4).

    python bench/data_pipeline.py [--batches 60] [--repeats 5]

Rows: the bundled photos, and a folder of 2040x1356 PNGs (DIV2K-sized, made
from the bundled photos by the script) with 1 and 16 patches per decoded image.
A second table times the choice of file per visit (the seeded per-pass permutation)
for folders of 10k to 1.28M files (ImageNet-size): it must not grow with the folder.
"""

import argparse
import os
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

from common import machine_line, median_time, print_table  # noqa: E402
from PIL import Image  # noqa: E402

from srgan_tf.assets import SAMPLE_TRAIN_DIR  # noqa: E402
from srgan_tf.config import apply_overrides, get_preset  # noqa: E402
from srgan_tf.data import make_training_data  # noqa: E402


def make_2k_folder(root, count=8):
    for index, name in enumerate(sorted(os.listdir(SAMPLE_TRAIN_DIR))[:count]):
        image = Image.open(os.path.join(SAMPLE_TRAIN_DIR, name)).convert("RGB")
        image.resize((2040, 1356), Image.BICUBIC).save(os.path.join(root, f"{index:04d}.png"))
    return root


def measure(config, batches, repeats):
    dataset, _ = make_training_data(config)
    iterator = iter(dataset)
    next(iterator)  # start-up (threads, first decodes) is not throughput

    def run():
        for _ in range(batches):
            next(iterator)

    seconds, _ = median_time(run, repeats=repeats, warmup=1)
    batch_rate = batches / seconds
    return batch_rate, batch_rate * config.data.batch_size


def time_file_choice(count, visits=2000, repeats=5):
    """Microseconds per visit to pick its file, for a folder of ``count`` files."""
    import tensorflow as tf

    from srgan_tf.data.visits import file_for_visit

    pick = tf.function(lambda visit: file_for_visit(visit, 0, count))
    pick(tf.constant(0, tf.int64))

    def run():
        for visit in range(visits):
            pick(tf.constant(visit * 7919, tf.int64))

    seconds, _ = median_time(run, repeats=repeats, warmup=1)
    return seconds / visits * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    paper = get_preset("srgan_x4")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        make_2k_folder(folder)
        bundled = len(os.listdir(SAMPLE_TRAIN_DIR))
        cases = [
            (f"bundled photos ({bundled})", [], 16),
            ("2040x1356 PNG (8)", [f"data.train_dir={folder}"], 16),
            ("2040x1356 PNG (8)", [f"data.train_dir={folder}"], 1),
        ]
        for label, overrides, per_image in cases:
            config = apply_overrides(paper, [*overrides, f"data.patches_per_image={per_image}"])
            batch_rate, patch_rate = measure(config, args.batches, args.repeats)
            rows.append((label, per_image, f"{batch_rate:.1f}", f"{patch_rate:.0f}"))
    print(machine_line())
    print(f"batch 16, 96x96 HR -> 24x24 LR, x4; median of {args.repeats} runs of {args.batches} batches\n")
    print_table(["source", "patches/image", "batches/s", "patches/s"], rows)
    print("\nchoosing a visit's file (one call per visit, including the tf.function call)\n")
    print_table(
        ["files in folder", "µs per visit"],
        [(f"{count:,}", f"{time_file_choice(count):.0f}") for count in (10_000, 350_000, 1_000_000, 1_281_167)],
    )


if __name__ == "__main__":
    main()
