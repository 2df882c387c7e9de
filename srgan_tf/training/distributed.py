"""Multi-worker roles and a local launcher for ``tf.distribute.MultiWorkerMirroredStrategy``.

Conventions of the TensorFlow multi-worker guide: the cluster comes from
``TF_CONFIG``; the chief (task ``chief``, or ``worker`` 0 when there is none)
writes the run directory; the other workers read the chief's checkpoints
(shared storage) and write their own copies to a temporary directory, because
saving a distributed checkpoint is a collective every worker must join.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def task_of(strategy):
    """``(task_type, task_id)`` of this process, or ``(None, 0)`` outside a cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return None, 0
    return resolver.task_type, resolver.task_id or 0


def is_chief(strategy):
    task_type, task_id = task_of(strategy)
    if task_type is None:
        return True
    jobs = strategy.cluster_resolver.cluster_spec().as_dict()
    if "chief" in jobs:
        return task_type == "chief"
    return task_type == "worker" and task_id == 0


def worker_scratch_dir(strategy, run_dir):
    """A non-chief worker's scratch directory for ``run_dir``, emptied first.

    One fixed path per (run dir, task), so a restarted worker reuses it instead of
    leaving another full set of checkpoints behind; the trainer removes it at the end.
    """
    task_type, task_id = task_of(strategy)
    digest = hashlib.sha256(os.path.abspath(run_dir).encode()).hexdigest()[:12]
    path = os.path.join(tempfile.gettempdir(), f"srgan-{digest}-{task_type}{task_id}")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_configs(count):
    """One ``TF_CONFIG`` per worker for a cluster on loopback."""
    workers = [f"127.0.0.1:{port}" for port in free_ports(count)]
    return [json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}) for i in range(count)]


def _pump(stream, prefix, sink):
    for line in iter(stream.readline, ""):
        sink.write(f"{prefix} {line}")
        sink.flush()
    stream.close()


def launch_local(count, cli_args, grace_seconds=60, print_fn=print):
    """Runs ``srgan <cli_args>`` as ``count`` workers on 127.0.0.1; returns the worst exit code.

    Output lines are prefixed ``[worker i]``. When one worker fails, the others
    get ``grace_seconds`` to notice by themselves (the strategy's collective
    timeout and health checks) before they are terminated.
    """
    processes, pumps = [], []
    for index, config in enumerate(tf_configs(count)):
        env = {**os.environ, "TF_CONFIG": config}
        process = subprocess.Popen(
            [sys.executable, "-m", "srgan_tf.cli", *cli_args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        pump = threading.Thread(target=_pump, args=(process.stdout, f"[worker {index}]", sys.stdout), daemon=True)
        pump.start()
        processes.append(process)
        pumps.append(pump)
    deadline = None
    while any(p.poll() is None for p in processes):
        failed = [i for i, p in enumerate(processes) if p.poll() not in (None, 0)]
        if failed and deadline is None:
            deadline = time.time() + grace_seconds
            print_fn(
                f"launch-local: worker {failed[0]} exited with {processes[failed[0]].returncode}; "
                f"waiting up to {grace_seconds}s for the others"
            )
        if deadline is not None and time.time() > deadline:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            break
        time.sleep(0.2)
    codes = [p.wait() for p in processes]
    for pump in pumps:
        pump.join(timeout=5)
    print_fn(f"launch-local: exit codes {codes}")
    return max((abs(c) for c in codes), default=0)
