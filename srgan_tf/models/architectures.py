"""The generator architectures a config can name (``model.arch``): the one switch between them.

A generator's *architecture* is a dict ``{"arch": NAME, **build arguments}``: what a named
model's card stores and what :func:`build_from_architecture` builds, so training, the model
summary, release and the pretrained loader all build networks the same way.
"""

from srgan_tf.config import ARCHITECTURES  # the config owns the names
from srgan_tf.errors import SRGANError
from srgan_tf.models.generator import build_generator
from srgan_tf.models.rrdbnet import build_rrdbnet


def architecture_of(model_config):
    """The architecture dict of a ``ModelConfig``."""
    m = model_config
    if m.arch == "rrdbnet":
        return {
            "arch": "rrdbnet",
            "scale": m.scale,
            "num_blocks": m.num_blocks,
            "features": m.filters,
            "growth": m.growth,
        }
    return {
        "arch": "srresnet",
        "scale": m.scale,
        "num_blocks": m.num_blocks,
        "filters": m.filters,
        "bn_momentum": m.bn_momentum,
        "upsample_skip": m.upsample_skip,
        "batch_norm": m.batch_norm,
    }


def build_from_architecture(architecture, name=None, sync_batch_norm=False):
    """Builds the generator an architecture dict describes (no ``arch``: SRResNet, as early cards).

    ``sync_batch_norm`` applies to architectures with BatchNorm (SRResNet); RRDBNet has none.
    """
    kwargs = dict(architecture)
    arch = kwargs.pop("arch", "srresnet")
    if name:
        kwargs["name"] = name
    if arch == "rrdbnet":
        return build_rrdbnet(**kwargs)
    if arch == "srresnet":
        return build_generator(**kwargs, sync_batch_norm=sync_batch_norm)
    raise SRGANError(f"unknown generator architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
