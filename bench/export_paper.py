"""Export parity and latency of the paper-size generator (16 blocks, 64 filters, x4).

    python bench/export_paper.py [--out DIR]

Random weights (seeded): trained weights are not shipped, and parity and speed
do not depend on what the weights learned (int8 accuracy does somewhat: see
the demo-trained row in docs/benchmarks.md for a trained model).
"""

import argparse
import os
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import keras  # noqa: E402
from common import machine_line  # noqa: E402

from srgan_tf.export import export_model  # noqa: E402
from srgan_tf.models import build_generator  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", help="keep the artifacts here (default: a temp dir)")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "generator.keras")
        build_generator(4, 16, 64).save(source)
        lines = []
        export_model(source, args.out or os.path.join(tmp, "export"), print_fn=lines.append)
    print(machine_line())
    print("paper-size generator (1,554,883 parameters), random weights; latency: 128x128 input, median of 5\n")
    print(lines[-1])


if __name__ == "__main__":
    main()
