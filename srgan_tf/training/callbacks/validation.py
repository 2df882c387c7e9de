"""Validation on the chief when ``fit`` cannot validate (several replicas)."""

import keras
import numpy as np

from srgan_tf.evaluation.metrics import LPIPS_ALEX_MIN_SIDE, lpips, score_batch
from srgan_tf.utils.ranges import signed_to_unit, sr_images


class Validator(keras.callbacks.Callback):
    """Validation Y-PSNR/SSIM of whole images after each epoch, computed locally.

    Used instead of ``fit(validation_data=...)`` when there are several replicas:
    images of different sizes go one at a time and cannot be split across them.
    Adds ``val_psnr``, ``val_ssim`` and, with an LPIPS model, ``val_lpips`` to the epoch logs.
    """

    def __init__(self, dataset, scale, lpips_model=None):
        super().__init__()
        self.dataset, self.scale, self.lpips_model = dataset, scale, lpips_model

    def on_epoch_end(self, epoch, logs=None):
        values = {"val_psnr": [], "val_ssim": [], "val_lpips": []}
        generator = self.model.inference_generator()
        for lr_images, hr_images in self.dataset:
            # The score of SRGAN.test_step, image by image.
            hr_unit, sr_unit = signed_to_unit(hr_images), sr_images(generator, lr_images)
            psnr, ssim = score_batch(hr_unit, sr_unit, self.scale)
            values["val_psnr"].append(float(psnr[0]))
            values["val_ssim"].append(float(ssim[0]))
            if self.lpips_model is not None and min(hr_unit.shape[1:3]) >= LPIPS_ALEX_MIN_SIDE:
                values["val_lpips"].append(float(lpips(self.lpips_model, hr_unit, sr_unit)[0]))
        if logs is not None:
            logs.update({name: float(np.mean(v)) for name, v in values.items() if v})
