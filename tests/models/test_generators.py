"""Every generator of the architecture registry gets the whole suite, as keras-hub's
``run_backbone_test`` gives every backbone: a new ``ARCHITECTURES`` line is tested with no new
test. Sizes are tiny; each entry is built from its own ``config_keys``."""

import keras
import numpy as np
import pytest
from network_contract import assert_network_contract

from srgan_tf.config import ARCHITECTURES
from srgan_tf.models import build_from_architecture
from srgan_tf.models.subpixel_tail import with_subpixel_tail

TINY = {"num_blocks": 1, "filters": 8, "growth": 4}  # the small end of every size key


def _tiny(name, scale=None, rng=None):
    entry = ARCHITECTURES[name]
    sizes = {key: TINY[key] for key in entry.config_keys if key in TINY}
    generator = build_from_architecture({"arch": name, "scale": scale or min(entry.scales), **sizes})
    if rng is not None:  # away from the initialisers: every tensor must count
        generator.set_weights([w + rng.normal(0, 0.02, w.shape).astype(w.dtype) for w in generator.get_weights()])
    return generator


def _cases():
    return [(name, scale) for name, entry in ARCHITECTURES.items() for scale in entry.scales]


@pytest.mark.parametrize(("name", "scale"), _cases())
def test_network_contract_at_every_scale(name, scale, tmp_path, rng):
    generator = _tiny(name, scale, rng)
    inputs = rng.random((2, 7, 9, 3), dtype=np.float32)  # odd, non-square: any size
    outputs = np.asarray(generator(inputs))
    assert outputs.shape == (2, 7 * scale, 9 * scale, 3) and outputs.dtype == np.float32
    assert_network_contract(generator, inputs, tmp_path)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_subpixel_tail_keeps_the_function(name, rng):
    generator = _tiny(name, max(ARCHITECTURES[name].scales), rng)
    tailed = with_subpixel_tail(generator)
    if ARCHITECTURES[name].subpixel_tail is None:
        assert tailed is generator
        return
    assert tailed is not generator
    inputs = rng.random((1, 6, 5, 3), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(tailed(inputs)), np.asarray(generator(inputs)), atol=2e-5)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_mixed_precision_computes_in_float16_and_returns_float32(name, rng):
    reference = _tiny(name, rng=rng)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        mixed = _tiny(name)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    mixed.set_weights(reference.get_weights())
    assert any(layer.compute_dtype == "float16" for layer in mixed.layers)
    inputs = rng.random((1, 8, 8, 3), dtype=np.float32)
    out = np.asarray(mixed(inputs))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.asarray(reference(inputs)), atol=2e-2)


@pytest.mark.slow
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_tflite_and_onnx_exports_keep_parity(name, tmp_path):
    from srgan_tf.export import export_model

    keras.utils.set_random_seed(5)
    path = tmp_path / "generator.keras"
    _tiny(name).save(path)
    report = export_model(path, tmp_path / "export", formats=("tflite", "onnx"), quantizations=("float32",),
                          print_fn=lambda *a: None)  # fmt: skip
    rows = {row["artifact"]: row for row in report["artifacts"]}
    assert {"tflite float32", "onnx"} <= set(rows), list(rows)
    assert all(row["ok"] for row in rows.values()), rows
