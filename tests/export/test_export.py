"""Exports reloaded and compared with Keras: SavedModel signatures and guards, TFLite, ONNX, ncnn, report."""

import base64
import hashlib
import importlib.util
import io
import json
import os
import shutil

import keras
import numpy as np
import onnx
import pytest
import tensorflow as tf
from PIL import Image

from srgan_tf import SRGANError
from srgan_tf.export import export_model, parity
from srgan_tf.export.tflite import op_names
from srgan_tf.models import build_generator
from srgan_tf.runtimes.runners import KerasBackend, TFLiteBackend, load_backend, read_metadata

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    keras.utils.set_random_seed(3)
    generator = build_generator(4, 2, 8)
    path = tmp_path_factory.mktemp("model") / "generator.keras"
    generator.save(path)
    return str(path)


@pytest.fixture(scope="module")
def exported(tiny_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    report = export_model(tiny_model, out, fixed_size=(12, 10), print_fn=lambda *a: None)
    return out, report


def _rest_client():
    spec = importlib.util.spec_from_file_location("rest", os.path.join(REPO, "export/serving/rest_request.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_artifact_passes_parity(exported):
    out, report = exported
    names = [row["artifact"] for row in report["artifacts"]]
    assert names[0] == "saved_model" and names[-3:] == ["onnx", "ncnn float32", "ncnn float16"]
    assert {"tflite float32", "tflite float16", "tflite dynamic", "tflite int8", "tflite int8_12x10"} <= set(names)
    assert all(row["ok"] for row in report["artifacts"])
    fp32 = [r for r in report["artifacts"] if r["quantization"] == "float32"]
    assert all(r["max_abs"] <= 2e-5 for r in fp32)
    on_disk = json.loads((out / "report.json").read_text())
    assert on_disk["artifacts"][0]["artifact"] == "saved_model"


def test_saved_model_layout_and_float_signature(exported, tiny_model):
    out, _ = exported
    version_dir = out / "saved_model" / "srgan" / "1"
    assert (version_dir / "saved_model.pb").exists()
    assert read_metadata(str(version_dir))["scale"] == 4
    loaded = tf.saved_model.load(str(version_dir))
    assert set(loaded.signatures) == {"serving_default", "upscale_image"}
    reference = KerasBackend(tiny_model)
    for shape in [(1, 9, 14, 3), (3, 20, 11, 3)]:  # any N, H, W
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
        got = loaded.signatures["serving_default"](images=tf.constant(x))["sr_images"].numpy()
        assert got.shape == (shape[0], shape[1] * 4, shape[2] * 4, 3)
        np.testing.assert_allclose(got, reference(x), atol=1e-6)
        assert got.min() >= 0 and got.max() <= 1


def test_rest_json_body_through_the_bytes_signature(exported, photos, tiny_model):
    out, _ = exported
    loaded = tf.saved_model.load(str(out / "saved_model" / "srgan" / "1"))
    crop = photos[0][:30, :40]
    buffer = io.BytesIO()
    Image.fromarray(crop).save(buffer, "PNG")
    body = json.loads(json.dumps(_rest_client().request_body(buffer.getvalue())))  # what goes over the wire
    assert body["signature_name"] == "upscale_image"
    # TF Serving turns each {"b64": ...} into the raw bytes of a string tensor.
    images = tf.constant([base64.b64decode(instance["b64"]) for instance in body["instances"]])
    png = loaded.signatures[body["signature_name"]](images=images)["png_bytes"].numpy()[0]
    result = np.asarray(Image.open(io.BytesIO(png)))
    assert result.shape == (120, 160, 3) and result.dtype == np.uint8
    expected = np.floor(KerasBackend(tiny_model)(crop[None] / 255.0)[0] * 255 + 0.5)
    assert np.abs(result.astype(int) - expected).max() <= 1


def test_saved_model_guards(exported):
    out, _ = exported
    serve = tf.saved_model.load(str(out / "saved_model" / "srgan" / "1")).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="3 \\(RGB\\) channels"):
        serve(images=tf.zeros((1, 8, 8, 4)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="image too large"):
        serve(images=tf.zeros((1, 2049, 2048, 3)))


def test_tflite_builtin_ops_only_and_dynamic_resize(exported, tiny_model):
    out, _ = exported
    reference = KerasBackend(tiny_model)
    for name in ("srgan_float32", "srgan_float16", "srgan_dynamic", "srgan_int8"):
        path = out / "tflite" / f"{name}.tflite"
        ops = op_names(path)
        assert "CONV_2D" in ops and not [op for op in ops if op.startswith("Flex")]
        backend = TFLiteBackend(path)
        for shape in [(1, 7, 9, 3), (1, 16, 12, 3)]:
            x = np.random.default_rng(1).random(shape, dtype=np.float32)
            assert backend(x).shape == (1, shape[1] * 4, shape[2] * 4, 3)
        if name == "srgan_float32":
            np.testing.assert_allclose(backend(x), reference(x), atol=1e-5)
    fixed = TFLiteBackend(out / "tflite" / "srgan_float32_12x10.tflite")
    with pytest.raises(SRGANError, match="takes 12x10 inputs only"):
        fixed(np.zeros((1, 8, 8, 3), np.float32))


@pytest.mark.slow
def test_tflite_uint8_io_reads_and_writes_pixel_values(tiny_model, tmp_path, photos):
    export_model(
        tiny_model, tmp_path, formats=["tflite"], quantizations=["int8"], int8_io="uint8", print_fn=lambda *a: None
    )
    backend = TFLiteBackend(tmp_path / "tflite" / "srgan_int8.tflite")
    assert backend.input["dtype"] == np.uint8 and backend.output["dtype"] == np.uint8
    # Input bytes are the pixel values (calibration gave scale 0.0039); the output's meaning is
    # in the metadata (an output byte of 255 meant 0.717 with nothing saying so).
    assert backend.input["quantization"] == (1.0, 0)
    meta = read_metadata(str(tmp_path / "tflite" / "srgan_int8.tflite"))
    out_q = meta["output_quantization"]
    assert (out_q["scale"], out_q["zero_point"]) == pytest.approx(backend.output["quantization"])
    # An app writes a photo's bytes and turns output bytes into pixels with the metadata's rule.
    pixels = photos[0][40:64, 60:88][None]
    interpreter = backend.interpreter
    interpreter.resize_tensor_input(backend.input["index"], pixels.shape, strict=False)
    interpreter.allocate_tensors()
    interpreter.set_tensor(backend.input["index"], pixels)
    interpreter.invoke()
    raw = interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).astype(np.float64)
    out = out_q["scale"] * (raw - out_q["zero_point"])
    expected = KerasBackend(tiny_model)(pixels.astype(np.float32) / 255.0)[0] * 255.0
    assert abs(out.mean() - expected.mean()) < 1.5  # no brightness shift
    assert np.mean(np.abs(out[0] - expected)) < 4.0  # int8 rounding only


def test_onnx_dynamic_dims_and_metadata(exported, tiny_model):
    out, _ = exported
    model = onnx.load(str(out / "onnx" / "srgan.onnx"))
    assert max(op.version for op in model.opset_import if op.domain in ("", "ai.onnx")) >= 17
    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", "height", "width", 3]
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["scale"] == "4" and metadata["format"] == "onnx"
    backend = load_backend(str(out / "onnx" / "srgan.onnx"))
    x = np.random.default_rng(2).random((2, 11, 6, 3), dtype=np.float32)
    np.testing.assert_allclose(backend(x), KerasBackend(tiny_model)(x), atol=1e-5)


@pytest.mark.slow
def test_second_export_is_a_new_serving_version(tiny_model, tmp_path):
    for _ in range(2):
        export_model(tiny_model, tmp_path, formats=["saved_model"], print_fn=lambda *a: None)
    assert sorted(os.listdir(tmp_path / "saved_model" / "srgan")) == ["1", "2"]


def test_a_folder_with_only_generator_keras_exports_like_the_file(tiny_model, tmp_path):
    # A folder other commands accept as a model (no config.json: not a run dir).
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(tiny_model, folder / "generator.keras")
    report = export_model(folder, tmp_path / "out", formats=["saved_model"], print_fn=lambda *a: None)
    with open(tiny_model, "rb") as f:
        assert report["config_hash"] == "model-" + hashlib.sha256(f.read()).hexdigest()[:16]
    assert report["artifacts"][0]["ok"]


def test_parity_failure_fails_the_export(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setitem(parity.TOLERANCES, "dynamic", {"min_psnr": 500.0})
    with pytest.raises(SRGANError, match="export parity failed for tflite dynamic"):
        export_model(tiny_model, tmp_path, formats=["tflite"], quantizations=["dynamic"], print_fn=lambda *a: None)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["artifacts"][0]["ok"] is False


def test_bad_arguments(tiny_model, tmp_path):
    with pytest.raises(SRGANError, match="unknown export format"):
        export_model(tiny_model, tmp_path, formats=["coreml"])
    with pytest.raises(SRGANError, match="no Keras generator"):
        export_model(tmp_path / "missing.keras", tmp_path)


@pytest.mark.parametrize("scale", [2, 4])
def test_calibration_patches_are_crops_of_the_training_lr(tmp_path, photos, scale):
    """int8 calibration sees what the model will be given: the training degradation (bicubic,
    rounded to 8 bits) by the model's scale, of the photo cropped to a multiple of it."""
    from srgan_tf.data import bicubic
    from srgan_tf.export.tflite import representative_patches

    image = photos[0][:194, :195]
    Image.fromarray(image).save(tmp_path / "p.png")
    (patch,) = representative_patches([str(tmp_path / "p.png")], count=1, size=32, scale=scale)
    height, width = 194 // scale * scale, 195 // scale * scale
    small = bicubic(image[:height, :width] / 255.0, scale).numpy()
    windows = np.lib.stride_tricks.sliding_window_view(small, (32, 32, 3))[..., 0, :, :, :]
    assert np.abs(windows - patch).max(axis=(-3, -2, -1)).min() == 0  # a crop of *this* LR
