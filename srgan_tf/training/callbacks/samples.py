"""bicubic | SR | HR figures after every epoch, to PNG and TensorBoard."""

import os

import keras
import tensorflow as tf

from srgan_tf.evaluation.metrics import score_label
from srgan_tf.evaluation.plots import plot_comparison
from srgan_tf.evaluation.scoring import bicubic_upscale
from srgan_tf.utils.ranges import signed_to_unit, sr_images


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
        self.bicubic = bicubic_upscale(lr_image, scale)
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
        sr_image = sr_images(self.model.inference_generator(), self.lr_image)
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
