"""SRGAN as a ``keras.Model``: the paper's training step, run by ``fit``.

One class covers both stages of Ledig et al. 2017 (https://arxiv.org/abs/1609.04802):

- stage 1, SRResNet: ``SRGAN(generator)`` — no discriminator; the generator
  minimises a pixel loss (MSE in the paper);
- stage 2, SRGAN: ``SRGAN(generator, discriminator, feature_extractor)`` —
  the discriminator learns HR vs G(LR), the generator minimises
  ``content_weight · content + adversarial_weight · (−log D(G(LR)))``.

Both networks step from one shared forward pass each step (k = 1 update each,
as BasicSR does), rather than Goodfellow's strictly alternating scheme, which
would need a second generator forward per step. Losses are per-example and
averaged over the *global* batch, so gradients are right under tf.distribute;
``optimizer.scale_loss`` makes the same code correct under a
``LossScaleOptimizer`` (mixed_float16).
"""

import keras
import tensorflow as tf

from srgan_tf.config import ADVERSARIAL_LOSSES, CONTENT_LAYERS, PIXEL_LOSSES, LossConfig, resolve
from srgan_tf.errors import SRGANError
from srgan_tf.evaluation.metrics import lpips_if_large_enough, score_batch
from srgan_tf.models.subpixel_tail import with_subpixel_tail
from srgan_tf.training import losses
from srgan_tf.training.replicas import gradient_norm, sum_over_replicas, take_reduced_gradients
from srgan_tf.utils.keras_compat import SkippableSampleBuild
from srgan_tf.utils.ranges import signed_to_unit, sr_images

_LOSS = LossConfig()  # the constructor's defaults are the config's


class SRGAN(SkippableSampleBuild, keras.Model):
    """Generator (+ discriminator + VGG features) with SRGAN's custom ``train_step``.

    Args:
        generator: LR [0, 1] -> SR [-1, 1] model (see ``build_generator``).
        discriminator: HR [-1, 1] -> logits, or None for stage 1 (SRResNet).
        feature_extractor: frozen VGG features for a "vgg*" content loss.
        scale: the generator's factor; validation shaves this many border pixels.

        The rest are the config's ``loss`` section, by the same names and with the same
        defaults (:class:`~srgan_tf.config.LossConfig`):

        content: a feature loss of ``config.CONTENT_LAYERS`` ("vgg54", "vgg16_relu5_3",
            "vgg16_multi", ...; needs ``feature_extractor`` with its taps as outputs), "mse" or "l1".
        content_weight, adversarial_weight, pixel_weight, tv_weight: the
            generator loss weights (pixel and TV terms are extras, 0 in the paper).
        adversarial: "standard" (SRGAN's −log D(G(LR))) or "relativistic" (ESRGAN's
            relativistic average GAN: each side judged against the other's batch mean).
        pixel: the pixel loss, "mse" (paper) or "l1": stage 1's only loss, and stage 2's pixel term
            (times ``pixel_weight``).
        vgg_feature_rescale: factor on feature differences; None: the content layers' own
            (1/12.75 for VGG19, as the paper).
    """

    def __init__(
        self,
        generator,
        discriminator=None,
        feature_extractor=None,
        *,
        scale=4,
        content=_LOSS.content,
        content_weight=_LOSS.content_weight,
        adversarial_weight=_LOSS.adversarial_weight,
        adversarial=_LOSS.adversarial,
        pixel_weight=_LOSS.pixel_weight,
        tv_weight=_LOSS.tv_weight,
        pixel=_LOSS.pixel,
        vgg_feature_rescale=_LOSS.vgg_feature_rescale,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if discriminator is not None and content.startswith("vgg") and feature_extractor is None:
            raise SRGANError(f"content loss {content!r} needs a VGG feature extractor")
        if pixel not in PIXEL_LOSSES:
            raise SRGANError(f"pixel must be one of {tuple(PIXEL_LOSSES)}, got {pixel!r}")
        if adversarial not in ADVERSARIAL_LOSSES:
            raise SRGANError(f"adversarial must be one of {tuple(ADVERSARIAL_LOSSES)}, got {adversarial!r}")
        self.generator = generator
        # What the steps run: the generator's function with its last conv before the last pixel
        # shuffle (models.subpixel_tail), on the generator's own variables; ~7 % off a
        # pretrain step on CPU. Checkpoints and exports hold ``generator`` as built.
        self._step_generator = with_subpixel_tail(generator)
        self.discriminator = discriminator
        self.feature_extractor = feature_extractor
        self.scale = scale
        self.content = content
        self.content_weight = content_weight
        self.adversarial_weight = adversarial_weight
        self.pixel_weight = pixel_weight
        self.tv_weight = tv_weight
        self.pixel = pixel
        self._pixel_loss = resolve(PIXEL_LOSSES[pixel])
        self._content_pixel_loss = resolve(PIXEL_LOSSES[content]) if content in PIXEL_LOSSES else None
        self._adversarial_losses = (
            resolve(ADVERSARIAL_LOSSES[adversarial].generator),
            resolve(ADVERSARIAL_LOSSES[adversarial].discriminator),
        )
        layers_spec = CONTENT_LAYERS.get(content)
        self._content_weights = [w for _, w in layers_spec.taps] if layers_spec else []
        self._content_criterion = layers_spec.criterion if layers_spec else None
        if vgg_feature_rescale is None and layers_spec:
            vgg_feature_rescale = layers_spec.rescale
        self.vgg_feature_rescale = vgg_feature_rescale
        self.adversarial = adversarial
        # Counts optimizer steps across resumes; "only first replica" so each replica may add 1.
        self.step = keras.Variable(0, dtype="int64", trainable=False, name="step", aggregation="only_first_replica")
        self._trackers = {name: keras.metrics.Mean(name=name) for name in ("psnr", "ssim", "lpips")}
        # LPIPS-Alex for validation (models.lpips.load_lpips), set by the trainer when its
        # weights are installed; None: PSNR and SSIM only.
        self.lpips_model = None
        # The generator with the weight EMA of the generator optimizer (``use_ema``), set by
        # ``compile``; None: no EMA, ``generator`` is the product.
        self.ema_generator = None

    @property
    def is_pretraining(self):
        return self.discriminator is None

    @property
    def metrics(self):
        # Validation means, listed so Keras resets them at every evaluation.
        return list(self._trackers.values())

    def compile(self, generator_optimizer, discriminator_optimizer=None, **kwargs):
        """Args: the two optimizers (the second only for stage 2); ``kwargs`` go to
        ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``)."""
        super().compile(**kwargs)
        if not self.is_pretraining and discriminator_optimizer is None:
            raise SRGANError("stage 2 needs a discriminator_optimizer")
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = None if self.is_pretraining else discriminator_optimizer
        for optimizer in (self.generator_optimizer, self.discriminator_optimizer):
            if optimizer is not None:
                take_reduced_gradients(optimizer)
        if _inner(generator_optimizer).use_ema:
            # Keras keeps the average in the optimizer (updated on every replica inside ``apply``);
            # this copy of the generator is what validation scores and what gets saved.
            # Left trainable (nothing trains it): the flag is saved with the model, and a saved
            # average must fine-tune like any generator.
            self.ema_generator = keras.models.clone_model(self.generator)
            self.ema_generator.set_weights(self.generator.get_weights())

    @property
    def _product(self):
        """The generator that is scored, shown and saved, as it stands (no copy of the average)."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def inference_generator(self):
        """The generator to score, show and save: the weight average when there is one (copied
        into ``ema_generator`` now, eagerly), else ``generator`` itself."""
        if self.ema_generator is None:
            return self.generator
        optimizer = _inner(self.generator_optimizer)
        trainable = self.generator.trainable_variables
        averages = optimizer._model_variables_moving_average if optimizer.built else trainable
        average_of = {id(variable): average for variable, average in zip(trainable, averages)}
        # Variables that are not trained (BatchNorm's moving statistics) are the trained network's
        # own, as BasicSR's EMA keeps them: the average covers what the optimizer steps.
        for target, source in zip(self.ema_generator.weights, self.generator.weights):
            target.assign(average_of.get(id(source), source))
        return self.ema_generator

    def evaluate(self, *args, **kwargs):
        self.inference_generator()  # test_step scores the average (fit's validation comes here too)
        return super().evaluate(*args, **kwargs)

    def predict(self, *args, **kwargs):
        self.inference_generator()  # call() runs the average
        return super().predict(*args, **kwargs)

    def build_optimizers(self):
        """Creates optimizer slots now (call inside the strategy scope, before ``fit``).

        Under MirroredStrategy, Keras would otherwise create them lazily inside
        the replicated step, which fails ("You must feed a value for placeholder").
        """
        self.generator_optimizer.build(self.generator.trainable_variables)
        if self.discriminator_optimizer is not None:
            self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def _multi_worker(self):
        return isinstance(self.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy)

    def skip_sample_build(self):
        # Keras builds a model by reducing a sample batch eagerly with
        # strategy.reduce, which fails under MultiWorkerMirroredStrategy
        # (keras-team/keras#20585). Every variable here already exists (the
        # networks are functional, the optimizers built by build_optimizers),
        # so under that strategy there is nothing to build.
        return self._multi_worker()

    def call(self, lr_images, training=False):
        return self._product(lr_images, training=training)

    # -- losses -----------------------------------------------------------------

    def content_loss(self, hr_images, generated):
        """Per-example content loss of stage 2."""
        if self._content_pixel_loss is not None:
            return self._content_pixel_loss(hr_images, generated)
        # Two passes, not one over the concatenated batch: the HR features are constants of the
        # generator's loss, and with them split off (stop_gradient) the backward pass runs
        # through VGG for the 16 SR images only, not for all 32.
        hr_features = [tf.stop_gradient(f) for f in _as_list(self.feature_extractor(hr_images, training=False))]
        sr_features = _as_list(self.feature_extractor(generated, training=False))
        return losses.feature_content(
            hr_features, sr_features, self._content_weights, self._content_criterion, self.vgg_feature_rescale
        )

    # -- steps ------------------------------------------------------------------

    def train_step(self, data):
        lr_images, hr_images = data
        if self.is_pretraining:
            logs = self._pretrain_step(lr_images, hr_images)
        else:
            logs = self._gan_step(lr_images, hr_images)
        self.step.assign_add(1)
        replica = tf.distribute.get_replica_context()
        if replica is not None and replica.num_replicas_in_sync > 1:
            # Each replica's loss is its share of the global mean (local sum / global batch),
            # and Keras averages the replicas' logs: log R x the share (the local mean), so the
            # average is the global mean and the logs do not depend on the number of replicas
            # (batches are static, so every replica holds the same number of examples) with no
            # second collective per step.
            for name in ("pixel_loss", "g_loss", "d_loss"):
                if name in logs:
                    logs[name] = logs[name] * replica.num_replicas_in_sync
        # This step's values, not running means: the step logger averages them
        # over its interval and the GAN-health and NaN checks need them raw.
        logs["learning_rate"] = self.generator_optimizer.learning_rate
        if self._multi_worker():
            # Keras averages multi-worker logs with strategy.reduce(..., axis=0),
            # which needs at least one dimension (keras-team/keras#20585).
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def _pretrain_step(self, lr_images, hr_images):
        with tf.GradientTape() as tape:
            generated = self._step_generator(lr_images, training=True)
            per_example = self._pixel_loss(hr_images, generated)
            loss = tf.nn.compute_average_loss(per_example)
            scaled = self.generator_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        (grads,) = sum_over_replicas(tape.gradient(scaled, variables))
        norm = gradient_norm(self.generator_optimizer, grads)  # before apply, which may change the scale
        self.generator_optimizer.apply(grads, variables)
        return {"pixel_loss": loss, "g_grad_norm": norm}

    def _gan_step(self, lr_images, hr_images):
        # Two tapes over one forward pass: each network is updated only from its
        # own loss — the discriminator never follows the generator's gradient
        # (that would teach it to be fooled), and vice versa.
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            generated = self._step_generator(lr_images, training=True)
            real_logits = self.discriminator(hr_images, training=True)
            fake_logits = self.discriminator(generated, training=True)

            content = self.content_loss(hr_images, generated)
            generator_adversarial, discriminator_adversarial = self._adversarial_losses
            adversarial = generator_adversarial(real_logits, fake_logits)
            per_example = self.content_weight * content + self.adversarial_weight * adversarial
            if self.pixel_weight:
                per_example += self.pixel_weight * self._pixel_loss(hr_images, generated)
            if self.tv_weight:
                per_example += self.tv_weight * losses.total_variation(generated)
            g_loss = tf.nn.compute_average_loss(per_example)
            d_loss = tf.nn.compute_average_loss(discriminator_adversarial(real_logits, fake_logits))
            g_scaled = self.generator_optimizer.scale_loss(g_loss)
            d_scaled = self.discriminator_optimizer.scale_loss(d_loss)

        g_vars = self.generator.trainable_variables
        d_vars = self.discriminator.trainable_variables
        g_grads, d_grads = sum_over_replicas(g_tape.gradient(g_scaled, g_vars), d_tape.gradient(d_scaled, d_vars))
        # Before apply, which may change the loss scale the norms are divided by.
        g_norm = gradient_norm(self.generator_optimizer, g_grads)
        d_norm = gradient_norm(self.discriminator_optimizer, d_grads)
        self.generator_optimizer.apply(g_grads, g_vars)
        self.discriminator_optimizer.apply(d_grads, d_vars)
        return {
            "g_loss": g_loss,
            "content_loss": tf.reduce_mean(content),
            "adversarial_loss": tf.reduce_mean(adversarial),
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
            "g_grad_norm": g_norm,
            "d_grad_norm": d_norm,
        }

    def test_step(self, data):
        """Y-channel PSNR/SSIM (shave = scale) of G(LR) against HR, as papers report, and
        LPIPS-Alex of the whole images when ``lpips_model`` is set."""
        lr_images, hr_images = data
        hr_unit, sr_unit = signed_to_unit(hr_images), sr_images(self._product, lr_images)
        psnr, ssim = score_batch(hr_unit, sr_unit, self.scale)
        self._trackers["psnr"].update_state(tf.cast(psnr, tf.float32))
        self._trackers["ssim"].update_state(ssim)
        logs = {"psnr": self._trackers["psnr"].result(), "ssim": self._trackers["ssim"].result()}
        if self.lpips_model is not None:
            distance, counted = lpips_if_large_enough(self.lpips_model, hr_unit, sr_unit)
            self._trackers["lpips"].update_state(distance, sample_weight=counted)
            logs["lpips"] = self._trackers["lpips"].result()
        return logs


def _inner(optimizer):
    return getattr(optimizer, "inner_optimizer", optimizer)  # through a LossScaleOptimizer


def _as_list(features):
    return list(features) if isinstance(features, (list, tuple)) else [features]
