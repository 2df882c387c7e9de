"""The ``srgan`` command line: thin argument parsing over the library.

Every subcommand turns its arguments into library calls; a user mistake
(:class:`SRGANError`) becomes one line on stderr and exit status 2.
"""

import argparse
import contextlib
import os
import sys

# Before TensorFlow is imported anywhere: keep C++ start-up chatter off the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from srgan_tf.errors import SRGANError  # noqa: E402

EXIT_USER_ERROR = 2


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


def _load_tensorflow():
    with _native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # device discovery prints too


def _add_config_args(parser):
    parser.add_argument("--config", default="demo", help="preset name (demo, srresnet_x4, srgan_x4) or JSON/YAML file")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override, e.g. model.scale=2"
    )


def _cmd_summary(args):
    from srgan_tf.commands.summary import summarize

    summarize(args.config, args.overrides, vgg=args.vgg)
    return 0


def _cmd_train(args):
    from srgan_tf.commands import train

    return train.run(args)


def _cmd_export(args):
    from srgan_tf.commands import export

    return export.run(args)


def _cmd_upscale_family(name):
    def run(args):
        from srgan_tf.commands import upscale

        return getattr(upscale, f"run_{name}")(args)

    return run


def build_parser():
    parser = argparse.ArgumentParser(prog="srgan", description="SRGAN super-resolution for TensorFlow / Keras 3")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("summary", help="build the networks of a config and print their summaries")
    _add_config_args(p)
    p.add_argument("--vgg", action="store_true", help="also build the VGG19 feature extractor (random weights)")
    p.set_defaults(func=_cmd_summary)

    from srgan_tf.commands.train import add_train_arguments

    p = sub.add_parser("train", help="train SRResNet then SRGAN (resumes when re-run)")
    add_train_arguments(p)
    p.set_defaults(func=_cmd_train)

    from srgan_tf.commands.export import add_export_arguments

    p = sub.add_parser("export", help="export SavedModel / TFLite / ONNX and verify them against Keras")
    add_export_arguments(p)
    p.set_defaults(func=_cmd_export)

    from srgan_tf.commands import upscale

    helps = {
        "upscale": "upscale images with any model format (tiled, seam-free)",
        "evaluate": "Y-PSNR/SSIM of a model and of bicubic on an HR folder",
        "compare": "a Figure-2-style PNG: LR, bicubic, models, HR",
    }
    for name, help_text in helps.items():
        p = sub.add_parser(name, help=help_text)
        getattr(upscale, f"add_{name}_arguments")(p)
        p.set_defaults(func=_cmd_upscale_family(name))
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    _load_tensorflow()
    try:
        return args.func(args)
    except SRGANError as error:
        print(f"srgan: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("srgan: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
