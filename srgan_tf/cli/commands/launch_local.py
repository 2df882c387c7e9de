"""``srgan launch-local``: a command as N tf.distribute workers on 127.0.0.1."""

import argparse

from srgan_tf.errors import SRGANError

HELP = "run a command as N tf.distribute workers on 127.0.0.1"
# Chooses no CPU kernels: the launcher's environment reaches its workers, and each worker's
# own `srgan train` chooses.
WORKLOAD = None


def add_arguments(parser):
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grace", type=float, default=60, help="seconds the others get after one worker fails")
    parser.add_argument("cli_args", nargs=argparse.REMAINDER, help="-- train ... (--strategy multi_worker is added)")


def run(args):
    from srgan_tf.training.distributed import launch_local

    cli_args = list(args.cli_args)
    if cli_args[:1] == ["--"]:
        cli_args = cli_args[1:]
    if not cli_args:
        raise SRGANError("launch-local needs the command to run, e.g. -- train --config demo")
    if cli_args[0] == "train" and not any(a.startswith("--strategy") for a in cli_args):
        cli_args += ["--strategy", "multi_worker"]
    return launch_local(args.workers, cli_args, grace_seconds=args.grace)
