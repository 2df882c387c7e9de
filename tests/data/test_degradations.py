"""From a photo to the training pair: HR cropped to a multiple of the scale, LR by the degradation."""

import numpy as np
import pytest
from PIL import Image

from srgan_tf.data import bicubic
from srgan_tf.data.degradations import photo_pair


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_photo_pair_crops_hr_to_the_scale_and_degrades_it(tmp_path, photos, scale):
    image = photos[1][:61, :50]
    Image.fromarray(image).save(tmp_path / "p.png")
    hr, lr = photo_pair(str(tmp_path / "p.png"), scale)
    height, width = 61 // scale * scale, 50 // scale * scale
    assert hr.dtype == lr.dtype == np.float32
    np.testing.assert_array_equal(hr, image[:height, :width] / np.float32(255))
    assert lr.shape == (height // scale, width // scale, 3)
    np.testing.assert_array_equal(lr, bicubic(hr, scale).numpy())
    np.testing.assert_array_equal(np.round(lr * 255) / 255, lr)  # 8-bit levels, as LR files are
