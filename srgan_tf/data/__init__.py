"""Input pipelines: image folders -> aligned (LR, HR) batches."""

from srgan_tf.data.decoding import DecodeFailures
from srgan_tf.data.degradations import bicubic, get_degradation
from srgan_tf.data.pipeline import training_dataset, validation_dataset
from srgan_tf.data.scan import ScanResult, find_images, pair_low_resolution, scan_images
from srgan_tf.data.sources import make_training_data, make_validation_data, train_split, val_split

__all__ = [
    "DecodeFailures",
    "ScanResult",
    "bicubic",
    "find_images",
    "get_degradation",
    "make_training_data",
    "make_validation_data",
    "pair_low_resolution",
    "scan_images",
    "train_split",
    "training_dataset",
    "val_split",
    "validation_dataset",
]
