"""Evaluation scores on disk: strict JSON even where a score is not a finite number."""

import functools
import json
import math

import keras
import numpy as np
from PIL import Image

from srgan_tf.evaluation.scoring import evaluate_folder, write_scores
from srgan_tf.models import build_generator
from srgan_tf.utils.ranges import sr_images


def _strict_json(text):
    """json.loads refusing NaN and ±Infinity, which Python writes by default but JSON does not have."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_a_flat_image_scores_null_not_nan(tmp_path, photos):
    folder = tmp_path / "hr"
    folder.mkdir()
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(folder / "flat.png")
    Image.fromarray(photos[0][:32, :48]).save(folder / "photo.png")
    keras.utils.set_random_seed(1)
    scores = evaluate_folder(functools.partial(sr_images, build_generator(4, 1, 8)), str(folder), 4)
    flat, photo = scores
    # Bicubic gives a flat image back exactly (infinite PSNR), and a flat HR has no gradient
    # energy to divide by: the scores that are not numbers.
    assert math.isinf(flat.bicubic_psnr) and not math.isfinite(flat.sharpness)

    path = write_scores(str(tmp_path / "scores.json"), scores, model="tiny", data=str(folder), scale=4)
    with open(path, encoding="utf-8") as f:
        data = _strict_json(f.read())
    written = {image["name"]: image for image in data["images"]}
    assert written["flat.png"]["bicubic_psnr"] is None and written["flat.png"]["sharpness"] is None
    assert written["flat.png"]["psnr"] == flat.psnr  # finite scores are kept as they are
    assert written["photo.png"]["psnr"] == photo.psnr and written["photo.png"]["sharpness"] == photo.sharpness
    assert data["mean"]["bicubic_psnr"] is None  # the mean over an infinite score is not a number either
    assert data["mean"]["psnr"] == (flat.psnr + photo.psnr) / 2
