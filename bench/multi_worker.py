"""Training throughput of 1 process vs 2 workers (MultiWorkerMirroredStrategy on loopback).

    python bench/multi_worker.py [--steps 40,120]

Same global batch (the demo preset's 8) in both; each timing is a whole
`srgan train` run of stage 1, and the per-step time is the difference between
a long and a short run divided by the step difference, so start-up, tracing
and the first checkpoint cancel out.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from common import machine_line, print_table  # noqa: E402

BASE = ["train", "--config", "demo", "--steps", "0", "--verbose", "0", "--set=train.checkpoint_every=1000"]


def timed(args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "srgan_tf.cli", *args], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", default="40,120")
    args = parser.parse_args()
    short, long = (int(s) for s in args.steps.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, prefix in [
            ("1 process", []),
            ("2 workers (launch-local)", ["launch-local", "--workers", "2", "--"]),
        ]:
            times = {}
            for steps in (short, long):
                run_dir = os.path.join(tmp, f"{len(prefix)}_{steps}")
                times[steps] = timed([*prefix, *BASE, "--pretrain-steps", str(steps), "--run-dir", run_dir])
            per_step = (times[long] - times[short]) / (long - short)
            rows.append((label, f"{per_step * 1000:.0f}", f"{1 / per_step:.1f}", f"{times[long]:.1f}"))
            print(rows[-1], flush=True)
    print(machine_line())
    print(f"demo preset stage 1, global batch 8; per step = (T({long}) - T({short})) / {long - short}\n")
    print_table(["setup", "ms/step", "steps/s", f"wall time of {long} steps (s)"], rows)


if __name__ == "__main__":
    main()
