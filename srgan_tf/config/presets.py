"""Named configs: the paper's (``srresnet_x4``, ``srgan_x4``), ESRGAN's (``esrgan_x4``), and
two for a CPU (``demo`` from scratch, ``finetune_x4`` from the shipped model)."""

from srgan_tf.config.schema import Config, DataConfig, LossConfig, ModelConfig, TrainConfig
from srgan_tf.errors import SRGANError


def _presets():
    paper = Config(name="srgan_x4")
    srresnet = Config(
        name="srresnet_x4",
        train=TrainConfig(pretrain_steps=1_000_000, steps=0),
    )
    demo = Config(
        name="demo",
        # BatchNorm momentum 0.9: in runs this short, 0.99's moving averages lag the weights
        # and inference sees stale statistics (docs/pretrained.md, runs A and C: +4.6 dB).
        model=ModelConfig(
            num_blocks=4, filters=32, discriminator_filters=16, discriminator_dense_units=128, bn_momentum=0.9
        ),
        loss=LossConfig(content="mse", vgg_weights=None, adversarial_weight=1e-3),
        data=DataConfig(patch_size=64, batch_size=8, patches_per_image=8, val_max_images=2),
        train=TrainConfig(
            pretrain_steps=2500,
            steps=500,
            # A small net on a CPU budget: a faster stage 1 that settles at the end.
            pretrain_learning_rate=1e-3,
            pretrain_learning_rate_decay_at=0.7,
            steps_per_epoch=250,
            checkpoint_every=250,
            health_patience=100,
        ),
    )
    finetune = Config(
        name="finetune_x4",
        # The shipped srresnet-x4 (training/configs/photos_x4.yaml) fine-tuned on your photos for
        # a few CPU minutes: its architecture, its stage-1 loss, a learning rate 100x lower so a
        # short run refines the weights instead of undoing them (2e-5 ended 0.03 dB below the
        # start on the bundled held-out photos; 5e-6 did not), and a short SRGAN-MSE stage 2.
        model=ModelConfig(upsample_skip=True, batch_norm=False, bn_momentum=0.9),
        loss=LossConfig(pixel="l1", content="mse", vgg_weights=None, adversarial_weight=1e-3),
        data=DataConfig(patch_size=64, batch_size=8, patches_per_image=8, val_max_images=2),
        train=TrainConfig(
            init="srresnet-x4",
            pretrain_steps=120,
            steps=40,
            pretrain_learning_rate=5e-6,
            learning_rate=2e-6,
            steps_per_epoch=40,
            checkpoint_every=40,
            health_patience=100,
        ),
    )
    esrgan = Config(
        name="esrgan_x4",
        # ESRGAN (Wang et al. 2018, §4.1 and its released training options): RRDBNet, 128 px HR
        # patches; stage 1 L1 at 2e-4 halved every 200k of 1M steps; stage 2 perceptual loss on
        # VGG19 conv5_4 *before* activation + 5e-3 relativistic GAN + 1e-2 L1, 1e-4 halved at
        # 50k/100k/200k/300k of 400k. The discriminator is SRGAN's with ESRGAN's 100-unit dense layer.
        model=ModelConfig(arch="rrdbnet", num_blocks=23, filters=64, growth=32, discriminator_dense_units=100),
        loss=LossConfig(
            pixel="l1",
            content="vgg54",
            vgg_before_activation=True,
            adversarial="relativistic",
            adversarial_weight=5e-3,
            pixel_weight=1e-2,
        ),
        data=DataConfig(patch_size=128, batch_size=16),
        train=TrainConfig(
            pretrain_steps=1_000_000,
            pretrain_learning_rate=2e-4,
            pretrain_learning_rate_decay_at=[0.2, 0.4, 0.6, 0.8],
            steps=400_000,
            learning_rate=1e-4,
            learning_rate_decay_at=[0.125, 0.25, 0.5, 0.75],
            learning_rate_decay=0.5,
        ),
    )
    return {c.name: c for c in (paper, srresnet, demo, finetune, esrgan)}


PRESETS = tuple(_presets())


def get_preset(name):
    """Returns a fresh copy of the preset called ``name``."""
    presets = _presets()
    if name not in presets:
        raise SRGANError(f"unknown preset {name!r}; choose one of {', '.join(presets)} or a .json/.yaml file")
    return presets[name]
