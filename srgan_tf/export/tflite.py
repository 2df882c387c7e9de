"""TFLite for phones: float32, float16 weights, dynamic-range int8 and full int8.

Every variant is converted from a guard-free SavedModel (see
``write_core_saved_model``) with builtin ops only — no Flex/SELECT_TF_OPS, so
the plain LiteRT runtime of an Android/iOS app runs it. Inputs have dynamic
H x W unless a fixed size is asked for; resize the input tensor before use::

    interpreter.resize_tensor_input(input_index, [1, height, width, 3])
    interpreter.allocate_tensors()

Full int8 calibrates activation ranges on LR patches cut from the bundled
photos; its inputs and outputs stay float32 (``io="float"``) or become uint8
(``io="uint8"``: converted from a pixel-domain core, see
``core_function(pixels=True)``: the input bytes are the pixels themselves
(scale 1, zero point 0); an output byte b is the pixel ``scale · (b − zero
point)``, with the output's parameters in the model and its metadata).
"""

import os

import numpy as np
import tensorflow as tf

from srgan_tf.data.degradations import photo_pair
from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import atomic_path
from srgan_tf.utils.keras_compat import tflite_op_details

QUANTIZATIONS = ("float32", "float16", "dynamic", "int8")


def representative_patches(files, count=48, size=48, seed=0, scale=4):
    """LR-sized float32 [0, 1] patches for int8 calibration: crops of real photos degraded as for
    training (:func:`~srgan_tf.data.degradations.photo_pair`), which is what LR inputs look like."""
    rng = np.random.default_rng(seed)
    lows = [photo_pair(path, scale)[1] for path in files]
    patches = []
    for index in range(count):
        low = lows[index % len(lows)]
        top = rng.integers(0, low.shape[0] - size + 1)
        left = rng.integers(0, low.shape[1] - size + 1)
        patches.append(low[top : top + size, left : left + size])
    return patches


def convert(core_saved_model, quantization="float32", representative=None, io="float"):
    """Converts the core SavedModel; returns the ``.tflite`` bytes."""
    if quantization not in QUANTIZATIONS:
        raise SRGANError(f"TFLite quantization must be one of {QUANTIZATIONS}, got {quantization!r}")
    converter = tf.lite.TFLiteConverter.from_saved_model(core_saved_model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantization == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantization == "int8":
        if not representative:
            raise SRGANError("full int8 needs representative images for calibration")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        # A uint8-I/O model is converted from the pixel-domain core: calibrate it in pixels.
        unit = 255.0 if io == "uint8" else 1.0
        converter.representative_dataset = lambda: ([patch[None] * unit] for patch in representative)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if io == "uint8":
            converter.inference_input_type = tf.uint8
            converter.inference_output_type = tf.uint8
    return converter.convert()


def io_quantization(tflite_path):
    """{"input": {"scale", "zero_point"}, "output": {...}} of a ``.tflite``'s integer I/O."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=os.fspath(tflite_path))
    details = {"input": interpreter.get_input_details()[0], "output": interpreter.get_output_details()[0]}
    return {
        end: {"scale": float(d["quantization"][0]), "zero_point": int(d["quantization"][1])}
        for end, d in details.items()
    }


def op_names(tflite_path):
    """The operator names used by a ``.tflite`` file (Flex ops start with "Flex")."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=os.fspath(tflite_path))
    return sorted({op["op_name"] for op in tflite_op_details(interpreter)})


def write_tflite(core_saved_model, path, quantization="float32", representative=None, io="float"):
    """Converts and writes atomically; refuses a model that needs Flex ops."""
    data = convert(core_saved_model, quantization, representative, io)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
        flex = [name for name in op_names(tmp) if name.startswith("Flex")]
        if flex:
            raise SRGANError(f"TFLite {quantization} model needs Flex ops {flex}; phones without them cannot run it")
    return path
