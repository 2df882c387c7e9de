"""Train SRGAN with plain Keras ``fit``: the script to read and copy.

    python training/fit.py                                    # demo preset, bundled photos, CPU minutes
    python training/fit.py --config srgan_x4 --data DIV2K_train_HR --out srgan_x4.keras
    python training/fit.py --set train.pretrain_steps=2 --set train.steps=2    # a smoke test

The paper's two stages, one ``fit`` each: SRResNet (the generator alone on the pixel loss), then
SRGAN (the same generator against a discriminator, with the content loss). ``srgan train`` runs
these fits with what a long run needs besides: checkpoints and resuming, validation, logs and
samples, mixed precision, several devices (srgan_tf/training/trainer.py).
"""

import argparse

from srgan_tf.cli.commands import load_tensorflow

load_tensorflow("training")  # oneDNN kernels on a CPU; TensorFlow's start-up lines hidden

import keras  # noqa: E402

from srgan_tf.config import apply_overrides, load_config  # noqa: E402
from srgan_tf.data import make_training_data  # noqa: E402
from srgan_tf.training import SRGAN  # noqa: E402
from srgan_tf.training.builders import (  # noqa: E402
    build_discriminator_from_config,
    build_feature_extractor_from_config,
    build_generator_from_config,
    learning_rate_schedule,
    loss_arguments,
)
from srgan_tf.utils.atomic import atomic_path  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="demo", help="a preset (srgan_x4, demo, ...) or a YAML/JSON file")
    parser.add_argument("--data", help="a folder of HR photos (default: the bundled ones)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="a config override")
    parser.add_argument("--out", default="generator.keras", help="the trained generator (.keras)")
    args = parser.parse_args(argv)
    overrides = args.set + ([f"data.train_dir={args.data}"] if args.data else [])
    config = apply_overrides(load_config(args.config), overrides)
    keras.utils.set_random_seed(config.train.seed)
    data, _ = make_training_data(config)  # endless (LR in [0, 1], HR in [-1, 1]) batches
    t, losses = config.train, loss_arguments(config)

    def adam(stage):
        return keras.optimizers.Adam(learning_rate_schedule(config, stage), beta_1=t.beta_1, beta_2=t.beta_2)

    generator = build_generator_from_config(config)
    if t.pretrain_steps:  # stage 1: SRResNet
        srresnet = SRGAN(generator, scale=config.model.scale, **losses)
        srresnet.compile(adam("pretrain"))
        srresnet.fit(data, steps_per_epoch=t.pretrain_steps, epochs=1, shuffle=False)  # the data is shuffled
    if t.steps:  # stage 2: SRGAN
        discriminator, vgg = build_discriminator_from_config(config), build_feature_extractor_from_config(config)
        srgan = SRGAN(generator, discriminator, vgg, scale=config.model.scale, **losses)
        srgan.compile(adam("gan"), adam("gan"))
        srgan.fit(data, steps_per_epoch=t.steps, epochs=1, shuffle=False)
    with atomic_path(args.out) as tmp:
        generator.save(tmp)
    print(f"generator: {args.out}")


if __name__ == "__main__":
    main()
