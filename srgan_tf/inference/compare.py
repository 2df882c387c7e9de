"""The paper's Figure 2 for your own models: LR, bicubic, each model and HR, side by side."""

import numpy as np

from srgan_tf.data.degradations import photo_pair
from srgan_tf.errors import SRGANError
from srgan_tf.evaluation.metrics import score_label
from srgan_tf.evaluation.plots import plot_comparison
from srgan_tf.evaluation.scoring import bicubic_upscale, load_lpips_metric


def compare_models(image_path, models, out_path, crop=128, at=None):
    """Writes the comparison PNG; returns its path.

    Args:
        image_path: an HR photo (its LR is made by the training degradation).
        models: list of ``(label, Upscaler)``; all must share one scale.
        out_path: the PNG to write.
        crop: HR crop side shown; ``at``: its (top, left), default the centre.
    """
    scales = {upscaler.scale for _, upscaler in models}
    if len(scales) != 1:
        raise SRGANError(f"models have different scales {sorted(scales)}; compare models of one scale")
    scale = scales.pop()
    hr, lr = photo_pair(image_path, scale)
    height, width = hr.shape[:2]
    size = min(crop, height, width)
    top, left = at if at else ((height - size) // 2, (width - size) // 2)
    if not (0 <= top <= height - size and 0 <= left <= width - size):
        raise SRGANError(f"crop at {top},{left} of side {size} does not fit in {width}x{height}")

    lpips_model = load_lpips_metric()

    def panel(image, label):
        if image is None:
            return hr[top : top + size, left : left + size], label
        title = score_label(label, hr[None], image[None], scale, lpips_model)
        return image[top : top + size, left : left + size], title

    nearest = np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1)
    lr_crop = nearest[top : top + size, left : left + size]
    panels = [(lr_crop, f"LR (x{scale} nearest)"), panel(bicubic_upscale(lr[None], scale)[0].numpy(), "bicubic")]
    for label, upscaler in models:
        panels.append(panel(upscaler.upscale_array(lr), label))
    scores = "Y-PSNR / SSIM" + (" / LPIPS-Alex, whole image" if lpips_model is not None else ", whole image")
    panels.append(panel(None, f"HR ({scores})"))
    return plot_comparison(panels, out_path, title=f"x{scale}, {image_path.split('/')[-1]}")
