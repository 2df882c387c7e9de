"""One interface over every model format: ``backend(lr_images) -> sr_images``.

Each backend takes float32 ``(N, H, W, 3)`` LR images in [0, 1] and returns
float32 ``(N, s·H, s·W, 3)`` SR images in [0, 1]. Export parity checks and
``srgan upscale`` both run artifacts through these classes, so what is
verified is exactly what users run.

=============  ===========================================  =====================
format         path                                          runtime
=============  ===========================================  =====================
keras          ``generator.keras``, a run directory, or a    Keras
               named model (``srresnet-x4``, ``srgan-x4``)
saved_model    a SavedModel directory, or TF Serving's       TensorFlow
               model folder (``saved_model/<name>``): its
               highest version, the one TF Serving loads
tflite         ``*.tflite``                                  ai-edge-litert
onnx           ``*.onnx``                                    onnxruntime
ncnn           ``*.param`` (its ``.bin`` beside it)          ncnn
=============  ===========================================  =====================
"""

import json
import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.pretrained.cards import is_named_model, load_pretrained, named_models
from srgan_tf.utils.tensorflow_loading import import_tensorflow, native_stderr_silenced

METADATA_NAME = "srgan_metadata.json"


def saved_model_dir(path):
    """The SavedModel ``path`` stands for: itself, or in TF Serving's layout (a model folder of
    numbered versions) the highest version that holds a SavedModel; None when neither."""
    if not os.path.isdir(path):
        return None
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    versions = [
        int(name)
        for name in os.listdir(path)
        if name.isdigit() and os.path.isfile(os.path.join(path, name, "saved_model.pb"))
    ]
    return os.path.join(path, str(max(versions))) if versions else None


def read_metadata(path):
    """The ``srgan_metadata.json`` beside an artifact (or inside its directory), or {}."""
    if is_named_model(path):
        return {}
    path = saved_model_dir(path) or path
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    candidates = [os.path.join(folder, METADATA_NAME)]
    if not os.path.isdir(path):
        candidates.insert(0, f"{os.path.splitext(path)[0]}.{METADATA_NAME}")
    for candidate in candidates:
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as f:
                return json.load(f)
    return {}


class KerasBackend:
    """A Keras generator run as a ``tf.function``.

    ``subpixel_tail`` (default) runs an SRResNet's last convolution before its last pixel
    shuffle (:mod:`srgan_tf.models.subpixel_tail`: the same function, a faster graph); False
    runs the graph as built, which export parity takes as its reference.
    """

    name = "keras"

    def __init__(self, path_or_model, subpixel_tail=True):
        tf = import_tensorflow()
        import keras

        import srgan_tf.models  # noqa: F401 - registers the custom layers .keras files name
        from srgan_tf.models.subpixel_tail import with_subpixel_tail
        from srgan_tf.utils.ranges import sr_images

        if isinstance(path_or_model, keras.Model):
            self.generator = path_or_model
        elif is_named_model(path_or_model):
            self.generator = load_pretrained(path_or_model)
        else:
            path = os.fspath(path_or_model)
            if os.path.isdir(path):
                path = os.path.join(path, "generator.keras")
            if not os.path.isfile(path):
                raise SRGANError(f"no Keras generator at {path}")
            self.generator = keras.models.load_model(path, safe_mode=True)
        generator = with_subpixel_tail(self.generator) if subpixel_tail else self.generator

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)], reduce_retracing=True)
        def run(images):
            return sr_images(generator, images)

        self._run = run

    def __call__(self, lr_images):
        return self._run(np.asarray(lr_images, np.float32)).numpy()


class SavedModelBackend:
    name = "saved_model"

    def __init__(self, path):
        tf = import_tensorflow()
        self.module = tf.saved_model.load(saved_model_dir(os.fspath(path)) or os.fspath(path))
        self._serve = self.module.signatures["serving_default"]

    def __call__(self, lr_images):
        import tensorflow as tf

        outputs = self._serve(images=tf.constant(np.asarray(lr_images, np.float32)))
        return outputs["sr_images"].numpy()


class TFLiteBackend:
    """Runs a ``.tflite`` with LiteRT, resizing the input tensor to each image's size."""

    name = "tflite"

    def __init__(self, path, num_threads=None):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=os.fspath(path), num_threads=num_threads or os.cpu_count())
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]
        self._shape = None
        self.fixed = -1 not in self.input["shape_signature"][1:3]

    # uint8 I/O is in pixels (export's pixel-domain core): its input bytes are the pixel values
    # (scale 1, zero point 0) and its output dequantises to 0..255. Other integer I/O follows
    # its quantisation parameters over the [0, 1] domain.
    def _quantize(self, detail, values):
        if detail["dtype"] == np.uint8:
            return np.clip(np.round(values * 255.0), 0, 255).astype(np.uint8)
        scale, zero = detail["quantization"]
        if detail["dtype"] == np.float32 or not scale:
            return values.astype(detail["dtype"])
        info = np.iinfo(detail["dtype"])
        return np.clip(np.round(values / scale + zero), info.min, info.max).astype(detail["dtype"])

    def _dequantize(self, detail, values):
        scale, zero = detail["quantization"]
        if detail["dtype"] == np.uint8:
            return ((values.astype(np.float32) - zero) * (scale / 255.0)).astype(np.float32)
        if detail["dtype"] == np.float32 or not scale:
            return values.astype(np.float32)
        return ((values.astype(np.float32) - zero) * scale).astype(np.float32)

    def __call__(self, lr_images):
        lr_images = np.asarray(lr_images, np.float32)
        if self.fixed and tuple(lr_images.shape[1:3]) != tuple(self.input["shape"][1:3]):
            height, width = self.input["shape"][1:3]
            raise SRGANError(f"this TFLite model takes {height}x{width} inputs only, got {lr_images.shape[1:3]}")
        if lr_images.shape != self._shape:
            self.interpreter.resize_tensor_input(self.input["index"], lr_images.shape, strict=False)
            with native_stderr_silenced():  # LiteRT announces its XNNPACK delegate on stderr here
                self.interpreter.allocate_tensors()
            self._shape = lr_images.shape
            self.output = self.interpreter.get_output_details()[0]
        self.interpreter.set_tensor(self.input["index"], self._quantize(self.input, lr_images))
        self.interpreter.invoke()
        output = self._dequantize(self.output, self.interpreter.get_tensor(self.output["index"]))
        return np.clip(output, 0.0, 1.0)


class ONNXBackend:
    name = "onnx"

    def __init__(self, path, num_threads=None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = num_threads or os.cpu_count()
        self.session = onnxruntime.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, lr_images):
        (output,) = self.session.run(None, {self.input_name: np.asarray(lr_images, np.float32)})
        return output


class NcnnBackend:
    """Runs an ncnn ``.param`` and the ``.bin`` beside it, one image at a time, in float32
    arithmetic (a ``_fp16`` file's float16 weights widened, as TFLite float16 runs on a CPU)."""

    name = "ncnn"

    def __init__(self, path, num_threads=None):
        from srgan_tf.runtimes.ncnn_net import NcnnNet

        path = os.fspath(path)
        weights = f"{os.path.splitext(path)[0]}.bin"
        if not os.path.isfile(weights):
            raise SRGANError(f"ncnn model {path} needs its weights beside it: {weights} is missing")
        self.net = NcnnNet(path, weights, threads=num_threads)

    def __call__(self, lr_images):
        return np.clip(self.net(lr_images), 0.0, 1.0)  # Real-ESRGAN's own files end unclipped


BACKENDS = {b.name: b for b in (KerasBackend, SavedModelBackend, TFLiteBackend, ONNXBackend, NcnnBackend)}


def detect_format(path):
    """The backend name that fits ``path`` (a run dir, .keras, SavedModel dir, .tflite, .onnx, .param, a name)."""
    path = os.fspath(path)
    if is_named_model(path):
        return "keras"
    if not os.path.exists(path):
        names = ", ".join(named_models()) or "none installed"
        raise SRGANError(f"no model at {path} (named models: {names})")
    if path.endswith(".tflite"):
        return "tflite"
    if path.endswith(".onnx"):
        return "onnx"
    if path.endswith(".param"):
        return "ncnn"
    if path.endswith(".keras"):
        return "keras"
    if os.path.isdir(path):
        if saved_model_dir(path):
            return "saved_model"
        if os.path.isfile(os.path.join(path, "generator.keras")):
            return "keras"
    raise SRGANError(
        f"cannot tell the model format of {path} "
        "(expected a named model, run dir, .keras, SavedModel, .tflite, .onnx, .param)"
    )


def load_backend(path, backend="auto"):
    """Opens ``path`` with the named backend, or the one its path implies."""
    name = detect_format(path) if backend == "auto" else backend
    if name not in BACKENDS:
        raise SRGANError(f"unknown backend {name!r}; choose one of auto, {', '.join(BACKENDS)}")
    return BACKENDS[name](path)
