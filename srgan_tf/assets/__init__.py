"""Files shipped inside the package: the bundled sample photos and the pretrained weights."""

import os

ASSETS_DIR = os.path.dirname(os.path.abspath(__file__))
SAMPLE_PHOTOS_DIR = os.path.join(ASSETS_DIR, "photos")
SAMPLE_TRAIN_DIR = os.path.join(SAMPLE_PHOTOS_DIR, "train")
SAMPLE_VAL_DIR = os.path.join(SAMPLE_PHOTOS_DIR, "val")
WEIGHTS_DIR = os.path.join(ASSETS_DIR, "weights")
