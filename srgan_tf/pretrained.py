"""Named pretrained generators shipped inside the package (``srresnet-x4``, ``srgan-x4``).

Each named model is two files in ``srgan_tf/assets/weights/``::

    NAME.json          the card: architecture, weights file + SHA-256, training, held-out scores
    NAME.weights.npz   every generator variable (BatchNorm statistics included) as float16,
                       keyed ``NNN:<variable path>`` in ``generator.weights`` order

and a human-readable ``NAME.md`` beside them. Loading builds the generator from the card's
architecture, checks the file's hash and that every stored tensor matches the network by
name and shape (a mismatch is an error, never a silent partial load), and casts to float32.
Nothing is downloaded: the weights are package data.

Every command that takes ``--model`` accepts these names (see :mod:`srgan_tf.backends`).
"""

import hashlib
import json
import os
from dataclasses import dataclass, field

import numpy as np

from srgan_tf.assets import WEIGHTS_DIR
from srgan_tf.errors import SRGANError

# What ``srgan upscale`` and ``srgan_tf.upscale`` use when no model is named: of the two shipped
# models, srgan-x4 measured both more accurate (held-out mean Y-PSNR 33.20 vs 33.14 dB) and
# sharper (gradient energy 0.377 vs 0.345 of the photos'), and as SRGAN-MSE it adds no
# VGG-style hallucinated texture (docs/pretrained.md).
DEFAULT_MODEL = "srgan-x4"

_WEIGHTS_SUFFIX = ".weights.npz"


@dataclass(frozen=True)
class ModelCard:
    """What the card of a named model holds (``NAME.json``)."""

    name: str
    summary: str  # one line for ``srgan models``
    architecture: dict  # {"arch": ..., build arguments}: see models.architectures
    weights: str  # file name inside WEIGHTS_DIR
    sha256: str
    dtype: str = "float16"  # how the weights are stored
    float16_psnr_db: float | None = None  # worst PSNR of the stored weights' outputs vs float32
    training: dict = field(default_factory=dict)
    evaluation: dict = field(default_factory=dict)
    license: str = ""

    @property
    def scale(self):
        return int(self.architecture["scale"])

    @property
    def weights_path(self):
        return os.path.join(WEIGHTS_DIR, self.weights)


def named_models():
    """{name: ModelCard} for every card in the package, sorted by name."""
    cards = {}
    if os.path.isdir(WEIGHTS_DIR):
        for file in sorted(os.listdir(WEIGHTS_DIR)):
            if file.endswith(".json"):
                with open(os.path.join(WEIGHTS_DIR, file), encoding="utf-8") as f:
                    card = ModelCard(**json.load(f))
                cards[card.name] = card
    return cards


def is_named_model(spec):
    """True when ``spec`` names a shipped model and no file or folder of that name exists here."""
    return isinstance(spec, str) and spec in named_models() and not os.path.exists(spec)


def get_card(name):
    cards = named_models()
    if name not in cards:
        known = ", ".join(cards) or "none installed"
        raise SRGANError(f"unknown model name {name!r} (named models: {known})")
    return cards[name]


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weight_keys(generator):
    """The storage key of each variable, in ``generator.weights`` order."""
    return [f"{i:03d}:{variable.path}" for i, variable in enumerate(generator.weights)]


def save_weights(generator, path, dtype=np.float16):
    """Writes every variable of ``generator`` to ``path`` (npz, ``dtype``), atomically."""
    arrays = {key: np.asarray(value, dtype) for key, value in zip(weight_keys(generator), generator.get_weights())}
    tmp = f"{path}.partial.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_weights(generator, path):
    """Sets ``generator``'s variables from an npz written by :func:`save_weights`.

    Raises SRGANError unless the file holds exactly the network's variables, by name and shape.
    """
    with np.load(path) as stored:
        keys = weight_keys(generator)
        if sorted(stored.files) != sorted(keys):
            missing = sorted(set(keys) - set(stored.files))[:3]
            extra = sorted(set(stored.files) - set(keys))[:3]
            raise SRGANError(
                f"{os.path.basename(path)} does not fit this network "
                f"({len(stored.files)} tensors stored, {len(keys)} expected; missing {missing}, unexpected {extra})"
            )
        values = []
        for key, variable in zip(keys, generator.weights):
            value = stored[key]
            if tuple(value.shape) != tuple(variable.shape):
                raise SRGANError(
                    f"{os.path.basename(path)}: {key} has shape {value.shape}, the network needs {variable.shape}"
                )
            values.append(value.astype(np.float32))
    generator.set_weights(values)
    return generator


def load_pretrained(name):
    """Builds the named generator with its shipped weights (float32, inference-ready)."""
    from srgan_tf.models import build_from_architecture

    card = get_card(name)
    if not os.path.isfile(card.weights_path):
        raise SRGANError(f"the weights of {name} are missing from the installed package ({card.weights_path})")
    digest = file_sha256(card.weights_path)
    if digest != card.sha256:
        raise SRGANError(f"the weights of {name} are corrupt (SHA-256 {digest[:12]}…, card says {card.sha256[:12]}…)")
    generator = build_from_architecture(card.architecture, name=name.replace("-", "_"))
    return load_weights(generator, card.weights_path)


def default_model():
    """The name of the default model, or SRGANError when this installation ships none."""
    if DEFAULT_MODEL not in named_models():
        raise SRGANError(
            "this version of srgan_tf ships no pretrained model yet: pass --model "
            "(a run dir, .keras, SavedModel, .tflite or .onnx; see srgan train)"
        )
    return DEFAULT_MODEL


def card_line(card):
    """One line for ``srgan models``."""
    evaluation = card.evaluation.get("mean", {})
    scores = ""
    if evaluation:
        scores = (
            f"; held-out Y-PSNR {evaluation['psnr']:.2f} dB vs bicubic {evaluation['bicubic_psnr']:.2f} dB"
            f" ({len(card.evaluation.get('images', []))} photos)"
        )
    default = " [default]" if card.name == DEFAULT_MODEL else ""
    return f"{card.name}{default}: x{card.scale}, {card.summary}{scores}"
