"""Validation on the chief when ``fit`` cannot validate (several replicas)."""

import keras
import numpy as np

from srgan_tf.metrics import score_batch
from srgan_tf.ranges import signed_to_unit, sr_images


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
