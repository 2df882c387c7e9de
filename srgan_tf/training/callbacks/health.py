"""The usual ways an SRGAN run fails silently — the discriminator has won, the losses froze —
reported once as warnings."""

import keras
import numpy as np

from srgan_tf.training.callbacks.host_step import scalar_logs
from srgan_tf.utils.messages import warn


class GANHealth(keras.callbacks.Callback):
    """Warns (once each) when D(SR) ≈ 0 and D(HR) ≈ 1 for ``patience`` steps, or losses freeze."""

    def __init__(self, patience=200, won_margin=0.02):
        super().__init__()
        self.patience, self.won_margin = patience, won_margin
        self._won_steps = 0
        self._recent = []
        self.warned = set()

    def _warn(self, kind, message):
        if kind not in self.warned:
            self.warned.add(kind)
            warn(message)

    def on_train_batch_end(self, batch, logs=None):
        values = scalar_logs(logs)
        if "d_fake" not in values:
            return
        won = values["d_fake"] < self.won_margin and values["d_real"] > 1 - self.won_margin
        self._won_steps = self._won_steps + 1 if won else 0
        if self._won_steps >= self.patience:
            self._warn(
                "won",
                f"GAN health: the discriminator has won for {self._won_steps} steps "
                f"(D(HR)={values['d_real']:.3f}, D(SR)={values['d_fake']:.3f}): the generator gets no useful "
                "adversarial signal. Try a longer stage-1 pretraining, a lower discriminator learning rate, "
                "or a smaller loss.adversarial_weight.",
            )
        self._recent = [*self._recent[-(self.patience - 1) :], (values["g_loss"], values["d_loss"])]
        if len(self._recent) >= self.patience and np.ptp(np.array(self._recent), axis=0).max() < 1e-7:
            self._warn("frozen", f"GAN health: losses have not moved for {self.patience} steps; is training stuck?")
