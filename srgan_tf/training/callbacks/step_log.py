"""Per-step scalars to a CSV and TensorBoard, on the global step axis (resumed runs continue
the same curves)."""

import csv
import os

import numpy as np
import tensorflow as tf

from srgan_tf.training.callbacks.host_step import HostStep, scalar_logs
from srgan_tf.utils.atomic import atomic_path


class StepLogger(HostStep):
    """Scalars averaged over each ``every`` steps, to ``csv_path`` and TensorBoard.

    Rows past ``start_step`` left by a crashed run are dropped first, so the
    CSV holds each step once after a resume. With ``steps_per_execution`` > 1 Keras
    reports the last step of each execution only: the averages are over those.
    """

    def __init__(self, csv_path, log_dir, every=10, start_step=0):
        super().__init__()
        self.csv_path, self.every = csv_path, every
        self.writer = tf.summary.create_file_writer(log_dir)
        self._fields = None
        self._pending = []
        if os.path.exists(csv_path):
            with open(csv_path, newline="") as f:
                rows = [row for row in csv.DictReader(f) if int(row["step"]) <= start_step]
            self._fields = list(rows[0]) if rows else None
            self._rewrite(rows)

    def _rewrite(self, rows):
        with atomic_path(self.csv_path) as tmp, open(tmp, "w", newline="") as f:
            if self._fields:
                writer = csv.DictWriter(f, fieldnames=self._fields)
                writer.writeheader()
                writer.writerows(rows)

    def on_train_batch_end(self, batch, logs=None):
        previous = self._advance(batch)
        self._pending.append(scalar_logs(logs))
        if self._crossed(previous, self.every):
            self._flush()

    def on_train_end(self, logs=None):
        if self._pending:
            self._flush()
        self.writer.flush()

    def _flush(self):
        step = self.step
        keys = self._pending[-1].keys()
        values = {"step": step, **{k: float(np.mean([p[k] for p in self._pending if k in p])) for k in keys}}
        self._pending = []
        if self._fields is None:
            self._fields = list(values)
            self._rewrite([])
        with open(self.csv_path, "a", newline="") as f:
            csv.DictWriter(f, fieldnames=self._fields, extrasaction="ignore").writerow(values)
        with self.writer.as_default(step=step):
            for name, value in values.items():
                if name != "step":
                    tf.summary.scalar(name, value)

    def on_epoch_end(self, epoch, logs=None):
        with self.writer.as_default(step=self.step):
            for name, value in scalar_logs(logs).items():
                if name.startswith("val_"):
                    tf.summary.scalar(name, value)
        self.writer.flush()
