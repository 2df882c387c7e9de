"""Which CPU kernels TensorFlow runs: oneDNN's for training, Eigen's for inference.

TensorFlow 2.21 picks its CPU kernels once, when it is imported, from
``TF_ENABLE_ONEDNN_OPTS`` (off by default on this project's AMD Zen 4 machines). Measured
there in one session, 2 cores: the paper's training steps (batch 16, 96 px) take 1.70 s
(stage 1) and 6.82 s (stage 2) with oneDNN against 3.41 s and 13.65 s with Eigen, but
batch-1 inference is up to 10x slower with oneDNN — its 9x9 convolution to 3 channels on
one 512x512 map took 5.5-8 s against Eigen's 0.3 s, so the shipped generator needed 9.4 s
for a 128x128 input instead of 0.95 s. So each ``srgan`` command chooses before TensorFlow
loads; a value the user set is always kept.
"""

import os
import sys

WORKLOADS = {"training": "1", "inference": "0"}


def choose_cpu_kernels(workload):
    """Sets ``TF_ENABLE_ONEDNN_OPTS`` for ``workload`` ("training" or "inference") unless the
    user set it. Returns False when TensorFlow is already imported (too late to choose)."""
    if "tensorflow" in sys.modules:
        return False
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", WORKLOADS[workload])
    return True
