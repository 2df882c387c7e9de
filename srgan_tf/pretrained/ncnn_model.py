"""Reads ncnn models (``.param`` text + ``.bin`` weights) without ncnn itself.

``.param``: a magic line (7767517), ``layer_count blob_count``, then one layer a line::

    Type  name  n_in n_out  in_blobs… out_blobs…  key=value…

where a value is an int, a float (has ``.``/``e``) or, for keys ≤ −23300, an array
``-233KK=n,v1,…,vn`` of parameter ``KK``. ``.bin``: each layer's weights in layer order;
a convolution stores its kernel (``out × in × kh × kw``) behind a 4-byte storage tag, then
``num_output`` raw float32 biases when it has them.

Line ends are normalised first: some published ``.param`` files have CRLF ends, which
ncnn's own parser misreads (its outputs are NaN), so :func:`normalized_param` is also what
to hand to ncnn.
"""

from dataclasses import dataclass

import numpy as np

from srgan_tf.errors import SRGANError

# The format's constants, shared with the writer (srgan_tf.export.ncnn_export).
MAGIC = 7767517
ARRAY_KEY_BASE = -23300
FLOAT16_TAG = 0x01306B47
FLOAT32_TAG = 0  # raw float32, no quantisation
LEAKY_RELU = 2  # Convolution's activation_type (param 9) for LeakyReLU, its slope in param 10
NEAREST = 1  # Interp's resize_type
ELTWISE_SUM = 1  # Eltwise's op_type: sum with coefficients (param 1)
BINARY_ADD, BINARY_MUL = 0, 2  # BinaryOp's op_type
PIXELSHUFFLE_DCR = 1  # PixelShuffle's mode: depth_to_space's channel order (0 is PyTorch's)
PADDING_REFLECT = 2  # Padding's type: mirror without repeating the edge, as numpy's "reflect"


@dataclass(frozen=True)
class NcnnLayer:
    type: str
    name: str
    inputs: tuple
    outputs: tuple
    params: dict  # parameter id -> int, float or tuple

    def param(self, key, default=None):
        return self.params.get(key, default)


def normalized_param(text):
    """``.param`` text with ``\\n`` line ends (accepts bytes)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _value(text):
    return float(text) if any(c in text for c in ".eE") else int(text)


def _params(tokens, where):
    params = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep:
            raise SRGANError(f"{where}: malformed parameter {token!r}")
        key = int(key)
        if key <= ARRAY_KEY_BASE:
            count, *values = value.split(",")
            if int(count) != len(values):
                raise SRGANError(f"{where}: array parameter {token!r} says {count} values, has {len(values)}")
            params[ARRAY_KEY_BASE - key] = tuple(_value(v) for v in values)
        else:
            params[key] = _value(value)
    return params


def read_param(text, source=".param"):
    """The layers of a ``.param`` file, in file order."""
    lines = [line.split() for line in normalized_param(text).split("\n") if line.strip()]
    if not lines or lines[0] != [str(MAGIC)]:
        raise SRGANError(f"{source} is not an ncnn param file (first line must be {MAGIC})")
    if len(lines) < 2 or len(lines[1]) != 2:
        raise SRGANError(f"{source}: second line must be 'layer_count blob_count'")
    layer_count = int(lines[1][0])
    layers = []
    for number, tokens in enumerate(lines[2:], start=3):
        where = f"{source} line {number}"
        if len(tokens) < 4:
            raise SRGANError(f"{where}: too few fields")
        n_in, n_out = int(tokens[2]), int(tokens[3])
        blobs = tokens[4 : 4 + n_in + n_out]
        if len(blobs) != n_in + n_out:
            raise SRGANError(f"{where}: {n_in} inputs and {n_out} outputs announced, fewer listed")
        params = _params(tokens[4 + n_in + n_out :], where)
        layers.append(NcnnLayer(tokens[0], tokens[1], tuple(blobs[:n_in]), tuple(blobs[n_in:]), params))
    if len(layers) != layer_count:
        raise SRGANError(f"{source} announces {layer_count} layers and holds {len(layers)}")
    return layers


@dataclass(frozen=True)
class Convolution:
    layer: NcnnLayer
    kernel: np.ndarray  # float32 (out, in, kh, kw), as ncnn and PyTorch store it
    bias: np.ndarray | None  # float32 (out,)


def _tagged_weights(data, offset, count, where):
    if offset + 4 > len(data):
        raise SRGANError(f"{where}: the .bin file ends before this layer's weights")
    tag = int.from_bytes(data[offset : offset + 4], "little")
    offset += 4
    if tag == FLOAT16_TAG:
        dtype, size = np.float16, 2
    elif tag == FLOAT32_TAG:
        dtype, size = np.float32, 4
    else:
        raise SRGANError(f"{where}: unsupported ncnn weight storage (tag {tag:#010x}; float16 and float32 are read)")
    end = offset + count * size
    if end > len(data):
        raise SRGANError(f"{where}: the .bin file ends inside this layer's weights")
    values = np.frombuffer(data, dtype, count, offset).astype(np.float32)
    return values, (end + 3) // 4 * 4  # ncnn pads each blob to 4 bytes


def read_convolutions(layers, data, source=".bin"):
    """The kernels and biases of every ``Convolution`` layer, read from ``.bin`` bytes.

    Only convolutions and PReLU (whose slopes are skipped) may carry weights here (any other
    weighted layer type is refused, since its bytes would shift every later tensor), and the file
    must end exactly after the last.
    """
    weighted = {"Convolution", "ConvolutionDepthWise", "Deconvolution", "InnerProduct", "BatchNorm", "Scale"}
    convolutions, offset = [], 0
    for layer in layers:
        if layer.type == "PReLU":  # its slopes: num_slope raw float32, skipped
            offset += 4 * layer.param(0, 1)
            if offset > len(data):
                raise SRGANError(f"{source}, layer {layer.name}: the .bin file ends inside its slopes")
            continue
        if layer.type != "Convolution":
            if layer.type in weighted:
                raise SRGANError(f"{source}: layer {layer.name} is a {layer.type}, which this reader does not load")
            continue
        where = f"{source}, layer {layer.name}"
        out = layer.param(0)
        kw = layer.param(1)
        kh = layer.param(11, kw)
        size = layer.param(6)
        if not out or not kw or not size or size % (out * kh * kw):
            raise SRGANError(f"{where}: weight size {size} does not fit {out} outputs of {kh}x{kw}")
        values, offset = _tagged_weights(data, offset, size, where)
        kernel = values.reshape(out, size // (out * kh * kw), kh, kw)
        bias = None
        if layer.param(5, 0):
            end = offset + out * 4
            if end > len(data):
                raise SRGANError(f"{where}: the .bin file ends inside this layer's bias")
            bias = np.frombuffer(data, np.float32, out, offset).copy()
            offset = end
        convolutions.append(Convolution(layer, kernel, bias))
    if offset != len(data):
        raise SRGANError(f"{source} has {len(data) - offset} bytes after the last layer's weights: not this network")
    return convolutions
