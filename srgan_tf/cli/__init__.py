"""The ``srgan`` command line: thin argument parsing over the library.

Every subcommand is a module of :mod:`srgan_tf.cli.commands` with the same four names (``HELP``,
``WORKLOAD``, ``add_arguments``, ``run``), listed in :data:`COMMANDS`; a user mistake
(:class:`SRGANError`) becomes one line on stderr and exit status 2.
"""

import argparse

# None of them imports TensorFlow before it runs: execute() loads it, its start-up lines hidden.
from srgan_tf.cli.commands import (
    compare,
    evaluate,
    execute,
    export,
    interpolate,
    launch_local,
    models,
    serve,
    summary,
    train,
    upscale,
)

COMMANDS = {
    "summary": summary,
    "train": train,
    "export": export,
    "upscale": upscale,
    "evaluate": evaluate,
    "compare": compare,
    "models": models,
    "serve": serve,
    "interpolate": interpolate,
    "launch-local": launch_local,
}


def build_parser():
    parser = argparse.ArgumentParser(prog="srgan", description="SRGAN super-resolution for TensorFlow / Keras 3")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        command.add_arguments(sub.add_parser(name, help=command.HELP))
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return execute(COMMANDS[args.command], args)
