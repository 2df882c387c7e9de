"""open_image's pixel limit is the caller's: Pillow's 89 MP warning does not refuse an image the
limit admits, and above Pillow's hard limit the error says so. Headers only: nothing is decoded."""

import subprocess
import sys
import warnings

import pytest
from imagefiles import png_bomb
from PIL import Image

from srgan_tf.errors import SRGANError
from srgan_tf.inference.picture import read_picture
from srgan_tf.utils.imageio import MAX_DECODE_PIXELS, load_rgb8, open_image


def test_the_default_limit_is_pillows_hard_limit():
    assert MAX_DECODE_PIXELS == 2 * Image.MAX_IMAGE_PIXELS


def test_an_image_above_pillows_warning_opens_when_the_limit_admits_it(tmp_path, recwarn):
    path = tmp_path / "100mp.png"
    path.write_bytes(png_bomb(10000, 10000))  # 100 MP, above Pillow's 89 MP warning
    with open_image(path) as image:
        assert image.size == (10000, 10000)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
    with pytest.raises(SRGANError, match="exceeds the limit of 50000000 pixels"):
        open_image(path, max_pixels=50_000_000)


def test_above_pillows_hard_limit_the_error_names_it(tmp_path):
    path = tmp_path / "200mp.png"
    path.write_bytes(png_bomb(20000, 10000))
    with pytest.raises(SRGANError, match=rf"image too large \(Pillow opens at most {2 * Image.MAX_IMAGE_PIXELS}"):
        open_image(path, max_pixels=10**9)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".webp", ".jpg"])
def test_no_bomb_warning_while_decoding_what_the_limit_admitted(suffix, tmp_path, monkeypatch):
    # Pillow's limits scaled down (warning above 1000 px, error above 2000): a 40x40 image sits
    # between them, as a 100 MP photo does at the real ones. TIFF checks again while loading.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    path = tmp_path / f"between{suffix}"
    Image.new("RGB", (40, 40), (200, 100, 50)).save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert read_picture(path, max_pixels=1600).rgb.shape == (40, 40, 3)
        assert load_rgb8(path, max_pixels=1600).shape == (40, 40, 3)
    Image.new("RGB", (50, 50)).save(tmp_path / f"above{suffix}")
    with pytest.raises(SRGANError, match="Pillow opens at most 2000 pixels"):
        load_rgb8(tmp_path / f"above{suffix}", max_pixels=10**6)


THREADS_SCRIPT = """
import sys, threading, warnings
from PIL import Image
from srgan_tf.utils import imageio
warnings.simplefilter("always")  # every warning shown, as a first one would be
if sys.argv[2] == "process":
    imageio.ignore_bomb_warning_in_process()
first_inside, second_inside, first_left = threading.Event(), threading.Event(), threading.Event()

def first():  # enters the filter, leaves it while the second thread is still inside
    with imageio.size_checked_by_caller():
        first_inside.set()
        second_inside.wait()
    first_left.set()

def second():
    first_inside.wait()
    with imageio.size_checked_by_caller():
        second_inside.set()
        first_left.wait()
        Image.open(sys.argv[1]).close()  # above Pillow's 89 MP warning

threads = [threading.Thread(target=first), threading.Thread(target=second)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


@pytest.mark.parametrize("scope", ["process", "context"])
def test_two_threads_decoding_show_no_bomb_warning_once_the_process_ignores_it(scope, tmp_path):
    if scope == "context" and getattr(sys.flags, "context_aware_warnings", False):
        pytest.skip("catch_warnings is per context on this Python: no race to show")
    # catch_warnings is process-wide: the first thread's exit restores the filters the second is
    # relying on. The srgan commands install the process-wide filter (execute) before threads start.
    path = tmp_path / "100mp.png"
    path.write_bytes(png_bomb(10000, 10000))
    result = subprocess.run(
        [sys.executable, "-c", THREADS_SCRIPT, str(path), scope], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert ("DecompressionBombWarning" in result.stderr) == (scope == "context")


def test_every_srgan_command_runs_with_the_process_wide_filter():
    script = (
        "import types, warnings\n"
        "from PIL import Image\n"
        "from srgan_tf.cli.commands import execute\n"
        "command = types.SimpleNamespace(WORKLOAD=None, LAZY_TENSORFLOW=True, run=lambda args: print(\n"
        "    any(f[0] == 'ignore' and f[2] is Image.DecompressionBombWarning for f in warnings.filters)))\n"
        "execute(command, None)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "True", result.stderr
