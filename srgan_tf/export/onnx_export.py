"""ONNX via tf2onnx: NHWC float32 input in [0, 1] with dynamic batch, height and width.

The file carries srgan_tf's metadata (scale, ranges, config hash) as ONNX
``metadata_props``, so a consumer needs nothing beside it.
"""

import tensorflow as tf

from srgan_tf.errors import SRGANError
from srgan_tf.export.saved_model import core_function
from srgan_tf.models.subpixel_tail import with_subpixel_tail
from srgan_tf.utils.atomic import atomic_path

DEFAULT_OPSET = 17


def write_onnx(generator, path, metadata, opset=DEFAULT_OPSET):
    """Converts the generator's [0, 1] -> [0, 1] function and writes it atomically."""
    try:
        import onnx
        import tf2onnx
    except ImportError as error:
        raise SRGANError("ONNX export needs the export extra: pip install 'srgan_tf[export]'") from error
    if opset < 13:
        raise SRGANError(f"ONNX opset must be >= 13 (17 recommended), got {opset}")
    upscale = tf.function(core_function(with_subpixel_tail(generator)))
    spec = (tf.TensorSpec([None, None, None, 3], tf.float32, name="images"),)
    model_proto, _ = tf2onnx.convert.from_function(upscale, input_signature=spec, opset=opset)
    for value, names in (
        (model_proto.graph.input[0], ("batch", "height", "width")),
        (model_proto.graph.output[0], ("batch", "sr_height", "sr_width")),
    ):
        for dim, name in zip(value.type.tensor_type.shape.dim, names):
            dim.dim_param = name  # readable names instead of tf2onnx's unk__N
    for key, value in metadata.items():
        entry = model_proto.metadata_props.add()
        entry.key, entry.value = str(key), str(value)
    with atomic_path(path) as tmp:
        onnx.save(model_proto, tmp)
    return path
