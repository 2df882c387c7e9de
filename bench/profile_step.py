"""Where a training step's time goes: TensorFlow's profiler, summed by op type and by network.

    python bench/profile_step.py --peer PATH_TO_CHECKOUT [--rows gan,pretrain] [--sides peer,srgan_tf]

The steps are bench/peer.py's cells (same models, batch, kernels: oneDNN), each side in its own
process. After a traced warm-up, ``2 + peer.STEPS`` steps run under ``tf.profiler.experimental``
(wall time: the median of the last ``peer.STEPS``); the trace's host TensorFlow-op events are summed
per step per op type and per
network (the op's first name scope: the model or optimizer it belongs to) and printed as
milliseconds per step with their share. Ops run in parallel on the two cores' inter-op threads,
so shares are of summed op time, not of wall time (printed beside it).
"""

import argparse
import collections
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

TOP = 12


def _network(op_name):
    """The model (or optimizer) an op belongs to: the first name scope inside the step function,
    past the gradient tape's, without Keras's call-count suffix."""
    parts = [part for part in op_name.split("/") if part not in ("StatefulPartitionedCall", "gradient_tape")]
    scope = parts[0] if len(parts) > 1 else "step (loose ops)"
    return re.sub(r"_\d+$", "", scope)


def _summarise(logdir, steps):
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    by_type, by_network, by_both = collections.Counter(), collections.Counter(), collections.Counter()
    for path in glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True):
        space = xplane_pb2.XSpace()
        with open(path, "rb") as handle:
            space.ParseFromString(handle.read())
        for plane in space.planes:
            if plane.name != "/host:CPU":
                continue
            names = {key: meta.name for key, meta in plane.event_metadata.items()}
            for line in plane.lines:
                if not line.name.startswith("tf_Compute"):
                    continue
                for event in line.events:
                    # TensorFlow op events are named "op_name:OpType"; executor events have "::".
                    name = names.get(event.metadata_id, "")
                    if ":" not in name or "::" in name:
                        continue
                    op_name, _, op_type = name.rpartition(":")
                    milliseconds = event.duration_ps / 1e9
                    by_type[op_type] += milliseconds
                    by_network[_network(op_name)] += milliseconds
                    by_both[f"{_network(op_name)} {op_type}"] += milliseconds
    return {
        name: {key: value / steps for key, value in counts.items()}
        for name, counts in (("by_type", by_type), ("by_network", by_network), ("by_network_and_type", by_both))
    }


def worker(side, row, peer):
    import tensorflow as tf
    from peer import STEPS, _ours_cell, _peer_cell

    step_times = _peer_cell(row, peer) if side == "peer" else _ours_cell(row)
    step_times(1)
    logdir = tempfile.mkdtemp(prefix="srgan-profile-")
    tf.profiler.experimental.start(logdir)
    wall = statistics.median(step_times(STEPS))  # after 2 warm-up steps, also profiled
    tf.profiler.experimental.stop()
    print(json.dumps({"wall_ms": wall * 1000, **_summarise(logdir, 2 + STEPS)}))


def _profile(side, row, peer):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "TF_ENABLE_ONEDNN_OPTS": "1"}
    command = [sys.executable, __file__, "--worker", side, row, "--peer", peer]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"profile_step: error: {side} {row} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _table(title, results, key, sides):
    from common import print_table

    totals = {side: sum(results[side][key].values()) for side in sides}
    names = {name for side in sides for name in results[side][key]}
    names = sorted(names, key=lambda name: -max(results[side][key].get(name, 0) for side in sides))
    rows = []
    for name in names[:TOP]:
        cells = [name]
        for side in sides:
            ms = results[side][key].get(name, 0.0)
            cells.append(f"{ms:.0f} ms ({100 * ms / totals[side]:.0f} %)")
        rows.append(cells)
    rows.append(["all ops (summed over threads)", *(f"{totals[side]:.0f} ms" for side in sides)])
    rows.append(["wall time per step", *(f"{results[side]['wall_ms']:.0f} ms" for side in sides)])
    print(f"\n{title}\n")
    print_table(["", *sides], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", required=True, help="a checkout of krasserm/super-resolution")
    parser.add_argument("--rows", default="gan,pretrain")
    parser.add_argument("--sides", default="peer,srgan_tf")
    parser.add_argument("--worker", nargs=2, metavar=("SIDE", "ROW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        return worker(*args.worker, args.peer)

    from common import machine_line

    sides = args.sides.split(",")
    print(machine_line())
    for row in args.rows.split(","):
        load = os.getloadavg()[0]
        results = {side: _profile(side, row, args.peer) for side in sides}
        title = f"{row} step, per step (load average {load:.2f} / {os.getloadavg()[0]:.2f})"
        _table(f"{title}: by network", results, "by_network", sides)
        _table(f"{title}: by op type (top {TOP})", results, "by_type", sides)
        _table(f"{title}: by network and op type (top {TOP})", results, "by_network_and_type", sides)


if __name__ == "__main__":
    sys.exit(main())
