"""RRDBNet (ESRGAN's generator) against a numpy transcription of the paper's equations."""

import keras
import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.config import apply_overrides
from srgan_tf.models import architecture_of, build_from_architecture, build_rrdbnet, receptive_field_radius


def _conv(x, kernel, bias):
    """'same' 3x3 convolution of (H, W, C) with a (3, 3, C, K) kernel, in float64."""
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    height, width = x.shape[:2]
    out = np.zeros((height, width, kernel.shape[-1]))
    for dy in range(3):
        for dx in range(3):
            out += padded[dy : dy + height, dx : dx + width] @ kernel[dy, dx]
    return out + bias


def _lrelu(x):
    return np.where(x > 0, x, 0.2 * x)


def _reference(model, x, blocks, scale):
    """ESRGAN eqs.: RDB(x) = x + 0.2·conv5([x, x1..x4]), RRDB(x) = x + 0.2·RDB³(x), then
    nearest x2 + conv + lrelu per factor of two, conv_hr, lrelu, conv_last; output 2y − 1."""

    def conv(name, value):
        kernel, bias = (w.astype(np.float64) for w in model.get_layer(name).get_weights())
        return _conv(value, kernel, bias)

    first = conv("conv_first", x)
    trunk = first
    for block in range(blocks):
        y = trunk
        for rdb in range(1, 4):
            prefix = f"body{block}_rdb{rdb}"
            features = [y]
            for index in range(1, 5):
                features.append(_lrelu(conv(f"{prefix}_conv{index}", np.concatenate(features, axis=-1))))
            y = y + 0.2 * conv(f"{prefix}_conv5", np.concatenate(features, axis=-1))
        trunk = trunk + 0.2 * y
    out = first + conv("conv_body", trunk)
    for stage in range(1, int(np.log2(scale)) + 1):
        out = _lrelu(conv(f"conv_up{stage}", out.repeat(2, axis=0).repeat(2, axis=1)))
    y = conv("conv_last", _lrelu(conv("conv_hr", out)))
    return 2 * y - 1


@pytest.mark.parametrize("scale", [2, 4])
def test_rrdbnet_matches_the_equations(rng, scale):
    model = build_rrdbnet(scale, num_blocks=2, filters=8, growth=4)
    model.set_weights([rng.normal(0, 0.2, w.shape).astype(np.float32) for w in model.get_weights()])
    x = rng.random((6, 5, 3))
    expected = _reference(model, x, blocks=2, scale=scale)
    np.testing.assert_allclose(model(x[None].astype(np.float32)).numpy()[0], expected, atol=1e-4)


def test_rrdbnet_defaults_are_real_esrgan_x4plus_size():
    # 23 RRDBs x 3 RDBs of convs 64+32k -> 32 (k = 0..3) and 192 -> 64, plus first/body/2 up/hr/last.
    per_rdb = sum(9 * (64 + 32 * k) * 32 + 32 for k in range(4)) + 9 * 192 * 64 + 64
    expected = 23 * 3 * per_rdb + (9 * 3 * 64 + 64) + 4 * (9 * 64 * 64 + 64) + (9 * 64 * 3 + 3)
    assert build_rrdbnet().count_params() == expected == 16_697_987


def test_rrdbnet_receptive_field_covers_dense_paths_and_upsampling(rng):
    # Seeded: how far a perturbation travels depends on the weights (LeakyReLU-gated dense
    # paths); unseeded, the tightness check below followed whatever ran before it.
    keras.utils.set_random_seed(0)
    model = build_rrdbnet(4, num_blocks=1, filters=8, growth=4)
    radius = receptive_field_radius(model)
    # Perturb one LR pixel: SR changes stay within the radius (dense paths and upsampling included).
    x = rng.random((1, 41, 41, 3), dtype=np.float32)
    y = x.copy()
    y[0, 20, 20] += 0.5
    diff = np.abs(model(y).numpy() - model(x).numpy()).max(axis=(0, 2, 3))
    rows = np.nonzero(diff > 0)[0] // 4
    assert rows.min() >= 20 - radius and rows.max() <= 20 + radius
    assert rows.min() <= 20 - (radius - 2)  # and the bound is nearly tight


def test_arch_is_one_config_switch(tiny_config):
    config = apply_overrides(tiny_config, ["model.arch=rrdbnet", "model.growth=4"])
    architecture = architecture_of(config.model)
    assert architecture == {"arch": "rrdbnet", "scale": 4, "num_blocks": 1, "filters": 8, "growth": 4}
    generator = build_from_architecture(architecture)
    assert generator.get_layer("conv_first").filters == 8
    with pytest.raises(SRGANError, match="model.scale must be one of"):
        apply_overrides(tiny_config, ["model.arch=rrdbnet", "model.scale=3"])
    with pytest.raises(SRGANError, match="model.arch must be one of"):
        apply_overrides(tiny_config, ["model.arch=edsr"])


def test_an_older_cards_features_key_still_builds_the_same_network():
    """Cards and runs written before RRDBNet's trunk width was named ``filters`` say ``features``."""
    old = build_from_architecture({"arch": "rrdbnet", "scale": 2, "num_blocks": 1, "features": 8, "growth": 4})
    new = build_from_architecture({"arch": "rrdbnet", "scale": 2, "num_blocks": 1, "filters": 8, "growth": 4})
    assert [w.shape for w in old.weights] == [w.shape for w in new.weights]
    assert old.get_layer("conv_first").filters == 8


@pytest.mark.slow
def test_srgan_train_and_export_an_rrdbnet(tiny_config, tmp_path):
    import warnings

    from srgan_tf.export import export_model
    from srgan_tf.training.trainer import train

    config = apply_overrides(
        tiny_config, ["model.arch=rrdbnet", "model.growth=4", "train.pretrain_steps=2", "train.steps=2"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = train(config, tmp_path / "run", verbose=0)
    generator = keras.models.load_model(path, safe_mode=True)
    assert generator.get_layer("conv_up2") is not None
    report = export_model(
        tmp_path / "run", tmp_path / "export", quantizations=["float32", "int8"], print_fn=lambda *a: None
    )
    assert all(row["ok"] for row in report["artifacts"])
    assert {row["artifact"] for row in report["artifacts"]} >= {"saved_model", "tflite float32", "tflite int8", "onnx"}
