"""``srgan upscale``, ``srgan evaluate`` and ``srgan compare``: using a trained model."""

import json
import os
import sys

import numpy as np

from srgan_tf.errors import SRGANError

BACKEND_CHOICES = ("auto", "keras", "saved_model", "tflite", "onnx")


def _add_model_arguments(parser, multiple=False, optional=False):
    if multiple:
        parser.add_argument(
            "--model",
            action="append",
            required=True,
            help="named model / run dir / .keras / SavedModel / .tflite / .onnx (repeat to compare several)",
        )
    elif optional:
        parser.add_argument(
            "--model",
            help="named model (srgan models), run dir, .keras, SavedModel dir, .tflite or .onnx "
            "(default: the default named model, when one ships)",
        )
    else:
        parser.add_argument(
            "--model",
            required=True,
            help="named model (srgan models), run dir, .keras, SavedModel dir, .tflite or .onnx",
        )
    parser.add_argument("--backend", choices=BACKEND_CHOICES, default="auto", help="default: from the model path")
    # No default here: the library's (inference.tiling.DEFAULT_TILE) applies; importing it
    # would start TensorFlow for --help.
    parser.add_argument("--tile", type=int, help="tile size in input pixels (0: whole image; default 256)")
    parser.add_argument("--tile-overlap", type=int, help="context pixels per tile side (default: receptive field)")


def add_upscale_arguments(parser):
    from srgan_tf.imageio import MAX_DECODE_PIXELS

    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or globs")
    _add_model_arguments(parser, optional=True)
    parser.add_argument(
        "--out", help="output folder (sub-folders of folder inputs are kept); default: beside each input file"
    )
    parser.add_argument("--format", choices=("png", "jpg", "webp"), default="png")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--max-pixels", type=int, default=MAX_DECODE_PIXELS, help="refuse larger inputs (W*H)")


def add_evaluate_arguments(parser):
    _add_model_arguments(parser, optional=True)
    parser.add_argument("--data", required=True, help="HR folder (Set5/Set14/BSD100 layout works)")
    parser.add_argument("--json", help="where to save the scores (default: evaluation_<data>.json here)")
    parser.add_argument("--save-images", help="also write the SR images to this folder")


def add_compare_arguments(parser):
    parser.add_argument("image", help="an HR image; its LR is made by bicubic downscaling")
    _add_model_arguments(parser, multiple=True)
    parser.add_argument("--out", required=True, help="the figure (PNG)")
    parser.add_argument("--crop", type=int, default=128, help="side of the HR crop shown")
    parser.add_argument("--at", help="top,left of the crop in HR pixels (default: centre)")


def _upscaler(model, args):
    from srgan_tf.inference import Upscaler
    from srgan_tf.inference.tiling import DEFAULT_TILE
    from srgan_tf.pretrained import default_model

    tile = DEFAULT_TILE if args.tile is None else args.tile
    return Upscaler.load(model or default_model(), args.backend, tile, args.tile_overlap)


def run_upscale(args):
    from srgan_tf.inference.upscale import upscale_files

    upscaler = _upscaler(args.model, args)
    progress = sys.stderr.isatty()  # tqdm's redraws belong on a terminal, not in a log file
    result = upscale_files(upscaler, args.inputs, args.out, args.format, args.overwrite, args.max_pixels, progress)
    print(result.summary())
    return 2 if result.failed else 0


def run_evaluate(args):
    from srgan_tf.data import DecodeFailures
    from srgan_tf.evaluation import evaluate_folder, summarize
    from srgan_tf.inference.picture import Picture, write_picture

    upscaler = _upscaler(args.model, args)
    failures = DecodeFailures()

    def save(path, sr_images):
        stem = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(args.save_images, f"{stem}_x{upscaler.scale}.png")
        write_picture(Picture(np.asarray(sr_images)[0]), target, overwrite=True)

    scores = evaluate_folder(
        lambda lr: upscaler.upscale_array(np.asarray(lr)[0])[None],
        args.data,
        upscaler.scale,
        failures=failures,
        on_image=save if args.save_images else None,
    )
    if not scores:
        raise SRGANError(f"no image of {args.data} could be decoded")
    mean = summarize(scores)
    print(f"x{upscaler.scale} on {args.data} (Y channel, shave {upscaler.scale}):\n")
    print("| image | bicubic PSNR / SSIM | model PSNR / SSIM |")
    print("|---|---|---|")
    for s in scores:
        print(f"| {s.name} | {s.bicubic_psnr:.2f} / {s.bicubic_ssim:.4f} | {s.psnr:.2f} / {s.ssim:.4f} |")
    print(
        f"| **mean** | {mean['bicubic_psnr']:.2f} / {mean['bicubic_ssim']:.4f} | {mean['psnr']:.2f} / "
        f"{mean['ssim']:.4f} |"
    )
    path = os.path.abspath(args.json or f"evaluation_{os.path.basename(os.path.normpath(args.data))}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(
            {
                "model": args.model,
                "data": args.data,
                "scale": upscaler.scale,
                "mean": mean,
                "images": [s.__dict__ for s in scores],
                "failed": [{"path": p, "reason": failures.reasons.get(p, "")} for p in failures.paths],
            },
            f,
            indent=2,
        )
    print(f"\nscores saved to {path}")
    if failures.paths:
        reasons = failures.reasons
        listed = ", ".join(f"{os.path.basename(p)} ({reasons.get(p, 'cannot decode')})" for p in failures.paths)
        print(f"{len(failures.paths)} image(s) could not be scored: {listed}")
        return 2
    return 0


def run_compare(args):
    from srgan_tf.inference.compare import compare_models

    at = None
    if args.at:
        try:
            at = tuple(int(v) for v in args.at.split(","))
        except ValueError as error:
            raise SRGANError(f"--at expects top,left, got {args.at!r}") from error
    models = [(_label(m), _upscaler(m, args)) for m in args.model]
    path = compare_models(args.image, models, args.out, crop=args.crop, at=at)
    print(f"figure: {path}")
    return 0


def _label(model):
    """A named model's name, or the last two path parts, e.g. "demo/srresnet.keras"."""
    from srgan_tf.pretrained import is_named_model

    if is_named_model(model):
        return model
    path = os.path.abspath(model)
    return os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
