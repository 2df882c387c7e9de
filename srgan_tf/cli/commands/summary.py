"""``srgan summary``: build a config's networks and print their sizes."""

from srgan_tf.cli.commands.options import add_config_arguments
from srgan_tf.config import apply_overrides, load_config

HELP = "build the networks of a config and print their summaries"
WORKLOAD = "inference"


def add_arguments(parser):
    add_config_arguments(parser)
    parser.add_argument("--vgg", action="store_true", help="also build the VGG19 feature extractor (random weights)")


def run(args):
    summarize_networks(args.config, args.overrides, vgg=args.vgg)
    return 0


def summarize_networks(config_source, overrides=(), vgg=False, print_fn=print):
    """Prints Keras summaries and a parameter table; returns {name: parameter count}."""
    from srgan_tf.training.builders import (
        build_discriminator_from_config,
        build_feature_extractor_from_config,
        build_generator_from_config,
    )

    config = apply_overrides(load_config(config_source), overrides)
    m = config.model
    networks = [build_generator_from_config(config), build_discriminator_from_config(config)]
    if vgg:
        # The config's VGG layer (vgg54 when the content loss is pixel-space), never downloaded.
        content = config.loss.content if config.loss.content.startswith("vgg") else "vgg54"
        networks.append(build_feature_extractor_from_config(apply_overrides(config, [f"loss.content={content}"]), None))
    counts = {}
    for model in networks:
        model.summary(print_fn=print_fn, line_length=100)
        counts[model.name] = model.count_params()
    print_fn(f"\nconfig {config.name!r}: x{m.scale}, {m.arch}, {m.num_blocks} blocks, {m.filters} filters")
    print_fn(f"{'network':<20} {'parameters':>14}")
    for name, count in counts.items():
        print_fn(f"{name:<20} {count:>14,}")
    return counts
