"""Figures: PNG files, with no global matplotlib state touched."""

import os
import subprocess
import sys


def test_figures_leave_matplotlibs_backend_and_pyplot_alone(tmp_path):
    """Importing the package's plots (and drawing) must not pick a backend for a user's own
    matplotlib code, nor load pyplot's global figure manager."""
    code = (
        "import sys, matplotlib, numpy as np; from srgan_tf.evaluation import plots; "
        f"plots.plot_comparison([(np.zeros((8, 8, 3), np.uint8), 'a')], {str(tmp_path / 'c.png')!r}); "
        "print('matplotlib.pyplot' in sys.modules, matplotlib.rcParams._get_backend_or_none())"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["False", "svg"]
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
