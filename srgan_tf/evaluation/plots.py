"""Pictures people would rather look at than read: patch pairs, sample comparisons, loss curves.

All figures are plain ``matplotlib.figure.Figure`` objects written as PNG (by Agg, the PNG
canvas) atomically (temp file, then rename). No pyplot: no backend is chosen for a user's own
matplotlib code and no global figure manager holds figures, so nothing leaks over long runs.
"""

import os

import numpy as np
from matplotlib.figure import Figure

from srgan_tf.utils.atomic import atomic_path


def _subplots(*grid, figsize, **kwargs):
    figure = Figure(figsize=figsize)
    return figure, figure.subplots(*grid, **kwargs)


def _save(figure, path):
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


def plot_patch_pairs(lr_images, hr_images, path, count=4):
    """LR patches beside their HR patches (both [0, 1]) and |nearest-LR↑ − HR|, one pair per row."""
    count = min(count, len(lr_images))
    figure, axes = _subplots(count, 3, figsize=(7.5, 2.6 * count), squeeze=False)
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
    figure, axes = _subplots(len(rows), columns, figsize=(3.2 * columns, 3.4 * len(rows)), squeeze=False)
    for row, panels in zip(axes, rows):
        for ax, (image, label) in zip(row, panels):
            ax.imshow(_unit(image), interpolation="nearest")
            ax.set_title(label, fontsize=9)
        for ax in row:
            ax.axis("off")
    if title:
        figure.suptitle(title, fontsize=10)
    return _save(figure, path)


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
    figure, axes = _subplots(1, len(groups), figsize=(5 * len(groups), 3.6), squeeze=False)
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
    return _save(figure, path)


def plot_training_history(losses, validation, path, baseline=None, title=None, lpips=None):
    """A run at a glance: training loss per stage (left), validation Y-PSNR (middle) and, when
    given, validation LPIPS-Alex (right).

    Args:
        losses: {stage: (steps, values)} — e.g. stage 1's pixel loss and stage 2's g_loss.
        validation: {stage: (steps, psnr_db)}.
        baseline: bicubic's Y-PSNR on the same validation images, drawn as a line.
        lpips: {stage: (steps, lpips_alex)}, or None.
    """
    if lpips:
        figure, (left, right, third) = _subplots(1, 3, figsize=(15, 3.8))
        offset = 0
        for stage, (steps, _values) in losses.items():
            if stage in lpips:
                third.plot(np.asarray(lpips[stage][0]) + offset, lpips[stage][1], marker="o", label=stage)
            offset += max(steps) if len(steps) else 0
        third.set_xlabel("step (stages back to back)")
        third.set_title("validation LPIPS-Alex (lower is closer)", fontsize=10)
        third.legend(fontsize=8)
        third.grid(alpha=0.3)
    else:
        figure, (left, right) = _subplots(1, 2, figsize=(11, 3.8))
    offset = 0
    for stage, (steps, values) in losses.items():
        left.plot(np.asarray(steps) + offset, values, label=stage)
        offset += max(steps) if len(steps) else 0
    left.set_yscale("log")
    left.set_xlabel("step (stages back to back)")
    left.set_title("training loss", fontsize=10)
    offset = 0
    for stage, (steps, values) in validation.items():
        right.plot(np.asarray(steps) + offset, values, marker="o", label=stage)
        offset += max(losses.get(stage, (steps, None))[0]) if len(steps) else 0
    if baseline is not None:
        right.axhline(baseline, color="gray", linestyle="--", label=f"bicubic {baseline:.2f} dB")
    right.set_xlabel("step (stages back to back)")
    right.set_title("validation Y-PSNR (dB)", fontsize=10)
    for ax in (left, right):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    return _save(figure, path)


def plot_perception_distortion(rows, bicubic, path, title=None):
    """Mean Y-PSNR against mean LPIPS-Alex, one point per interpolation ``alpha`` and bicubic.

    Args:
        rows: [{"alpha", "psnr", "lpips"}, ...] in alpha order.
        bicubic: {"psnr", "lpips"} of the bicubic baseline.
    """
    figure, ax = _subplots(figsize=(5.6, 4.2))
    lpips_values = [r["lpips"] for r in rows]
    psnr_values = [r["psnr"] for r in rows]
    ax.plot(lpips_values, psnr_values, marker="o", color="tab:blue")
    for row in rows:
        ax.annotate(f"α {row['alpha']:g}", (row["lpips"], row["psnr"]), textcoords="offset points", xytext=(6, 4))
    ax.plot([bicubic["lpips"]], [bicubic["psnr"]], marker="s", color="gray", linestyle="none", label="bicubic")
    ax.set_xlabel("mean LPIPS-Alex (lower: perceptually closer)")
    ax.set_ylabel("mean Y-PSNR (dB)")
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    return _save(figure, path)
