"""PNGStreamWriter under concurrency: two processes streaming one target never collide."""

import subprocess
import sys

import numpy as np

from srgan_tf.inference import pngstream
from srgan_tf.inference.pngstream import PNGStreamWriter

_WRITER = """
import importlib.util
import sys
import numpy as np

# The module alone: importing the package srgan_tf.inference would start TensorFlow.
spec = importlib.util.spec_from_file_location("pngstream", sys.argv[4])
pngstream = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pngstream)
PNGStreamWriter = pngstream.PNGStreamWriter

target, value, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
band = np.full((8, 64, 3), value, np.uint8)
for _ in range(rounds):
    with PNGStreamWriter(target, 64, 64, 3, 8, level=0) as png:
        for _ in range(8):
            png.write(band)
"""


def _png(path, value):
    with PNGStreamWriter(str(path), 64, 64, 3, 8, level=0) as png:
        png.write(np.full((64, 64, 3), value, np.uint8))
    return path.read_bytes()


def test_two_processes_streaming_one_png(tmp_path):
    whole = {_png(tmp_path / "ref.png", value) for value in (10, 200)}
    (tmp_path / "ref.png").unlink()
    target = tmp_path / "out.png"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target), value, "200", pngstream.__file__], stderr=subprocess.PIPE
        )
        for value in ("10", "200")
    ]
    while any(w.poll() is None for w in writers):
        if target.exists():
            assert target.read_bytes() in whole
    errors = [w.stderr.read().decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert target.read_bytes() in whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
