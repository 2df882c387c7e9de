"""What every network of the package promises, checked the same way for each (new ones too):
eager call and ``predict`` agree, a ``.keras`` file saved and loaded under ``safe_mode`` gives
the same outputs, and the config alone rebuilds the same graph."""

import keras
import numpy as np


def assert_network_contract(model, inputs, tmp_path):
    """Checks ``model`` on ``inputs``; returns the reloaded model."""
    eager = np.asarray(model(inputs, training=False))
    predicted = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(predicted, eager, rtol=1e-5, atol=1e-5)

    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), predicted)
    assert [w.path for w in loaded.weights] == [w.path for w in model.weights]

    rebuilt = model.__class__.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(np.asarray(rebuilt(inputs, training=False)), eager, rtol=1e-5, atol=1e-5)
    return loaded
