"""SavedModel for TF Serving, with two signatures and input guards in the graph.

``serving_default``
    ``images``: float32 ``[N, H, W, 3]`` in [0, 1] -> ``sr_images``: float32
    ``[N, s·H, s·W, 3]`` in [0, 1] (clipped). Any N, H, W with N·H·W at most
    ``max_pixels``: the bound is on the whole request, since the network's memory
    grows with the batch as much as with the image.
``upscale_image``
    ``images``: string ``[N]`` of PNG/JPEG bytes (REST: ``{"b64": ...}``) ->
    ``png_bytes``: string ``[N]`` of PNG bytes (TF Serving's REST API returns a string output
    as ``{"b64": ...}`` only when its name ends in ``_bytes``); decoding, uint8 rounding and PNG
    encoding happen inside the graph, one image at a time, each at its own size
    and each up to ``max_pixels``. Other formats (GIF, BMP, WebP) are refused.

Both refuse wrong ranks/channel counts and inputs above ``max_pixels`` with an
``InvalidArgumentError`` instead of exhausting the server's memory. Encoded
images are measured from their headers (PNG's IHDR, JPEG's frame header) and
refused before any pixel is decoded: a few hundred KB of PNG can declare 10^8
pixels.
"""

import os
import shutil

import keras
import tensorflow as tf

from srgan_tf.models.subpixel_tail import with_subpixel_tail
from srgan_tf.utils.atomic import remove_temporary, temporary_name
from srgan_tf.utils.ranges import sr_images, to_uint8

# 4 MP of input (e.g. 2048x2048 -> 8192x8192 out) is already ~0.3 TFLOP at the paper size.
SERVING_MAX_PIXELS = 2048 * 2048

FLOAT_SPEC = tf.TensorSpec([None, None, None, 3], tf.float32, name="images")
BYTES_SPEC = tf.TensorSpec([None], tf.string, name="images")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def _guard(images, max_pixels):
    shape = tf.cast(tf.shape(images), tf.int64)
    checks = [
        tf.debugging.assert_rank(images, 4, message="images must be [batch, height, width, 3]"),
        tf.debugging.assert_equal(shape[-1], tf.constant(3, tf.int64), message="images must have 3 (RGB) channels"),
        tf.debugging.assert_less_equal(
            shape[0] * shape[1] * shape[2],
            tf.constant(max_pixels, tf.int64),
            message=f"image too large: more than {max_pixels} input pixels (batch x height x width)",
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(images)


def _header_size(encoded):
    """(height, width) as int64 from a PNG's IHDR or a JPEG's frame header; nothing is decoded.

    Anything else fails here, so the decoder that runs after the size check is always the one
    whose header was read.
    """
    # The first 24 bytes, zero-padded: a short input must fail the checks below, not the slicing.
    head = tf.strings.substr(tf.strings.join([tf.strings.substr(encoded, 0, 24), b"\0" * 24]), 0, 24)
    is_png = tf.equal(tf.strings.substr(head, 0, 8), PNG_SIGNATURE)
    is_jpeg = tf.equal(tf.strings.substr(head, 0, 3), JPEG_SIGNATURE)
    known = tf.debugging.Assert(tf.logical_or(is_png, is_jpeg), ["images must be PNG or JPEG bytes"])

    def png_size():
        has_ihdr = tf.debugging.Assert(
            tf.equal(tf.strings.substr(head, 12, 4), b"IHDR"), ["PNG without its IHDR header"]
        )
        with tf.control_dependencies([has_ihdr]):
            field = tf.cast(tf.io.decode_raw(head, tf.uint8), tf.int64)
        big_endian = tf.constant([1 << 24, 1 << 16, 1 << 8, 1], tf.int64)
        return tf.stack([tf.reduce_sum(field[20:24] * big_endian), tf.reduce_sum(field[16:20] * big_endian)])

    def jpeg_size():
        return tf.io.extract_jpeg_shape(encoded, output_type=tf.int64)[:2]

    with tf.control_dependencies([known]):
        return tf.cond(is_png, png_size, jpeg_size)


def _decode_guarded(encoded, max_pixels):
    """One PNG/JPEG as float32 ``[1, H, W, 3]`` in [0, 1], refused from its header when too large."""
    size = _header_size(encoded)
    message = tf.strings.format(
        "image too large: {}x{} is more than " + str(max_pixels) + " input pixels", (size[1], size[0])
    )
    small_enough = tf.debugging.Assert(size[0] * size[1] <= max_pixels, [message])
    with tf.control_dependencies([small_enough]):
        image = tf.cond(
            tf.equal(tf.strings.substr(encoded, 0, 3), JPEG_SIGNATURE),
            lambda: tf.io.decode_jpeg(encoded, channels=3),
            lambda: tf.io.decode_png(encoded, channels=3, dtype=tf.uint8),
        )
    return _guard(tf.cast(image, tf.float32)[None] / 255.0, max_pixels)


def core_function(generator, pixels=False):
    """The guard-free math, [0, 1] -> [0, 1]; what TFLite and ONNX are converted from.

    Exports pass ``with_subpixel_tail(generator)`` (:mod:`srgan_tf.models.subpixel_tail`: the
    same function, a faster graph); the parity check after every export compares each artifact
    with the graph as trained.

    ``pixels=True``: 0..255 -> 0..255, the input marked as exactly that range (a FakeQuant
    annotation, which the TFLite converter takes as the tensor's quantisation), so a full-int8
    model with uint8 input reads pixel values themselves — scale 1, zero point 0 — instead of
    whatever range calibration happened to see. The output keeps its calibrated quantisation
    (pixel = scale · (byte − zero point), recorded in the export's metadata): the same
    annotation there made the converter misquantise the last layers (mean shifted by 30 levels).
    """

    def upscale(images):
        return sr_images(generator, images)

    if not pixels:
        return upscale

    def upscale_pixels(images):
        images = tf.quantization.fake_quant_with_min_max_args(images, min=0.0, max=255.0)
        return upscale(images / 255.0) * 255.0

    return upscale_pixels


def build_archive(generator, max_pixels=SERVING_MAX_PIXELS):
    """A ``keras.export.ExportArchive`` holding both serving signatures."""
    inference = with_subpixel_tail(generator)
    upscale = core_function(inference)
    archive = keras.export.ExportArchive()
    archive.track(inference)

    def serve(images):
        return {"sr_images": upscale(_guard(images, max_pixels))}

    def serve_encoded(images):
        def one(encoded):
            return tf.io.encode_png(to_uint8(upscale(_decode_guarded(encoded, max_pixels)))[0])

        return {"png_bytes": tf.map_fn(one, images, fn_output_signature=tf.string, parallel_iterations=1)}

    archive.add_endpoint("serving_default", serve, input_signature=[FLOAT_SPEC])
    archive.add_endpoint("upscale_image", serve_encoded, input_signature=[BYTES_SPEC])
    return archive


def write_core_saved_model(generator, path, fixed_size=None, pixels=False):
    """A minimal SavedModel (one signature, no guards, no string ops) for converters."""
    shape = [1, *fixed_size, 3] if fixed_size else [None, None, None, 3]
    inference = with_subpixel_tail(generator)
    upscale = core_function(inference, pixels)
    archive = keras.export.ExportArchive()
    archive.track(inference)
    archive.add_endpoint(
        "serving_default",
        lambda images: {"sr_images": upscale(images)},
        input_signature=[tf.TensorSpec(shape, tf.float32, name="images")],
    )
    archive.write_out(path, verbose=False)
    return path


def next_version(model_dir):
    """TF Serving loads the highest numeric version: the next free one."""
    versions = [int(n) for n in os.listdir(model_dir) if n.isdigit()] if os.path.isdir(model_dir) else []
    return max(versions, default=0) + 1


def write_saved_model(generator, out_dir, model_name="srgan", version=None, max_pixels=SERVING_MAX_PIXELS):
    """Writes ``out_dir/saved_model/<model_name>/<version>/``; returns that path.

    The directory appears only when complete (written beside it, then renamed),
    so TF Serving never picks up half a model.
    """
    model_dir = os.path.join(out_dir, "saved_model", model_name)
    version = version or next_version(model_dir)
    final = os.path.join(model_dir, str(version))
    # Hidden (TF Serving never loads it as a version) and unique to this writer.
    tmp = temporary_name(os.path.join(model_dir, f".{version}"))
    os.makedirs(model_dir, exist_ok=True)
    try:
        build_archive(generator, max_pixels).write_out(tmp, verbose=False)
        if os.path.exists(final):
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        remove_temporary(tmp)
    return final
