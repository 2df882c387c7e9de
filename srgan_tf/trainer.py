"""Config -> run directory: the paper's two stages, each a resumable Keras ``fit``.

A run directory is self-contained::

    RUN/config.json              the resolved config (later commands need nothing else)
    RUN/checkpoints/{pretrain,gan}/   both networks, both optimizers, the step (last K)
    RUN/logs/{pretrain,gan}/     TensorBoard scalars and images; RUN/logs/*.csv per-step scalars
    RUN/samples/*.png            bicubic | SR | HR after every epoch; loss curves at the end
    RUN/srresnet.keras           the stage-1 generator (SRResNet)
    RUN/generator.keras          the final generator

Running the same command again continues from the last checkpoint: a
finished stage is skipped, stage 2 starts from ``srresnet.keras``, and each
stage ends exactly at its configured step count.
"""

import math
import os
import shutil
import warnings
from dataclasses import dataclass

import keras
import tensorflow as tf

from srgan_tf.atomic import atomic_path
from srgan_tf.callbacks import (
    CheckpointSaver,
    GANHealth,
    NonFiniteGuard,
    SampleWriter,
    StepLogger,
    StopAtStep,
    Validator,
)
from srgan_tf.config import load_config, save_config
from srgan_tf.data import make_training_data, make_validation_data, train_split, val_split
from srgan_tf.distributed import is_chief, worker_scratch_dir
from srgan_tf.errors import SRGANError
from srgan_tf.gan import SRGAN
from srgan_tf.messages import warn
from srgan_tf.models import architecture_of, build_discriminator, build_feature_extractor, build_from_architecture
from srgan_tf.plots import plot_loss_curves
from srgan_tf.runtime import make_strategy, precision_policy, resolve_jit, seed_everything

STAGES = ("pretrain", "gan")


@dataclass
class RunDir:
    """The paths inside a run directory."""

    root: str

    def __post_init__(self):
        self.root = os.fspath(self.root)

    config = property(lambda self: os.path.join(self.root, "config.json"))
    srresnet = property(lambda self: os.path.join(self.root, "srresnet.keras"))
    generator = property(lambda self: os.path.join(self.root, "generator.keras"))
    samples = property(lambda self: os.path.join(self.root, "samples"))

    def checkpoints(self, stage):
        return os.path.join(self.root, "checkpoints", stage)

    def logs(self, stage):
        return os.path.join(self.root, "logs", stage)

    def csv(self, stage):
        return os.path.join(self.root, "logs", f"{stage}.csv")

    def loss_curves(self, stage):
        return os.path.join(self.samples, f"{stage}_loss_curves.png")


def save_model_atomically(model, path):
    """``model.save`` to a temporary name, then rename: a crash never leaves half a file."""
    with atomic_path(path) as tmp:
        model.save(tmp)


def _check_run_dir_config(run, config):
    """Re-running in a run dir must not silently change the networks being resumed."""
    if not os.path.exists(run.config):
        return
    old = load_config(run.config)
    for section in ("model", "loss"):
        if getattr(old, section) != getattr(config, section):
            raise SRGANError(
                f"{run.root} was trained with a different {section} config; use a new --run-dir "
                "or the same settings to resume"
            )
    if old.data.patch_size != config.data.patch_size:
        raise SRGANError(f"{run.root} was trained with data.patch_size={old.data.patch_size}")


def _optimizer(learning_rate, config):
    t = config.train
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=t.beta_1, beta_2=t.beta_2)
    if t.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


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


def _compile_options(config):
    return {"jit_compile": resolve_jit(config.train.jit), "steps_per_execution": config.train.steps_per_execution}


def init_weights(spec):
    """The generator weights ``spec`` names: a named model, a ``.keras`` file or a run dir."""
    from srgan_tf.backends import KerasBackend

    return KerasBackend(spec).generator.get_weights()


def build_stage_model(config, stage, init_generator=None, feature_extractor=None):
    """Builds and compiles the SRGAN model for ``stage`` (call inside the strategy scope).

    ``init_generator``: generator weights to start from — a list of arrays, or a named
    model / ``.keras`` / run dir (see :func:`init_weights`).
    """
    m, lo = config.model, config.loss
    generator = build_from_architecture(architecture_of(m), sync_batch_norm=m.sync_batch_norm)
    if init_generator is not None:
        weights = init_weights(init_generator) if isinstance(init_generator, (str, os.PathLike)) else init_generator
        if [tuple(w.shape) for w in weights] != [tuple(v.shape) for v in generator.weights]:
            source = init_generator if isinstance(init_generator, (str, os.PathLike)) else "the initial weights"
            raise SRGANError(
                f"the generator in {source} does not match model {m.num_blocks} blocks / {m.filters} "
                f"filters / x{m.scale}; set model.* to its architecture"
            )
        generator.set_weights(weights)
    if stage == "pretrain":
        model = SRGAN(generator, scale=m.scale, pixel_loss=lo.pretrain_loss)
        rate = _on_model_step(learning_rate_schedule(config, stage), model)
        model.compile(_optimizer(rate, config), **_compile_options(config))
    else:
        discriminator = build_discriminator(
            config.data.patch_size,
            m.discriminator_filters,
            m.discriminator_dense_units,
            m.bn_momentum,
            sync_batch_norm=m.sync_batch_norm,
        )
        model = SRGAN(
            generator,
            discriminator,
            feature_extractor,
            scale=m.scale,
            content=lo.content,
            content_weight=lo.content_weight,
            adversarial_weight=lo.adversarial_weight,
            pixel_weight=lo.pixel_weight,
            tv_weight=lo.tv_weight,
            pixel_loss=lo.pretrain_loss,
            feature_rescale=lo.vgg_feature_rescale,
            adversarial=lo.adversarial,
        )
        rate = _on_model_step(learning_rate_schedule(config, stage), model)
        model.compile(
            _optimizer(rate, config),
            _optimizer(rate, config),
            **_compile_options(config),
        )
    model.build_optimizers()
    return model


def _checkpoint(model):
    objects = {"generator": model.generator, "generator_optimizer": model.generator_optimizer, "step": model.step}
    if not model.is_pretraining:
        objects.update(discriminator=model.discriminator, discriminator_optimizer=model.discriminator_optimizer)
    return tf.train.Checkpoint(**objects)


def _feature_extractor(config):
    lo = config.loss
    if not lo.content.startswith("vgg"):
        return None
    return build_feature_extractor(lo.content, weights=lo.vgg_weights, before_activation=lo.vgg_before_activation)


def stage_init(config, run, stage, stage_one=None):
    """Where ``stage``'s generator starts (checkpoints, when there are any, override it).

    Stage 2 starts from stage 1 — the weights just trained or restored in this process
    (``stage_one``), so every worker of a cluster starts from the same tensors without
    waiting for the chief's file — else from ``srresnet.keras``, else from ``train.init``.
    It never starts from random weights unless ``train.random_init`` says so (an SRGAN
    trained from scratch is rarely what anyone meant).
    """
    t = config.train
    if stage == "pretrain":
        return t.init
    if stage_one is not None:
        return stage_one
    if os.path.exists(run.srresnet):
        return run.srresnet
    if t.init:
        return t.init
    if tf.train.latest_checkpoint(run.checkpoints(stage)) or t.random_init:
        return None
    raise SRGANError(
        f"stage 2 (SRGAN) would start from random weights: {run.srresnet} does not exist. "
        "Run stage 1 first, pass --init srresnet-x4 (or a .keras / run dir), or --random-init"
    )


def run_stage(config, run, stage, splits, strategy, verbose=1, extra_callbacks=(), out=None, stage_one=None):
    """Trains one stage to its configured step count, resuming from its checkpoints.

    ``run`` is read (checkpoints, the stage-1 generator); ``out`` is written —
    the same run dir on the chief, a scratch copy on other workers.
    ``stage_one``: stage 1's generator weights, when stage 1 ran (or was restored) here.
    Returns the model and whether any step ran now (False: the stage was already done).
    """
    t, out = config.train, out or run
    chief = out is run
    total = t.pretrain_steps if stage == "pretrain" else t.steps
    init = stage_init(config, run, stage, stage_one)
    # Read outside the strategy scope: loading a model there would create variables, which
    # is a collective under MultiWorkerMirroredStrategy that every worker must join alike.
    init = init_weights(init) if isinstance(init, (str, os.PathLike)) else init
    with strategy.scope():
        model = build_stage_model(config, stage, init, _feature_extractor(config) if stage == "gan" else None)
        checkpoint = _checkpoint(model)
        manager = tf.train.CheckpointManager(checkpoint, out.checkpoints(stage), max_to_keep=t.keep_checkpoints)
        latest = tf.train.latest_checkpoint(run.checkpoints(stage))
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
    start = int(model.step.numpy())
    if start >= total:
        return model, False
    replicas = strategy.num_replicas_in_sync
    if verbose:
        where = f"resuming at step {start}" if start else "starting"
        print(f"[{stage}] {where}; {total} steps, batch {config.data.batch_size}, {replicas} replica(s)")
    train_data, _ = make_training_data(config, splits[0], start_step=start)
    val_data, _ = make_validation_data(config, splits[1])
    lr_sample, hr_sample = next(iter(val_data))
    os.makedirs(out.logs(stage), exist_ok=True)
    callbacks = [
        NonFiniteGuard(lambda: manager.latest_checkpoint),
        StopAtStep(total),
        CheckpointSaver(manager, t.checkpoint_every),  # every worker: saving is a collective
        GANHealth(t.health_patience),
    ]
    fit_validation = {}
    if replicas == 1:
        fit_validation = {
            "validation_data": val_data,
            "validation_steps": min(len(splits[1].files), config.data.val_max_images),
        }
    elif chief:
        # Whole images of different sizes cannot be split across replicas: validate on the chief.
        callbacks.append(Validator(val_data, config.model.scale))
    if chief:
        callbacks += [
            StepLogger(out.csv(stage), out.logs(stage), every=t.log_every, start_step=start),
            SampleWriter(lr_sample, hr_sample, out.samples, out.logs(stage), stage, config.model.scale),
        ]
    try:
        model.fit(
            train_data,
            epochs=math.ceil(total / t.steps_per_epoch),
            initial_epoch=start // t.steps_per_epoch,
            steps_per_epoch=t.steps_per_epoch,
            callbacks=[*callbacks, *extra_callbacks],
            shuffle=False,  # the stream is already shuffled, reproducibly
            verbose=verbose if chief else 0,
            **fit_validation,
        )
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError) as error:
        if replicas == 1:
            raise
        first_line = str(error).strip().splitlines()[0][:200]
        raise SRGANError(
            f"[{stage}] lost contact with another worker at step {int(model.step.numpy())} ({first_line}); "
            f"restart all workers to resume from the last checkpoint ({manager.latest_checkpoint})"
        ) from error
    if chief and os.path.exists(out.csv(stage)):
        plot_loss_curves(out.csv(stage), out.loss_curves(stage), title=f"{config.name}: {stage}")
    return model, True


def train(config, run_dir, verbose=1, extra_callbacks=()):
    """Runs both stages of ``config`` in ``run_dir``; returns the final generator's path.

    Args:
        config: a :class:`~srgan_tf.config.Config` (or preset name / file).
        run_dir: the run directory (created; reused to resume).
        verbose: Keras' fit verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        extra_callbacks: more Keras callbacks for both stages.
    """
    config = load_config(config)
    run = RunDir(run_dir)
    _check_run_dir_config(run, config)
    t = config.train
    seed_everything(t.seed, t.deterministic)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*input ran out of data.*")
        with precision_policy(t.precision):
            strategy = make_strategy(t.strategy, t.collective_timeout)
            out = run if is_chief(strategy) else RunDir(worker_scratch_dir(strategy, run.root))
            if out is run:
                os.makedirs(run.root, exist_ok=True)
                save_config(config, run.config)
            if t.steps:
                _feature_extractor(config)  # fail now on missing VGG weights, not after stage 1
                if not t.pretrain_steps:
                    stage_init(config, run, "gan")  # fail now on a stage 2 with nothing to start from
            splits = (train_split(config), val_split(config))
            try:
                stage_one = None
                if t.pretrain_steps:
                    model, trained = run_stage(config, run, "pretrain", splits, strategy, verbose, extra_callbacks, out)
                    if trained or not os.path.exists(out.srresnet):
                        save_model_atomically(model.generator, out.srresnet)
                    stage_one = model.generator.get_weights()
                if t.steps:
                    model, _ = run_stage(config, run, "gan", splits, strategy, verbose, extra_callbacks, out, stage_one)
                if t.pretrain_steps or t.steps:
                    save_model_atomically(model.generator, out.generator)
            finally:
                if out is not run:
                    shutil.rmtree(out.root, ignore_errors=True)  # a worker's copies are never read again
    for split in splits:
        if split.failures.paths:
            warn(f"{len(split.failures.paths)} file(s) could not be decoded and were skipped")
    return run.generator  # the run's product (other workers' copies are removed)
