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


def test_pairs_whose_lr_is_not_hr_over_scale_are_listed(tmp_path, train_photo, srgan_warnings):
    from srgan_tf import get_preset
    from srgan_tf.config import apply_overrides
    from srgan_tf.data import make_training_data

    hr_dir, lr_dir = tmp_path / "HR", tmp_path / "LR"
    hr_dir.mkdir(), lr_dir.mkdir()
    lr_sides = {"0000": 16, "0001": 32, "0002": 16, "0003": 12}  # 0001 is an x2 LR, 0003 too small
    for index, (stem, side) in enumerate(lr_sides.items()):
        hr = train_photo[index * 64 : index * 64 + 64, :64]
        Image.fromarray(hr).save(hr_dir / f"{stem}.png")
        Image.fromarray(hr).resize((side, side), Image.BICUBIC).save(lr_dir / f"{stem}x4.png")
    config = apply_overrides(
        get_preset("demo"),
        [f"data.train_dir={hr_dir}", f"data.train_lr_dir={lr_dir}", "data.patch_size=32", "data.batch_size=2"],
    )
    _, split = make_training_data(config)
    assert [os.path.basename(p) for p in split.files] == ["0000.png", "0002.png"]
    assert [os.path.basename(p) for p in split.lr_files] == ["0000x4.png", "0002x4.png"]
    assert [os.path.basename(p) for p, _ in split.skipped] == ["0001.png", "0003.png"]
    (message,) = srgan_warnings
    assert message.startswith("skipped 2 of 4 files: 0001.png (LR 0001x4.png is 32x32, expected 16x16")
    assert "0003.png (LR 0003x4.png is 12x12, expected 16x16" in message
