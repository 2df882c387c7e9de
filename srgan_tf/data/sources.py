"""From a config's folders to ready datasets: layout detection, scanning, defaults.

Folder layouts understood:

- HR-only: any folder tree of photos (DIV2K_train_HR, ImageNet, your own).
- Paired: ``data.train_lr_dir`` beside ``data.train_dir`` (``0001.png`` <->
  ``0001x4.png`` as in DIV2K, or identical names).
- Benchmarks (Set5/Set14/BSD100 as distributed with EDSR): a folder with
  ``HR/`` and optionally ``LR_bicubic/X4/`` — the given LR files are used.

No ``train_dir`` means the bundled sample photos; no ``val_dir`` means the
bundled held-out photos.
"""

import os
from dataclasses import dataclass, field

from srgan_tf.assets import SAMPLE_TRAIN_DIR, SAMPLE_VAL_DIR
from srgan_tf.data.decoding import DecodeFailures
from srgan_tf.data.pipeline import training_dataset, validation_dataset
from srgan_tf.data.scan import find_images, scan_images


@dataclass
class ImageSplit:
    """Scanned files of one split; ``lr_files`` is None unless LR images are given."""

    files: list
    root: str = ""  # the folder (or single file) the files were found under
    lr_files: list | None = None
    skipped: list = field(default_factory=list)
    failures: DecodeFailures = field(default_factory=DecodeFailures)


def resolve_split(folder, scale, min_size, lr_dir=None, what="images"):
    """Finds and scans a split's images; detects the benchmark ``HR/`` + ``LR_bicubic/X{s}`` layout."""
    folder = os.fspath(folder)
    hr_dir = os.path.join(folder, "HR")
    benchmark_lr = os.path.join(folder, "LR_bicubic", f"X{scale}")
    if os.path.isdir(hr_dir):
        lr_dir = lr_dir or (benchmark_lr if os.path.isdir(benchmark_lr) else None)
        folder = hr_dir
    scan = scan_images(find_images(folder), min_size=min_size, what=what, lr_dir=lr_dir or None, scale=scale)
    return ImageSplit(files=scan.files, root=folder, lr_files=scan.lr_files, skipped=scan.skipped)


def train_split(config):
    d = config.data
    return resolve_split(
        d.train_dir or SAMPLE_TRAIN_DIR, config.model.scale, d.patch_size, d.train_lr_dir, "training images"
    )


def val_split(config):
    d = config.data
    return resolve_split(d.val_dir or SAMPLE_VAL_DIR, config.model.scale, config.model.scale, None, "validation images")


def make_training_data(config, split=None, seed=None, start_step=0):
    """The training ``tf.data.Dataset`` of a config (and its scanned split)."""
    d, split = config.data, split or train_split(config)
    dataset = training_dataset(
        split.files,
        scale=config.model.scale,
        patch_size=d.patch_size,
        batch_size=d.batch_size,
        patches_per_image=d.patches_per_image,
        lr_files=split.lr_files,
        augment=d.augment,
        degradation=d.degradation,
        seed=config.train.seed if seed is None else seed,
        start_step=start_step,
        cache=d.cache,
        failures=split.failures,
    )
    return dataset, split


def make_validation_data(config, split=None):
    """The validation ``tf.data.Dataset`` of a config (and its scanned split)."""
    d, split = config.data, split or val_split(config)
    files = split.files[: d.val_max_images]
    lr_files = split.lr_files[: d.val_max_images] if split.lr_files else None
    dataset = validation_dataset(
        files,
        scale=config.model.scale,
        lr_files=lr_files,
        degradation=d.degradation,
        max_side=d.val_max_side,
        failures=split.failures,
    )
    return dataset, split
