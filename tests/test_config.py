"""Config presets, files, overrides and validation errors."""

import json
import os

import pytest

from srgan_tf import SRGANError, get_preset, load_config
from srgan_tf.config import PRESETS, apply_overrides, save_config


def test_presets_are_valid_and_paper_values():
    assert set(PRESETS) == {"srgan_x4", "srresnet_x4", "demo", "finetune_x4"}
    paper = load_config("srgan_x4")
    assert (paper.model.num_blocks, paper.model.filters, paper.model.scale) == (16, 64, 4)
    assert paper.loss.content == "vgg54" and paper.loss.adversarial_weight == 1e-3
    assert (paper.data.patch_size, paper.data.batch_size) == (96, 16)
    assert paper.train.learning_rate == 1e-4 and paper.train.beta_1 == 0.9
    assert load_config("srresnet_x4").train.steps == 0
    demo = load_config("demo")
    assert demo.loss.vgg_weights is None and demo.loss.content == "mse"  # offline


def test_finetune_preset_has_the_shipped_recipes_architecture():
    from srgan_tf.models import architecture_of

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    recipe = load_config(os.path.join(root, "training", "configs", "photos_x4.yaml"))
    finetune = load_config("finetune_x4")
    assert architecture_of(finetune.model) == architecture_of(recipe.model)
    assert finetune.train.init == "srresnet-x4" and finetune.loss.pretrain_loss == recipe.loss.pretrain_loss


def test_overrides_parse_types():
    config = apply_overrides(
        get_preset("demo"),
        ["model.scale=2", "train.learning_rate=1", "train.jit=on", "loss.vgg_weights=null", "data.train_dir=/x"],
    )
    assert config.model.scale == 2
    assert isinstance(config.train.learning_rate, float)
    assert config.train.jit == "on"  # not YAML's True
    assert config.loss.vgg_weights is None and config.data.train_dir == "/x"


@pytest.mark.parametrize(
    "override, message",
    [
        ("model.scale=5", "model.scale must be one of"),
        ("model.nope=1", "unknown key 'nope'"),
        ("nope.x=1", "unknown config section"),
        ("scale=4", "section.key=value"),
        ("data.patch_size=50", "multiple of 16"),
        ("train.precision=fp8", "train.precision"),
    ],
)
def test_bad_overrides(override, message):
    with pytest.raises(SRGANError, match=message):
        apply_overrides(get_preset("demo"), [override])


def test_file_roundtrip_and_run_dir(tmp_path):
    config = apply_overrides(get_preset("demo"), ["model.num_blocks=2"])
    save_config(config, tmp_path / "config.json")
    assert load_config(tmp_path) == config  # a run dir loads its config.json
    assert load_config(tmp_path / "config.json") == config


def test_yaml_file_partial(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("model:\n  num_blocks: 3\ntrain:\n  jit: off\n")
    config = load_config(path)
    assert config.model.num_blocks == 3 and config.model.filters == 64 and config.train.jit == "off"


def test_bad_files(tmp_path):
    with pytest.raises(SRGANError, match="unknown preset"):
        load_config("no_such_preset")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": {"blocks": 3}}))
    with pytest.raises(SRGANError, match="unknown key"):
        load_config(bad)


def test_types_are_checked_and_exponents_parse():
    config = apply_overrides(get_preset("demo"), ["train.learning_rate=5e-4", "train.steps=10"])
    assert config.train.learning_rate == 5e-4 and isinstance(config.train.learning_rate, float)
    with pytest.raises(SRGANError, match="train.steps expects int"):
        apply_overrides(get_preset("demo"), ["train.steps=many"])
    with pytest.raises(SRGANError, match="model.num_blocks expects int"):
        apply_overrides(get_preset("demo"), ["model.num_blocks=2.5"])


def test_exponent_floats_survive_the_run_dir_and_yaml(tmp_path):
    # PyYAML reads 2e-05 (no dot) as text; a run dir's config.json and YAML files must still work.
    config = apply_overrides(get_preset("demo"), ["train.pretrain_learning_rate=2e-05"])
    assert config.train.pretrain_learning_rate == 2e-05
    save_config(config, tmp_path / "config.json")
    assert load_config(str(tmp_path)).train.pretrain_learning_rate == 2e-05
    (tmp_path / "c.yaml").write_text("train:\n  learning_rate: 1e-4\n")
    assert load_config(str(tmp_path / "c.yaml")).train.learning_rate == 1e-4
