"""``srgan upscale``: real images, any size, any model format, tiled and seam-free."""

import sys

from srgan_tf.cli.commands.options import add_model_arguments, positive_int, upscaler

HELP = "upscale images with any model format (tiled, seam-free)"
WORKLOAD = "inference"
# A Keras model's cached conversion runs on its runtime alone: TensorFlow loads only to convert
# one, or for --backend keras / saved_model.
LAZY_TENSORFLOW = True


def add_arguments(parser):
    from srgan_tf.utils.imageio import MAX_DECODE_PIXELS

    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or globs")
    add_model_arguments(parser, optional=True)
    parser.add_argument(
        "--out",
        help="output folder (sub-folders of folder inputs are kept; never walked for inputs); "
        "default: beside each input file",
    )
    parser.add_argument("--format", choices=("png", "jpg", "webp"), default="png")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--max-pixels", type=positive_int, default=MAX_DECODE_PIXELS, help="refuse larger inputs (W*H)")


def run(args):
    from srgan_tf.inference.upscale import upscale_files

    model = upscaler(args.model, args)
    progress = sys.stderr.isatty()  # tqdm's redraws belong on a terminal, not in a log file
    result = upscale_files(model, args.inputs, args.out, args.format, args.overwrite, args.max_pixels, progress)
    print(result.summary())
    return 2 if result.failed else 0
