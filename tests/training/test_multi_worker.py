"""Multi-worker training on loopback: chief-only writes, replica agreement, surviving a killed worker."""

import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY

from srgan_tf.training.run_dir import RunDir

pytestmark = pytest.mark.slow

TRAIN = ["train", "--config", "demo", "--verbose", "0", "--steps", "0", *(f"--set={o}" for o in TINY)]


def _launch(run_dir, steps, workers=2, extra=(), tmpdir=None, **kwargs):
    args = [
        sys.executable,
        "-m",
        "srgan_tf.cli",
        "launch-local",
        "--workers",
        str(workers),
        "--grace",
        "90",
        "--",
        *TRAIN,
        "--run-dir",
        str(run_dir),
        "--pretrain-steps",
        str(steps),
        *extra,
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"}
    if tmpdir:
        os.makedirs(tmpdir, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def _weights(path, trainable_only=False):
    import srgan_tf.models  # noqa: F401

    model = keras.models.load_model(path)
    return [w.numpy() for w in (model.trainable_weights if trainable_only else model.weights)]


MIRRORED_REFERENCE = """
import sys
from conftest import TINY  # also splits the CPU into two logical devices
import tensorflow as tf
import srgan_tf.training.trainer as trainer
from srgan_tf.config import apply_overrides, get_preset
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
trainer.make_strategy = lambda *args: strategy
config = apply_overrides(get_preset("demo"), [*TINY, "train.pretrain_steps=6", "train.steps=0"])
trainer.train(config, sys.argv[1], verbose=0)
"""


def _flat(weights):
    return np.concatenate([w.ravel() for w in weights])


def _initial_weights():
    """The seeded initial weights both runs started from (same seed, same config)."""
    from srgan_tf.config import apply_overrides, get_preset
    from srgan_tf.models import build_generator

    config = apply_overrides(get_preset("demo"), TINY)
    keras.utils.set_random_seed(config.train.seed)
    m = config.model
    return [w.numpy() for w in build_generator(m.scale, m.num_blocks, m.filters).trainable_weights]


def test_two_workers_agree_and_match_one(tmp_path):
    """Both stages, handover included: stage 2 starts on every worker from the same stage-1 weights."""
    process = _launch(tmp_path / "two", 6, extra=["--steps", "4"], tmpdir=tmp_path / "tmp")
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output[-3000:]
    chief = RunDir(tmp_path / "two")
    assert os.path.exists(chief.srresnet) and os.path.exists(chief.csv("pretrain"))
    assert os.path.exists(chief.generator) and os.path.exists(chief.csv("gan"))
    assert tf.train.latest_checkpoint(chief.checkpoints("gan")).endswith("ckpt-4")
    assert os.listdir(tmp_path / "tmp") == []  # the other worker's scratch copies are gone

    # Single-process reference with the same global batch of 4 over 2 replicas (two logical
    # CPUs), so BatchNorm sees the same 2-image batches as each worker did. In its own process:
    # collectives of two strategies in one process can collide.
    reference = subprocess.run(
        [sys.executable, "-c", MIRRORED_REFERENCE, str(tmp_path / "one")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # tests/, where conftest is
        env={**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert reference.returncode == 0, reference.stderr[-3000:]
    initial = _flat(_initial_weights())
    one = _flat(_weights(RunDir(tmp_path / "one").srresnet, True))
    two = _flat(_weights(chief.srresnet, True))
    relative = np.linalg.norm(two - one) / np.linalg.norm(one - initial)
    print(f"2 workers vs 1 process with 2 replicas: |w2 - w1| / |w1 - w0| = {relative:.2e}")
    assert relative < 1e-3


def _csv_steps(run, stage):
    import csv

    with open(run.csv(stage), newline="") as f:
        return [int(row["step"]) for row in csv.DictReader(f)]


@pytest.mark.parametrize("stage", ["pretrain", "gan"])
def test_killed_worker_stops_the_job_and_restart_resumes(tmp_path, stage):
    run = RunDir(tmp_path / "run")
    extra = ["--set=train.collective_timeout=20", "--set=train.checkpoint_every=4"]
    # Stage 2's case: a short stage 1, then the kill during the 60 steps of stage 2.
    steps, extra = (60, extra) if stage == "pretrain" else (4, [*extra, "--steps", "60"])
    process = _launch(run.root, steps, extra=extra, start_new_session=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not tf.train.latest_checkpoint(run.checkpoints(stage)):
            time.sleep(0.1)
        assert tf.train.latest_checkpoint(run.checkpoints(stage)), "no checkpoint appeared"
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) == 2
        killed_at = time.time()
        os.kill(int(workers[1]), signal.SIGKILL)
        output, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    noticed = time.time() - killed_at
    saved = int(tf.train.latest_checkpoint(run.checkpoints(stage)).rsplit("-", 1)[1])
    reached = max(_csv_steps(run, stage), default=saved)
    print(f"survivor stopped {noticed:.1f}s after the kill; last checkpoint {saved}, last logged step {reached}")
    assert process.returncode != 0
    assert f"[worker 0] srgan: error: [{stage}] lost contact with another worker" in output, output[-3000:]
    print(next(line for line in output.splitlines() if "lost contact" in line))
    assert noticed < 90  # the survivor stopped by itself, before the launcher's grace period ran out
    assert saved < 60

    restart = _launch(run.root, steps, extra=extra)  # the same command again
    output, _ = restart.communicate(timeout=600)
    assert restart.returncode == 0, output[-3000:]
    assert tf.train.latest_checkpoint(run.checkpoints(stage)).endswith("ckpt-60")
    # Resumed, not restarted: the log keeps the steps up to the checkpoint and continues from there.
    assert _csv_steps(run, stage) == list(range(2, 61, 2))
    print(f"steps redone after restart: {max(reached - saved, 0)}")
