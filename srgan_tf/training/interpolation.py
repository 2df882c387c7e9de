"""Network interpolation (ESRGAN §3.4): one generator between a PSNR-oriented and a GAN-trained one.

``θ = (1 − α)·θ_A + α·θ_B``, parameter by parameter (BatchNorm statistics included), for two
generators of one architecture — e.g. A = srresnet-x4 (smooth, high PSNR) and B = srgan-x4
(sharper, lower PSNR): α trades one for the other without retraining, and without the noise
that blending the two *outputs* gives.
"""

import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import atomic_path


def interpolate_generators(model_a, model_b, alpha):
    """A copy of ``model_a`` whose weights are ``(1 − alpha)·A + alpha·B``.

    Args:
        model_a, model_b: generators (anything ``KerasBackend`` loads: named model, run dir,
            ``.keras``) of the same architecture.
        alpha: 0 gives A, 1 gives B.
    """
    import keras

    from srgan_tf.runtimes.runners import KerasBackend

    if not 0.0 <= alpha <= 1.0:
        raise SRGANError(f"--alpha must be in [0, 1], got {alpha}")
    a, b = KerasBackend(model_a).generator, KerasBackend(model_b).generator
    layers_a, layers_b = _layers(a), _layers(b)
    if layers_a != layers_b:
        first = next((x, y) for x, y in zip(layers_a + [None], layers_b + [None]) if x != y)
        raise SRGANError(f"{model_a} and {model_b} are different networks (layer {first[0]} vs {first[1]})")
    weights_a, weights_b = _weights(a), _weights(b)
    if weights_a.keys() != weights_b.keys():
        only = sorted(weights_a.keys() ^ weights_b.keys())[0]
        raise SRGANError(f"{model_a} and {model_b} are different networks: {only} is in only one of them")
    for path, wa in weights_a.items():
        wb = weights_b[path]
        if tuple(wa.shape) != tuple(wb.shape):
            raise SRGANError(
                f"{model_a} and {model_b} are different networks: {path} has shape "
                f"{tuple(wa.shape)} in one and {tuple(wb.shape)} in the other"
            )
    blended = keras.models.clone_model(a)
    for variable in blended.weights:
        x, y = (np.asarray(weights[variable.path].numpy(), np.float64) for weights in (weights_a, weights_b))
        variable.assign(((1.0 - alpha) * x + alpha * y).astype(variable.dtype))
    return blended


def _layers(model):
    # (class, name) of every layer. srgan_tf's BatchNorm computes what Keras' BatchNormalization
    # does, with the same variables: generators saved before it (Keras' class) are the same network.
    from srgan_tf.models import BatchNorm

    return [
        ("BatchNormalization" if isinstance(layer, BatchNorm) else type(layer).__name__, layer.name)
        for layer in model.layers
    ]


def _weights(model):
    """The model's variables by path (``layer/variable``), which does not depend on layer classes."""
    weights = {variable.path: variable for variable in model.weights}
    if len(weights) != len(model.weights):
        raise SRGANError(f"{model.name} has two variables with one path; cannot pair its weights")
    return weights


def write_interpolation(model_a, model_b, alpha, out_path, overwrite=False):
    """Blends the two generators and saves the result as ``out_path`` (.keras), atomically."""
    out_path = os.fspath(out_path)
    if not out_path.endswith(".keras"):
        raise SRGANError(f"--out must be a .keras file, got {out_path}")
    if os.path.exists(out_path) and not overwrite:
        raise SRGANError(f"{out_path} exists; pass --overwrite to replace it")
    blended = interpolate_generators(model_a, model_b, alpha)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with atomic_path(out_path) as tmp:
        blended.save(tmp)
    return out_path
