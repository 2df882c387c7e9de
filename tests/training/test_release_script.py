"""training/release.py's account of a run released from a checkpoint: the commands it prints
reproduce the same learning-rate schedule, and a run that continued another names that run."""

import importlib
import os
import shlex
import sys

import numpy as np
import pytest

from srgan_tf.config import apply_overrides, get_preset, save_config
from srgan_tf.training.builders import learning_rate_schedule

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def release():
    sys.path.insert(0, REPO)
    try:
        yield importlib.import_module("training.release")
    finally:
        sys.path.remove(REPO)


def _rates(config, steps):
    schedule = learning_rate_schedule(config, "gan")
    return [np.float32(schedule(step)) if callable(schedule) else np.float32(schedule) for step in range(steps)]


@pytest.mark.parametrize(
    ("steps", "decay_at", "stop"),
    [
        (2000, 0.5, 400),
        (2000, 0.5, 1000),
        (2000, 0.5, 1500),
        (2000, [0.25, 0.5, 0.75], 1600),
        (2000, [0.25, 0.5], 300),
        (3000, 0.5, 2600),  # 2600 * (1500 / 2600) is 1499.99…: the boundary must not move
        (6600, [0.125, 0.25], 3300),
    ],
)
def test_a_run_stopped_early_is_reproduced_with_its_schedule(release, steps, decay_at, stop):
    config = apply_overrides(
        get_preset("srgan_x4"), [f"train.steps={steps}", f"train.learning_rate_decay_at={decay_at}"]
    )
    words = shlex.split(release.stopped_at(config, stop))
    overrides = [words[i + 1] for i, word in enumerate(words) if word == "--set"]
    assert _rates(apply_overrides(config, overrides), stop) == _rates(config, stop)


def test_a_run_continued_from_a_checkpoint_names_its_parent(release, tmp_path):
    parent = apply_overrides(get_preset("srgan_x4"), ["train.steps=2000"]).replace(name="first_run")
    os.makedirs(tmp_path / "first")
    save_config(parent, tmp_path / "first" / "config.json")
    start = tmp_path / "first" / "checkpoints" / "gan" / "ckpt-400"
    child = apply_overrides(get_preset("srgan_x4"), [f"train.init={start}", "train.steps=600"])
    commands = release.train_commands(child.replace(name="second_run"), "~/corpus", stop=500)
    assert len(commands) == 2
    assert "--run-dir ~/srgan-runs/first_run --set train.steps=400" in commands[0]
    assert "--init ~/srgan-runs/first_run/checkpoints/gan/ckpt-400" in commands[1]
    assert "--set train.steps=500" in commands[1]
    assert "from first_run at step 400 [" in release.losses_text(child, "gan")
    assert "--val ~/corpus/val " in commands[0]


def test_the_commands_name_the_folder_the_run_validated_on_and_the_card_its_ema(release):
    config = apply_overrides(
        get_preset("srgan_x4"), ["data.val_dir=/data/corpus/select/", "train.ema_decay=0.999"]
    ).replace(name="selected")
    (command,) = release.train_commands(config, "~/corpus")
    assert "--data ~/corpus/train --val ~/corpus/select " in command
    assert "running average of the trained ones (EMA 0.999)" in release.losses_text(config, "gan")
    assert "EMA" not in release.losses_text(get_preset("srgan_x4"), "gan")


def test_the_corpus_selection_set_is_the_first_training_photos_by_name(tmp_path):
    sys.path.insert(0, REPO)
    try:
        build_corpus = importlib.import_module("training.build_corpus")
    finally:
        sys.path.remove(REPO)
    os.makedirs(tmp_path / "train")
    names = [f"{chr(ord('a') + i)}_{i}.png" for i in range(20)][::-1]
    for i, name in enumerate(names):
        (tmp_path / "train" / name).write_bytes(bytes([i]) * 10)
    (tmp_path / "train" / "notes.txt").write_text("not a photo")
    for _ in range(2):  # rewriting replaces the folder
        assert build_corpus.write_selection(tmp_path, count=16) == sorted(names)[:16]
    kept = sorted(os.listdir(tmp_path / "select"))
    assert kept == sorted(names)[:16]
    for name in kept:
        assert (tmp_path / "select" / name).read_bytes() == (tmp_path / "train" / name).read_bytes()
