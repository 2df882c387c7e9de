"""The validation curves of several stage-2 runs in one figure, for docs/pretrained.md.

    python training/run_curves.py ~/srgan-runs/perceptual_x4 ~/srgan-runs/perceptual_x4_p2 \
        ~/srgan-runs/perceptual_x4_p3 --reference srresnet-x4=0.208,32.66 \
        --reference bicubic=0.276,30.98 --target 0.146 --out docs/images/perceptual_runs.png

A run whose generator started from another run's checkpoint (``train.init`` naming
``RUN/checkpoints/gan/ckpt-N``) is drawn from that run's step N on, so a chain of runs reads as
one line of steps from the common start.
"""

import argparse
import os
import sys

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

from srgan_tf.config import load_config  # noqa: E402
from srgan_tf.training.run_dir import RunDir, checkpoint_in_run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from training.events import scalar_events  # noqa: E402
from training.figures import plot_run_curves  # noqa: E402


def start_step(config):
    """The GAN step a run starts at, counted along the chain of runs it continued."""
    found = checkpoint_in_run(config.train.init)
    return found[2] + start_step(load_config(found[0])) if found and found[1] == "gan" else 0


def run_curve(run_dir):
    config = load_config(run_dir)
    events = scalar_events(RunDir(run_dir).logs("gan"))
    lpips = {step: value for step, value, _ in events.get("val_lpips", [])}
    psnr = {step: value for step, value, _ in events.get("val_psnr", [])}
    steps = sorted(set(lpips) & set(psnr))
    offset = start_step(config)
    curve = [offset + s for s in steps], [lpips[s] for s in steps], [psnr[s] for s in steps]
    found = checkpoint_in_run(config.train.init)
    if found and found[1] == "gan":  # begin where the run it continued was: its validation at that checkpoint
        _, parent_steps, parent_lpips, parent_psnr = run_curve(found[0])
        if offset in parent_steps:
            at = parent_steps.index(offset)
            curve = tuple([start, *values] for start, values in zip((offset, parent_lpips[at], parent_psnr[at]), curve))
    return (config.name, *curve)


def reference(text):
    label, values = text.split("=")
    lpips_value, psnr_value = (float(v) for v in values.split(","))
    return label, lpips_value, psnr_value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run dirs with a GAN stage")
    parser.add_argument("--reference", action="append", type=reference, default=[], metavar="LABEL=LPIPS,PSNR")
    parser.add_argument("--target", type=float, help="the LPIPS-Alex goal, drawn as a line")
    parser.add_argument("--title")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    curves = [run_curve(run) for run in args.runs]
    for name, steps, lpips_values, psnr_values in curves:
        print(name, " ".join(f"{s}:{lp:.4f}/{ps:.2f}" for s, lp, ps in zip(steps, lpips_values, psnr_values)))
    print(plot_run_curves(curves, args.out, args.reference, args.target, args.title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
