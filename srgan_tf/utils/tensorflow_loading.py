"""Importing TensorFlow without its C++ start-up lines reaching the people using the package.

The CLI imports TensorFlow only when a command needs it: ``srgan upscale`` with a cached
converted model runs on LiteRT, ONNX Runtime or ncnn alone, and skips the import entirely.
Whatever path does need it calls :func:`import_tensorflow` first.
"""

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """Hides what a native runtime prints while it loads (TensorFlow's C++ ignores
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


def import_tensorflow():
    """Imports TensorFlow (once) and finds its devices with the C++ start-up chatter hidden;
    returns the module. A no-op when it is already imported."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    # Once absl logging runs, its C++ logs obey this; 3 also hides the "E0000" chatter (remapper,
    # oneDNN, cuInit without a GPU). A value the user set is kept.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # device discovery prints too
    # TensorFlow's Python warnings (e.g. "triggered tf.function retracing" when `srgan compare`
    # runs several models, each its own function) are not for the people using the commands:
    # what they need to know arrives as `srgan: warning:` lines from the package's own logger.
    tf.get_logger().setLevel("ERROR")
    return tf
