"""``srgan compare``: a Figure-2-style PNG — LR, bicubic, each model, HR — with scores."""

from srgan_tf.cli.commands.options import add_model_arguments, model_label, upscaler
from srgan_tf.errors import SRGANError

HELP = "a Figure-2-style PNG: LR, bicubic, models, HR"
WORKLOAD = "inference"


def add_arguments(parser):
    parser.add_argument("image", help="an HR image; its LR is made by bicubic downscaling")
    add_model_arguments(parser, multiple=True)
    parser.add_argument("--out", required=True, help="the figure (PNG)")
    parser.add_argument("--crop", type=int, default=128, help="side of the HR crop shown")
    parser.add_argument("--at", help="top,left of the crop in HR pixels (default: centre)")


def run(args):
    from srgan_tf.inference.compare import compare_models

    at = None
    if args.at:
        try:
            at = tuple(int(v) for v in args.at.split(","))
        except ValueError as error:
            raise SRGANError(f"--at expects top,left, got {args.at!r}") from error
    models = [(model_label(m), upscaler(m, args)) for m in args.model]
    path = compare_models(args.image, models, args.out, crop=args.crop, at=at)
    print(f"figure: {path}")
    return 0
