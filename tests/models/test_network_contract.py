"""The networks outside the generator registry (and SRResNet's options) keep the network contract
(tests/network_contract.py); every registry generator gets it in tests/models/test_generators.py."""

import numpy as np
import pytest
from network_contract import assert_network_contract

from srgan_tf.models import build_discriminator, build_feature_extractor, build_generator


def _random_weights(model, rng):
    # Away from the initialisers (zero biases, unit BatchNorm): every tensor must round-trip.
    model.set_weights([w + rng.normal(0, 0.02, w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


NETWORKS = {
    "srresnet x2, bicubic skip, no BatchNorm": lambda: build_generator(
        2, num_blocks=1, filters=8, upsample_skip=True, batch_norm=False
    ),
    "discriminator": lambda: build_discriminator(patch_size=32, filters=8, dense_units=16),
    "vgg22 features": lambda: build_feature_extractor("vgg22", weights=None),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_network_contract(name, tmp_path, rng):
    model = _random_weights(NETWORKS[name](), rng)
    if name == "discriminator":
        inputs = rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    else:
        inputs = rng.random((2, 11, 13, 3), dtype=np.float32)  # odd, non-square: any size
    assert_network_contract(model, inputs, tmp_path)
