"""Pictures people would rather look at than read: patch pairs, sample comparisons, loss curves.

All figures are written as PNG with matplotlib's non-interactive Agg backend,
atomically (temp file, then rename), and closed so long runs do not leak memory.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _save(figure, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{os.path.splitext(path)[0]}.partial.png"
    figure.savefig(tmp, dpi=100, bbox_inches="tight")
    plt.close(figure)
    os.replace(tmp, path)
    return path


def _unit(image):
    """Accepts [-1, 1] or [0, 1] float or uint8; returns [0, 1] float for imshow."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image / 255.0
    if image.min() < -1e-3:
        image = (image + 1.0) / 2.0
    return np.clip(image, 0.0, 1.0)


def plot_patch_pairs(lr_images, hr_images, path, count=4):
    """LR patches (nearest-neighbour enlarged) beside their HR patches, one pair per row."""
    count = min(count, len(lr_images))
    figure, axes = plt.subplots(count, 3, figsize=(7.5, 2.6 * count), squeeze=False)
    for row in range(count):
        lr, hr = _unit(lr_images[row]), _unit(hr_images[row])
        factor = hr.shape[0] // lr.shape[0]
        enlarged = np.repeat(np.repeat(lr, factor, axis=0), factor, axis=1)
        difference = np.abs(enlarged - hr).mean(axis=-1)
        panels = [
            (lr, f"LR {lr.shape[1]}x{lr.shape[0]}"),
            (hr, f"HR {hr.shape[1]}x{hr.shape[0]}"),
            (difference, "|LR↑ − HR| (edges only if aligned)"),
        ]
        for ax, (image, title) in zip(axes[row], panels):
            ax.imshow(image, cmap="magma" if image.ndim == 2 else None, interpolation="nearest")
            ax.set_title(title, fontsize=8)
            ax.axis("off")
    return _save(figure, path)
