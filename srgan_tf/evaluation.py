"""Benchmark-style evaluation: Y-PSNR/SSIM of a generator and of bicubic on an HR folder.

LR images come from the same degradation as training (or the folder's
``LR_bicubic/X{s}`` files, Set5/Set14/BSD100 style); whole images are used,
and the metrics follow the papers' protocol (see :mod:`srgan_tf.metrics`).
"""

import json
import os
from dataclasses import asdict, dataclass

import numpy as np
import tensorflow as tf

from srgan_tf.atomic import atomic_path
from srgan_tf.data import validation_dataset
from srgan_tf.data.sources import resolve_split
from srgan_tf.metrics import gradient_energy, psnr, ssim
from srgan_tf.ranges import signed_to_unit, sr_images


@dataclass
class ImageScore:
    name: str
    psnr: float
    ssim: float
    bicubic_psnr: float
    bicubic_ssim: float
    sharpness: float  # gradient energy of SR / of HR (see metrics.gradient_energy); 1 = as sharp as HR
    bicubic_sharpness: float


SCORE_KEYS = ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim", "sharpness", "bicubic_sharpness")


def bicubic_upscale(lr_images, scale):
    """The bicubic baseline: plain bicubic interpolation of [0, 1] LR images, clipped."""
    size = tf.shape(lr_images)[1:3] * scale
    return tf.clip_by_value(tf.image.resize(lr_images, size, method="bicubic"), 0.0, 1.0)


def evaluate_folder(upscale, folder, scale, max_side=None, failures=None, on_image=None):
    """Scores ``upscale`` (LR [0, 1] batch -> SR [0, 1] batch) on every image of ``folder``.

    Args:
        failures: a :class:`~srgan_tf.data.DecodeFailures` that collects the files
            that could not be decoded (they get no score).
        on_image: called as ``on_image(path, sr_images)`` for each image as it is
            scored (e.g. to save it), so no SR image has to be kept.

    Returns a list of :class:`ImageScore`, one per decodable image, in file order.
    """
    split = resolve_split(folder, scale, scale, what="evaluation images")
    dataset = validation_dataset(
        split.files, scale=scale, lr_files=split.lr_files, max_side=max_side, failures=failures, with_paths=True
    )
    scores = []
    for path, lr_images, hr_images in dataset:
        path = path.numpy().decode()
        hr_images = signed_to_unit(hr_images)
        sr_images = tf.convert_to_tensor(upscale(lr_images))
        if on_image is not None:
            on_image(path, sr_images)
        baseline = bicubic_upscale(lr_images, scale)
        hr_energy = gradient_energy(hr_images, shave=scale)[0]
        scores.append(
            ImageScore(
                name=os.path.basename(path),
                psnr=float(psnr(hr_images, sr_images, shave=scale)[0]),
                ssim=float(ssim(hr_images, sr_images, shave=scale)[0]),
                bicubic_psnr=float(psnr(hr_images, baseline, shave=scale)[0]),
                bicubic_ssim=float(ssim(hr_images, baseline, shave=scale)[0]),
                sharpness=float(gradient_energy(sr_images, shave=scale)[0] / hr_energy),
                bicubic_sharpness=float(gradient_energy(baseline, shave=scale)[0] / hr_energy),
            )
        )
    return scores


def keras_upscaler(generator):
    """Wraps a Keras generator ([0, 1] -> [-1, 1]) as an LR -> SR function in [0, 1]."""

    def upscale(lr_images):
        return sr_images(generator, lr_images)

    return upscale


def scores_table(scores):
    """The scores as a markdown table, one row an image and the mean last."""
    mean = summarize(scores)
    lines = ["| image | bicubic PSNR / SSIM | model PSNR / SSIM |", "|---|---|---|"]
    for s in scores:
        lines.append(f"| {s.name} | {s.bicubic_psnr:.2f} / {s.bicubic_ssim:.4f} | {s.psnr:.2f} / {s.ssim:.4f} |")
    lines.append(
        f"| **mean** | {mean['bicubic_psnr']:.2f} / {mean['bicubic_ssim']:.4f} | {mean['psnr']:.2f} / "
        f"{mean['ssim']:.4f} |"
    )
    return "\n".join(lines)


def _finite_or_none(values):
    return {key: value if not isinstance(value, float) or np.isfinite(value) else None for key, value in values.items()}


def write_scores(path, scores, failures=None, **about):
    """Writes the scores as JSON (atomically): ``about`` (model, data, scale…), the mean, each
    image, and the files that could not be scored with why.

    A score that is not a finite number is written as ``null``: the PSNR of an exact copy (bicubic
    on a flat image) is infinite, the sharpness of a flat image divides by zero, and JSON has no
    NaN or Infinity (Python's default output would not parse elsewhere).
    """
    failed = [] if failures is None else failures.paths
    record = {
        **about,
        "mean": _finite_or_none(summarize(scores)),
        "images": [_finite_or_none(asdict(s)) for s in scores],
        "failed": [{"path": p, "reason": failures.reasons.get(p, "")} for p in failed],
    }
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, allow_nan=False)
    return path


def summarize(scores):
    """Means over images of every score in :data:`SCORE_KEYS`."""
    rows = [asdict(s) for s in scores]
    return {key: float(np.mean([r[key] for r in rows])) for key in SCORE_KEYS}
