"""The ceiling every other rate here is measured against: this CPU's peak float32 FMA rate.

    python bench/cpu_peak.py [--repeats 5]

Compiles bench/fma_peak.c with the system C compiler (``$CC``, else ``cc``) and runs it on one
thread and on every core, for the AVX2 (8 lanes) and AVX-512 (16 lanes) forms of the
instruction; a form the CPU does not report is printed as such. The rate is two FLOPs per lane
per fused multiply-add, twelve independent chains per thread, nothing read from memory: no
convolution can run faster, so a convolution's GFLOP/s divided by this is how much of the
machine it uses (bench/upscale.py's reference conv, the peer table's rows).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

from common import machine_line, print_table  # noqa: E402

ITERATIONS = 100_000_000  # ~0.2 s a run on one Zen 4 core at AVX2


def build(directory):
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("cpu_peak: error: no C compiler (set CC)")
    binary = os.path.join(directory, "fma_peak")
    source = os.path.join(BENCH, "fma_peak.c")
    subprocess.run([compiler, "-O2", "-pthread", source, "-o", binary], check=True)
    return binary


def rate(binary, isa, threads, repeats):
    """Median GFLOP/s of ``repeats`` runs, or None where the CPU lacks ``isa``."""
    rates = []
    for _ in range(repeats):
        out = subprocess.run([binary, isa, str(threads), str(ITERATIONS)], capture_output=True, text=True, check=True)
        if out.stdout.strip() == "unsupported":
            return None
        rates.append(float(out.stdout.split()[0]))
    return statistics.median(rates)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(machine_line())
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        binary = build(directory)
        for isa, lanes in (("avx2", 8), ("avx512", 16)):
            one, every = (rate(binary, isa, threads, args.repeats) for threads in (1, cores))
            if one is None:
                rows.append([f"{isa} FMA ({lanes} lanes)", "not reported by this CPU", "", ""])
                continue
            rows.append([f"{isa} FMA ({lanes} lanes)", f"{one:.1f}", f"{every:.1f}", f"{every / one:.2f}"])
    loads = f"load average {load:.2f} / {os.getloadavg()[0]:.2f}"
    print(f"\npeak float32 FMA rate, GFLOP/s, median of {args.repeats} ({loads})\n")
    print_table(["instructions", "1 thread", f"{cores} threads", "scaling"], rows)


if __name__ == "__main__":
    sys.exit(main())
