"""The figures the release scripts draw (training/release.py, training/interpolation_curve.py),
with the package's figure helpers: no pyplot, PNGs written atomically."""

import numpy as np

from srgan_tf.evaluation.plots import save_png, subplots


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
        figure, (left, right, third) = subplots(1, 3, figsize=(15, 3.8))
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
        figure, (left, right) = subplots(1, 2, figsize=(11, 3.8))
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
    return save_png(figure, path)


def plot_perception_distortion(rows, bicubic, path, title=None):
    """Mean Y-PSNR against mean LPIPS-Alex, one point per interpolation ``alpha`` and bicubic.

    Args:
        rows: [{"alpha", "psnr", "lpips"}, ...] in alpha order.
        bicubic: {"psnr", "lpips"} of the bicubic baseline.
    """
    figure, ax = subplots(figsize=(5.6, 4.2))
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
    return save_png(figure, path)


def plot_run_curves(runs, path, references=(), target=None, title=None):
    """Validation LPIPS-Alex (left) and Y-PSNR (right) against step for several runs.

    Args:
        runs: [(label, steps, lpips_values, psnr_values)]; a run that continued another from one of
            its checkpoints has its steps counted from that run's start.
        references: [(label, lpips, psnr)] drawn as dashed lines (e.g. srresnet-x4, bicubic).
        target: an LPIPS-Alex value drawn as the goal line, or None.
    """
    figure, (left, right) = subplots(1, 2, figsize=(12, 4.2))
    for label, steps, lpips_values, psnr_values in runs:
        (line,) = left.plot(steps, lpips_values, marker="o", markersize=3, label=label)
        right.plot(steps, psnr_values, marker="o", markersize=3, color=line.get_color(), label=label)
    for (label, lpips_value, psnr_value), color in zip(references, ("tab:gray", "black", "tab:brown")):
        left.axhline(lpips_value, color=color, linestyle="--", linewidth=1, label=f"{label} {lpips_value:.3f}")
        right.axhline(psnr_value, color=color, linestyle="--", linewidth=1, label=f"{label} {psnr_value:.2f} dB")
    if target is not None:
        left.axhline(target, color="tab:red", linestyle=":", linewidth=1.5, label=f"target {target:.3f}")
    left.set_title("validation LPIPS-Alex (lower is closer)", fontsize=10)
    right.set_title("validation Y-PSNR (dB)", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel("GAN step (from srresnet-x4)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    return save_png(figure, path)
