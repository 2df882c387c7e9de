"""The CPU-kernel choice: made before TensorFlow loads, per command, never over the user's."""

import os
import subprocess
import sys

import pytest

from srgan_tf.cli import COMMANDS


def _in_fresh_python(code, *args, **env):
    """The last line ``code`` prints, run in a new interpreter without our TF_ENABLE_ONEDNN_OPTS."""
    environ = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    environ.update(env, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, env=environ, capture_output=True, text=True, check=True).stdout.splitlines()[-1]


_CHOOSE_THEN_LOAD = """
import sys
from srgan_tf.cli.cpu_kernels import choose_cpu_kernels
assert choose_cpu_kernels(sys.argv[1])
from tensorflow.python.util import _pywrap_util_port
assert not choose_cpu_kernels("training")  # too late once TensorFlow is loaded
print(_pywrap_util_port.IsMklEnabled())
"""


@pytest.mark.slow
def test_training_loads_onednn_and_inference_eigen():
    # TensorFlow's own report of the kernels it loaded, not the variable we set.
    assert _in_fresh_python(_CHOOSE_THEN_LOAD, "training") == "True"
    assert _in_fresh_python(_CHOOSE_THEN_LOAD, "inference") == "False"


@pytest.mark.slow
def test_a_value_the_user_set_is_kept():
    assert _in_fresh_python(_CHOOSE_THEN_LOAD, "training", TF_ENABLE_ONEDNN_OPTS="0") == "False"


_RUN_COMMAND = """
import os, sys
from srgan_tf.cli import main
status = main(sys.argv[1:])
print(status, os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
"""


@pytest.mark.slow
def test_each_command_chooses_before_it_loads_tensorflow(tmp_path):
    # `train` fails on its config only after TensorFlow is loaded: the choice was made by then.
    assert _in_fresh_python(_RUN_COMMAND, "train", "--config", str(tmp_path / "missing.yaml")) == "2 1"
    assert _in_fresh_python(_RUN_COMMAND, "models") == "0 0"
    # The launcher's environment reaches its workers: it must not choose for them.
    assert COMMANDS["launch-local"].WORKLOAD is None
    assert {COMMANDS[name].WORKLOAD for name in ("train",)} == {"training"}
    assert {c.WORKLOAD for n, c in COMMANDS.items() if n not in ("train", "launch-local")} == {"inference"}


def test_the_command_line_parser_loads_no_tensorflow():
    # Every command module is imported to build `srgan --help`: none may start TensorFlow, or
    # the kernel choice above would come too late (and --help would take seconds).
    code = "import sys, srgan_tf.cli as cli; cli.build_parser(); print('tensorflow' in sys.modules)"
    assert _in_fresh_python(code) == "False"
