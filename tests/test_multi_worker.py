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

from srgan_tf.trainer import RunDir

pytestmark = pytest.mark.slow

TRAIN = ["train", "--config", "demo", "--verbose", "0", "--steps", "0", *(f"--set={o}" for o in TINY)]


def _launch(run_dir, steps, workers=2, extra=(), **kwargs):
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
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def _weights(path):
    import srgan_tf.models  # noqa: F401

    return keras.models.load_model(path).get_weights()


def test_two_workers_agree_and_match_one(tmp_path):
    process = _launch(tmp_path / "two", 6)
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output[-3000:]
    chief = RunDir(tmp_path / "two")
    assert os.path.exists(chief.srresnet) and os.path.exists(chief.csv("pretrain"))
    scratch = [
        line.split("generator: ")[1].strip()
        for line in output.splitlines()
        if line.startswith("[worker 1]") and "generator: " in line
    ]
    assert scratch and not scratch[0].startswith(str(tmp_path))  # the other worker wrote elsewhere
    other = os.path.join(os.path.dirname(scratch[0]), "srresnet.keras")
    for a, b in zip(_weights(chief.srresnet), _weights(other)):
        np.testing.assert_array_equal(a, b)

    single = subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", *TRAIN, "--run-dir", str(tmp_path / "one"), "--pretrain-steps", "6"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert single.returncode == 0, single.stderr[-2000:]
    # Same global batch of 4; the replicas normalise with batch statistics of 2 images each,
    # so the weights are close, not equal.
    two, one = _weights(chief.srresnet), _weights(RunDir(tmp_path / "one").srresnet)
    relative = max(np.abs(a - b).max() / (np.abs(b).max() + 1e-12) for a, b in zip(two, one))
    print(f"max relative weight difference, 2 workers vs 1: {relative:.2e}")
    assert relative < 0.05


def test_killed_worker_stops_the_job_and_restart_resumes(tmp_path):
    run = RunDir(tmp_path / "run")
    extra = ["--set=train.collective_timeout=20", "--set=train.checkpoint_every=4"]
    process = _launch(run.root, 400, extra=extra, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and not tf.train.latest_checkpoint(run.checkpoints("pretrain")):
        time.sleep(0.2)
    assert tf.train.latest_checkpoint(run.checkpoints("pretrain")), "no checkpoint appeared"
    workers = subprocess.run(
        ["pgrep", "-f", f"--run-dir {run.root}", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    assert len(workers) == 2
    killed_at = time.time()
    os.kill(int(workers[1]), signal.SIGKILL)
    output, _ = process.communicate(timeout=300)
    noticed = time.time() - killed_at
    print(f"surviving worker stopped {noticed:.1f}s after the kill")
    assert process.returncode != 0
    assert "[worker 0] srgan: error: [pretrain] lost contact with another worker" in output, output[-3000:]
    assert noticed < 90  # the survivor stopped by itself, before the launcher's grace period ran out
    saved = int(tf.train.latest_checkpoint(run.checkpoints("pretrain")).rsplit("-", 1)[1])

    restart = _launch(run.root, saved + 8, extra=extra)
    output, _ = restart.communicate(timeout=600)
    assert restart.returncode == 0, output[-3000:]
    assert f"resuming at step {saved}" in output
    assert tf.train.latest_checkpoint(run.checkpoints("pretrain")).endswith(f"ckpt-{saved + 8}")
