"""find_images on real folder trees: symbolic links, cycles, files reached twice."""

import os
import signal
from contextlib import contextmanager

from PIL import Image

from srgan_tf.data import find_images


@contextmanager
def _deadline(seconds):
    """Fails the test instead of hanging it (a link cycle used to walk without end)."""

    def expired(*_):
        raise TimeoutError(f"still walking after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _photos(folder, names, train_photo):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        Image.fromarray(train_photo[:16, :16]).save(folder / name)


def test_link_cycles_are_walked_once(tmp_path, train_photo):
    root = tmp_path / "photos"
    _photos(root, ["a.png", "b.png"], train_photo)
    os.symlink(".", root / "again")
    os.symlink("..", root / "sub")  # a second way back up: two links made the walk exponential
    with _deadline(20):
        found = find_images(root)
    assert found == [str(root / "a.png"), str(root / "b.png")]


def test_links_to_other_folders_and_files_are_followed_once(tmp_path, train_photo):
    outside = tmp_path / "outside"
    _photos(outside, ["x.png"], train_photo)
    root = tmp_path / "photos"
    _photos(root, ["a.png"], train_photo)
    os.symlink(outside, root / "linked")  # a folder elsewhere: followed
    os.symlink(outside, root / "linked_again")  # the same folder by a second name: not walked again
    os.symlink(root / "a.png", root / "z_alias.png")  # a file already listed: not drawn twice
    os.symlink(tmp_path / "missing.png", root / "broken.png")  # listed, so the scan reports it
    with _deadline(20):
        found = find_images(root)
    relative = [os.path.relpath(p, root) for p in found]
    assert relative == ["a.png", "broken.png", os.path.join("linked", "x.png")]
