"""``srgan summary``: build a config's networks and print their sizes."""

from srgan_tf.config import apply_overrides, load_config
from srgan_tf.models import architecture_of, build_discriminator, build_feature_extractor, build_from_architecture


def summarize(config_source, overrides=(), vgg=False, print_fn=print):
    """Prints Keras summaries and a parameter table; returns {name: parameter count}."""
    config = apply_overrides(load_config(config_source), overrides)
    m = config.model
    networks = [
        build_from_architecture(architecture_of(m)),
        build_discriminator(config.data.patch_size, m.discriminator_filters, m.discriminator_dense_units),
    ]
    if vgg:
        layer = config.loss.content if config.loss.content.startswith("vgg") else "vgg54"
        networks.append(build_feature_extractor(layer, weights=None))
    counts = {}
    for model in networks:
        model.summary(print_fn=print_fn, line_length=100)
        counts[model.name] = model.count_params()
    print_fn(f"\nconfig {config.name!r}: x{m.scale}, {m.num_blocks} blocks, {m.filters} filters")
    print_fn(f"{'network':<20} {'parameters':>14}")
    for name, count in counts.items():
        print_fn(f"{name:<20} {count:>14,}")
    return counts
