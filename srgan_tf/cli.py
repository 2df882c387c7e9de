"""The ``srgan`` command line: thin argument parsing over the library.

Every subcommand turns its arguments into library calls; a user mistake
(:class:`SRGANError`) becomes one line on stderr and exit status 2.
"""

import argparse
import os
import sys

# Before TensorFlow is imported anywhere: keep C++ start-up chatter off the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # 3: also its C++ "E0000" chatter (remapper, oneDNN)

from srgan_tf.commands import load_tensorflow  # noqa: E402
from srgan_tf.errors import SRGANError  # noqa: E402
from srgan_tf.messages import install_handler  # noqa: E402

EXIT_USER_ERROR = 2
# The CPU kernels each command runs best on (srgan_tf.cpu_kernels); launch-local chooses
# nothing, so each worker's own `srgan train` does.
WORKLOADS = {"train": "training", "launch-local": None}


def _add_config_args(parser):
    parser.add_argument(
        "--config",
        default="demo",
        help="preset name (demo, finetune_x4, srresnet_x4, srgan_x4, esrgan_x4) or JSON/YAML file",
    )
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


def _cmd_models(args):
    from srgan_tf.pretrained import card_line, named_models

    for card in named_models().values():
        print(card_line(card))
    return 0


def _cmd_interpolate(args):
    from srgan_tf.interpolation import write_interpolation

    path = write_interpolation(args.model_a, args.model_b, args.alpha, args.out, args.overwrite)
    print(f"{path}: (1 - {args.alpha:g}) x {args.model_a} + {args.alpha:g} x {args.model_b}")
    return 0


def _cmd_launch_local(args):
    from srgan_tf.distributed import launch_local

    cli_args = list(args.cli_args)
    if cli_args[:1] == ["--"]:
        cli_args = cli_args[1:]
    if not cli_args:
        raise SRGANError("launch-local needs the command to run, e.g. -- train --config demo")
    if cli_args[0] == "train" and not any(a.startswith("--strategy") for a in cli_args):
        cli_args += ["--strategy", "multi_worker"]
    return launch_local(args.workers, cli_args, grace_seconds=args.grace)


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

    p = sub.add_parser("models", help="list the named pretrained models shipped with the package")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("interpolate", help="blend two generators of one architecture (ESRGAN network interpolation)")
    p.add_argument("model_a", help="the generator at alpha 0 (e.g. srresnet-x4; named model, run dir or .keras)")
    p.add_argument("model_b", help="the generator at alpha 1 (e.g. srgan-x4)")
    p.add_argument("--alpha", type=float, required=True, help="weights = (1 - alpha) * A + alpha * B")
    p.add_argument("--out", required=True, help="the blended generator (.keras)")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=_cmd_interpolate)

    p = sub.add_parser("launch-local", help="run a command as N tf.distribute workers on 127.0.0.1")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--grace", type=float, default=60, help="seconds the others get after one worker fails")
    p.add_argument("cli_args", nargs=argparse.REMAINDER, help="-- train ... (--strategy multi_worker is added)")
    p.set_defaults(func=_cmd_launch_local)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    install_handler()
    load_tensorflow(WORKLOADS.get(args.command, "inference"))
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
