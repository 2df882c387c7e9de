"""Callbacks that keep a long run safe: stop at the configured step, stop at the first NaN/inf
loss, and checkpoint every N steps (never after a non-finite step)."""

import math

from srgan_tf.errors import SRGANError
from srgan_tf.training.callbacks.host_step import LOSS_KEYS, HostStep, scalar_logs


class StopAtStep(HostStep):
    """Stops training once ``model.step`` reaches ``total_steps``."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = total_steps

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch)
        if self.step >= self.total_steps:
            self.model.stop_training = True


class NonFiniteGuard(HostStep):
    """Raises :class:`SRGANError` at the first non-finite loss (before any checkpoint of it)."""

    def __init__(self, last_checkpoint=lambda: None):
        super().__init__()
        self.last_checkpoint = last_checkpoint

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch)
        values = scalar_logs(logs)
        bad = [k for k in LOSS_KEYS if k in values and not math.isfinite(values[k])]
        if bad:
            self.model.stop_training = True
            kept = self.last_checkpoint()
            where = f"the last good checkpoint ({kept}) is kept" if kept else "no checkpoint was written"
            raise SRGANError(f"non-finite {', '.join(bad)} at step {self.step}; training stopped, {where}")


class CheckpointSaver(HostStep):
    """Saves a ``tf.train.CheckpointManager`` every ``every`` steps and at the end of training;
    ``before_save`` brings derived state up to date first (the EMA generator's copy)."""

    def __init__(self, manager, every, before_save=None):
        super().__init__()
        self.manager = manager
        self.every = every
        self.before_save = before_save
        self._last_saved = None

    def _save(self):
        if self.step != self._last_saved:
            if self.before_save is not None:
                self.before_save()
            self.manager.save(checkpoint_number=self.step)
            self._last_saved = self.step

    def on_train_batch_end(self, batch, logs=None):
        if self._crossed(self._advance(batch), self.every):
            self._save()

    def on_train_end(self, logs=None):
        values = scalar_logs(logs)
        if all(math.isfinite(values[k]) for k in LOSS_KEYS if k in values):
            self._save()
