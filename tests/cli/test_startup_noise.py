"""The scripts the README shows print no library start-up lines: TensorFlow's C++ runtime logs
("All log messages before absl::InitializeLog()", "cudart_stub… Could not find cuda drivers")
read as errors to someone trying the project."""

import os
import re
import subprocess
import sys

import keras
import pytest
from PIL import Image

from srgan_tf.assets import SAMPLE_VAL_DIR
from srgan_tf.models import build_generator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# absl's prefix (severity, date, time, thread, file:line]) and its notice before it is set up.
NATIVE_LOG = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|cudart_stub|cuda_drivers|cpu_feature_guard", re.M)


def _script(path, *args, cwd):
    # As a user starts it: none of the test session's TF_CPP_MIN_LOG_LEVEL or PYTHONWARNINGS.
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONWARNINGS")}
    command = [sys.executable, os.path.join(REPO, path), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.mark.slow
def test_bench_quality_runs_without_start_up_lines(tmp_path):
    # What `make demo` runs, on a tiny model and one small photo so that TensorFlow really runs.
    keras.utils.set_random_seed(0)
    build_generator(4, 1, 8).save(tmp_path / "generator.keras")
    (tmp_path / "val").mkdir()
    Image.open(os.path.join(SAMPLE_VAL_DIR, "coffee.png")).crop((0, 0, 64, 48)).save(tmp_path / "val" / "coffee.png")
    result = _script("bench/quality.py", "generator.keras", "--data", "val", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "mean Y-PSNR" in result.stdout
    assert not NATIVE_LOG.search(result.stderr), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("path", ["training/evaluate_card.py", "training/release.py", "bench/train_step.py"])
def test_scripts_load_tensorflow_without_start_up_lines(path, tmp_path):
    result = _script(path, "--help", cwd=tmp_path)  # their imports load TensorFlow before argparse runs
    assert result.returncode == 0, result.stderr
    assert not NATIVE_LOG.search(result.stderr), result.stderr
