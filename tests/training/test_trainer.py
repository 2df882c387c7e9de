"""The trainer and its callbacks: run dir, resume, kill -9, determinism, NaN guard, GAN health."""

import csv
import os
import signal
import subprocess
import sys
import time
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from srgan_tf import SRGANError
from srgan_tf.config import apply_overrides, save_config
from srgan_tf.models import build_generator
from srgan_tf.training.callbacks import CheckpointSaver, GANHealth, NonFiniteGuard
from srgan_tf.training.gan import SRGAN
from srgan_tf.training.run_dir import RunDir
from srgan_tf.training.trainer import train


def _steps_in_csv(path):
    with open(path, newline="") as f:
        return [int(row["step"]) for row in csv.DictReader(f)]


@pytest.mark.slow
def test_two_stages_fill_the_run_dir(tiny_config, tmp_path):
    config = apply_overrides(tiny_config, ["train.pretrain_steps=6", "train.steps=4"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = train(config, tmp_path / "run", verbose=0)
    run = RunDir(tmp_path / "run")
    assert path == run.generator and os.path.exists(run.srresnet)
    generator = keras.models.load_model(run.generator, safe_mode=True)
    assert generator(np.zeros((1, 5, 7, 3), np.float32)).shape == (1, 20, 28, 3)
    assert sorted(os.listdir(run.checkpoints("pretrain")))[0] == "checkpoint"
    assert tf.train.latest_checkpoint(run.checkpoints("gan")).endswith("ckpt-4")
    samples = os.listdir(run.samples)
    assert "pretrain_loss_curves.png" in samples and "gan_step0000004.png" in samples
    assert _steps_in_csv(run.csv("pretrain")) == [2, 4, 6]  # train.log_every=2
    assert os.listdir(run.logs("gan"))  # TensorBoard events


@pytest.mark.slow
def test_rerun_resumes_and_extends(tiny_config, tmp_path):
    run_dir = tmp_path / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(apply_overrides(tiny_config, ["train.pretrain_steps=4", "train.steps=0"]), run_dir, verbose=0)
        first = keras.models.load_model(RunDir(run_dir).srresnet).get_weights()
        # Same run, longer schedule: continues at step 4, not from scratch.
        train(apply_overrides(tiny_config, ["train.pretrain_steps=8", "train.steps=0"]), run_dir, verbose=0)
    assert tf.train.latest_checkpoint(RunDir(run_dir).checkpoints("pretrain")).endswith("ckpt-8")
    assert _steps_in_csv(RunDir(run_dir).csv("pretrain")) == [2, 4, 6, 8]
    second = keras.models.load_model(RunDir(run_dir).srresnet).get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(first, second))


@pytest.mark.slow
def test_stage_two_never_starts_from_random_weights_silently(tiny_config, tmp_path):
    config = apply_overrides(tiny_config, ["train.pretrain_steps=0", "train.steps=2"])
    with pytest.raises(SRGANError, match="would start from random weights.*--init"):
        train(config, tmp_path / "run", verbose=0)
    assert not os.path.exists(RunDir(tmp_path / "run").generator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(apply_overrides(config, ["train.random_init=true"]), tmp_path / "run", verbose=0)
    assert os.path.exists(RunDir(tmp_path / "run").generator)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["pretrain", "gan"])
def test_init_starts_the_generator_from_given_weights(tiny_config, tmp_path, stage):
    """With a zero learning rate, the trained convolutions must equal the --init ones exactly."""
    keras.utils.set_random_seed(3)
    source = build_generator(4, 1, 8)
    source.save(tmp_path / "init.keras")
    steps = (
        ["train.pretrain_steps=2", "train.steps=0"]
        if stage == "pretrain"
        else ["train.pretrain_steps=0", "train.steps=2"]
    )
    config = apply_overrides(
        tiny_config,
        [*steps, f"train.init={tmp_path / 'init.keras'}", "train.pretrain_learning_rate=0", "train.learning_rate=0"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(config, tmp_path / "run", verbose=0)
    trained = keras.models.load_model(RunDir(tmp_path / "run").generator, safe_mode=True)
    kernels = [v.path for v in source.weights if v.path.endswith("kernel")]
    assert kernels
    for name in kernels:
        (a,) = [v for v in source.weights if v.path == name]
        (b,) = [v for v in trained.weights if v.path == name]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    wrong = apply_overrides(config, ["model.filters=16"])
    with pytest.raises(SRGANError, match="does not match model"):
        train(wrong, tmp_path / "other", verbose=0)


@pytest.mark.slow
def test_spectral_discriminator_resumes_and_a_checkpoint_starts_another_run(tiny_config, tmp_path):
    """A GAN stage with the spectrally normalised discriminator checkpoints and resumes (its
    power-iteration vectors included); any of its checkpoints is a generator to start from."""
    from srgan_tf.training.builders import generator_from_checkpoint

    config = apply_overrides(
        tiny_config, ["model.discriminator_norm=spectral", "train.pretrain_steps=0", "train.random_init=true"]
    )
    run = RunDir(tmp_path / "run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(apply_overrides(config, ["train.steps=2"]), run.root, verbose=0)
        train(apply_overrides(config, ["train.steps=4"]), run.root, verbose=0)
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(run.checkpoints("gan")))
    vectors = [name for name in reader.get_variable_to_shape_map() if "singular_vector" in name]
    assert len(vectors) == 10  # 8 convolutions, 2 dense layers
    final = keras.models.load_model(run.generator, safe_mode=True).get_weights()
    last = generator_from_checkpoint(os.path.join(run.checkpoints("gan"), "ckpt-4")).get_weights()
    for a, b in zip(final, last):
        np.testing.assert_array_equal(a, b)
    earlier = generator_from_checkpoint(os.path.join(run.checkpoints("gan"), "ckpt-2")).get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(earlier, last))

    start = os.path.join(run.checkpoints("gan"), "ckpt-2")
    frozen = apply_overrides(config, ["train.steps=2", f"train.init={start}", "train.learning_rate=0"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(frozen, tmp_path / "second", verbose=0)
    started = keras.models.load_model(RunDir(tmp_path / "second").generator, safe_mode=True)
    source = generator_from_checkpoint(start)
    kernels = [(a, b) for a, b in zip(source.weights, started.weights) if a.path.endswith("kernel")]
    assert kernels  # at a zero learning rate only BatchNorm's moving statistics move
    for a, b in kernels:
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(SRGANError, match="not a checkpoint in a run dir"):
        generator_from_checkpoint(tmp_path / "nowhere" / "ckpt-1")


class _LiveWeights(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.snapshots = []

    def on_train_batch_end(self, batch, logs=None):
        self.snapshots.append([v.numpy().copy() for v in self.model.generator.trainable_variables])


@pytest.mark.slow
def test_weight_ema_survives_resume_and_is_what_the_run_saves(tiny_config, tmp_path):
    """generator.keras and the checkpoints' generator are the running average of the trained
    weights, step by step across a resume; turning the EMA off in the same run dir is refused."""
    from srgan_tf.training.builders import generator_from_checkpoint

    config = apply_overrides(
        tiny_config,
        ["train.pretrain_steps=0", "train.random_init=true", "train.ema_decay=0.5", "train.deterministic=true"],
    )
    run, live = RunDir(tmp_path / "run"), _LiveWeights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(apply_overrides(config, ["train.steps=2"]), run.root, verbose=0, extra_callbacks=[live])
        train(apply_overrides(config, ["train.steps=4"]), run.root, verbose=0, extra_callbacks=[live])
    assert len(live.snapshots) == 4
    average = [w.copy() for w in live.snapshots[0]]
    for weights in live.snapshots[1:]:
        average = [0.5 * a + 0.5 * w for a, w in zip(average, weights)]
    saved = keras.models.load_model(run.generator, safe_mode=True)
    from_checkpoint = generator_from_checkpoint(os.path.join(run.checkpoints("gan"), "ckpt-4"))
    for model in (saved, from_checkpoint):
        assert model.trainable and len(model.trainable_variables) == len(average)  # saved as a trainable generator
        for got, want in zip(model.trainable_variables, average):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)
    assert any(not np.allclose(a, b) for a, b in zip(average, live.snapshots[-1]))
    with pytest.raises(SRGANError, match="ema_decay"):
        train(apply_overrides(config, ["train.steps=6", "train.ema_decay=0"]), run.root, verbose=0)


def test_run_dir_refuses_a_different_model(tiny_config, tmp_path):
    save_config(tiny_config, tmp_path / "config.json")
    with pytest.raises(SRGANError, match="different model config"):
        train(apply_overrides(tiny_config, ["model.filters=16"]), tmp_path, verbose=0)


def test_missing_vgg_weights_fail_before_stage_one(tiny_config, tmp_path):
    config = apply_overrides(tiny_config, ["loss.content=vgg54", f"loss.vgg_weights={tmp_path / 'none.h5'}"])
    start = time.perf_counter()
    with pytest.raises(SRGANError, match="VGG19 weights file not found"):
        train(config, tmp_path / "run", verbose=0)
    assert not os.path.exists(RunDir(tmp_path / "run").checkpoints("pretrain"))
    assert time.perf_counter() - start < 30


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    keras.utils.set_random_seed(0)
    model = SRGAN(build_generator(4, 1, 8))
    model.compile(keras.optimizers.Adam(1e-3))
    checkpoint = tf.train.Checkpoint(generator=model.generator, step=model.step)
    manager = tf.train.CheckpointManager(checkpoint, tmp_path, max_to_keep=3)
    lr = np.random.default_rng(0).random((5, 4, 8, 8, 3), dtype=np.float32)
    hr = np.zeros((5, 4, 32, 32, 3), np.float32)
    hr[3, 0, 0, 0, 0] = np.nan  # the 4th batch is poisoned
    data = tf.data.Dataset.from_tensor_slices((lr, hr))
    callbacks = [NonFiniteGuard(lambda: manager.latest_checkpoint), CheckpointSaver(manager, every=1)]
    with pytest.raises(SRGANError, match=r"non-finite pixel_loss at step 4.*ckpt-3"):
        model.fit(data, epochs=1, callbacks=callbacks, verbose=0)
    assert manager.latest_checkpoint.endswith("ckpt-3")
    checkpoint.restore(manager.latest_checkpoint)
    assert all(np.isfinite(w).all() for w in model.generator.get_weights())


def test_gan_health_warns_once_when_discriminator_wins(srgan_warnings):
    health = GANHealth(patience=5)
    won = {"d_real": 0.999, "d_fake": 0.001, "g_loss": 1.0, "d_loss": 0.01}
    for step in range(12):
        health.on_train_batch_end(step, {**won, "g_loss": 1.0 + step})
    assert len(srgan_warnings) == 1 and "discriminator has won for 5 steps" in srgan_warnings[0]
    healthy = GANHealth(patience=5)
    for step in range(12):
        healthy.on_train_batch_end(step, {"d_real": 0.7, "d_fake": 0.3, "g_loss": 1.0 + step, "d_loss": 1.2})
    assert len(srgan_warnings) == 1


CLI_TINY = [
    "--set=model.num_blocks=1",
    "--set=model.filters=8",
    "--set=data.patch_size=32",
    "--set=data.batch_size=4",
    "--set=data.patches_per_image=2",
    "--set=data.val_max_images=1",
    "--set=data.val_max_side=32",
    "--set=train.steps_per_epoch=5",
    "--set=train.checkpoint_every=5",
]


def _srgan(args, background=False, **kwargs):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "srgan_tf.cli", *args]
    if background:
        return subprocess.Popen(command, env=env, **kwargs)
    return subprocess.run(command, env=env, **kwargs)


def _train_args(run_dir, steps):
    return ["train", "--config", "demo", *CLI_TINY, "--run-dir", str(run_dir), "--pretrain-steps", str(steps)]


@pytest.mark.slow
def test_kill_9_then_resume_equals_uninterrupted_run(tmp_path):
    """SIGKILL mid-run, re-run the same command: it resumes and ends bit-identical to a clean run."""
    args = ["--steps", "0", "--deterministic", "--verbose", "0"]
    clean = _srgan(_train_args(tmp_path / "clean", 30) + args, capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr[-2000:]

    run = RunDir(tmp_path / "killed")
    process = _srgan(_train_args(run.root, 30) + args, True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        latest = tf.train.latest_checkpoint(run.checkpoints("pretrain"))
        if latest and int(latest.rsplit("-", 1)[1]) >= 10:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = int(tf.train.latest_checkpoint(run.checkpoints("pretrain")).rsplit("-", 1)[1])
    assert 10 <= killed_at < 30 and not os.path.exists(run.srresnet)

    resumed = _srgan(_train_args(run.root, 30) + args, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a = keras.models.load_model(RunDir(tmp_path / "clean").srresnet).get_weights()
    b = keras.models.load_model(run.srresnet).get_weights()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.slow
def test_cli_reports_are_clean_lines_and_logs_have_no_progress_bars(tmp_path, train_photo):
    """PYTHONWARNINGS=ignore must not hide skipped files; stdout to a file gets epoch lines, no redraws."""
    from imagefiles import make_messy_folder

    make_messy_folder(tmp_path / "messy", train_photo)
    log = tmp_path / "train.log"
    with open(log, "w") as stdout:
        result = _srgan(
            [*_train_args(tmp_path / "run", 5), "--steps", "0", "--data", str(tmp_path / "messy")],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    warning_lines = [line for line in result.stderr.splitlines() if line.startswith("srgan: warning: ")]
    assert any("skipped 3 of 8 files" in line for line in warning_lines)
    assert "UserWarning" not in result.stderr and "warnings.warn" not in result.stderr
    text = log.read_text()
    assert "5/5 - " in text and "val_psnr" in text and "\x1b" not in text and "\r" not in text and "\b" not in text
    # LPIPS-Alex is validated beside PSNR when its weights are installed, and said otherwise.
    from srgan_tf.pretrained import imagenet_weights

    if imagenet_weights.is_installed():
        value = float(text.split("val_lpips: ")[1].split()[0])
        assert 0.0 < value < 1.0
    else:
        assert any("validation without LPIPS" in line for line in warning_lines)


@pytest.mark.slow
def test_cli_user_errors_exit_2_with_one_line(tmp_path):
    result = _srgan(["train", "--config", "nope"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "srgan: error: unknown preset 'nope'; choose one of srgan_x4, srresnet_x4, demo, finetune_x4, esrgan_x4 "
        "or a .json/.yaml file"
    ]
    # In its own directory: the default run dir is runs/CONFIG under the current one.
    result = _srgan(
        ["train", "--data", str(tmp_path / "missing")], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 2 and "image folder not found" in result.stderr
    assert not (tmp_path / "runs").exists()  # a run that cannot start leaves no run dir behind


@pytest.mark.slow
def test_steps_per_execution_keeps_checkpoints_logs_and_stop_exact(tiny_config, tmp_path):
    # With 4 steps per call Keras reports steps 4, 8, 12, ...: intervals that are not multiples
    # of 4 must still be honoured when crossed, and the run must stop at its configured step.
    config = apply_overrides(
        tiny_config,
        [
            "train.pretrain_steps=16",
            "train.steps=8",
            "train.steps_per_epoch=8",
            "train.steps_per_execution=4",
            "train.checkpoint_every=6",
            "train.log_every=3",
            "train.keep_checkpoints=5",
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(config, tmp_path / "run", verbose=0)
    run = RunDir(tmp_path / "run")
    kept = tf.train.get_checkpoint_state(run.checkpoints("pretrain")).all_model_checkpoint_paths
    assert [int(path.rsplit("-", 1)[1]) for path in kept] == [8, 12, 16]  # crossed 6, 12, 18 → end
    assert _steps_in_csv(run.csv("pretrain")) == [4, 8, 12, 16]  # every 4th step crosses a multiple of 3
    assert _steps_in_csv(run.csv("gan")) == [4, 8]
    assert tf.train.latest_checkpoint(run.checkpoints("gan")).endswith("ckpt-8")


def test_steps_per_execution_must_divide_the_schedule(tiny_config):
    with pytest.raises(SRGANError, match="steps_per_execution"):
        apply_overrides(tiny_config, ["train.pretrain_steps=10", "train.steps_per_execution=4"])
