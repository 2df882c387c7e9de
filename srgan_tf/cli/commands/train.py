"""``srgan train``: flags -> config -> :func:`srgan_tf.training.trainer.train`.

Shared by the CLI and ``training/fit.py`` so both accept the same flags.
"""

import os
import sys

from srgan_tf.cli.commands.options import add_config_arguments
from srgan_tf.config import JIT_MODES, PRECISIONS, STRATEGIES, apply_overrides, load_config

HELP = "train SRResNet then SRGAN (resumes when re-run)"
WORKLOAD = "training"


def add_arguments(parser):
    add_config_arguments(parser)
    parser.add_argument("--data", help="folder of HR training photos (default: the bundled sample photos)")
    parser.add_argument("--data-lr", help="folder of matching LR images (DIV2K layout); default: bicubic of HR")
    parser.add_argument("--val", help="folder of validation photos (HR, or Set5-style HR/ + LR_bicubic/)")
    parser.add_argument("--run-dir", help="where checkpoints, logs, samples and models go (default: runs/CONFIG)")
    parser.add_argument("--pretrain-steps", type=int, help="stage 1 (SRResNet) steps; 0 skips it")
    parser.add_argument("--steps", type=int, help="stage 2 (SRGAN) steps; 0 skips it")
    parser.add_argument("--jit", choices=JIT_MODES, help="XLA: auto = on with a GPU, off on CPU")
    parser.add_argument("--precision", choices=PRECISIONS)
    parser.add_argument("--strategy", choices=STRATEGIES)
    parser.add_argument("--deterministic", action="store_true", help="seeded, deterministic ops (slower)")
    parser.add_argument(
        "--init",
        metavar="NAME_OR_PATH",
        help="start the generator from these weights: a named model (srresnet-x4, srgan-x4), .keras, "
        "run dir or one of its checkpoints (RUN/checkpoints/gan/ckpt-400)",
    )
    parser.add_argument(
        "--random-init", action="store_true", help="let stage 2 start from random weights when there is no stage 1"
    )
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        help="0 silent, 1 progress bar, 2 one line per epoch (default: 1 on a terminal, 2 when output is a file)",
    )


def config_from_args(args):
    """The resolved config: base, then explicit flags, then ``--set`` overrides."""
    config = load_config(args.config)
    flags = {
        "data.train_dir": args.data and os.path.abspath(args.data),
        "data.train_lr_dir": args.data_lr and os.path.abspath(args.data_lr),
        "data.val_dir": args.val and os.path.abspath(args.val),
        "train.pretrain_steps": args.pretrain_steps,
        "train.steps": args.steps,
        "train.jit": args.jit,
        "train.precision": args.precision,
        "train.strategy": args.strategy,
        "train.deterministic": True if args.deterministic else None,
        "train.init": _init_spec(args.init),
        "train.random_init": True if args.random_init else None,
    }
    overrides = [f"{key}={value}" for key, value in flags.items() if value is not None]
    return apply_overrides(config, [*overrides, *args.overrides])


def _init_spec(spec):
    """Paths (files, run dirs, checkpoint prefixes) are made absolute (the config is replayed from
    the run dir); names stay names."""
    from srgan_tf.training.run_dir import existing_checkpoint

    if spec is None:
        return spec
    if prefix := existing_checkpoint(spec):
        return os.path.abspath(prefix)
    if not os.path.exists(spec):
        return spec
    return os.path.abspath(spec)


def run(args):
    from srgan_tf.training.trainer import train

    config = config_from_args(args)
    run_dir = args.run_dir or os.path.join("runs", config.name)
    # A progress bar redraws with control codes once per step: fine on a terminal, noise in a log file.
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    path = train(config, run_dir, verbose=verbose)
    print(f"generator: {path}")
    return 0
