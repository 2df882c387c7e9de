"""srgan_tf against its closest TensorFlow peer, krasserm/super-resolution, on this machine.

    python bench/peer.py --peer PATH_TO_CHECKOUT [--repeats 5] [--rows gan,pretrain,keras,tflite@512]

``PATH_TO_CHECKOUT``: a work tree of github.com/krasserm/super-resolution (snapshot 179320c),
left as it is: its three ``tensorflow.python.keras`` imports are served ``tf.keras`` modules
and its VGG19 is built with ``weights=None`` (same compute, nothing downloaded), from outside.
Its own ``SrganTrainer`` / ``SrganGeneratorTrainer`` ``train_step`` run the training rows;
srgan_tf runs them through ``fit``, as ``srgan train`` does (callbacks included).

Every cell is its own process, so neither side inherits the other's threads, caches or
kernels; both sides of a row load the same TensorFlow CPU kernels (``--kernels``; by default
srgan_tf's choice for the row, oneDNN to train and Eigen to infer, given to both). The paper
configuration throughout: batch 16, 24x24 -> 96x96, 16 residual blocks, 64 filters, VGG54,
fp32, XLA off; inference on a 128x128 input unless the row names a size. Inference cells are
medians of ``--repeats`` timed calls after two warm-up calls. Training cells are the median of
``--repeats`` x ``STEPS`` steps, each timed alone after two warm-up steps: the peer's
``train_step`` call by call (its own training loop), srgan_tf's between batch ends inside one
``fit`` (as ``srgan train`` runs them).

``--paired`` runs each training row's two sides in one process instead, their steps
alternating, and reports the median of the per-pair ratios: on a shared host whose speed drifts
by tens of percent between minutes, a pair of neighbouring steps sees the same machine.
srgan_tf's step is then the train function that ``fit`` calls once per batch, called directly.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
# The helpers beside this file and the srgan_tf of this checkout: a git worktree's bench must
# not time the tree that the editable install points at.
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]

ROWS = {
    "gan": "GAN step (batch 16, 96 px, VGG54 random weights, both updates)",
    "pretrain": "pretrain step (generator only, MSE)",
    "keras": "fp32 inference, Keras/TF graph, {size}x{size}",
    "tflite": "fp32 inference, TFLite (XNNPACK, 2 threads), {size}x{size}",
    "tflite_dynamic": "dynamic-range int8 TFLite, {size}x{size}",
}
SIDES = ("peer", "srgan_tf")
TRAINING_ROWS = ("gan", "pretrain")
STEPS = 3  # timed training steps per repeat


# -- the worker: one cell in a fresh process ------------------------------------------------


def _serve_tf_keras_to_the_peer():
    """The peer imports ``tensorflow.python.keras.*`` (gone from TF 2.21): give it ``tf.keras``,
    with a VGG19 that starts from random weights."""
    import types

    import keras
    import tensorflow as tf

    def vgg19(*args, **kwargs):
        return keras.applications.VGG19(*args, **{**kwargs, "weights": None})

    vgg_module = types.ModuleType("tensorflow.python.keras.applications.vgg19")
    vgg_module.VGG19 = vgg19
    sys.modules["tensorflow.python.keras.layers"] = tf.keras.layers
    sys.modules["tensorflow.python.keras.models"] = tf.keras.models
    sys.modules["tensorflow.python.keras.applications.vgg19"] = vgg_module


def _peer_batch(tf):
    lr = tf.random.uniform((16, 24, 24, 3), 0, 255, seed=1)
    hr = tf.random.uniform((16, 96, 96, 3), 0, 255, seed=2)
    return lr, hr


def _split(row):
    """``"tflite@512"`` -> ("tflite", 512); an inference row without a size runs 128x128."""
    name, _, size = row.partition("@")
    return name, int(size or 128)


def _peer_modules(peer):
    """The peer's ``model.srgan`` and ``train`` modules, imported from its checkout."""
    if peer not in sys.path:
        sys.path.insert(0, peer)
    _serve_tf_keras_to_the_peer()
    import tensorflow as tf
    import train
    from model import srgan

    tf.keras.utils.set_random_seed(0)
    return srgan, train


def _peer_step(row, peer):
    """One call of the peer's own ``train_step``, as its training loop makes once per batch."""
    import tensorflow as tf

    srgan, train = _peer_modules(peer)
    lr, hr = _peer_batch(tf)
    if row == "gan":
        trainer = train.SrganTrainer(srgan.generator(), srgan.discriminator())
    else:
        scratch = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"peer-ckpt-{os.getpid()}")
        trainer = train.SrganGeneratorTrainer(srgan.generator(), checkpoint_dir=scratch)
    return lambda: [float(v) for v in tf.nest.flatten(trainer.train_step(lr, hr))]


def _peer_cell(row, peer):
    row, size = _split(row)
    if row in TRAINING_ROWS:
        from common import median_time

        step = _peer_step(row, peer)
        return lambda steps: median_time(step, steps, warmup=2)[1]  # each call timed alone
    import tensorflow as tf

    srgan, _ = _peer_modules(peer)
    generator = srgan.generator()
    image = tf.random.uniform((1, size, size, 3), 0, 255, seed=3)
    if row == "keras":
        run = tf.function(lambda x: generator(x, training=False))
        return lambda: run(image).numpy()
    return _tflite_runner(_to_tflite(generator, row == "tflite_dynamic"), image.numpy())


def _to_tflite(generator, dynamic_range):
    """The peer's Keras generator -> ``.tflite`` bytes by the usual route (SavedModel, frozen
    weights: a concrete function of the live model would keep resource variables and BatchNorm
    ops, which XNNPACK does not take)."""
    import tempfile

    import keras
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as tmp:
        archive = keras.export.ExportArchive()
        archive.track(generator)
        archive.add_endpoint("serve", lambda x: generator(x, training=False), [tf.TensorSpec([1, None, None, 3])])
        archive.write_out(tmp, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        if dynamic_range:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        return converter.convert()


def _tflite_runner(model_bytes, image):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=model_bytes, num_threads=2)
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], image.shape)
    interpreter.allocate_tensors()

    def run():
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

    return run


def _ours_model(row):
    """srgan_tf's stage model for ``row`` (paper config, fp32, XLA off) and a repeating batch."""
    import keras
    import tensorflow as tf

    from srgan_tf.config import apply_overrides, get_preset
    from srgan_tf.data import make_training_data
    from srgan_tf.training.builders import build_feature_extractor_from_config, build_stage_model

    keras.utils.set_random_seed(0)
    config = apply_overrides(get_preset("srgan_x4"), ["loss.vgg_weights=null", "train.jit=off"])
    vgg = build_feature_extractor_from_config(config) if row == "gan" else None  # vgg54, no weights
    model = build_stage_model(config, row, feature_extractor=vgg)
    return model, tf.data.Dataset.from_tensors(next(iter(make_training_data(config)[0]))).repeat()


def _ours_step(row):
    """One call of the train function ``fit`` calls once per batch (without ``fit``'s callbacks)."""
    import tensorflow as tf

    model, data = _ours_model(row)
    iterator = iter(data)
    model.make_train_function()
    return lambda: [float(v) for v in tf.nest.flatten(model.train_function(iterator))]


def _ours_cell(row):
    row, size = _split(row)
    if row in TRAINING_ROWS:
        from common import fit_step_times

        model, data = _ours_model(row)
        return lambda steps: fit_step_times(model, data, steps)
    import tempfile

    import tensorflow as tf

    from srgan_tf.models import build_generator
    from srgan_tf.runtimes.runners import KerasBackend

    generator = build_generator(4, 16, 64)
    image = tf.random.uniform((1, size, size, 3), seed=3).numpy()
    if row == "keras":
        backend = KerasBackend(generator)
        return lambda: backend(image)
    from srgan_tf.export.saved_model import write_core_saved_model
    from srgan_tf.export.tflite import convert

    with tempfile.TemporaryDirectory() as tmp:
        write_core_saved_model(generator, tmp)
        model_bytes = convert(tmp, "dynamic" if row == "tflite_dynamic" else "float32")
    return _tflite_runner(model_bytes, image)


def worker(side, row, peer, repeats):
    from common import median_time

    run = _peer_cell(row, peer) if side == "peer" else _ours_cell(row)
    if row in TRAINING_ROWS:
        times = run(repeats * STEPS)
        median = statistics.median(times)
    else:
        median, times = median_time(run, repeats, warmup=2)
    print(json.dumps({"median": median, "times": times}))


def paired_worker(row, peer, pairs):
    """Both sides' training steps in one process, alternating (peer, ours, ours, peer, ...) after
    two warm-up steps each: each pair of steps sees the same machine, so drift on a shared host
    cancels in the per-pair ratio."""
    steps = {"peer": _peer_step(row, peer), "srgan_tf": _ours_step(row)}
    for step in steps.values():
        step(), step()
    times = {side: [] for side in steps}
    for index in range(pairs):
        for side in SIDES if index % 2 == 0 else reversed(SIDES):
            start = time.perf_counter()
            steps[side]()
            times[side].append(time.perf_counter() - start)
    ratios = [ours / peer for peer, ours in zip(times["peer"], times["srgan_tf"])]
    print(json.dumps({**{side: statistics.median(t) for side, t in times.items()}, "ratio": statistics.median(ratios)}))


# -- the driver ------------------------------------------------------------------------------------


def _cell(side, row, args, kernels):
    """One worker process's result: ``{"median": s}``, or for side "both" (``--paired``) both
    sides' medians and the median per-pair ratio."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "TF_ENABLE_ONEDNN_OPTS": kernels}
    command = [sys.executable, __file__, "--worker", side, row, "--peer", args.peer, "--repeats", str(args.repeats)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"peer: error: {side} {row} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure(row, args, kernels):
    """(peer seconds, srgan_tf seconds, srgan_tf / peer) for ``row``."""
    if args.paired and row in TRAINING_ROWS:
        both = _cell("both", row, args, kernels)
        return both["peer"], both["srgan_tf"], both["ratio"]
    peer, ours = (_cell(side, row, args, kernels)["median"] for side in SIDES)
    return peer, ours, ours / peer


def _format(seconds):
    return f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", required=True, help="a checkout of krasserm/super-resolution")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--rows",
        default="gan,pretrain,keras,tflite,tflite@512,tflite_dynamic",
        help=f"any of {','.join(ROWS)}; an inference row takes a size: tflite@512 (default 128)",
    )
    parser.add_argument(
        "--kernels",
        choices=("onednn", "eigen", "default"),
        default="default",
        help="TensorFlow CPU kernels for both sides; default: each row's srgan_tf choice (oneDNN "
        "to train, Eigen to infer), given to the peer too",
    )
    parser.add_argument(
        "--paired",
        action="store_true",
        help="training rows: both sides in one process, steps alternating, ratio = median of "
        "per-pair ratios (robust to a shared host's drift); srgan_tf's step is then the train "
        "function fit calls, timed call by call",
    )
    parser.add_argument("--worker", nargs=2, metavar=("SIDE", "ROW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        if args.worker[0] == "both":
            return paired_worker(args.worker[1], args.peer, args.repeats * STEPS)
        return worker(*args.worker, args.peer, args.repeats)

    from common import machine_line, print_table

    rows = []
    for row in args.rows.split(","):
        if args.kernels == "default":
            kernels = "1" if row in ("gan", "pretrain") else "0"
        else:
            kernels = "1" if args.kernels == "onednn" else "0"
        load_before = os.getloadavg()[0]
        peer, ours, ratio = _measure(row, args, kernels)
        rows.append(
            (
                ROWS[_split(row)[0]].format(size=_split(row)[1]),
                _format(peer),
                _format(ours),
                f"{ratio:.2f}",
                "oneDNN" if kernels == "1" else "Eigen",
                f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
            )
        )
        print(rows[-1], file=sys.stderr, flush=True)
    print(machine_line())
    print(
        f"inference: median of {args.repeats} calls after 2 warm-up calls; training: median of "
        f"{args.repeats * STEPS} steps after 2 warm-up steps; "
        + ("training rows paired in one process (ratio: median per pair), " if args.paired else "")
        + "one process per cell\n"
    )
    print_table(["work", "peer", "srgan_tf", "srgan_tf / peer", "TF kernels", "load before / after"], rows)


if __name__ == "__main__":
    sys.exit(main())
