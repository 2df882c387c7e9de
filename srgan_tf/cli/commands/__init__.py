"""The CLI's commands, one module each, all alike: ``HELP`` (one line), ``WORKLOAD`` (the CPU
kernels it runs best on: "training", "inference" or None), ``add_arguments(parser)`` and
``run(args)`` (an exit status); a command that sets ``LAZY_TENSORFLOW = True`` imports TensorFlow
itself, only when it needs it. :func:`execute` runs any of them; ``srgan_tf.cli`` lists them."""

import argparse
import sys

from srgan_tf.cli.cpu_kernels import choose_cpu_kernels
from srgan_tf.utils.tensorflow_loading import import_tensorflow


def load_tensorflow(workload=None):
    """Chooses TensorFlow's CPU kernels for ``workload`` ("training", "inference" or None:
    TensorFlow's default; see :mod:`srgan_tf.cli.cpu_kernels`), then imports it with the C++
    start-up lines hidden. The scripts of ``bench/``, ``training/`` and ``export/`` call it at
    their top; commands get it from :func:`execute`."""
    if workload is not None:
        choose_cpu_kernels(workload)
    import_tensorflow()


def execute(command, args, prog="srgan"):
    """Runs ``command`` (a module of this package: ``WORKLOAD``, ``run``) on parsed ``args``:
    its CPU kernels chosen and TensorFlow loaded first (unless it loads it lazily), a user mistake (SRGANError) one line
    on stderr and exit status 2."""
    from srgan_tf.errors import SRGANError
    from srgan_tf.utils.imageio import ignore_bomb_warning_in_process
    from srgan_tf.utils.messages import install_handler

    install_handler()
    ignore_bomb_warning_in_process()  # every command checks an image's size before decoding it
    if getattr(command, "LAZY_TENSORFLOW", False):
        if command.WORKLOAD is not None:
            choose_cpu_kernels(command.WORKLOAD)  # environment only: applies if TensorFlow loads later
    else:
        load_tensorflow(command.WORKLOAD)
    try:
        return command.run(args)
    except SRGANError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


def run_script(command, doc, argv=None):
    """``main`` of the thin scripts (``training/fit.py``, ``export/export.py``): one command's
    arguments, run as the CLI runs it."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_arguments(parser)
    return execute(command, parser.parse_args(argv), prog=parser.prog)
