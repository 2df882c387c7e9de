"""What the step-counting callbacks share: the model's step, known on the host, and plain logs."""

import keras
import numpy as np

LOSS_KEYS = ("pixel_loss", "g_loss", "d_loss", "content_loss", "adversarial_loss")


def scalar_logs(logs):
    return {k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0}


def model_step(model):
    return int(model.step.numpy())


class HostStep(keras.callbacks.Callback):
    """Knows ``model.step`` on the host without reading it back from the device every batch.

    It is read once when training begins; after that each ``on_train_batch_end`` carries the
    index (within the epoch) of the last step it ran — with ``steps_per_execution`` > 1 Keras
    calls it once per execution, so steps advance in jumps and interval checks must ask
    whether a multiple was *crossed* (:meth:`_crossed`), not whether the step *is* one.
    Subclasses call :meth:`_advance` first in their ``on_train_batch_end``.
    """

    step = 0

    def on_train_begin(self, logs=None):
        self.step = self._epoch_start = model_step(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self.step

    def _advance(self, batch):
        """Moves past batch ``batch``; returns the step before it."""
        previous, self.step = self.step, self._epoch_start + batch + 1
        return previous

    def _crossed(self, previous, every):
        return self.step // every > previous // every
