"""Writing behind the computation: order, real overlap, and failures on either side."""

import threading

import numpy as np
import pytest
from PIL import Image

from srgan_tf.inference import Upscaler
from srgan_tf.inference.upscale import upscale_file
from srgan_tf.inference.write_behind import write_behind


def test_items_are_written_in_order_while_the_next_is_produced():
    written, produced_second = [], threading.Event()

    def items():
        yield 0
        yield 1
        produced_second.set()
        yield 2

    def write(item):
        if item == 0:
            # Blocks until the producer has moved past item 1: only possible if writing
            # item 0 and producing the next ones overlap.
            assert produced_second.wait(timeout=30), "the producer waited for the writer"
        written.append(item)

    write_behind(write, items())
    assert written == [0, 1, 2]


def test_a_failed_write_stops_the_producer_and_is_raised():
    produced = []

    def items():
        for index in range(100):
            produced.append(index)
            yield index

    def write(item):
        if item == 1:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_behind(write, items())
    assert len(produced) < 100


def test_a_failed_producer_still_writes_what_it_made_then_raises():
    written = []

    def items():
        yield 0
        yield 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_behind(written.append, items())
    assert written == [0, 1]


class _FailsOnTile:
    """A backend that upscales by nearest neighbour and fails on its ``fail_at``-th call."""

    def __init__(self, fail_at):
        self.calls, self.fail_at = 0, fail_at

    def __call__(self, lr):
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("tile failed")
        return np.repeat(np.repeat(lr, 4, axis=1), 4, axis=2)


def test_streamed_png_is_the_upscale_and_a_failure_leaves_no_file(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (40, 52, 3), dtype=np.uint8)
    source = tmp_path / "in.png"
    Image.fromarray(rgb).save(source)
    upscaler = Upscaler(_FailsOnTile(fail_at=0), scale=4, overlap=2, tile=16)
    out = tmp_path / "out.png"
    upscale_file(upscaler, str(source), str(out))
    expected = np.repeat(np.repeat(rgb, 4, axis=0), 4, axis=1)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)

    # Fails on the 5th tile: the first row of tiles (4) was encoded already.
    failing = Upscaler(_FailsOnTile(fail_at=5), scale=4, overlap=2, tile=16)
    with pytest.raises(RuntimeError, match="tile failed"):
        upscale_file(failing, str(source), str(tmp_path / "failed.png"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png"]
