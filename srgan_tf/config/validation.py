"""Value ranges and choices of a config, checked once, with one clear error each."""

from srgan_tf.config import registry, schema
from srgan_tf.errors import SRGANError


def _check(condition, message):
    if not condition:
        raise SRGANError(message)


def validate(config):
    """Checks value ranges and choices; returns ``config`` or raises SRGANError."""
    m, lo, d, t = config.model, config.loss, config.data, config.train
    architectures = tuple(registry.ARCHITECTURES)
    _check(m.arch in registry.ARCHITECTURES, f"model.arch must be one of {architectures}, got {m.arch!r}")
    scales = registry.ARCHITECTURES[m.arch].scales
    _check(m.scale in scales, f"model.scale must be one of {scales} for {m.arch}, got {m.scale!r}")
    _check(isinstance(m.growth, int) and m.growth >= 1, "model.growth must be an integer >= 1")
    _check(isinstance(m.num_blocks, int) and m.num_blocks >= 1, "model.num_blocks must be an integer >= 1")
    _check(isinstance(m.filters, int) and m.filters >= 1, "model.filters must be an integer >= 1")
    norms = schema.DISCRIMINATOR_NORMS
    _check(
        m.discriminator_norm in norms, f"model.discriminator_norm must be one of {norms}, got {m.discriminator_norm!r}"
    )
    _check(
        lo.content in registry.CONTENT_LOSSES,
        f"loss.content must be one of {registry.CONTENT_LOSSES}, got {lo.content!r}",
    )
    pixel = tuple(registry.PIXEL_LOSSES)
    _check(lo.pixel in registry.PIXEL_LOSSES, f"loss.pixel must be one of {pixel}")
    for key in ("content_weight", "adversarial_weight", "pixel_weight", "tv_weight"):
        _check(getattr(lo, key) >= 0, f"loss.{key} must be >= 0")
    rescale = lo.vgg_feature_rescale
    _check(
        rescale is None or rescale > 0,
        f"loss.vgg_feature_rescale must be null (the content layers' own) or > 0, got {rescale!r}",
    )
    _check(
        d.patch_size % m.scale == 0 and d.patch_size % 16 == 0,
        f"data.patch_size must be a multiple of 16 and of the scale ({m.scale}), got {d.patch_size}",
    )
    _check(d.batch_size >= 1, "data.batch_size must be >= 1")
    _check(d.patches_per_image >= 1, "data.patches_per_image must be >= 1")
    # Both would leave validation without an image: training then stops at its first evaluation.
    _check(
        isinstance(d.val_max_images, int) and d.val_max_images >= 1,
        f"data.val_max_images must be an integer >= 1, got {d.val_max_images!r}",
    )
    _check(
        d.val_max_side is None or (isinstance(d.val_max_side, int) and d.val_max_side >= m.scale),
        f"data.val_max_side must be null (whole images) or an integer >= the scale ({m.scale}), got {d.val_max_side!r}",
    )
    _check(d.degradation in registry.DEGRADATIONS, f"data.degradation must be one of {tuple(registry.DEGRADATIONS)}")
    _check(d.cache is None or bool(d.cache), "data.cache must be null, memory or a folder")
    _check(t.pretrain_steps >= 0 and t.steps >= 0, "train.pretrain_steps and train.steps must be >= 0")
    _check(t.steps_per_epoch >= 1 and t.checkpoint_every >= 1, "train.steps_per_epoch/checkpoint_every must be >= 1")
    _check(t.keep_checkpoints >= 1 and t.log_every >= 1, "train.keep_checkpoints and train.log_every must be >= 1")
    spe = t.steps_per_execution
    _check(
        isinstance(spe, int) and spe >= 1 and all(n % spe == 0 for n in (t.steps_per_epoch, t.pretrain_steps, t.steps)),
        f"train.steps_per_execution ({spe}) must be >= 1 and divide steps_per_epoch, pretrain_steps and steps",
    )
    _check(0.0 <= t.ema_decay < 1.0, f"train.ema_decay must be in [0, 1), got {t.ema_decay!r}")
    _check(t.precision in schema.PRECISIONS, f"train.precision must be one of {schema.PRECISIONS}, got {t.precision!r}")
    _check(t.jit in schema.JIT_MODES, f"train.jit must be one of {schema.JIT_MODES}, got {t.jit!r}")
    _check(t.strategy in schema.STRATEGIES, f"train.strategy must be one of {schema.STRATEGIES}, got {t.strategy!r}")
    for key in ("learning_rate_decay_at", "pretrain_learning_rate_decay_at"):
        at = getattr(t, key)
        milestones = at if isinstance(at, list) else [at]
        _check(
            all(0.0 <= v <= 1.0 for v in milestones) and milestones == sorted(milestones),
            f"train.{key} must be a fraction in [0, 1] or an ascending list of them, got {at!r}",
        )
    _check(
        lo.adversarial in registry.ADVERSARIAL_LOSSES,
        f"loss.adversarial must be one of {tuple(registry.ADVERSARIAL_LOSSES)}, got {lo.adversarial!r}",
    )
    return config
