"""The default runtime of a Keras model: converted once, checked, cached by hash, run without TensorFlow."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from srgan_tf.inference import Upscaler, fastest
from srgan_tf.runtimes.runners import KerasBackend


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One cache for the module: each conversion is made once, as on a user's machine."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRGAN_TF_CACHE", str(folder))
        yield folder


def _entries(cache):
    root = cache / "runtimes"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


@pytest.mark.parametrize("runtime", fastest.CONVERTED)
def test_each_conversion_matches_keras_and_is_cached_with_its_hashes(runtime, tiny_model_path, cache, photos):
    runner, entry = fastest.converted_runner(tiny_model_path, runtime)
    assert runner.name == runtime
    folder = cache / "runtimes" / os.path.basename(entry["folder"])
    recorded = json.loads((folder / "entry.json").read_text())
    assert recorded["source_sha256"] == fastest.source_hash(tiny_model_path)
    assert set(recorded["files"]) >= set(fastest.ARTIFACTS[runtime])
    assert recorded["parity"]["max_abs"] <= 2e-5 and recorded["scale"] == 4
    lr = (photos[0][:40, :52] / 255.0).astype(np.float32)[None]
    np.testing.assert_allclose(runner(lr), KerasBackend(tiny_model_path, subpixel_tail=False)(lr), atol=2e-5)
    # A second load is the same entry, not a second conversion.
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    _, again = fastest.converted_runner(tiny_model_path, runtime)
    assert again["folder"] == entry["folder"] and folder.name in _entries(cache)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_a_damaged_entry_is_converted_again(tiny_model_path, cache, srgan_warnings, photos):
    _, entry = fastest.converted_runner(tiny_model_path, "ncnn")
    # What a conversion killed an hour ago left: removed by the next conversion; a fresh one is kept.
    old, fresh = cache / "runtimes" / ".dead.1.partial", cache / "runtimes" / ".busy.2.partial"
    old.mkdir(), fresh.mkdir()
    os.utime(old, (0, 0))
    weights = os.path.join(entry["folder"], "model.bin")
    with open(weights, "r+b") as f:  # one flipped byte in the middle of the weights
        f.seek(os.path.getsize(weights) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    runner, _ = fastest.converted_runner(tiny_model_path, "ncnn")
    assert any("damaged" in message for message in srgan_warnings)
    assert not old.exists() and fresh.exists()
    lr = (photos[1][:32, :32] / 255.0).astype(np.float32)[None]
    np.testing.assert_allclose(runner(lr), KerasBackend(tiny_model_path)(lr), atol=2e-5)
    assert os.path.isfile(os.path.join(entry["folder"], "entry.json"))


def test_a_runtime_that_is_not_installed_gives_way_with_one_line(tiny_model_path, cache, monkeypatch, srgan_warnings):
    first, second = fastest.PREFERENCE[:2]
    monkeypatch.setitem(fastest.PACKAGES, first, "srgan_tf_no_such_runtime")
    runner, _ = fastest.fastest_runner(tiny_model_path)
    assert runner.name == second
    assert srgan_warnings == [f"srgan_tf_no_such_runtime is not installed: {tiny_model_path} runs on {second}"]


def test_upscaler_backend_choice(tiny_model_path, cache):
    assert Upscaler.load(tiny_model_path).backend.name == fastest.PREFERENCE[0]
    assert Upscaler.load(tiny_model_path, backend="keras").backend.name == "keras"
    for runtime in fastest.CONVERTED:
        upscaler = Upscaler.load(tiny_model_path, backend=runtime)
        assert (upscaler.backend.name, upscaler.scale) == (runtime, 4)


def _srgan(*args, env):
    return subprocess.run([sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, env=env)


# What a warm `srgan upscale` imports, seen from inside the process that runs it.
WARM_RUN = """
import sys
from srgan_tf.cli import main
status = main(sys.argv[1:])
print("tensorflow" in sys.modules, "keras" in sys.modules, status)
"""


@pytest.mark.slow
def test_cli_converts_once_then_runs_without_tensorflow(tiny_model_path, cache, tmp_path, photos):
    from PIL import Image

    Image.fromarray(photos[0][:48, :64]).save(tmp_path / "a.png")
    env = {**os.environ, "SRGAN_TF_CACHE": str(tmp_path / "cold")}
    cold = _srgan("upscale", str(tmp_path / "a.png"), "--model", tiny_model_path, "--verbose", env=env)
    assert cold.returncode == 0, cold.stderr
    lines = cold.stderr.strip().splitlines()
    assert lines[0].startswith(f"srgan: info: converting {tiny_model_path} for {fastest.PREFERENCE[0]} (once;")
    assert lines[1].startswith(f"srgan: info: {tiny_model_path} runs on {fastest.PREFERENCE[0]} (float32,")
    assert lines[2].startswith("srgan: info: 64x48: the whole image at once (about ")
    assert len(lines) == 3  # no TensorFlow start-up lines while converting
    first = np.asarray(Image.open(tmp_path / "a_x4.png"))
    warm = subprocess.run(
        [sys.executable, "-c", WARM_RUN, "upscale", str(tmp_path / "a.png"), "--model", tiny_model_path, "--overwrite"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip().splitlines()[-1] == "False False 0"
    assert warm.stderr == ""
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "a_x4.png")), first)
    keras_run = _srgan(
        "upscale", str(tmp_path / "a.png"), "--model", tiny_model_path, "--overwrite", "--backend", "keras", env=env
    )
    assert keras_run.returncode == 0, keras_run.stderr
    # Keras and the converted runtime agree to the float32 tolerance: at most a rounding step apart.
    diff = np.abs(np.asarray(Image.open(tmp_path / "a_x4.png"), np.int16) - first.astype(np.int16))
    assert diff.max() <= 1


def _shared_conv_then_transpose(path):
    """Runs on Keras and ONNX Runtime, but LiteRT refuses its TRANSPOSE_CONV at allocation."""
    import keras

    keras.utils.set_random_seed(1)
    x = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(3, 3, padding="same")
    y = keras.layers.Conv2DTranspose(3, 8, strides=4, padding="same")(conv(conv(x)))
    keras.Model(x, y).save(path)
    return str(path)


def test_a_conversion_that_fails_when_run_gives_way(tmp_path, cache, srgan_warnings):
    model = _shared_conv_then_transpose(tmp_path / "odd.keras")
    runner, _ = fastest.fastest_runner(model)
    assert runner.name == "onnx"
    assert len(srgan_warnings) == 1 and srgan_warnings[0].startswith(f"cannot run {model} on tflite (RuntimeError: ")


def test_an_unwritable_cache_runs_on_keras_with_one_line(tiny_model_path, tmp_path, monkeypatch, srgan_warnings):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("SRGAN_TF_CACHE", str(tmp_path / "file" / "cache"))
    runner, _ = fastest.fastest_runner(tiny_model_path)
    assert runner.name == "keras"
    assert len(srgan_warnings) == 1 and srgan_warnings[0].startswith("cannot write the runtime cache ")


def test_an_incomplete_entry_or_a_file_in_its_place_is_converted_again(tiny_model_path, cache):
    _, entry = fastest.converted_runner(tiny_model_path, "onnx")
    with open(os.path.join(entry["folder"], "entry.json")) as f:
        record = json.load(f)
    del record["artifact"]
    with open(os.path.join(entry["folder"], "entry.json"), "w") as f:
        json.dump(record, f)
    runner, again = fastest.converted_runner(tiny_model_path, "onnx")
    assert runner.name == "onnx" and again["artifact"] == "model.onnx"
    import shutil

    shutil.rmtree(entry["folder"])
    with open(entry["folder"], "w") as f:
        f.write("in the way")
    runner, _ = fastest.converted_runner(tiny_model_path, "onnx")
    assert runner.name == "onnx" and os.path.isdir(entry["folder"])


def test_backend_and_model_that_do_not_fit_are_one_line(tiny_model_path, tmp_path, cache):
    from srgan_tf import SRGANError

    with pytest.raises(SRGANError, match=r"--backend saved_model cannot run .* \(a keras model\): choose keras, auto"):
        Upscaler.load(tiny_model_path, backend="saved_model")
    with pytest.raises(SRGANError, match=r"no model at .*nope\.tflite"):
        Upscaler.load(str(tmp_path / "nope.tflite"))
    runner, entry = fastest.converted_runner(tiny_model_path, "onnx")
    with pytest.raises(SRGANError, match=r"--backend tflite cannot run .* \(a onnx model\): choose onnx, auto$"):
        Upscaler.load(os.path.join(entry["folder"], "model.onnx"), backend="tflite")


def test_a_subclassed_model_tiles_by_the_fixed_default():
    import keras

    from srgan_tf.inference.tiling import DEFAULT_TILE

    class Twice(keras.Model):
        def call(self, x):
            return keras.ops.repeat(keras.ops.repeat(x, 4, axis=1), 4, axis=2) * 2.0 - 1.0

    upscaler = Upscaler.load(Twice())
    assert upscaler.tile_for(400, 600) == DEFAULT_TILE
    assert upscaler.upscale_array(np.zeros((5, 7, 3), np.float32)).shape == (20, 28, 3)


def test_the_runtime_order_follows_the_architecture(tiny_model_path, tmp_path):
    import shutil

    from srgan_tf.models import build_rrdbnet

    assert fastest.source_architecture("realesrgan-x4plus") == "rrdbnet"
    assert fastest.source_architecture("srgan-x4") == "srresnet"
    assert fastest.source_architecture(tiny_model_path) == "srresnet"  # the name the builder gave it
    build_rrdbnet(4, 1, 8, 4).save(tmp_path / "rrdb.keras")
    assert fastest.preference(str(tmp_path / "rrdb.keras"))[0] == "ncnn"
    run = tmp_path / "run"
    run.mkdir()
    shutil.copyfile(tiny_model_path, run / "generator.keras")
    (run / "config.json").write_text(json.dumps({"model": {"arch": "rrdbnet"}}))
    assert fastest.source_architecture(str(run)) == "rrdbnet"  # the run's config wins
    (tmp_path / "junk.keras").write_text("not a zip")
    assert fastest.preference(str(tmp_path / "junk.keras")) == fastest.PREFERENCE
