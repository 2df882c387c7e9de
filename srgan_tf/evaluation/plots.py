"""Pictures people would rather look at than read: sample comparisons, loss curves.

All figures are plain ``matplotlib.figure.Figure`` objects written as PNG (by Agg, the PNG
canvas) atomically (temp file, then rename). No pyplot: no backend is chosen for a user's own
matplotlib code and no global figure manager holds figures, so nothing leaks over long runs.
"""

import os

import numpy as np
from matplotlib.figure import Figure

from srgan_tf.utils.atomic import atomic_path


def subplots(*grid, figsize, **kwargs):
    """A new ``Figure`` (no pyplot) and its axes, as ``pyplot.subplots`` returns them."""
    figure = Figure(figsize=figsize)
    return figure, figure.subplots(*grid, **kwargs)


def save_png(figure, path):
    """Writes ``figure`` as a PNG atomically, making its folder; returns ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=100, bbox_inches="tight")
    return path


def _unit(image):
    """uint8 or [0, 1] float -> [0, 1] float for imshow."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image / 255.0
    return np.clip(image, 0.0, 1.0)


def plot_comparison(panels, path, title=None):
    """The paper's Figure 2 layout: one row of same-size crops with titles.

    Args:
        panels: list of ``(image, title)``; images uint8 or float in [0, 1].
        path: the PNG to write.
    """
    return plot_comparison_grid([panels], path, title)


def plot_comparison_grid(rows, path, title=None):
    """Rows of same-size crops with titles (one row a photo, one column a method), shown pixel
    for pixel (nearest neighbour, so the figure at 100 % shows what each method made)."""
    columns = max(len(panels) for panels in rows)
    figure, axes = subplots(len(rows), columns, figsize=(3.2 * columns, 3.4 * len(rows)), squeeze=False)
    for row, panels in zip(axes, rows):
        for ax, (image, label) in zip(row, panels):
            ax.imshow(_unit(image), interpolation="nearest")
            ax.set_title(label, fontsize=9)
        for ax in row:
            ax.axis("off")
    if title:
        figure.suptitle(title, fontsize=10)
    return save_png(figure, path)


def plot_loss_curves(csv_path, path, title=None):
    """Loss, discriminator-output and PSNR curves from a step-logger CSV."""
    import csv

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    steps = np.array([float(r["step"]) for r in rows])
    columns = {k: np.array([float(r[k]) if r[k] not in ("", None) else np.nan for r in rows]) for k in rows[0]}
    groups = [
        ("generator", [k for k in ("pixel_loss", "g_loss", "content_loss") if k in columns], True),
        ("adversarial", [k for k in ("adversarial_loss", "d_loss") if k in columns], False),
        ("discriminator outputs", [k for k in ("d_real", "d_fake") if k in columns], False),
    ]
    groups = [g for g in groups if g[1]]
    figure, axes = subplots(1, len(groups), figsize=(5 * len(groups), 3.6), squeeze=False)
    for ax, (name, keys, log_scale) in zip(axes[0], groups):
        for key in keys:
            ax.plot(steps, columns[key], label=key)
        if log_scale and all(np.nanmin(columns[k]) > 0 for k in keys):
            ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    return save_png(figure, path)
