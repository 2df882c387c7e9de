"""The SavedModel's serving guards, reloaded: oversized inputs refused before they cost memory."""

import io
import struct

import keras
import numpy as np
import pytest
import tensorflow as tf
from imagefiles import write_png_bomb
from PIL import Image

from srgan_tf.export import export_model
from srgan_tf.export.saved_model import write_saved_model
from srgan_tf.inference import Upscaler
from srgan_tf.models import build_generator
from srgan_tf.runtimes.runners import KerasBackend, detect_format, load_backend, read_metadata

MAX_PIXELS = 256 * 256


@pytest.fixture(scope="module")
def signatures(tmp_path_factory):
    keras.utils.set_random_seed(5)
    generator = build_generator(4, 1, 8)
    path = write_saved_model(generator, str(tmp_path_factory.mktemp("export")), max_pixels=MAX_PIXELS)
    return tf.saved_model.load(path).signatures


def _refused_with_peak_rss_mb(signature, data):
    """The error ``signature`` raises on ``data``, and how far (MB) the process's resident
    memory peaked above where it stood while it ran."""

    def status(field):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field + ":")) / 1024

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM (the peak) to the current RSS
    before = status("VmRSS")
    with pytest.raises(tf.errors.InvalidArgumentError) as refused:
        signature(images=tf.constant([data]))
    return str(refused.value), status("VmHWM") - before


def _encoded(pixels, fmt):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _with_jpeg_size(data, height, width):
    """The JPEG with its SOF0 frame header rewritten to declare height x width."""
    data = bytearray(data)
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_encoded_images_match_the_float_signature(signatures, photos, fmt):
    data = _encoded(photos[0][:30, :41], fmt)
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    png = signatures["upscale_image"](images=tf.constant([data, data]))["png_bytes"].numpy()
    expected = signatures["serving_default"](images=tf.constant(decoded[None] / 255.0, tf.float32))["sr_images"]
    expected = np.floor(expected.numpy()[0] * 255 + 0.5)
    for one in png:
        got = np.asarray(Image.open(io.BytesIO(one)))
        assert got.shape == (120, 164, 3)
        assert np.abs(got.astype(int) - expected).max() <= 1  # JPEG: TF's and PIL's IDCT may differ by a level


def test_png_bomb_refused_from_its_header(signatures, tmp_path):
    path = tmp_path / "bomb.png"
    write_png_bomb(path, 10000, 10000)
    data = path.read_bytes()
    assert len(data) < 400_000  # a third of a MB declaring 10^8 pixels (300 MB as uint8, 1.2 GB as float)
    message, growth = _refused_with_peak_rss_mb(signatures["upscale_image"], data)
    assert growth < 100, message
    assert "image too large: 10000x10000 is more than 65536 input pixels" in message


def test_jpeg_declaring_a_huge_frame_refused_from_its_header(signatures, photos):
    data = _with_jpeg_size(_encoded(photos[0][:32, :32], "JPEG"), 9000, 9000)
    message, growth = _refused_with_peak_rss_mb(signatures["upscale_image"], data)
    assert growth < 100, message
    assert "image too large: 9000x9000 is more than 65536 input pixels" in message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"GIF89a" + b"\x00" * 40, "PNG or JPEG"),
        (b"", "PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG without its IHDR header"),
    ],
)
def test_encoded_inputs_that_are_not_png_or_jpeg(signatures, data, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        signatures["upscale_image"](images=tf.constant([data]))


def test_float_signature_bounds_the_whole_batch(signatures):
    serve = signatures["serving_default"]
    assert serve(images=tf.zeros((4, 128, 128, 3)))["sr_images"].shape == (4, 512, 512, 3)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="more than 65536 input pixels \\(batch x height x width\\)"
    ):
        serve(images=tf.zeros((5, 128, 128, 3)))


def test_the_model_folder_of_the_serving_layout_runs_its_newest_version(tmp_path, photos):
    # What TF Serving is pointed at: saved_model/<name>/, holding numbered versions.
    keras.utils.set_random_seed(6)
    old, new = build_generator(4, 1, 8), build_generator(4, 1, 8)
    write_saved_model(old, str(tmp_path))
    new_path = tmp_path / "new.keras"
    new.save(new_path)
    export_model(new_path, tmp_path, formats=["saved_model"], print_fn=lambda *a: None)
    model_dir = tmp_path / "saved_model" / "srgan"
    (model_dir / "10").mkdir()  # numbered but empty (no saved_model.pb): not a version
    assert sorted(p.name for p in model_dir.iterdir()) == ["1", "10", "2"]

    assert detect_format(str(model_dir)) == "saved_model"
    assert read_metadata(str(model_dir)) == read_metadata(str(model_dir / "2"))
    rgb = photos[0][:20, :28].astype(np.float32) / 255.0
    np.testing.assert_allclose(load_backend(str(model_dir))(rgb[None]), KerasBackend(new)(rgb[None]), atol=1e-5)
    upscaler = Upscaler.load(str(model_dir))
    assert upscaler.scale == 4 and upscaler.overlap == read_metadata(str(model_dir / "2"))["tile_overlap"]
