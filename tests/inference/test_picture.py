"""Image kinds through ``srgan upscale`` and ``srgan_tf.upscale``: 16-bit gray and colour PNG and
TIFF keep their 16 bits, ICC profile and EXIF orientation; a file that cannot be read, or is too
small for the network, fails alone; tiny images upscale with every generator."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from imagefiles import srgb_profile, write_png16
from PIL import Image, ImageOps

from srgan_tf import upscale
from srgan_tf.inference import Upscaler, upscale_files
from srgan_tf.inference.picture import read_picture
from srgan_tf.models import build_generator
from srgan_tf.models.rrdbnet import build_rrdbnet


@pytest.fixture(scope="module")
def nearest():
    """A x4 nearest-neighbour 'model': every output pixel is an input pixel, so 16-bit values
    must come through exactly (generators output [-1, 1])."""
    layers = [keras.Input((None, None, 3)), keras.layers.UpSampling2D(4), keras.layers.Rescaling(2.0, offset=-1.0)]
    return Upscaler.load(keras.Sequential(layers))


def _x4(pixels):
    return np.repeat(np.repeat(pixels, 4, axis=0), 4, axis=1)


def _pixels16(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 65536, shape).astype(np.uint16)


def _decode16(path):
    return tf.io.decode_png(tf.io.read_file(str(path)), dtype=tf.uint16).numpy()


def test_sixteen_bit_gray_through_the_api(nearest, tmp_path):
    gray = _pixels16((5, 7))
    Image.fromarray(gray).save(tmp_path / "gray16.png")
    assert Image.open(tmp_path / "gray16.png").mode == "I;16"
    result = upscale(str(tmp_path / "gray16.png"), nearest)
    assert result.mode == "I;16"
    np.testing.assert_array_equal(np.asarray(result), _x4(gray))


def test_the_api_returns_a_result_above_pillows_bomb_limit(nearest, tmp_path, monkeypatch):
    # Pillow's limits scaled down (error above 2000 px): the 30x30 input is admitted, its 120x120
    # result is above the limit, as a 12 MP photo's x4 result is above the real 179 MP one.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    pixels = np.random.default_rng(3).integers(0, 256, (30, 30, 3)).astype(np.uint8)
    result = upscale(Image.fromarray(pixels), nearest)
    assert result.size == (120, 120)
    np.testing.assert_array_equal(np.asarray(result), _x4(pixels))


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_sixteen_bit_png_keeps_its_icc_profile(nearest, tmp_path, channels):
    icc = srgb_profile()
    pixels = _pixels16((6, 5, channels), seed=channels)
    if channels == 4:
        pixels[..., 3] = 40000  # constant alpha: bicubic keeps it exactly
    write_png16(tmp_path / "in.png", pixels, icc=icc)
    # The library call (whole image, then written) and the batch (streamed unless alpha).
    assert upscale(str(tmp_path / "in.png"), nearest).info.get("icc_profile") == icc
    result = upscale_files(nearest, [str(tmp_path / "in.png")], str(tmp_path / "out"), progress=False)
    (written,) = result.written
    with Image.open(written) as image:
        assert image.info.get("icc_profile") == icc
    np.testing.assert_array_equal(_decode16(written), _x4(pixels))


def test_sixteen_bit_colour_png_honours_exif_orientation(tmp_path):
    stored = _pixels16((4, 6, 3))
    for orientation in range(1, 9):
        path = tmp_path / f"o{orientation}.png"
        write_png16(path, stored, orientation=orientation)
        picture = read_picture(path)
        assert picture.bits == 16
        # Pillow reads the same file as 8 bits and knows how to make it upright.
        with Image.open(path) as image:
            upright8 = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
        values = np.floor(picture.rgb * 65535 + 0.5).astype(np.uint16)
        np.testing.assert_array_equal(values >> 8, upright8, err_msg=f"orientation {orientation}")


def test_sixteen_bit_rgb_tiff_stays_sixteen_bit(nearest, tmp_path):
    tifffile = pytest.importorskip("tifffile")
    icc, stored = srgb_profile(), _pixels16((5, 8, 3), seed=3)
    for compression in (None, "zlib"):
        path = tmp_path / f"photo_{compression}.tif"
        orientation = (274, "H", 1, 6, False)  # "rotate 90° clockwise to display"
        tifffile.imwrite(
            path, stored, photometric="rgb", compression=compression, iccprofile=icc, extratags=[orientation]
        )
    result = upscale_files(nearest, [str(tmp_path)], str(tmp_path / "out"), progress=False)
    assert len(result.written) == 2 and not result.failed
    upright = np.rot90(stored, k=-1)  # 90° clockwise
    for written in result.written:
        np.testing.assert_array_equal(_decode16(written), _x4(upright))
        with Image.open(written) as image:
            assert image.info.get("icc_profile") == icc


def _truncated_png16(path):
    data = write_png16(path, _pixels16((20, 20, 3)))
    path.write_bytes(data[: len(data) // 2])


def test_truncated_sixteen_bit_png_fails_alone(nearest, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _truncated_png16(folder / "broken16.png")
    good = _pixels16((4, 4, 3))
    write_png16(folder / "good16.png", good)
    result = upscale_files(nearest, [str(folder)], str(tmp_path / "out"), progress=False)
    assert [os.path.basename(p) for p in result.written] == ["good16_x4.png"]
    assert [os.path.basename(p) for p, _ in result.failed] == ["broken16.png"]
    assert result.failed[0][1].startswith("cannot decode")
    np.testing.assert_array_equal(_decode16(result.written[0]), _x4(good))


@pytest.mark.slow
def test_cli_reports_a_truncated_sixteen_bit_png_and_writes_the_rest(tmp_path, train_photo):
    keras.utils.set_random_seed(5)
    model = tmp_path / "generator.keras"
    build_generator(4, 1, 8).save(model)
    folder = tmp_path / "in"
    folder.mkdir()
    _truncated_png16(folder / "b_broken16.png")
    Image.fromarray(train_photo[:16, :16]).save(folder / "a.png")
    write_png16(folder / "c16.png", _pixels16((8, 8, 3)))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "srgan_tf.cli", "upscale", str(folder), "--model", str(model)]
    result = subprocess.run(
        [*command, "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 2, result.stderr
    assert "2 upscaled; 1 failed: b_broken16.png (cannot decode" in result.stdout
    assert sorted(os.listdir(tmp_path / "out")) == ["a_x4.png", "c16_x4.png"]
    assert _decode16(tmp_path / "out" / "c16_x4.png").shape == (32, 32, 3)


TINY = [(1, 1), (1, 5), (5, 1), (2, 2)]


@pytest.mark.parametrize(
    "generator",
    [
        lambda: build_generator(4, 1, 8, upsample_skip=True),
        lambda: build_generator(4, 1, 8),
        lambda: build_rrdbnet(4, 1, 8, 8),
    ],
    ids=["srresnet-upsample-skip", "srresnet", "rrdbnet"],
)
def test_tiny_images_upscale_with_every_generator(generator):
    keras.utils.set_random_seed(1)
    model = generator()
    upscaler = Upscaler.load(model)
    rng = np.random.default_rng(0)
    for height, width in TINY:
        rgb = rng.random((height, width, 3), dtype=np.float32)
        sr = upscaler.upscale_array(rgb)
        assert sr.shape == (4 * height, 4 * width, 3) and np.isfinite(sr).all()
        # Documented behaviour: the image is edge-padded to 3 pixels a side and the result cropped.
        padded = np.pad(rgb, [(0, max(3 - height, 0)), (0, max(3 - width, 0)), (0, 0)], mode="edge")
        whole = np.clip((model(padded[None]).numpy()[0] + 1) / 2, 0, 1)[: 4 * height, : 4 * width]
        np.testing.assert_allclose(sr, whole, atol=1e-5)
    # Tiles without overlap leave a 1-pixel last tile (5 = 4 + 1): padded the same way.
    tiled = Upscaler(upscaler.backend, 4, overlap=0, tile=4).upscale_array(rng.random((5, 5, 3), dtype=np.float32))
    assert tiled.shape == (20, 20, 3) and np.isfinite(tiled).all()


def test_tiny_files_with_the_default_model(tmp_path):
    """The shipped srgan-x4 (bicubic skip, reflect padding) on 1x1, 1x5 and 2x2 files beside a
    normal one: all upscaled; a flat colour stays that colour."""
    colour = np.array([200, 90, 30], np.uint8)
    for name, (height, width) in {"dot": (1, 1), "line": (1, 5), "square": (2, 2), "normal": (12, 12)}.items():
        Image.fromarray(np.broadcast_to(colour, (height, width, 3)).copy()).save(tmp_path / f"{name}.png")
    result = upscale_files(Upscaler.load("srgan-x4"), [str(tmp_path)], str(tmp_path / "out"), progress=False)
    assert not result.failed and len(result.written) == 4
    for name, (height, width) in {"dot": (1, 1), "line": (1, 5), "square": (2, 2)}.items():
        out = np.asarray(Image.open(tmp_path / "out" / f"{name}_x4.png"), np.float32)
        assert out.shape == (4 * height, 4 * width, 3)
        assert np.abs(out.mean(axis=(0, 1)) - colour).max() < 3, name


def test_an_output_that_cannot_be_written_fails_alone(nearest, tmp_path, train_photo):
    """A file where a sub-folder's outputs should go, and a folder where one output should go
    (with --overwrite): those inputs fail with their reason, the others are written."""
    for relative in ("a/one.png", "b/two.png", "three.png", "four.png"):
        (tmp_path / "in" / relative).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(train_photo[:6, :6]).save(tmp_path / "in" / relative)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a").write_text("a file, not a folder")
    (tmp_path / "out" / "four_x4.png").mkdir()
    result = upscale_files(nearest, [str(tmp_path / "in")], str(tmp_path / "out"), overwrite=True, progress=False)
    assert sorted(os.path.relpath(p, tmp_path / "out") for p in result.written) == ["b/two_x4.png", "three_x4.png"]
    failed = {os.path.basename(p): why for p, why in result.failed}
    assert sorted(failed) == ["four.png", "one.png"]
    assert failed["one.png"].startswith("cannot create") and "IsADirectoryError" in failed["four.png"]
