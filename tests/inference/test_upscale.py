"""srgan upscale/evaluate/compare: tiling exactness, real image kinds, robust batches, every backend."""

import functools
import io
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from imagefiles import make_messy_folder, photo_crop
from PIL import Image

from srgan_tf import SRGANError, upscale
from srgan_tf.export import export_model
from srgan_tf.inference import Upscaler, upscale_files
from srgan_tf.inference.picture import read_picture
from srgan_tf.inference.pngstream import PNGStreamWriter
from srgan_tf.inference.tiling import context_pixels, upscale_tiled
from srgan_tf.inference.upscale import plan_outputs
from srgan_tf.models import build_generator, receptive_field_radius
from srgan_tf.runtimes.runners import KerasBackend


def test_receptive_field_is_exact():
    assert receptive_field_radius(build_generator()) == 40  # the paper's generator
    generator = build_generator(4, 1, 8)
    radius = receptive_field_radius(generator)
    assert radius == 10
    # Perturb one LR pixel: SR changes reach (radius - 1) LR pixels away, never beyond radius.
    x = np.random.default_rng(0).random((1, 41, 41, 3), dtype=np.float32)
    y = x.copy()
    y[0, 20, 20] += 0.5
    diff = np.abs(generator(y).numpy() - generator(x).numpy()).max(axis=(0, 2, 3))
    changed_rows = np.nonzero(diff > 0)[0] // 4
    assert changed_rows.min() >= 20 - radius and changed_rows.max() <= 20 + radius
    assert changed_rows.min() <= 20 - (radius - 1)


def test_tiled_equals_untiled(tiny_model_path, photos):
    backend = KerasBackend(tiny_model_path)
    rgb = photos[0][:50, :70].astype(np.float32) / 255.0
    whole = backend(rgb[None])[0]
    radius = receptive_field_radius(backend.generator)
    tiled = upscale_tiled(backend, rgb, 4, tile=16, overlap=radius)
    assert np.abs(tiled - whole).max() <= 1e-5
    seams = upscale_tiled(backend, rgb, 4, tile=16, overlap=0)
    assert np.abs(seams - whole).max() > 1 / 255  # why the overlap matters


def test_context_pixels_count_the_overlap_every_tile_computes():
    # 512x512 in 256 px tiles with 40 px of context: each tile spans 296 px per side (clamped
    # at the image border), so the model runs on 4 x 296² pixels, not 512².
    assert context_pixels(512, 512, 256, 40) == 4 * 296 * 296
    # 600 wide: tile columns 0-256, 256-512, 512-600 span 296, 336 and 128 px.
    assert context_pixels(256, 600, 256, 40) == 256 * (296 + 336 + 128)
    assert context_pixels(200, 100, 256, 40) == 200 * 100  # fits one tile: run whole
    assert context_pixels(512, 512, 0, 40) == 512 * 512  # tiling off


def test_png_stream_writer_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    for channels, bits, mode in [(3, 8, "RGB"), (1, 8, "L"), (4, 8, "RGBA"), (1, 16, "I;16")]:
        dtype = np.uint16 if bits == 16 else np.uint8
        image = rng.integers(0, 2**bits, (37, 23, channels)).astype(dtype)
        path = tmp_path / f"{mode.replace(';', '')}.png"
        with PNGStreamWriter(str(path), 23, 37, channels, bits) as writer:
            writer.write(image[:10])
            writer.write(image[10:])
        decoded = tf.io.decode_png(tf.io.read_file(str(path)), dtype=tf.uint16 if bits == 16 else tf.uint8).numpy()
        np.testing.assert_array_equal(decoded, image)
        assert Image.open(path).mode == mode
    with pytest.raises(ValueError, match="rows"), PNGStreamWriter(str(tmp_path / "short.png"), 4, 4) as writer:
        writer.write(np.zeros((2, 4, 3), np.uint8))
    assert not (tmp_path / "short.png").exists() and not list(tmp_path.glob("short*"))


def _exif_rotated_jpeg(path, rgb):
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    image.save(path, exif=exif, quality=95)


def test_messy_folder_batch(tiny_model_path, train_photo, tmp_path):
    folder = tmp_path / "in"
    make_messy_folder(folder, train_photo)
    for name in ("tiny.png", "notes.png", "truncated.png", "good.png"):
        os.remove(folder / name)
    _exif_rotated_jpeg(folder / "phone.jpg", photo_crop(train_photo, 40, 60))
    sixteen_rgb = (photo_crop(train_photo, 24, 20).astype(np.uint16) * 257).astype(np.uint16)
    tf.io.write_file(str(folder / "rgb16.png"), tf.io.encode_png(sixteen_rgb))
    upscaler = Upscaler.load(tiny_model_path, tile=32)
    result = upscale_files(upscaler, [str(folder)], str(tmp_path / "out"), progress=False)
    assert [os.path.basename(p) for p, _ in result.failed] == ["corrupt.jpg"]
    outputs = {os.path.basename(p): Image.open(p) for p in result.written}
    assert outputs["rgba_x4.png"].mode == "RGBA" and outputs["rgba_x4.png"].size == (640, 640)
    alpha = np.asarray(outputs["rgba_x4.png"].getchannel("A"))
    assert abs(int(alpha.mean()) - 128) <= 1  # the alpha came through, resized
    assert outputs["gray_x4.png"].mode == "L"
    assert outputs["sixteen_x4.png"].mode == "I;16"
    assert outputs["phone_x4.png"].size == (160, 240)  # EXIF rotation applied: 40x60 -> upright 60x40... x4
    rgb16 = tf.io.decode_png(tf.io.read_file(str(tmp_path / "out" / "rgb16_x4.png")), dtype=tf.uint16).numpy()
    assert rgb16.shape == (96, 80, 3) and rgb16.dtype == np.uint16 and (rgb16 % 257 != 0).any()  # real 16-bit
    assert "1 failed: corrupt.jpg" in result.summary()

    again = upscale_files(upscaler, [str(folder)], str(tmp_path / "out"), progress=False)
    assert len(again.skipped) == 5 and not again.written  # nothing overwritten


def test_no_two_inputs_share_an_output(tiny_model_path, train_photo, tmp_path):
    upscaler = Upscaler.load(tiny_model_path)
    small = Image.fromarray(train_photo[:12, :12])
    for folder, ext in (("a", "png"), ("b", "jpg"), ("b", "png")):
        os.makedirs(tmp_path / "in" / folder, exist_ok=True)
        small.save(tmp_path / "in" / folder / f"photo.{ext}")
    # A folder input keeps its sub-folders; one folder's photo.png/photo.jpg get their extension.
    result = upscale_files(upscaler, [str(tmp_path / "in")], str(tmp_path / "out"), progress=False)
    written = sorted(os.path.relpath(p, tmp_path / "out") for p in result.written)
    assert written == ["a/photo_x4.png", "b/photo_jpg_x4.png", "b/photo_png_x4.png"]
    assert all(os.path.exists(p) for p in result.written)
    # The same names given as files into one folder: still one output each.
    files = [str(tmp_path / "in" / f / f"photo.{e}") for f, e in (("a", "png"), ("b", "jpg"))]
    result = upscale_files(upscaler, files, str(tmp_path / "flat"), progress=False)
    assert sorted(os.listdir(tmp_path / "flat")) == ["photo_jpg_x4.png", "photo_png_x4.png"]
    # Two files that would still collide: refused before anything is written.
    with pytest.raises(SRGANError, match="would both be written"):
        plan_outputs(
            [str(tmp_path / "in" / "a" / "photo.png"), str(tmp_path / "in" / "b" / "photo.png")], str(tmp_path / "x")
        )
    assert not os.path.exists(tmp_path / "x")
    # Names that differ only in case are one file on macOS and Windows: they clash here too.
    (tmp_path / "in" / "c").mkdir()
    small.save(tmp_path / "in" / "c" / "Photo.png")
    cased = [str(tmp_path / "in" / "b" / "photo.jpg"), str(tmp_path / "in" / "c" / "Photo.png")]
    assert [os.path.basename(out) for _, out in plan_outputs(cased, str(tmp_path / "x"))] == [
        "photo_jpg_x4.png",
        "Photo_png_x4.png",
    ]
    with pytest.raises(SRGANError, match="would both be written"):
        plan_outputs([str(tmp_path / "in" / "a" / "photo.png"), cased[1]], str(tmp_path / "x"))
    # The same for names that differ only in Unicode normalisation (macOS stores NFD); but
    # 'Straße' and 'Strasse' are two files everywhere.
    for name in ("caf\u00e9", "cafe\u0301", "Stra\u00dfe", "Strasse"):
        small.save(tmp_path / "in" / f"{name}.png")
    with pytest.raises(SRGANError, match="would both be written"):
        plan_outputs([str(tmp_path / "in" / f"{n}.png") for n in ("caf\u00e9", "cafe\u0301")], str(tmp_path / "x"))
    street = plan_outputs([str(tmp_path / "in" / f"{n}.png") for n in ("Stra\u00dfe", "Strasse")], str(tmp_path / "x"))
    assert sorted(os.path.basename(out) for _, out in street) == ["Strasse_x4.png", "Stra\u00dfe_x4.png"]
    # Without --out, outputs go beside file inputs; a folder input needs --out.
    beside = plan_outputs([files[0]], None)
    assert beside == [(files[0], str(tmp_path / "in" / "a" / "photo_x4.png"))]
    with pytest.raises(SRGANError, match="give --out"):
        plan_outputs([str(tmp_path / "in")], None)


@pytest.mark.slow
def test_evaluate_attributes_every_score_to_its_file(tiny_model_path, tmp_path, photos, srgan_warnings):
    """A truncated a.png beside b.png and c.png: b and c keep their own scores, a is listed."""
    from srgan_tf.data import DecodeFailures
    from srgan_tf.evaluation.scoring import evaluate_folder
    from srgan_tf.utils.ranges import sr_images

    folder = tmp_path / "hr"
    folder.mkdir()
    crops = {"b.png": photos[0][:48, :64], "c.png": photos[1][:64, :48]}
    for name, crop in crops.items():
        Image.fromarray(crop).save(folder / name)
    buffer = io.BytesIO()
    Image.fromarray(photos[1][:64, :64]).save(buffer, "PNG")
    (folder / "a.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    upscale_fn = functools.partial(sr_images, keras.models.load_model(tiny_model_path))
    failures = DecodeFailures()
    scores = evaluate_folder(upscale_fn, str(folder), 4, failures=failures)
    assert len(srgan_warnings) == 1 and "a.png: cannot decode" in srgan_warnings[0]
    assert [s.name for s in scores] == ["b.png", "c.png"]
    assert [os.path.basename(p) for p in failures.paths] == ["a.png"]
    for score in scores:  # the same file alone in a folder: the same numbers
        alone = tmp_path / f"alone_{score.name}"
        alone.mkdir()
        Image.fromarray(crops[score.name]).save(alone / score.name)
        (reference,) = evaluate_folder(upscale_fn, str(alone), 4)
        assert score.psnr == reference.psnr and score.bicubic_ssim == reference.bicubic_ssim

    report, saved = tmp_path / "scores.json", tmp_path / "saved"
    result = _srgan(
        "evaluate",
        "--model",
        tiny_model_path,
        "--data",
        str(folder),
        "--json",
        str(report),
        "--save-images",
        str(saved),
    )
    assert result.returncode == 2 and "could not be scored: a.png" in result.stdout
    assert f"scores saved to {report}" in result.stdout
    data = json.loads(report.read_text())
    assert [s["name"] for s in data["images"]] == ["b.png", "c.png"]
    assert [os.path.basename(f["path"]) for f in data["failed"]] == ["a.png"]
    assert np.isfinite(data["mean"]["psnr"])
    assert sorted(os.listdir(saved)) == ["b_x4.png", "c_x4.png"]
    assert Image.open(saved / "c_x4.png").size == (48, 64)  # SR of the LR made from the 48x64 HR


def test_refuses_animated_and_huge(tmp_path, train_photo):
    frames = [Image.fromarray(photo_crop(train_photo, 16, 16, i, i)) for i in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    with pytest.raises(SRGANError, match="animated"):
        read_picture(tmp_path / "anim.gif")
    Image.fromarray(photo_crop(train_photo, 100, 100)).save(tmp_path / "big.png")
    with pytest.raises(SRGANError, match="exceeds the limit"):
        read_picture(tmp_path / "big.png", max_pixels=5000)


def test_icc_profile_is_carried(tiny_model_path, tmp_path, train_photo):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(photo_crop(train_photo, 20, 20)).save(tmp_path / "icc.png", icc_profile=icc)
    result = upscale(str(tmp_path / "icc.png"), tiny_model_path)
    assert result.size == (80, 80) and result.info.get("icc_profile") == icc


def test_api_accepts_pil_and_arrays(tiny_model_path, train_photo):
    crop = photo_crop(train_photo, 12, 18)
    assert upscale(Image.fromarray(crop), tiny_model_path).size == (72, 48)
    array = upscale(crop, tiny_model_path)
    assert array.shape == (48, 72, 3) and array.dtype == np.float32 and array.min() >= 0 and array.max() <= 1


@pytest.mark.slow
def test_every_backend_upscales_alike(tiny_model_path, tmp_path, photos):
    export_model(tiny_model_path, tmp_path, quantizations=["float32"], print_fn=lambda *a: None)
    rgb = photos[1][:40, :52].astype(np.float32) / 255.0
    reference = Upscaler.load(tiny_model_path, tile=16).upscale_array(rgb)
    for artifact in ["saved_model/srgan/1", "tflite/srgan_float32.tflite", "onnx/srgan.onnx"]:
        upscaler = Upscaler.load(str(tmp_path / artifact), tile=16)
        assert upscaler.scale == 4 and upscaler.overlap == 10  # from the export metadata
        np.testing.assert_allclose(upscaler.upscale_array(rgb), reference, atol=1e-5)


def _srgan(*args):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.slow
def test_cli_upscale_evaluate_compare(tiny_model_path, tmp_path, photos):
    folder = tmp_path / "hr"
    folder.mkdir()
    for index, photo in enumerate(photos):
        Image.fromarray(photo[:64, :80]).save(folder / f"img{index}.png")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    result = _srgan("upscale", str(folder), "--model", tiny_model_path, "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "2 upscaled; 1 failed: broken.jpg" in result.stdout
    os.remove(folder / "broken.jpg")

    report = tmp_path / "scores.json"
    result = _srgan("evaluate", "--model", tiny_model_path, "--data", str(folder), "--json", str(report))
    assert result.returncode == 0, result.stderr
    scores = json.loads(report.read_text())
    assert len(scores["images"]) == 2 and scores["mean"]["bicubic_psnr"] > 15

    figure = tmp_path / "fig.png"
    result = _srgan(
        "compare", str(folder / "img0.png"), "--model", tiny_model_path, "--out", str(figure), "--crop", "48"
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(figure).size[0] > 300

    result = _srgan("upscale", str(tmp_path / "nope.png"), "--model", tiny_model_path, "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and result.stderr.strip().startswith("srgan: error: no such file")


def test_every_file_in_a_folder_is_processed_or_listed(tiny_model_path, train_photo, tmp_path):
    """Static GIFs are upscaled, animated ones and non-images listed with a reason (upscale and the scan)."""
    from srgan_tf.data.scan import find_images, scan_images

    folder = tmp_path / "in"
    folder.mkdir()
    frame = Image.fromarray(train_photo[:20, :20])
    frame.save(folder / "still.gif")
    frame.save(folder / "moving.gif", save_all=True, append_images=[Image.fromarray(train_photo[20:40, :20])])
    (folder / "notes.txt").write_text("not a picture")
    frame.save(folder / "noext", format="PNG")  # an image without an extension
    result = upscale_files(Upscaler.load(tiny_model_path), [str(folder)], str(tmp_path / "out"), progress=False)
    assert sorted(os.path.basename(p) for p in result.written) == ["noext_x4.png", "still_x4.png"]
    assert [(os.path.basename(p), why) for p, why in result.skipped] == [("notes.txt", "not an image file")]
    assert [os.path.basename(p) for p, _ in result.failed] == ["moving.gif"]
    assert "animated" in result.failed[0][1]
    assert "notes.txt (not an image file)" in result.summary()

    scan = scan_images(find_images(folder), min_size=16)
    assert sorted(os.path.basename(p) for p in scan.files) == ["noext", "still.gif"]
    reasons = {os.path.basename(p): why for p, why in scan.skipped}
    assert set(reasons) == {"moving.gif", "notes.txt"} and "animated" in reasons["moving.gif"]
