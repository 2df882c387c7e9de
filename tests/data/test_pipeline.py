"""The tf.data pipeline on real files: shapes, ranges, alignment, determinism, bad input."""

import os

import numpy as np
import pytest
import tensorflow as tf
from imagefiles import make_messy_folder, photo_crop
from PIL import Image

from srgan_tf import SRGANError, get_preset
from srgan_tf.config import apply_overrides
from srgan_tf.data import (
    DecodeFailures,
    bicubic,
    find_images,
    make_training_data,
    make_validation_data,
    scan_images,
    training_dataset,
    validation_dataset,
)
from srgan_tf.utils.imageio import load_rgb8


def _take(dataset, batches):
    return [(lr.numpy(), hr.numpy()) for lr, hr in dataset.take(batches)]


@pytest.fixture(scope="module")
def tiny_data_config():
    return apply_overrides(
        get_preset("demo"), ["data.patch_size=32", "data.batch_size=4", "data.patches_per_image=2", "model.scale=4"]
    )


def test_bundled_batches_shapes_ranges(tiny_data_config):
    dataset, split = make_training_data(tiny_data_config)
    assert len(split.files) == 9 and not split.skipped
    assert dataset.element_spec[0].shape.as_list() == [4, 8, 8, 3]  # static for XLA
    assert dataset.element_spec[1].shape.as_list() == [4, 32, 32, 3]
    for lr, hr in _take(dataset, 3):
        assert lr.dtype == np.float32 and lr.min() >= 0 and lr.max() <= 1
        assert hr.min() >= -1 and hr.max() <= 1 and hr.min() < -0.5  # really [-1, 1], not [0, 1]
        np.testing.assert_allclose(lr * 255, np.round(lr * 255), atol=1e-3)  # 8-bit LR levels


def _locate(image, patch):
    """The (top, left) where ``patch`` occurs in ``image`` (exhaustive search; small images)."""
    windows = np.lib.stride_tricks.sliding_window_view(image, patch.shape)[..., 0, :, :, :]
    hits = np.argwhere(np.all(windows == patch, axis=(-3, -2, -1)))
    assert len(hits) == 1
    return tuple(hits[0])


def test_lr_patches_equal_the_whole_image_degradation(tmp_path, train_photo):
    # Every LR pixel of a training patch must be the pixel validation and inference see: the
    # bicubic kernel must not be cut at the patch's edge (it changed ~30 % of each patch).
    image = photo_crop(train_photo, 120, 144, top=40, left=60)
    Image.fromarray(image).save(tmp_path / "p.png")
    whole_lr = bicubic(image.astype(np.float32) / 255, 4).numpy()
    dataset = training_dataset(
        [str(tmp_path / "p.png")], scale=4, patch_size=32, batch_size=4, patches_per_image=4, augment=False
    )
    corners = set()
    for lr, hr in _take(dataset, 3):
        for lr_patch, hr_patch in zip(lr, hr):
            top, left = _locate(image, np.round((hr_patch + 1) * 127.5).astype(np.uint8))
            assert top % 4 == 0 and left % 4 == 0  # crops sit on the LR grid
            corners.add((top, left))
            expected = whole_lr[top // 4 : top // 4 + 8, left // 4 : left // 4 + 8]
            np.testing.assert_allclose(lr_patch, expected, atol=1e-6)
    # Patches at the border and inside were both checked.
    assert any(top in (0, 88) or left in (0, 112) for top, left in corners)
    assert any(0 < top < 88 and 0 < left < 112 for top, left in corners)


def test_same_seed_same_stream_other_seed_differs(tiny_data_config):
    first = _take(make_training_data(tiny_data_config)[0], 3)
    again = _take(make_training_data(tiny_data_config)[0], 3)
    other = _take(make_training_data(tiny_data_config, seed=7)[0], 3)
    for (a, _), (b, _) in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0][0], other[0][0])


def test_paired_folders_stay_aligned_under_augmentation(tmp_path, train_photo):
    """LR files made from the full HR image: every LR/HR patch pair must still correspond."""
    hr_dir, lr_dir = tmp_path / "HR", tmp_path / "LR"
    hr_dir.mkdir(), lr_dir.mkdir()
    for index, (top, left) in enumerate([(0, 0), (100, 180)]):
        hr = photo_crop(train_photo, 256, 320, top, left)
        lr = (bicubic(hr / 255.0, 4).numpy() * 255).round().astype(np.uint8)
        Image.fromarray(hr).save(hr_dir / f"{index:04d}.png")
        Image.fromarray(lr).save(lr_dir / f"{index:04d}x4.png")
    config = apply_overrides(
        get_preset("demo"),
        [f"data.train_dir={hr_dir}", f"data.train_lr_dir={lr_dir}", "data.patch_size=64", "data.batch_size=8"],
    )
    dataset, split = make_training_data(config)
    assert split.lr_files[1].endswith("0001x4.png")
    for lr, hr in _take(dataset, 3):
        # Degrading the HR patch again must land near the LR patch (away from patch borders,
        # where the bicubic kernel saw pixels outside the patch).
        remade = bicubic((hr + 1) / 2, 4).numpy()
        error = np.abs(remade - lr)[:, 2:-2, 2:-2].mean()
        shifted = np.abs(np.roll(remade, 1, axis=2) - lr)[:, 2:-2, 2:-2].mean()
        assert error < 0.01 and shifted > 3 * error


def test_messy_folder_skips_and_counts(tmp_path, train_photo, srgan_warnings):
    kinds = make_messy_folder(tmp_path / "messy", train_photo)
    scan = scan_images(find_images(tmp_path / "messy"), min_size=64)
    (message,) = srgan_warnings
    assert message.startswith("skipped 3 of 8 files")
    for name in ("corrupt.jpg", "notes.png", "tiny.png"):
        assert name in message
    assert sorted(os.path.basename(p) for p in scan.files) == sorted(
        k for k, v in kinds.items() if v in ("ok", "truncated")
    )
    failures = DecodeFailures()
    dataset = training_dataset(scan.files, scale=4, patch_size=64, batch_size=4, patches_per_image=2, failures=failures)
    batches = _take(dataset, 5)
    assert len(batches) == 5  # training goes on
    assert srgan_warnings[1].startswith(f"skipping {tmp_path / 'messy' / 'truncated.png'}: cannot decode")
    assert [os.path.basename(p) for p in failures.paths] == ["truncated.png"]


def test_odd_modes_become_rgb8(tmp_path, train_photo):
    make_messy_folder(tmp_path, train_photo)
    rgb = photo_crop(train_photo, 160, 160)
    gray = load_rgb8(tmp_path / "gray.jpg")
    assert gray.shape == (160, 160, 3) and np.array_equal(gray[..., 0], gray[..., 2])
    sixteen = load_rgb8(tmp_path / "sixteen.png")
    np.testing.assert_array_equal(sixteen[..., 0], rgb[..., 1])  # v*257 -> v exactly
    rgba = load_rgb8(tmp_path / "rgba.png").astype(int)
    expected = (rgb.astype(int) * 128 + 255 * 127 + 127) // 255  # over white, alpha 128
    assert np.abs(rgba - expected).max() <= 1


def test_empty_or_useless_folders_error(tmp_path):
    (tmp_path / "empty").mkdir()
    config = apply_overrides(get_preset("demo"), [f"data.train_dir={tmp_path / 'empty'}"])
    with pytest.raises(SRGANError, match="no usable training images"):
        make_training_data(config)
    with pytest.raises(SRGANError, match="image folder not found"):
        make_training_data(apply_overrides(config, [f"data.train_dir={tmp_path / 'nope'}"]))


def test_validation_whole_images_multiple_of_scale(tiny_data_config, photos):
    dataset, split = make_validation_data(apply_overrides(tiny_data_config, ["data.val_max_side=null"]))
    shapes = [(lr.shape, hr.shape) for lr, hr in dataset]
    assert len(shapes) == 2
    for (lr_shape, hr_shape), photo in zip(shapes, photos):
        assert lr_shape[0] == 1 and hr_shape[1] == lr_shape[1] * 4 and hr_shape[2] == lr_shape[2] * 4
        assert hr_shape[1] == photo.shape[0] // 4 * 4


def test_benchmark_layout_uses_given_lr(tmp_path, photos):
    root = tmp_path / "Set2"
    (root / "HR").mkdir(parents=True)
    (root / "LR_bicubic" / "X4").mkdir(parents=True)
    for index, photo in enumerate(photos):
        hr = photo[:200, :240]
        Image.fromarray(hr).save(root / "HR" / f"img{index}.png")
        lr = np.full((50, 60, 3), 7 * index, np.uint8)  # recognisably not a bicubic of HR
        Image.fromarray(lr).save(root / "LR_bicubic" / "X4" / f"img{index}x4.png")
    config = apply_overrides(get_preset("demo"), [f"data.val_dir={root}"])
    dataset, split = make_validation_data(config)
    assert len(split.files) == 2 and split.lr_files
    for index, (lr, hr) in enumerate(dataset):
        assert lr.shape == (1, 50, 60, 3) and hr.shape == (1, 200, 240, 3)
        assert np.allclose(lr.numpy(), 7 * index / 255.0)


def test_unpaired_lr_is_reported(tmp_path, photos):
    (tmp_path / "hr").mkdir(), (tmp_path / "lr").mkdir()
    Image.fromarray(photos[0]).save(tmp_path / "hr" / "a.png")
    config = apply_overrides(
        get_preset("demo"), [f"data.train_dir={tmp_path / 'hr'}", f"data.train_lr_dir={tmp_path / 'lr'}"]
    )
    with pytest.raises(SRGANError, match="no LR partner"):
        make_training_data(config)


def test_validation_matches_training_degradation(photos, tmp_path):
    Image.fromarray(photos[0]).save(tmp_path / "p.png")
    lr, hr = next(iter(validation_dataset([str(tmp_path / "p.png")], scale=4, max_side=128)))
    assert hr.shape == (1, 128, 128, 3)
    np.testing.assert_allclose(lr.numpy(), bicubic((hr + 1) / 2, 4).numpy(), atol=1e-6)
    assert tf.reduce_max(tf.abs(hr)).numpy() <= 1.0


def test_start_step_resumes_the_exact_stream(tiny_data_config):
    full = _take(make_training_data(tiny_data_config)[0], 7)
    resumed = _take(make_training_data(tiny_data_config, start_step=3)[0], 4)
    for (lr_a, hr_a), (lr_b, hr_b) in zip(full[3:], resumed):
        np.testing.assert_array_equal(hr_a, hr_b)
        np.testing.assert_array_equal(lr_a, lr_b)


@pytest.mark.slow
def test_cache_gives_the_same_stream(tiny_data_config, tmp_path):
    plain = _take(make_training_data(tiny_data_config)[0], 3)
    for cache in ("memory", str(tmp_path / "cache")):
        cached_config = apply_overrides(tiny_data_config, [f"data.cache={cache}"])
        dataset = make_training_data(cached_config)[0]
        for _ in range(2):  # second pass reads from the cache
            for (_, a), (_, b) in zip(plain, _take(dataset, 3)):
                np.testing.assert_array_equal(a, b)
    assert len(os.listdir(tmp_path / "cache")) >= 1
