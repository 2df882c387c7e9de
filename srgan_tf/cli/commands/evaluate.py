"""``srgan evaluate``: Y-PSNR/SSIM of a model and of bicubic on a folder of HR images."""

import os

import numpy as np

from srgan_tf.cli.commands.options import add_model_arguments, upscaler
from srgan_tf.errors import SRGANError

HELP = "Y-PSNR/SSIM and LPIPS-Alex of a model and of bicubic on an HR folder"
WORKLOAD = "inference"


def add_arguments(parser):
    add_model_arguments(parser, optional=True)
    parser.add_argument("--data", required=True, help="HR folder (Set5/Set14/BSD100 layout works)")
    parser.add_argument("--json", help="where to save the scores (default: evaluation_<data>.json here)")
    parser.add_argument(
        "--save-images",
        help="also write the SR images to this folder (sub-folders kept: cats/001.png -> cats/001_x4.png; "
        "a second file of one stem keeps its extension: 001_png_x4.png)",
    )


def run(args):
    from srgan_tf.data import DecodeFailures
    from srgan_tf.evaluation.scoring import PROTOCOL, evaluate_folder, scores_table, write_scores
    from srgan_tf.inference.picture import Picture, write_picture

    model = upscaler(args.model, args)
    failures = DecodeFailures()

    written = set()

    def save(path, name, upscaled):
        stem, extension = os.path.splitext(name)
        target = os.path.join(args.save_images, f"{stem}_x{model.scale}.png")
        if target in written:  # 001.jpg already wrote 001_x4.png: 001.png must not replace it
            target = os.path.join(args.save_images, f"{stem}_{extension.lstrip('.').lower()}_x{model.scale}.png")
        written.add(target)
        write_picture(Picture(np.asarray(upscaled)[0]), target, overwrite=True)

    scores = evaluate_folder(
        lambda lr: model.upscale_array(np.asarray(lr)[0])[None],
        args.data,
        model.scale,
        failures=failures,
        on_image=save if args.save_images else None,
    )
    if not scores:
        raise SRGANError(f"no image of {args.data} could be decoded")
    print(f"x{model.scale} on {args.data} ({PROTOCOL.replace('scale', str(model.scale))}):\n")
    print(scores_table(scores))
    path = os.path.abspath(args.json or f"evaluation_{os.path.basename(os.path.normpath(args.data))}.json")
    write_scores(path, scores, failures, model=args.model, data=args.data, scale=model.scale)
    print(f"\nscores saved to {path}")
    if failures.paths:
        reasons = failures.reasons
        listed = ", ".join(f"{os.path.basename(p)} ({reasons.get(p, 'cannot decode')})" for p in failures.paths)
        print(f"{len(failures.paths)} image(s) could not be scored: {listed}")
        return 2
    return 0
