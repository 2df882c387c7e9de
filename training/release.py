"""Releases a trained generator as a named model of the package, with its model card.

    python training/release.py RUN_DIR --stage pretrain --name srresnet-x4 --val CORPUS/val \
        --summary "SRResNet (PSNR-oriented), paper architecture"

Writes into ``srgan_tf/assets/weights/`` (or ``--out``):

    NAME.weights.npz   the generator's variables in float16 (checked: >= 60 dB from float32)
    NAME.json          the card ``srgan models`` and the loaders read
    NAME.md            the same card for people: config, data, steps, wall time, machine,
                       the command that reproduces it, and the held-out table

and the run's training-history figure to ``docs/images/NAME_training.png``. The held-out
table is measured on the float16 weights that ship, whole images, Y channel, shave = scale.
"""

import argparse
import functools
import json
import os
import shlex
import sys

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow()  # before anything imports TensorFlow: start-up lines hidden

import keras  # noqa: E402
import numpy as np  # noqa: E402

import srgan_tf  # noqa: E402
from srgan_tf.assets import SAMPLE_TRAIN_DIR, WEIGHTS_DIR  # noqa: E402
from srgan_tf.config import CONTENT_LAYERS, load_config  # noqa: E402
from srgan_tf.data.degradations import photo_pair  # noqa: E402
from srgan_tf.data.scan import find_images  # noqa: E402
from srgan_tf.evaluation.scoring import evaluate_folder, held_out_table, mean_scores  # noqa: E402
from srgan_tf.models import architecture_of, build_from_architecture  # noqa: E402
from srgan_tf.pretrained.weights_file import file_sha256, load_weights, save_weights  # noqa: E402
from srgan_tf.training.builders import generator_from_checkpoint  # noqa: E402
from srgan_tf.training.run_dir import RunDir, checkpoint_in_run  # noqa: E402
from srgan_tf.utils.atomic import write_json  # noqa: E402
from srgan_tf.utils.ranges import sr_images  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)  # the script helpers beside this folder
from bench.common import machine_description  # noqa: E402
from training.events import scalar_events  # noqa: E402
from training.figures import plot_training_history  # noqa: E402

MIN_FLOAT16_DB = 60.0


def stage_history(run, stage, until=None):
    """(loss steps, loss values, val steps, val PSNRs, wall seconds, (val steps, val LPIPS-Alex))
    of one stage up to step ``until`` (all: None); the LPIPS series is empty for runs validated
    without it."""
    events = {
        tag: [e for e in series if until is None or e[0] <= until]
        for tag, series in scalar_events(run.logs(stage)).items()
    }
    loss_tag = "pixel_loss" if stage == "pretrain" else "g_loss"
    losses = sorted(events.get(loss_tag, []))
    val = sorted(events.get("val_psnr", []))
    lpips = sorted(events.get("val_lpips", []))
    times = [t for series in events.values() for _, _, t in series]
    wall = max(times) - min(times) if times else float("nan")
    return (
        [s for s, _, _ in losses],
        [v for _, v, _ in losses],
        [s for s, _, _ in val],
        [v for _, v, _ in val],
        wall,
        ([s for s, _, _ in lpips], [v for _, v, _ in lpips]),
    )


def losses_text(config, stage):
    """The card's one-line account of the losses that trained ``stage``'s generator."""
    lo, t = config.loss, config.train
    parts = [f"stage 1: {lo.pixel.upper()} pixel loss"] if t.pretrain_steps else []
    if stage == "gan":
        start = f" from {t.init}" if t.init and not t.pretrain_steps else ""
        parent = checkpoint_step(t.init)
        if parent:  # a run that continued another: name it and what trained it
            parent_config = load_config(parent[0])
            start = f" from {parent_config.name} at step {parent[1]} [{losses_text(parent_config, 'gan')}]"
        if lo.content in ("mse", "l1"):
            content = f"SRGAN-{lo.content.upper()}: pixel-space {lo.content} content"
        else:
            network = CONTENT_LAYERS[lo.content].network.upper()
            content = f"{lo.content} content ({network} ImageNet features)"
        parts.append(
            f"stage 2{start}: {content} x{lo.content_weight:g} + {lo.adversarial_weight:g} {lo.adversarial} "
            "adversarial" + (f" + {lo.pixel_weight:g} {lo.pixel.upper()} pixel" if lo.pixel_weight else "")
        )
    if t.ema_decay:
        parts.append(f"the weights are the running average of the trained ones (EMA {t.ema_decay:g})")
    return "; ".join(parts)


def checkpoint_step(spec):
    """(run dir, step) of an init that names a run's stage-2 checkpoint, else None."""
    found = checkpoint_in_run(spec)
    return (found[0], found[2]) if found and found[1] == "gan" else None


def stopped_at(config, step):
    """``--set`` overrides that reproduce a stage-2 run stopped at ``step``: that many steps, with
    the learning rate's milestones where they were (constant when none came before ``step``)."""
    t = config.train
    milestones = t.learning_rate_decay_at if isinstance(t.learning_rate_decay_at, list) else [t.learning_rate_decay_at]
    # Half a step past each boundary: the schedule floors step·fraction, and b/step·step can come
    # back as b − 1e-13.
    passed = [(int(t.steps * at) + 0.5) / step for at in milestones if 0 < int(t.steps * at) < step]
    decay = ("[" + ",".join(map(repr, passed)) + "]") if len(passed) > 1 else (passed[0] if passed else 1.0)
    return f"--set train.steps={step} --set {shlex.quote(f'train.learning_rate_decay_at={decay}')}"


def train_commands(config, corpus, stop=None):
    """The commands that reproduce this run's generator, the runs it started from first."""
    commands, init = [], ""
    config_file = os.path.relpath(os.path.join(REPO, "training", "configs", f"{config.name}.yaml"), REPO)
    parent = checkpoint_step(config.train.init)
    if parent:
        parent_dir, parent_step = parent
        parent_name = load_config(parent_dir).name
        commands = train_commands(load_config(parent_dir), corpus, stop=parent_step)
        init = f" --init ~/srgan-runs/{parent_name}/checkpoints/gan/ckpt-{parent_step}"
    elif config.train.init:  # given on the command line when the config file does not name it
        in_file = os.path.isfile(os.path.join(REPO, config_file)) and (
            load_config(os.path.join(REPO, config_file)).train.init == config.train.init
        )
        init = "" if in_file else f" --init {shlex.quote(config.train.init)}"
    extra = f" {stopped_at(config, stop)}" if stop is not None and stop != config.train.steps else ""
    commands.append(
        f"srgan train --config {config_file} --data {corpus}/train --val {corpus}/{validation_folder(config)} "
        f"--run-dir ~/srgan-runs/{config.name}{init}{extra} --verbose 2"
    )
    return commands


def validation_folder(config):
    """The corpus folder a run validated on: ``val`` (the held-out photos) or ``select`` (the
    selection set of training photos that picks a checkpoint without the held-out ones)."""
    return os.path.basename(os.path.normpath(config.data.val_dir)) if config.data.val_dir else "val"


def float16_fidelity(reference, shipped, folder, scale):
    """Worst PSNR (dB, RGB, [0, 1] floats, unrounded) of the float16 model against float32."""
    worst = np.inf
    for path in find_images(folder):
        lr = photo_pair(path, scale)[1][None]
        a = sr_images(reference, lr).numpy()
        b = sr_images(shipped, lr).numpy()
        mse = float(np.mean((a.astype(np.float64) - b) ** 2))
        worst = min(worst, 10 * np.log10(1.0 / mse) if mse else np.inf)
    return worst


def markdown_card(card, config):
    t, e = card["training"], card["evaluation"]
    lines = [
        f"# {card['name']}",
        "",
        card["summary"] + ".",
        "",
        "| | |",
        "|---|---|",
        f"| architecture | `{card['architecture']['arch']}` generator, `build_from_architecture` arguments: "
        f"{card['architecture']} |",
        f"| weights | `{card['weights']}` ({card['dtype']}, SHA-256 `{card['sha256'][:16]}…`; "
        f"float16 vs float32 outputs: {card['float16_psnr_db']:.1f} dB worst case) |",
        f"| losses | {t['losses']} |",
        f"| data | {t['data']} |",
        f"| steps | {t['steps']} |",
        f"| wall time | {t['wall_time']} |",
        f"| machine | {t['machine']} |",
        f"| license | {card['license']} |",
        "",
        "Reproduce:",
        "",
        "```sh",
        *t["commands"],
        "```",
        "",
        f"Held-out photos (never trained on), whole images, x{card['architecture']['scale']}; Y-PSNR/SSIM on "
        f"the Y channel, shave {card['architecture']['scale']}; LPIPS-Alex on the whole RGB images (lower is "
        "closer); sharpness = gradient energy of the upscale / of the original (1 = as sharp as the photo):",
        "",
        held_out_table(e),
    ]
    lines += ["", "Resolved training config:", "", "```json", json.dumps(config.to_dict(), indent=2), "```", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--stage", choices=("pretrain", "gan"), required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--summary", required=True, help="one line for `srgan models`")
    parser.add_argument("--val", required=True, help="held-out photos (never trained on)")
    parser.add_argument("--corpus", default="~/srgan-corpus", help="corpus folder named in the reproduce command")
    parser.add_argument("--out", default=WEIGHTS_DIR)
    parser.add_argument(
        "--checkpoint",
        type=int,
        metavar="STEP",
        help="release the generator of this checkpoint of the stage instead of the run's final one "
        "(a run stopped before its end, or an earlier step that scored better)",
    )
    args = parser.parse_args(argv)

    run, config = RunDir(args.run_dir), load_config(args.run_dir)
    m = config.model
    if args.checkpoint is not None and args.stage != "gan":
        parser.error("--checkpoint releases a stage-2 checkpoint (--stage gan)")
    if args.checkpoint is not None:
        reference = generator_from_checkpoint(os.path.join(run.checkpoints(args.stage), f"ckpt-{args.checkpoint}"))
    else:
        source = run.srresnet if args.stage == "pretrain" else run.generator
        reference = keras.models.load_model(source, safe_mode=True)
    architecture = architecture_of(m)
    os.makedirs(args.out, exist_ok=True)
    weights_file = f"{args.name}.weights.npz"
    save_weights(reference, os.path.join(args.out, weights_file))
    shipped = load_weights(build_from_architecture(architecture), os.path.join(args.out, weights_file))
    fidelity = float16_fidelity(reference, shipped, args.val, m.scale)
    if fidelity < MIN_FLOAT16_DB:
        raise SystemExit(f"release: error: float16 weights are {fidelity:.1f} dB from float32 (< {MIN_FLOAT16_DB})")

    scores = evaluate_folder(functools.partial(sr_images, shipped), args.val, m.scale)
    steps = {"pretrain": config.train.pretrain_steps, "gan": config.train.steps}
    if args.checkpoint is not None:
        steps[args.stage] = args.checkpoint
    stages = [s for s in (["pretrain"] if args.stage == "pretrain" else ["pretrain", "gan"]) if steps[s]]
    history = {stage: stage_history(run, stage, until=steps[stage]) for stage in stages}
    losses = losses_text(config, args.stage)
    corpus = args.corpus.rstrip("/")
    card = {
        "name": args.name,
        "summary": args.summary,
        "architecture": architecture,
        "weights": weights_file,
        "sha256": file_sha256(os.path.join(args.out, weights_file)),
        "dtype": "float16",
        "float16_psnr_db": round(fidelity, 2),
        "license": "Apache-2.0 (weights trained by srgan_tf on CC-BY / CC-BY-SA / CC0 / GPL / LGPL photos, "
        "see training/build_corpus.py and the corpus ATTRIBUTION file)",
        "training": {
            "config": config.name,
            "losses": losses,
            "data": (
                f"{len(find_images(config.data.train_dir or SAMPLE_TRAIN_DIR))} training photos: photographs from "
                "Debian's wallpaper packages plus the bundled training photos (training/build_corpus.py); "
                f"{config.data.patch_size}px HR crops, batch {config.data.batch_size}, flips/rotations"
            ),
            "steps": ", ".join(f"{s}: {steps[s]}" for s in stages),
            "wall_time": ", ".join(f"{s}: {history[s][4] / 60:.0f} min" for s in stages),
            "machine": machine_description(),
            "commands": [
                f"python training/build_corpus.py --out {corpus}",
                *train_commands(config, corpus, stop=args.checkpoint if args.stage == "gan" else None),
                f"python training/release.py ~/srgan-runs/{config.name} --stage {args.stage} --name {args.name} "
                f"--val {corpus}/val"
                + (f" --checkpoint {args.checkpoint}" if args.checkpoint is not None else "")
                + f" --summary {shlex.quote(args.summary)}",
            ],
            "srgan_tf_version": srgan_tf.__version__,
        },
        "evaluation": {
            "protocol": (
                f"whole held-out images, x{m.scale}; Y-PSNR/SSIM: Y channel (BT.601), shave {m.scale}; "
                "LPIPS-Alex v0.1: whole RGB images"
            ),
            "mean": mean_scores(scores),
            "images": [s.__dict__ for s in scores],
        },
    }
    write_json(os.path.join(args.out, f"{args.name}.json"), card)
    with open(os.path.join(args.out, f"{args.name}.md"), "w", encoding="utf-8") as f:
        f.write(markdown_card(card, config))
    figure = os.path.join(REPO, "docs", "images", f"{args.name}_training.png")
    plot_training_history(
        {s: history[s][:2] for s in stages},
        {s: history[s][2:4] for s in stages},
        figure,
        title=f"{args.name}: {config.name} on the wallpaper corpus (validation: {validation_folder(config)}/)",
        lpips={s: history[s][5] for s in stages if history[s][5][0]},
    )
    print(markdown_card(card, config).split("Resolved training config")[0])
    print(f"released {args.name}: {os.path.join(args.out, weights_file)}; figure {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
