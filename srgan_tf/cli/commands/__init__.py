"""The CLI's commands, one module each, all alike: ``HELP`` (one line), ``WORKLOAD`` (the CPU
kernels it runs best on: "training", "inference" or None), ``add_arguments(parser)`` and
``run(args)`` (an exit status). :func:`execute` runs any of them; ``srgan_tf.cli`` lists them."""

import argparse
import contextlib
import os
import sys

from srgan_tf.cli.cpu_kernels import choose_cpu_kernels


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hides what TensorFlow's C++ runtime prints while it loads (it ignores
    TF_CPP_MIN_LOG_LEVEL before absl logging starts). SRGAN_TF_LOGS=1 shows it."""
    if os.environ.get("SRGAN_TF_LOGS") == "1":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_tensorflow(workload=None):
    """Imports TensorFlow and finds its devices with the C++ start-up chatter hidden.

    ``workload`` ("training", "inference" or None: TensorFlow's default) picks its CPU
    kernels first (see :mod:`srgan_tf.cli.cpu_kernels`). Every entry point calls it before anything
    imports TensorFlow: the commands through :func:`execute`, and the scripts of ``bench/``,
    ``training/`` and ``export/`` at their top."""
    # Once absl logging runs, its C++ logs obey this; 3 also hides the "E0000" chatter (remapper,
    # oneDNN, cuInit without a GPU). A value the user set is kept.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if workload is not None:
        choose_cpu_kernels(workload)
    with _native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # device discovery prints too
    # TensorFlow's Python warnings (e.g. "triggered tf.function retracing" when `srgan compare`
    # runs several models, each its own function) are not for the people using the commands:
    # what they need to know arrives as `srgan: warning:` lines from the package's own logger.
    tf.get_logger().setLevel("ERROR")


def execute(command, args, prog="srgan"):
    """Runs ``command`` (a module of this package: ``WORKLOAD``, ``run``) on parsed ``args``:
    its CPU kernels chosen and TensorFlow loaded first, a user mistake (SRGANError) one line
    on stderr and exit status 2."""
    from srgan_tf.errors import SRGANError
    from srgan_tf.utils.messages import install_handler

    install_handler()
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
