"""Config presets, files, overrides and validation errors."""

import json
import os
import subprocess
import sys

import pytest

from srgan_tf import SRGANError, get_preset, load_config
from srgan_tf.config import PRESETS, apply_overrides, config_from_dict, save_config


def test_presets_are_valid_and_paper_values():
    assert set(PRESETS) == {"srgan_x4", "srresnet_x4", "demo", "finetune_x4", "esrgan_x4"}
    paper = load_config("srgan_x4")
    assert (paper.model.num_blocks, paper.model.filters, paper.model.scale) == (16, 64, 4)
    assert paper.loss.content == "vgg54" and paper.loss.adversarial_weight == 1e-3
    assert (paper.data.patch_size, paper.data.batch_size) == (96, 16)
    assert paper.train.learning_rate == 1e-4 and paper.train.beta_1 == 0.9
    assert load_config("srresnet_x4").train.steps == 0
    demo = load_config("demo")
    assert demo.loss.vgg_weights is None and demo.loss.content == "mse"  # offline


def test_esrgan_preset_carries_the_esrgan_recipe():
    from srgan_tf.models import architecture_of
    from srgan_tf.training.builders import learning_rate_schedule

    esrgan = load_config("esrgan_x4")
    assert architecture_of(esrgan.model) == {
        "arch": "rrdbnet", "scale": 4, "num_blocks": 23, "filters": 64, "growth": 32
    }  # fmt: skip
    lo = esrgan.loss
    assert (lo.adversarial, lo.adversarial_weight, lo.pixel_weight, lo.pixel) == (
        "relativistic",
        5e-3,
        1e-2,
        "l1",
    )
    assert lo.content == "vgg54" and lo.vgg_before_activation
    assert (esrgan.data.patch_size, esrgan.data.batch_size) == (128, 16)
    # Stage 2: 1e-4 halved at 50k, 100k, 200k and 300k of 400k steps; stage 1: 2e-4 halved every 200k.
    gan = learning_rate_schedule(esrgan, "gan")
    rates = [float(gan(step)) for step in (0, 50_000, 100_000, 200_000, 300_000, 399_999)]
    assert rates == pytest.approx([1e-4, 1e-4, 5e-5, 2.5e-5, 1.25e-5, 6.25e-6])
    pretrain = learning_rate_schedule(esrgan, "pretrain")
    assert float(pretrain(200_001)) == pytest.approx(1e-4) and float(pretrain(999_999)) == pytest.approx(1.25e-5)


def test_learning_rate_milestones_are_checked():
    config = apply_overrides(get_preset("demo"), ["train.learning_rate_decay_at=[0.25, 0.75]"])
    assert config.train.learning_rate_decay_at == [0.25, 0.75]
    for bad in ("[0.75, 0.25]", "1.5", "[x]"):
        with pytest.raises(SRGANError, match="learning_rate_decay_at"):
            apply_overrides(get_preset("demo"), [f"train.learning_rate_decay_at={bad}"])
    with pytest.raises(SRGANError, match="loss.adversarial must be one of"):
        apply_overrides(get_preset("demo"), ["loss.adversarial=wgan"])


def test_finetune_preset_has_the_shipped_recipes_architecture():
    from srgan_tf.models import architecture_of

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    recipe = load_config(os.path.join(root, "training", "configs", "photos_x4.yaml"))
    finetune = load_config("finetune_x4")
    assert architecture_of(finetune.model) == architecture_of(recipe.model)
    assert finetune.train.init == "srresnet-x4" and finetune.loss.pixel == recipe.loss.pixel


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
        ("data.val_max_images=0", "data.val_max_images must be"),
        ("data.val_max_images=-1", "data.val_max_images must be"),
        ("data.val_max_side=2", "data.val_max_side must be"),
        ("data.val_max_side=0", "data.val_max_side must be"),
        ("loss.vgg_feature_rescale=abc", "loss.vgg_feature_rescale expects float"),
        ("loss.vgg_feature_rescale=0", "loss.vgg_feature_rescale must be null"),
    ],
)
def test_bad_overrides(override, message):
    with pytest.raises(SRGANError, match=message):
        apply_overrides(get_preset("demo"), [override])


def test_feature_rescale_is_a_number_or_null():
    config = apply_overrides(get_preset("demo"), ["loss.vgg_feature_rescale=1e-4"])
    assert config.loss.vgg_feature_rescale == 1e-4  # YAML 1.1 reads 1e-4 as text: a float here
    assert apply_overrides(config, ["loss.vgg_feature_rescale=null"]).loss.vgg_feature_rescale is None


def test_run_dirs_that_stored_the_old_rescale_still_resume(tmp_path):
    # Before null meant "the content layers' own", run dirs stored 1/12.75 whatever the content.
    from srgan_tf.training.run_dir import RunDir, check_resumable

    for content in ("mse", "vgg54"):
        config = apply_overrides(get_preset("demo"), [f"loss.content={content}"])
        old = apply_overrides(config, [f"loss.vgg_feature_rescale={1 / 12.75!r}"])
        save_config(old, tmp_path / "config.json")
        check_resumable(RunDir(tmp_path), config)  # the same training: no error
    changed = apply_overrides(config, ["loss.vgg_feature_rescale=0.5"])
    with pytest.raises(SRGANError, match="different loss config"):
        check_resumable(RunDir(tmp_path), changed)


def test_run_dirs_that_stored_loss_pretrain_loss_still_load_and_resume(tmp_path):
    # loss.pixel was loss.pretrain_loss: the name said stage 1 only, the setting chose stage 2's
    # pixel term too. A run dir's config.json (as such a run wrote it) still loads and resumes.
    from srgan_tf.training.run_dir import RunDir, check_resumable

    data = apply_overrides(get_preset("demo"), ["loss.pixel_weight=0.01"]).to_dict()
    data["loss"] = {("pretrain_loss" if key == "pixel" else key): value for key, value in data["loss"].items()}
    data["loss"]["pretrain_loss"] = "l1"
    (tmp_path / "config.json").write_text(json.dumps(data, indent=2))
    old = load_config(tmp_path)
    assert old.loss.pixel == "l1" and old.loss.pixel_weight == 0.01
    check_resumable(RunDir(tmp_path), apply_overrides(old, []))  # the same training: no error
    assert apply_overrides(get_preset("demo"), ["loss.pretrain_loss=l1"]).loss.pixel == "l1"  # --set too
    data["loss"]["pixel"] = "mse"
    with pytest.raises(SRGANError, match="both loss.pixel and its old name loss.pretrain_loss"):
        config_from_dict(data)


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


def test_every_registry_entry_names_code_that_exists():
    """The config's names are the code's: each registry entry resolves to a function."""
    from srgan_tf.config import ADVERSARIAL_LOSSES, ARCHITECTURES, DEGRADATIONS, PIXEL_LOSSES, resolve

    entries = [*PIXEL_LOSSES.values(), *DEGRADATIONS.values()]
    entries += [e for loss in ADVERSARIAL_LOSSES.values() for e in (loss.generator, loss.discriminator)]
    entries += [e for a in ARCHITECTURES.values() for e in (a.builder, a.subpixel_tail) if e is not None]
    for entry in entries:
        assert callable(resolve(entry)), entry


def test_reading_a_config_imports_no_code_a_registry_names():
    # The registry names builders as "module:function" strings: reading, overriding and checking
    # a config must import none of them, nor TensorFlow.
    code = (
        "import sys; from srgan_tf.config import apply_overrides, load_config; "
        "apply_overrides(load_config('esrgan_x4'), ['model.scale=2']); "
        "code = ('tensorflow', 'keras', 'srgan_tf.models', 'srgan_tf.training', 'srgan_tf.data'); "
        "print([m for m in sys.modules if m.startswith(code)])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
@pytest.mark.parametrize("override", ["data.val_max_images=0", "data.val_max_side=2"])
def test_cli_refuses_an_empty_validation_before_making_a_run_dir(override, tmp_path):
    import subprocess
    import sys

    tiny = ["model.num_blocks=1", "model.filters=8", "data.patch_size=32", "data.batch_size=2"]
    tiny += ["train.steps_per_epoch=2", "train.pretrain_steps=2", "train.steps=0"]
    args = [arg for setting in [*tiny, override] for arg in ("--set", setting)]
    result = subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", "train", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # the default run dir is runs/CONFIG under the current directory
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"},
    )
    key = override.split("=")[0]
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"srgan: error: {key} must be")
    assert not (tmp_path / "runs").exists()
