"""Keras callbacks that make a long GAN run safe to leave alone.

- :class:`NonFiniteGuard` stops at the first NaN/inf loss, naming the step;
- :class:`CheckpointSaver` writes both networks, both optimizers and the step
  every N steps (never after a non-finite step), keeping the last K;
- :class:`StopAtStep` ends ``fit`` exactly at the configured step, also mid-epoch
  after a resume;
- :class:`StepLogger` appends per-step scalars to a CSV and TensorBoard, on the
  global step axis (so resumed runs continue the same curves);
- :class:`GANHealth` warns once when the discriminator has won or the losses
  stopped moving — the usual ways an SRGAN run silently fails;
- :class:`SampleWriter` draws bicubic | SR | HR after every epoch.
"""

import csv
import math
import os

import keras
import numpy as np
import tensorflow as tf

from srgan_tf.atomic import atomic_path
from srgan_tf.errors import SRGANError
from srgan_tf.messages import warn
from srgan_tf.metrics import score_batch, score_label
from srgan_tf.plots import plot_comparison
from srgan_tf.ranges import signed_to_unit, sr_images

LOSS_KEYS = ("pixel_loss", "g_loss", "d_loss", "content_loss", "adversarial_loss")


def _scalars(logs):
    return {k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0}


def _step(model):
    return int(model.step.numpy())


class _HostStep(keras.callbacks.Callback):
    """Knows ``model.step`` on the host without reading it back from the device every batch.

    It is read once when training begins; after that each ``on_train_batch_end`` carries the
    index (within the epoch) of the last step it ran — with ``steps_per_execution`` > 1 Keras
    calls it once per execution, so steps advance in jumps and interval checks must ask
    whether a multiple was *crossed* (:meth:`_crossed`), not whether the step *is* one.
    Subclasses call :meth:`_advance` first in their ``on_train_batch_end``.
    """

    step = 0

    def on_train_begin(self, logs=None):
        self.step = self._epoch_start = _step(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self.step

    def _advance(self, batch):
        """Moves past batch ``batch``; returns the step before it."""
        previous, self.step = self.step, self._epoch_start + batch + 1
        return previous

    def _crossed(self, previous, every):
        return self.step // every > previous // every


class StopAtStep(_HostStep):
    """Stops training once ``model.step`` reaches ``total_steps``."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = total_steps

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch)
        if self.step >= self.total_steps:
            self.model.stop_training = True


class NonFiniteGuard(_HostStep):
    """Raises :class:`SRGANError` at the first non-finite loss (before any checkpoint of it)."""

    def __init__(self, last_checkpoint=lambda: None):
        super().__init__()
        self.last_checkpoint = last_checkpoint

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch)
        values = _scalars(logs)
        bad = [k for k in LOSS_KEYS if k in values and not math.isfinite(values[k])]
        if bad:
            self.model.stop_training = True
            kept = self.last_checkpoint()
            where = f"the last good checkpoint ({kept}) is kept" if kept else "no checkpoint was written"
            raise SRGANError(f"non-finite {', '.join(bad)} at step {self.step}; training stopped, {where}")


class CheckpointSaver(_HostStep):
    """Saves a ``tf.train.CheckpointManager`` every ``every`` steps and at the end of training."""

    def __init__(self, manager, every):
        super().__init__()
        self.manager = manager
        self.every = every
        self._last_saved = None

    def _save(self):
        if self.step != self._last_saved:
            self.manager.save(checkpoint_number=self.step)
            self._last_saved = self.step

    def on_train_batch_end(self, batch, logs=None):
        if self._crossed(self._advance(batch), self.every):
            self._save()

    def on_train_end(self, logs=None):
        values = _scalars(logs)
        if all(math.isfinite(values[k]) for k in LOSS_KEYS if k in values):
            self._save()


class StepLogger(_HostStep):
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
        self._pending.append(_scalars(logs))
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
            for name, value in _scalars(logs).items():
                if name.startswith("val_"):
                    tf.summary.scalar(name, value)
        self.writer.flush()


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
        values = _scalars(logs)
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


class SampleWriter(keras.callbacks.Callback):
    """After each epoch: a Figure-2-style PNG (bicubic | SR | HR) and TensorBoard images.

    Args:
        lr_image: ``(1, h, w, 3)`` in [0, 1]; hr_image: ``(1, s·h, s·w, 3)`` in [-1, 1].
        samples_dir, log_dir: where PNGs and TensorBoard images go.
        stage: a label for titles and file names ("pretrain", "gan").
        scale: the upscaling factor (metric shave, bicubic baseline).
        crop: side of the HR crop shown.
    """

    def __init__(self, lr_image, hr_image, samples_dir, log_dir, stage, scale, crop=128):
        super().__init__()
        self.lr_image, self.scale, self.stage, self.crop = lr_image, scale, stage, crop
        self.hr_image = signed_to_unit(tf.convert_to_tensor(hr_image))
        self.samples_dir = samples_dir
        self.writer = tf.summary.create_file_writer(log_dir)
        size = tf.shape(self.hr_image)[1:3]
        self.bicubic = tf.clip_by_value(tf.image.resize(lr_image, size, method="bicubic"), 0.0, 1.0)
        self.last_path = None

    def _label(self, name, image):
        return score_label(name, self.hr_image, image, self.scale)

    def _crop(self, image):
        height, width = image.shape[1], image.shape[2]
        size = min(self.crop, height, width)
        top, left = (height - size) // 2, (width - size) // 2
        return image[0, top : top + size, left : left + size].numpy()

    def on_epoch_end(self, epoch, logs=None):
        step = int(self.model.step.numpy())
        sr_image = sr_images(self.model.generator, self.lr_image)
        name = "SRResNet" if self.stage == "pretrain" else "SRGAN"
        panels = [
            (self._crop(self.bicubic), self._label("bicubic", self.bicubic)),
            (self._crop(sr_image), self._label(f"{name} (step {step})", sr_image)),
            (self._crop(self.hr_image), "HR (Y-PSNR / SSIM)"),
        ]
        path = os.path.join(self.samples_dir, f"{self.stage}_step{step:07d}.png")
        self.last_path = plot_comparison(panels, path, title=f"x{self.scale} {self.stage}, step {step}")
        row = tf.concat([tf.convert_to_tensor(p[0])[None] for p in panels], axis=2)
        with self.writer.as_default(step=step):
            tf.summary.image(f"{self.stage}/bicubic_sr_hr", row)
        self.writer.flush()


class Validator(keras.callbacks.Callback):
    """Validation Y-PSNR/SSIM of whole images after each epoch, computed locally.

    Used instead of ``fit(validation_data=...)`` when there are several replicas:
    images of different sizes go one at a time and cannot be split across them.
    Adds ``val_psnr`` and ``val_ssim`` to the epoch logs.
    """

    def __init__(self, dataset, scale):
        super().__init__()
        self.dataset, self.scale = dataset, scale

    def on_epoch_end(self, epoch, logs=None):
        values = {"val_psnr": [], "val_ssim": []}
        for lr_images, hr_images in self.dataset:
            # The score of SRGAN.test_step, image by image.
            psnr, ssim = score_batch(signed_to_unit(hr_images), sr_images(self.model.generator, lr_images), self.scale)
            values["val_psnr"].append(float(psnr[0]))
            values["val_ssim"].append(float(ssim[0]))
        if logs is not None:
            logs.update({name: float(np.mean(v)) for name, v in values.items() if v})
