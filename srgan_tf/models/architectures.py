"""Config and cards -> generators, through the architecture registry (``model.arch``).

A generator's *architecture* is a dict ``{"arch": NAME, **build arguments}``: what a named
model's card stores and what :func:`build_from_architecture` builds, so training, the model
summary, release and the pretrained loader all build networks the same way. The names, scales
and build arguments are :data:`srgan_tf.config.registry.ARCHITECTURES`'; nothing here lists them.
"""

from srgan_tf.config import ARCHITECTURES, canonical_architecture, get_architecture, resolve

__all__ = ["ARCHITECTURES", "architecture_of", "build_from_architecture"]


def architecture_of(model_config):
    """The architecture dict of a ``ModelConfig``: its arch and the fields that arch takes."""
    entry = get_architecture(model_config.arch)
    return {"arch": model_config.arch, **{key: getattr(model_config, key) for key in entry.config_keys}}


def build_from_architecture(architecture, name=None, sync_batch_norm=False):
    """Builds the generator an architecture dict describes (no ``arch``: SRResNet, as early
    cards; older key names are read too).

    ``sync_batch_norm`` applies to architectures with BatchNorm (SRResNet); RRDBNet has none.
    """
    kwargs = canonical_architecture(architecture)
    entry = get_architecture(kwargs.pop("arch"))
    if name:
        kwargs["name"] = name
    if entry.batch_norm:
        kwargs["sync_batch_norm"] = sync_batch_norm
    return resolve(entry.builder)(**kwargs)
