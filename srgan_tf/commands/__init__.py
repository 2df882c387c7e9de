"""Implementations behind the CLI subcommands (one module each), and the runner of the thin scripts."""

import argparse
import contextlib
import os
import sys

from srgan_tf.cpu_kernels import choose_cpu_kernels


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
    kernels first (see :mod:`srgan_tf.cpu_kernels`)."""
    if workload is not None:
        choose_cpu_kernels(workload)
    with _native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # device discovery prints too


def run_script(doc, add_arguments, run, workload, argv=None):
    """``main`` of ``training/fit.py`` and ``export/export.py``: parse, run, one-line user errors."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from srgan_tf.errors import SRGANError

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    from srgan_tf.messages import install_handler

    install_handler()
    load_tensorflow(workload)
    try:
        return run(args)
    except SRGANError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
