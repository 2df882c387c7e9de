"""Seconds per training step, stage 1 (SRResNet) and stage 2 (SRGAN), XLA off/on.

    python bench/train_step.py [--configs paper,demo] [--repeats 3]

The paper config is batch 16, 96x96 HR, 16 blocks, VGG54 content loss (VGG19
with random weights: the same compute as ImageNet weights, nothing to download).
Each timing is one ``fit`` of ``--steps`` steps on a fixed in-memory batch after a
warm-up fit (tracing, XLA compilation); the median over ``--repeats`` is shown.
The data pipeline's rate (bench/data_pipeline.py) is measured beside it.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from srgan_tf.cpu_kernels import choose_cpu_kernels  # noqa: E402

choose_cpu_kernels("training")  # before TensorFlow loads

import tensorflow as tf  # noqa: E402
from common import machine_line, median_time, print_table  # noqa: E402

from srgan_tf.config import apply_overrides, get_preset  # noqa: E402
from srgan_tf.data import make_training_data  # noqa: E402
from srgan_tf.stages import build_feature_extractor_from_config, build_stage_model  # noqa: E402

CONFIGS = {
    "paper": ("srgan_x4", ["loss.vgg_weights=null"], 3),
    "demo": ("demo", [], 20),
}


def time_stage(config, stage, jit, steps, repeats):
    config = apply_overrides(config, [f"train.jit={'on' if jit else 'off'}"])
    vgg = build_feature_extractor_from_config(config) if stage == "gan" else None  # the configs have no weights
    model = build_stage_model(config, stage, feature_extractor=vgg)
    batch = next(iter(make_training_data(config)[0]))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    seconds, _ = median_time(lambda: model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0), repeats, warmup=1)
    return seconds / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", default="paper,demo")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name in args.configs.split(","):
        preset, overrides, steps = CONFIGS[name]
        config = apply_overrides(get_preset(preset), overrides)
        m, d = config.model, config.data
        label = f"{name} (B{m.num_blocks}/{m.filters}f, batch {d.batch_size}, {d.patch_size}px, {config.loss.content})"
        for stage in ("pretrain", "gan"):
            off = time_stage(config, stage, False, steps, args.repeats)
            on = time_stage(config, stage, True, steps, args.repeats)
            rows.append((label, stage, f"{off:.3f}", f"{on:.3f}", f"{on / off:.2f}"))
            print(rows[-1], flush=True)
    print(machine_line())
    print(f"median of {args.repeats} fits after a warm-up fit\n")
    print_table(["config", "stage", "s/step XLA off", "s/step XLA on", "on/off"], rows)


if __name__ == "__main__":
    main()
