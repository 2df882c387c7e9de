"""Named pretrained models: storage round trip, refusal of wrong or corrupt weights, names accepted
wherever a model is, and the clear error while no default model ships."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.models import build_generator
from srgan_tf.pretrained import cards as pretrained
from srgan_tf.pretrained.cards import load_pretrained, named_models
from srgan_tf.pretrained.weights_file import (
    file_sha256,
    load_weights,
    save_weights,
)
from srgan_tf.utils.ranges import sr_images


def _tiny_card(folder, name="tiny-x4", blocks=1, filters=8):
    """A named model of our own in ``folder``: a tiny random generator and its card."""
    generator = build_generator(4, blocks, filters)
    weights = os.path.join(folder, f"{name}.weights.npz")
    save_weights(generator, weights)
    card = {
        "name": name,
        "summary": "a test model",
        "architecture": {"scale": 4, "num_blocks": blocks, "filters": filters, "bn_momentum": 0.99},
        "weights": os.path.basename(weights),
        "sha256": file_sha256(weights),
    }
    with open(os.path.join(folder, f"{name}.json"), "w") as f:
        json.dump(card, f)
    return generator, weights


def test_float16_storage_round_trip(tmp_path, rng):
    keras.utils.set_random_seed(0)
    generator = build_generator(4, 2, 16)
    # Random BatchNorm statistics too, so every stored tensor is exercised (at 0.1 the random
    # network's gain alone put float16 rounding near 60 dB: 57-63 dB over seeds).
    generator.set_weights([w + rng.normal(0, 0.03, w.shape).astype(np.float32) for w in generator.get_weights()])
    path = save_weights(generator, str(tmp_path / "g.weights.npz"))
    with np.load(path) as stored:
        assert len(stored.files) == len(generator.weights)
        for key, value in zip(sorted(stored.files), generator.get_weights()):
            assert stored[key].dtype == np.float16
            np.testing.assert_array_equal(stored[key], value.astype(np.float16))
    loaded = load_weights(build_generator(4, 2, 16), path)
    x = rng.random((1, 20, 24, 3), dtype=np.float32)
    a = sr_images(generator, x).numpy()
    b = sr_images(loaded, x).numpy()
    assert 10 * np.log10(1 / np.mean((a - b) ** 2)) >= 60  # the release rule for float16 weights


def test_weights_for_another_network_are_refused(tmp_path):
    path = save_weights(build_generator(4, 2, 8), str(tmp_path / "g.weights.npz"))
    with pytest.raises(SRGANError, match="does not fit this network"):
        load_weights(build_generator(4, 1, 8), path)  # fewer tensors
    with pytest.raises(SRGANError, match="has shape"):
        load_weights(build_generator(4, 2, 16), path)  # same names, other shapes


def test_named_model_loads_and_corruption_is_caught(tmp_path, monkeypatch, rng):
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", str(tmp_path))
    generator, weights = _tiny_card(str(tmp_path))
    assert list(named_models()) == ["tiny-x4"]
    x = rng.random((1, 12, 12, 3), dtype=np.float32)
    loaded = load_pretrained("tiny-x4")
    np.testing.assert_allclose(loaded(x).numpy(), generator(x).numpy(), atol=2e-2)
    with open(weights, "r+b") as f:  # flip one byte of the stored weights
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(SRGANError, match="corrupt"):
        load_pretrained("tiny-x4")
    with pytest.raises(SRGANError, match="unknown model name 'nope'"):
        load_pretrained("nope")


def test_a_path_of_the_same_name_wins_over_the_named_model(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", str(tmp_path))
    _tiny_card(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert pretrained.is_named_model("tiny-x4")
    os.mkdir("tiny-x4")
    assert not pretrained.is_named_model("tiny-x4")


def test_the_default_model_is_a_name_even_beside_a_path_of_that_name(tmp_path, monkeypatch, photos):
    from srgan_tf.inference import Upscaler, upscale
    from srgan_tf.runtimes.runners import KerasBackend, detect_format

    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(pretrained, "DEFAULT_MODEL", "tiny-x4")
    _tiny_card(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    os.mkdir("tiny-x4")  # what `srgan export tiny-x4 --out tiny-x4` leaves in the working directory
    assert not pretrained.is_named_model("tiny-x4")  # typed by the user, the path still wins
    default = pretrained.default_model()
    assert default == "tiny-x4" and pretrained.is_named_model(default) and detect_format(default) == "keras"
    assert Upscaler.load(default).scale == 4
    x = photos[0][:20, :24]
    expected = KerasBackend(load_pretrained("tiny-x4"))(x[None].astype(np.float32) / 255)[0]
    np.testing.assert_allclose(upscale(x), expected, atol=1e-6)


def _srgan(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.mark.slow
def test_models_command_lists_every_card():
    result = _srgan("models")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(" ")[0].rstrip(":") for line in lines] == list(named_models())


def test_a_named_model_works_as_model_everywhere(tmp_path, monkeypatch, rng, photos):
    from srgan_tf.export import load_source
    from srgan_tf.inference import Upscaler, upscale
    from srgan_tf.runtimes.runners import KerasBackend, detect_format

    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", str(tmp_path))
    _tiny_card(str(tmp_path))
    assert detect_format("tiny-x4") == "keras"
    x = photos[0][:20, :24]
    expected = KerasBackend(load_pretrained("tiny-x4"))(x[None].astype(np.float32) / 255)[0]
    np.testing.assert_allclose(upscale(x, model="tiny-x4"), expected, atol=1e-6)
    assert Upscaler.load("tiny-x4").scale == 4
    generator, scale, config_hash = load_source("tiny-x4")
    assert scale == 4 and config_hash.startswith("tiny-x4-")
    line = pretrained.card_line(named_models()["tiny-x4"])
    assert line.startswith("tiny-x4: x4, a test model")


def test_a_cards_measured_tile_overlap_is_what_upscale_uses(tmp_path, monkeypatch):
    from srgan_tf.inference import Upscaler
    from srgan_tf.models import receptive_field_radius

    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", str(tmp_path))
    generator, _ = _tiny_card(str(tmp_path))
    assert Upscaler.load("tiny-x4").overlap == receptive_field_radius(generator)  # none measured: exact
    card_path = tmp_path / "tiny-x4.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "tile_overlap": 5}))
    assert Upscaler.load("tiny-x4").overlap == 5
    assert Upscaler.load("tiny-x4", overlap=7).overlap == 7  # --tile-overlap still wins
