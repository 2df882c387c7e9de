"""Seconds per training step, stage 1 (SRResNet) and stage 2 (SRGAN), XLA off/on.

    python bench/train_step.py [--configs paper,demo] [--steps N]

The paper config is batch 16, 96x96 HR, 16 blocks, VGG54 content loss (VGG19
with random weights: the same compute as ImageNet weights, nothing to download).
Each cell is the median time of ``--steps`` steps inside one ``fit`` on a fixed in-memory batch,
after two warm-up steps (tracing, XLA compilation): steps are timed between batch ends, as they
run in training, without a short ``fit``'s set-up and tear-down.
The data pipeline's rate (bench/data_pipeline.py) is measured beside it.
"""

import argparse
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("training")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import statistics  # noqa: E402

import tensorflow as tf  # noqa: E402
from common import fit_step_times, machine_line, print_table  # noqa: E402

from srgan_tf.config import apply_overrides, get_preset  # noqa: E402
from srgan_tf.data import make_training_data  # noqa: E402
from srgan_tf.training.builders import build_feature_extractor_from_config, build_stage_model  # noqa: E402

CONFIGS = {
    "paper": ("srgan_x4", ["loss.vgg_weights=null"], 7),
    "demo": ("demo", [], 40),
}


def time_stage(config, stage, jit, steps):
    config = apply_overrides(config, [f"train.jit={'on' if jit else 'off'}"])
    vgg = build_feature_extractor_from_config(config) if stage == "gan" else None  # the configs have no weights
    model = build_stage_model(config, stage, feature_extractor=vgg)
    batch = next(iter(make_training_data(config)[0]))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    return statistics.median(fit_step_times(model, data, steps))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", default="paper,demo")
    parser.add_argument("--steps", type=int, default=None, help="timed steps per cell (default per config)")
    args = parser.parse_args()
    rows = []
    for name in args.configs.split(","):
        preset, overrides, default_steps = CONFIGS[name]
        steps = args.steps or default_steps
        config = apply_overrides(get_preset(preset), overrides)
        m, d = config.model, config.data
        label = f"{name} (B{m.num_blocks}/{m.filters}f, batch {d.batch_size}, {d.patch_size}px, {config.loss.content})"
        for stage in ("pretrain", "gan"):
            off = time_stage(config, stage, False, steps)
            on = time_stage(config, stage, True, steps)
            rows.append((label, stage, f"{off:.3f}", f"{on:.3f}", f"{on / off:.2f}"))
            print(rows[-1], flush=True)
    print(machine_line())
    print("median step inside one fit, after 2 warm-up steps\n")
    print_table(["config", "stage", "s/step XLA off", "s/step XLA on", "on/off"], rows)


if __name__ == "__main__":
    main()
