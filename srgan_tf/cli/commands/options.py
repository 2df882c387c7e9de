"""Arguments several commands share, and what they turn into."""

import os

BACKEND_CHOICES = ("auto", "keras", "saved_model", "tflite", "onnx", "ncnn")


def positive_int(text):
    """argparse type of a limit: a whole number of at least 1 (0 would refuse, or bound, nothing)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_config_arguments(parser):
    from srgan_tf.config import PRESETS

    parser.add_argument("--config", default="demo", help=f"preset ({', '.join(PRESETS)}), JSON/YAML file, or a run dir")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override, e.g. model.scale=2"
    )


def add_model_arguments(parser, multiple=False, optional=False):
    if multiple:
        parser.add_argument(
            "--model",
            action="append",
            required=True,
            help="named model / run dir / .keras / SavedModel / .tflite / .onnx / .param (repeat to compare several)",
        )
    elif optional:
        parser.add_argument(
            "--model",
            help="named model (srgan models), run dir, .keras, SavedModel dir, .tflite, .onnx or ncnn .param "
            "(default: the default named model, when one ships)",
        )
    else:
        parser.add_argument(
            "--model",
            required=True,
            help="named model (srgan models), run dir, .keras, SavedModel dir, .tflite, .onnx or ncnn .param",
        )
    parser.add_argument(
        "--backend",
        choices=BACKEND_CHOICES,
        default="auto",
        help="runtime (default: an exported file's own; for a Keras model the fastest verified one, "
        "converted once and cached; keras keeps it on Keras)",
    )
    parser.add_argument("--verbose", action="store_true", help="say which runtime runs the model, and why")
    parser.add_argument(
        "--tile",
        type=int,
        help="tile size in input pixels (0: whole image; default: the largest that fits half of the "
        "free memory, from the model's memory per pixel)",
    )
    parser.add_argument(
        "--tile-overlap",
        type=int,
        help="context pixels per tile side (default: the model's measured overlap, else its receptive field)",
    )


def upscaler(model, args):
    """The :class:`~srgan_tf.inference.Upscaler` of ``--model`` (or the default model) and the tile options."""
    from srgan_tf.inference import Upscaler
    from srgan_tf.inference.tiling import AUTO_TILE
    from srgan_tf.pretrained.cards import default_model
    from srgan_tf.utils.messages import LOGGER

    if args.verbose:
        LOGGER.setLevel("INFO")
    tile = AUTO_TILE if args.tile is None else args.tile
    return Upscaler.load(model or default_model(), args.backend, tile, args.tile_overlap)


def model_label(model):
    """A named model's name, or the last two path parts, e.g. "demo/srresnet.keras"."""
    from srgan_tf.pretrained.cards import is_named_model

    if is_named_model(model):
        return model
    path = os.path.abspath(model)
    return os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
