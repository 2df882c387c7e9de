"""ncnn export: every generator written as .param/.bin, run by the ncnn runtime on photo crops and
compared with Keras; the CLI's parity table; `srgan upscale --model X.param`."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from srgan_tf import SRGANError
from srgan_tf.export.ncnn_export import ncnn_model, write_ncnn
from srgan_tf.export.parity import TOLERANCES, compare
from srgan_tf.models import build_generator, build_rrdbnet
from srgan_tf.pretrained.ncnn_model import read_convolutions, read_param
from srgan_tf.runtimes.runners import KerasBackend, NcnnBackend, detect_format

GENERATORS = {
    "srresnet": lambda: build_generator(4, 2, 8),
    "srresnet-no-bn": lambda: build_generator(4, 2, 8, batch_norm=False),
    "srresnet-bicubic-skip": lambda: build_generator(4, 1, 8, upsample_skip=True),
    "srresnet-bicubic-skip-no-bn": lambda: build_generator(2, 1, 8, upsample_skip=True, batch_norm=False),
    "srresnet-x3": lambda: build_generator(3, 1, 8),
    "rrdbnet": lambda: build_rrdbnet(4, num_blocks=1, filters=8, growth=4),
}


def _trained_looking(generator, rng):
    """Weights away from their initialisers (the bicubic skip's tail starts near zero) and
    BatchNorm statistics away from 0 and 1, so folding them is tested."""
    generator.set_weights([w + rng.normal(0, 0.05, w.shape).astype(np.float32) for w in generator.get_weights()])
    for layer in generator.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(rng.normal(0, 0.3, layer.moving_mean.shape).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, layer.moving_variance.shape).astype(np.float32))
    return generator


def _crops(photos, size):
    h, w = size
    return np.stack([photos[0][50 : 50 + h, 80 : 80 + w], photos[1][120 : 120 + h, 30 : 30 + w]]) / np.float32(255)


CASES = [(kind, "subpixel") for kind in GENERATORS] + [(k, "9x9") for k in GENERATORS if k.startswith("srresnet")]


@pytest.mark.parametrize("kind, tail", CASES)
def test_every_generator_runs_in_ncnn_as_in_keras(kind, tail, photos, tmp_path, rng):
    keras.utils.set_random_seed(1)
    generator = _trained_looking(GENERATORS[kind](), rng)
    reference = KerasBackend(generator, subpixel_tail=False)  # the graph as trained
    for storage in ("float32", "float16"):
        path = write_ncnn(generator, tmp_path, "m", storage, subpixel_tail=tail == "subpixel")
        backend = NcnnBackend(path, num_threads=1)
        for size in ((13, 19), (24, 17)):  # odd, non-square
            x = _crops(photos, size)
            expected = reference(x)
            assert expected.std() > 0.05 and 0.02 < expected.mean() < 0.98  # an image, not a clipped plane
            max_abs, psnr = compare(expected, backend(x))
            if storage == "float32":
                assert max_abs <= TOLERANCES["float32"]["max_abs"], (size, max_abs)
            else:
                assert psnr >= TOLERANCES["float16"]["min_psnr"], (size, psnr)


def test_float16_file_stores_every_kernel_as_float16(rng):
    generator = _trained_looking(build_generator(4, 1, 8, upsample_skip=True), rng)
    param32, bin32 = ncnn_model(generator, "float32")
    param16, bin16 = ncnn_model(generator, "float16")
    assert param16 == param32
    kernels32 = read_convolutions(read_param(param32), bin32)
    kernels16 = read_convolutions(read_param(param16), bin16)
    for a, b in zip(kernels32, kernels16):
        np.testing.assert_array_equal(a.kernel.astype(np.float16).astype(np.float32), b.kernel)
        np.testing.assert_array_equal(a.bias, b.bias)  # biases stay float32, as ncnn reads them
    assert len(bin16) < 0.6 * len(bin32)


def test_other_networks_are_refused(tmp_path):
    inputs = keras.Input((None, None, 3))
    other = keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs), name="plain")
    with pytest.raises(SRGANError, match="knows SRResNet and RRDBNet generators; plain is neither"):
        write_ncnn(other, tmp_path, "m")
    assert not os.listdir(tmp_path)
    with pytest.raises(SRGANError, match="ncnn weight storage must be one of float32, float16"):
        ncnn_model(build_generator(4, 1, 8), "int8")


def test_param_without_its_bin_is_a_clear_error(tmp_path):
    path = write_ncnn(build_generator(4, 1, 8), tmp_path, "m")
    os.remove(tmp_path / "m.bin")
    assert detect_format(path) == "ncnn"
    with pytest.raises(SRGANError, match=r"needs its weights beside it: .*m\.bin is missing"):
        NcnnBackend(path)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_cli_exports_ncnn_with_parity_rows_and_upscales_with_the_param(tmp_path, photos):
    keras.utils.set_random_seed(3)
    model = tmp_path / "generator.keras"
    build_generator(4, 1, 8, upsample_skip=True).save(model)
    out = tmp_path / "exported"
    result = _cli("export", str(model), "--out", str(out), "--formats", "ncnn")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ncnn")]
    assert [row.split("|")[1].strip() for row in rows] == ["ncnn float32", "ncnn float16"]
    assert all(row.rstrip().endswith("| yes |") for row in rows)
    report = json.loads((out / "report.json").read_text())
    assert [(r["artifact"], r["quantization"], r["ok"]) for r in report["artifacts"]] == [
        ("ncnn float32", "float32", True),
        ("ncnn float16", "float16", True),
    ]
    assert sorted(os.listdir(out / "ncnn")) == [
        "srgan.bin",
        "srgan.param",
        "srgan.srgan_metadata.json",
        "srgan_fp16.bin",
        "srgan_fp16.param",
        "srgan_fp16.srgan_metadata.json",
    ]
    metadata = json.loads((out / "ncnn" / "srgan_fp16.srgan_metadata.json").read_text())
    assert (metadata["format"], metadata["weights"], metadata["scale"]) == ("ncnn", "float16", 4)

    Image.fromarray(photos[0][:45, :61]).save(tmp_path / "photo.png")
    outputs = {}
    for name, source in (("ncnn", out / "ncnn" / "srgan.param"), ("keras", model)):
        result = _cli("upscale", str(tmp_path / "photo.png"), "--model", str(source), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        outputs[name] = np.asarray(Image.open(tmp_path / name / "photo_x4.png"), np.int16)
    assert outputs["ncnn"].shape == (180, 244, 3)
    assert np.abs(outputs["ncnn"] - outputs["keras"]).max() <= 1
