"""The VGG19 feature extractor: layer choice, preprocessing, activation tap, weights files."""

import keras
import numpy as np
import pytest

from srgan_tf import SRGANError
from srgan_tf.models import build_feature_extractor


@pytest.fixture(scope="module")
def vgg_weights_file(tmp_path_factory):
    """A VGG19 weights file written by the test (nothing is downloaded)."""
    keras.utils.set_random_seed(1)
    backbone = keras.applications.VGG19(include_top=False, weights=None)
    path = tmp_path_factory.mktemp("vgg") / "vgg19_random.weights.h5"
    backbone.save_weights(path)
    return path, backbone


def test_vgg22_matches_keras_preprocessing(vgg_weights_file, rng):
    path, backbone = vgg_weights_file
    extractor = build_feature_extractor("vgg22", weights=path)
    assert not extractor.trainable and not extractor.trainable_weights
    images = rng.random((2, 32, 40, 3), dtype=np.float32) * 2 - 1
    reference_input = keras.applications.vgg19.preprocess_input((images + 1) * 127.5)
    tap = keras.Model(backbone.input, backbone.get_layer("block2_conv2").output)
    expected = tap(reference_input).numpy()
    np.testing.assert_allclose(extractor(images).numpy(), expected, rtol=1e-4, atol=1e-3)
    assert expected.shape == (2, 16, 20, 128)


def test_before_activation_is_the_same_conv_without_relu(vgg_weights_file, rng):
    path, _ = vgg_weights_file
    images = rng.random((1, 32, 32, 3), dtype=np.float32) * 2 - 1
    after = build_feature_extractor("vgg22", weights=path)(images).numpy()
    before = build_feature_extractor("vgg22", weights=path, before_activation=True)(images).numpy()
    assert (before < 0).any()
    np.testing.assert_allclose(np.maximum(before, 0), after, rtol=1e-4, atol=1e-3)


def test_vgg54_default_shape():
    extractor = build_feature_extractor(weights=None)
    assert extractor.output.shape[-1] == 512
    assert extractor.layers[-2].name == "block5_conv4"


def test_vgg_errors(tmp_path):
    with pytest.raises(SRGANError, match="unknown VGG19 layer"):
        build_feature_extractor("block9_conv9", weights=None)
    with pytest.raises(SRGANError, match="weights file not found"):
        build_feature_extractor(weights=tmp_path / "missing.h5")
