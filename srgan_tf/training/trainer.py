"""Config -> run directory: the paper's two stages, each a resumable Keras ``fit``.

The networks and the compiled model of a stage come from :mod:`srgan_tf.training.builders`; the run
directory's layout is :mod:`srgan_tf.training.run_dir`. Running the same command again continues
from the last checkpoint: a finished stage is skipped, stage 2 starts from
``srresnet.keras``, and each stage ends exactly at its configured step count.
"""

import math
import os
import shutil
import warnings

import tensorflow as tf

from srgan_tf.config import load_config, save_config
from srgan_tf.data import make_training_data, make_validation_data, train_split, val_split
from srgan_tf.errors import SRGANError
from srgan_tf.evaluation.metrics import LPIPS_ALEX_MIN_SIDE
from srgan_tf.evaluation.plots import plot_loss_curves
from srgan_tf.evaluation.scoring import load_lpips_metric
from srgan_tf.training.builders import (
    build_feature_extractor_from_config,
    build_stage_model,
    init_weights,
    stage_checkpoint,
)
from srgan_tf.training.callbacks import (
    CheckpointSaver,
    GANHealth,
    NonFiniteGuard,
    SampleWriter,
    StepLogger,
    StopAtStep,
    Validator,
)
from srgan_tf.training.distributed import is_chief, worker_scratch_dir
from srgan_tf.training.run_dir import RunDir, check_resumable, save_model_atomically
from srgan_tf.training.runtime import make_strategy, precision_policy, seed_everything
from srgan_tf.utils.messages import warn


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
    # Validation's LPIPS runs on the chief alone: built outside the scope, where creating its
    # variables is no collective the other workers would have to join.
    # Validation crops below LPIPS-Alex's 31 px would all be skipped: no metric to report.
    side = config.data.val_max_side
    lpips_model = load_lpips_metric("validation") if chief and (side is None or side >= LPIPS_ALEX_MIN_SIDE) else None
    with strategy.scope():
        vgg = build_feature_extractor_from_config(config) if stage == "gan" else None
        model = build_stage_model(config, stage, init, vgg)
        model.lpips_model = lpips_model
        checkpoint = stage_checkpoint(model)
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
        CheckpointSaver(manager, t.checkpoint_every, model.inference_generator),  # every worker: saving is a collective
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
        callbacks.append(Validator(val_data, config.model.scale, model.lpips_model))
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
    check_resumable(run, config)
    t = config.train
    seed_everything(t.seed, t.deterministic)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*input ran out of data.*")
        with precision_policy(t.precision):
            strategy = make_strategy(t.strategy, t.collective_timeout)
            out = run if is_chief(strategy) else RunDir(worker_scratch_dir(strategy, run.root))
            if t.steps:
                build_feature_extractor_from_config(config)  # fail now on missing VGG weights, not after stage 1
                if not t.pretrain_steps:
                    stage_init(config, run, "gan")  # fail now on a stage 2 with nothing to start from
            splits = (train_split(config), val_split(config))
            # Only now, with the data and weights found: a run that cannot start leaves no run dir
            # behind (a stray config.json would make the next run with other settings refuse it).
            if out is run:
                os.makedirs(run.root, exist_ok=True)
                save_config(config, run.config)
            try:
                stage_one = None
                if t.pretrain_steps:
                    model, trained = run_stage(config, run, "pretrain", splits, strategy, verbose, extra_callbacks, out)
                    product = model.inference_generator()  # the average's copy, made once
                    if trained or not os.path.exists(out.srresnet):
                        save_model_atomically(product, out.srresnet)
                    stage_one = product.get_weights()
                if t.steps:
                    model, _ = run_stage(config, run, "gan", splits, strategy, verbose, extra_callbacks, out, stage_one)
                if t.pretrain_steps or t.steps:
                    save_model_atomically(model.inference_generator(), out.generator)
            finally:
                if out is not run:
                    shutil.rmtree(out.root, ignore_errors=True)  # a worker's copies are never read again
    for split in splits:
        if split.failures.paths:
            warn(f"{len(split.failures.paths)} file(s) could not be decoded and were skipped")
    return run.generator  # the run's product (other workers' copies are removed)
