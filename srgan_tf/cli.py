"""The ``srgan`` command line: thin argument parsing over the library.

Every subcommand turns its arguments into library calls; a user mistake
(:class:`SRGANError`) becomes one line on stderr and exit status 2.
"""

import argparse
import os
import sys

# Before TensorFlow is imported anywhere: keep C++ start-up chatter off the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from srgan_tf.errors import SRGANError  # noqa: E402

EXIT_USER_ERROR = 2


def _add_config_args(parser):
    parser.add_argument("--config", default="demo", help="preset name (demo, srresnet_x4, srgan_x4) or JSON/YAML file")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override, e.g. model.scale=2"
    )


def _cmd_summary(args):
    from srgan_tf.commands.summary import summarize

    summarize(args.config, args.overrides, vgg=args.vgg)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="srgan", description="SRGAN super-resolution for TensorFlow / Keras 3")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("summary", help="build the networks of a config and print their summaries")
    _add_config_args(p)
    p.add_argument("--vgg", action="store_true", help="also build the VGG19 feature extractor (random weights)")
    p.set_defaults(func=_cmd_summary)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
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
