"""The serve queue's bounds: a full queue refuses a request before its image is decoded, and a
queue length below 1 (which queue.Queue would read as unbounded) is refused."""

import threading

import pytest

from srgan_tf.errors import SRGANError
from srgan_tf.serve.jobs import Jobs
from srgan_tf.serve.models import ModelList
from srgan_tf.serve.worker import QueueFull, Worker


@pytest.fixture
def busy_worker():
    """A worker of queue length 1 with one job running and one waiting: full until released."""
    worker = Worker(queue_size=1)
    started, release = threading.Event(), threading.Event()
    running, _ = worker.submit(lambda: (started.set(), release.wait(30)))
    assert started.wait(30)
    waiting, _ = worker.submit(lambda: "second")
    yield worker, release, waiting
    release.set()
    worker.close()


def test_a_full_queue_refuses_before_the_upload_is_decoded(busy_worker, tiny_model_path):
    worker, release, waiting = busy_worker
    jobs = Jobs(worker, ModelList([f"tiny={tiny_model_path}"], named=False), max_pixels=1 << 20)
    with pytest.raises(QueueFull, match="busy"):
        worker.check_room()
    # Bytes that do not decode: with the queue full they are refused as busy, never read.
    with pytest.raises(QueueFull, match="busy"):
        jobs.create(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "tiny", "broken.png", 4, 4)
    release.set()
    assert waiting.result(30) == "second"  # the queue has drained
    worker.check_room()
    with pytest.raises(SRGANError):  # now it is read, and refused for what it is
        jobs.create(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "tiny", "broken.png", 4, 4)


@pytest.mark.parametrize("size", [0, -1])
def test_a_queue_must_hold_at_least_one_image(size):
    with pytest.raises(ValueError, match="at least 1"):
        Worker(queue_size=size)
