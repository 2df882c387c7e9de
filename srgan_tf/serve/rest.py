"""TF Serving's REST protocol over the exported SavedModel's two signatures.

Same signature, input and output names, dtypes and shapes as ``srgan export`` writes (see
:mod:`srgan_tf.export.saved_model`), so one client works against ``srgan serve`` and TF Serving:

``serving_default``  ``images`` float32 [N, H, W, 3] in [0, 1] -> ``sr_images`` [N, sH, sW, 3]
``upscale_image``    ``images`` string [N] of PNG/JPEG bytes -> ``png_bytes`` string [N] of PNG bytes

Requests are TF Serving's row (``instances``) or columnar (``inputs``) format; binary values go
both ways as ``{"b64": ...}``. Errors are ``{"error": "<one line>"}``, as TF Serving's are.
"""

import base64
import binascii
import json
import re

import numpy as np

from srgan_tf.serve.header import HeaderError, TooLarge, image_size

_DIMS_FLOAT = [-1, -1, -1, 3]
SIGNATURES = {
    "serving_default": {
        "inputs": {"images": ("DT_FLOAT", _DIMS_FLOAT)},
        "outputs": {"sr_images": ("DT_FLOAT", _DIMS_FLOAT)},
    },
    "upscale_image": {"inputs": {"images": ("DT_STRING", [-1])}, "outputs": {"png_bytes": ("DT_STRING", [-1])}},
}


class RestError(Exception):
    """A request the server refuses: an HTTP status and one line."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def model_status(model):
    """``GET /v1/models/NAME``: GetModelStatusResponse as JSON."""
    ok = model.error is None
    return {
        "model_version_status": [
            {
                "version": str(model.version),
                "state": model.state,
                "status": {"error_code": "OK" if ok else "UNKNOWN", "error_message": "" if ok else model.error},
            }
        ]
    }


def _tensor_info(name, dtype, dims):
    return {"dtype": dtype, "tensor_shape": {"dim": [{"size": str(d), "name": ""} for d in dims]}, "name": name}


def model_metadata(model):
    """``GET /v1/models/NAME/metadata``: the signatures, in TF Serving's GetModelMetadataResponse shape."""
    signatures = {}
    for name, signature in SIGNATURES.items():
        signatures[name] = {
            role: {key: _tensor_info(f"{name}_{key}:0", *info) for key, info in signature[role].items()}
            for role in ("inputs", "outputs")
        }
        signatures[name]["method_name"] = "tensorflow/serving/predict"
    return {
        "model_spec": {"name": model.name, "signature_name": "", "version": str(model.version)},
        "metadata": {"signature_def": {"signature_def": signatures}},
    }


def parse_predict(body, max_pixels):
    """``(signature, values, columnar)`` of a ``:predict`` body: the decoded b64 bytes or float
    arrays, one per instance, each checked against ``max_pixels`` from its header or shape, and so is their sum."""
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RestError(400, f"JSON Parse error: {error}") from None
    if not isinstance(request, dict):
        raise RestError(400, "the request must be a JSON object with 'instances' or 'inputs'")
    signature = request.get("signature_name", "serving_default")
    if signature not in SIGNATURES:
        raise RestError(400, f'Serving signature name: "{signature}" not found in signature def')
    if ("instances" in request) == ("inputs" in request):
        raise RestError(400, "the request must have exactly one of 'instances' (row) or 'inputs' (columnar)")
    columnar = "inputs" in request
    values = request["inputs"] if columnar else request["instances"]
    if columnar and isinstance(values, dict):
        values = _named_input(values, "inputs")
    if not isinstance(values, list) or not values:
        raise RestError(400, "'instances' / 'inputs' must be a non-empty list, one item per image")
    if not columnar:
        values = [_named_input(v, "instance") if isinstance(v, dict) and "b64" not in v else v for v in values]
    parse = _parse_encoded if signature == "upscale_image" else _parse_float
    parsed = [parse(value, index, max_pixels) for index, value in enumerate(values)]
    if signature == "serving_default" and len({p.shape for p in parsed}) > 1:
        raise RestError(400, "all instances of a batch must have the same height and width")
    # The bound is on the whole request, as the SavedModel's is on N·H·W: one request of many
    # small images must not hold the worker (and the float output's JSON) beyond it.
    total = sum(_pixels(p) for p in parsed)
    if total > max_pixels:
        raise RestError(413, f"request too large: {total} input pixels in all, more than the limit of {max_pixels}")
    return signature, parsed, columnar


def _pixels(parsed):
    if isinstance(parsed, np.ndarray):
        return parsed.shape[0] * parsed.shape[1]
    _, width, height = image_size(parsed, float("inf"))
    return width * height


def _named_input(value, what):
    if set(value) != {"images"}:
        raise RestError(400, f"an {what} object must have the one input 'images', got {sorted(value)}")
    return value["images"]


def _element_error(index, message):
    return f"Failed to process element: {index} of 'instances' list. Error: {message}"


def _parse_encoded(value, index, max_pixels):
    if not (isinstance(value, dict) and set(value) == {"b64"} and isinstance(value["b64"], str)):
        raise RestError(400, _element_error(index, 'upscale_image takes PNG/JPEG bytes as {"b64": "..."}'))
    try:
        data = base64.b64decode(value["b64"], validate=True)
    except (binascii.Error, ValueError):
        raise RestError(400, _element_error(index, "Unable to base64 decode")) from None
    try:
        image_size(data, max_pixels)
    except TooLarge as error:
        raise RestError(413, _element_error(index, f"image too large: {error}")) from None
    except HeaderError as error:
        raise RestError(400, _element_error(index, str(error))) from None
    return data


def _parse_float(value, index, max_pixels):
    try:
        array = np.asarray(value, np.float32)
    except (ValueError, TypeError):
        raise RestError(400, _element_error(index, "images must be numbers in [height][width][3] lists")) from None
    if array.ndim != 3 or array.shape[-1] != 3 or 0 in array.shape:
        shape = "x".join(map(str, array.shape)) or "a scalar"
        raise RestError(400, _element_error(index, f"images must be [height][width][3] (RGB), got {shape}"))
    if array.shape[0] * array.shape[1] > max_pixels:
        raise RestError(413, _element_error(index, f"image too large: more than {max_pixels} input pixels"))
    return array


def predict(upscaler, signature, values):
    """Runs on the worker: one output per instance (float32 arrays, or PNG bytes)."""
    if signature == "serving_default":
        return [upscaler.upscale_array(rgb) for rgb in values]
    return [_upscale_encoded(upscaler, data, index) for index, data in enumerate(values)]


def _upscale_encoded(upscaler, data, index):
    # What the upscale_image signature computes in its graph: TensorFlow's decoder (three
    # channels, no EXIF), the model, round half up to uint8, TensorFlow's PNG encoder.
    import tensorflow as tf

    from srgan_tf.inference.picture import quantize

    try:
        image = tf.io.decode_image(data, channels=3, dtype=tf.uint8, expand_animations=False).numpy()
    except (tf.errors.InvalidArgumentError, ValueError) as error:
        # "{{function_node ...}} Invalid PNG data, size 300 [Op:DecodeImage]" -> the middle.
        message = re.sub(r"\{\{.*?\}\}\s*|\s*\[Op:.*", "", getattr(error, "message", str(error))).strip()
        raise RestError(400, _element_error(index, f"cannot decode the image ({message})")) from None
    sr = upscaler.upscale_array(image.astype(np.float32) / 255.0)
    return tf.io.encode_png(quantize(sr, 8)).numpy()


def predict_response(signature, outputs, columnar):
    """TF Serving's response: ``predictions`` (row) or ``outputs`` (columnar); one output each."""
    if signature == "serving_default":
        values = [np.asarray(sr, np.float32).tolist() for sr in outputs]
    else:
        values = [{"b64": base64.b64encode(png).decode("ascii")} for png in outputs]
    return {"outputs": values} if columnar else {"predictions": values}
