"""ncnn: the generator as ``.param`` text and ``.bin`` weights, what ncnn apps load (Real-ESRGAN's
and waifu2x's desktop, Android and iOS apps, on the CPU or with Vulkan).

OUT/ncnn/<name>.param + .bin            float32 weights
OUT/ncnn/<name>_fp16.param + .bin       convolution kernels stored float16 (ncnn's fp16 storage;
                                        biases and PReLU slopes stay float32, as ncnn reads them)

Input blob ``data``, output blob ``output``: one image as ncnn's planar ``Mat`` (3 × H × W) of RGB
in [0, 1], returned as 3 × sH × sW in [0, 1] (clipped), like every other export. The file is
written from the Keras layers by name (SRResNet or RRDBNet; anything else is refused):

- SRResNet: BatchNorm folded into the convolution before it (its inference-time affine map),
  per-channel PReLU, ``PixelShuffle`` in mode 1 (depth_to_space's channel order), the last 9x9
  convolution in its sub-pixel form (:mod:`srgan_tf.models.subpixel_tail`), and the [-1, 1] ->
  [0, 1] map as layers after tanh; with the bicubic skip, the skip is reflect padding, the fixed
  5x5 convolution and a pixel shuffle, and the map folds into the tail (``(2b − 1 + t + 1) / 2 =
  b + t / 2``: the tail's weights halved, exactly).
- RRDBNet: laid out as Real-ESRGAN's own ncnn files (dense-block ``Concat``, ``Eltwise`` with the
  0.2 residual scale, nearest ``Interp`` for the x2 stages, LeakyReLU inside ``Convolution``), so
  :func:`srgan_tf.pretrained.rrdbnet_ncnn.load_rrdbnet_ncnn` reads it back; its ``2y − 1`` output and
  the [0, 1] map cancel, leaving the clip.
"""

import collections
import os

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.models.subpixel_tail import phase_kernel
from srgan_tf.pretrained.ncnn_model import (
    ARRAY_KEY_BASE,
    BINARY_ADD,
    BINARY_MUL,
    ELTWISE_SUM,
    FLOAT16_TAG,
    FLOAT32_TAG,
    LEAKY_RELU,
    MAGIC,
    NEAREST,
    PADDING_REFLECT,
    PIXELSHUFFLE_DCR,
)
from srgan_tf.utils.atomic import atomic_path

STORAGES = {"float32": "", "float16": "_fp16"}  # weight storage -> file name suffix
INPUT_BLOB, OUTPUT_BLOB = "data", "output"


def _format(value):
    if isinstance(value, (tuple, list)):
        return ",".join([str(len(value)), *(_format(v) for v in value)])
    if isinstance(value, (bool, int, np.integer)):
        return str(int(value))
    short = f"{float(value):e}"
    # ncnn reads a value with "." or "e" as float32: six decimals when they are exact, else nine.
    return short if np.float32(float(short)) == np.float32(value) else f"{float(value):.9e}"


class NcnnGraph:
    """ncnn layers in order, their ``.bin`` weights, and the ``.param``/``.bin`` they make."""

    def __init__(self, storage="float32"):
        if storage not in STORAGES:
            raise SRGANError(f"ncnn weight storage must be one of {', '.join(STORAGES)}, got {storage!r}")
        self.storage = storage
        self.layers = []  # (type, name, inputs, outputs, params)
        self.chunks = []  # .bin bytes in layer order

    def add(self, kind, name, inputs, params=None, output=None):
        output = output or name
        self.layers.append((kind, name, tuple(inputs), (output,), dict(params or {})))
        return output

    def input(self):
        return self.add("Input", INPUT_BLOB, [], output=INPUT_BLOB)

    def conv(self, name, x, kernel, bias=None, leaky=None, output=None, same=True):
        """A stride-1 convolution, 'same' or 'valid'; ``kernel`` in Keras' (kh, kw, in, out) layout."""
        kh, kw, channels, outputs = kernel.shape
        params = {0: outputs, 1: kw}
        if kh != kw:
            params[11] = kh
        params[4] = kw // 2 if same else 0
        if kh != kw:
            params[14] = kh // 2 if same else 0
        params[5] = int(bias is not None)
        params[6] = kernel.size
        if leaky is not None:
            params[9], params[10] = LEAKY_RELU, (leaky,)
        data = np.ascontiguousarray(np.asarray(kernel, np.float32).transpose(3, 2, 0, 1))  # ncnn: out, in, kh, kw
        if self.storage == "float16":
            raw = data.astype(np.float16).tobytes()
            self.chunks += [np.uint32(FLOAT16_TAG).tobytes(), raw + b"\0" * (-len(raw) % 4)]
        else:
            self.chunks += [np.uint32(FLOAT32_TAG).tobytes(), data.tobytes()]
        if bias is not None:
            self.chunks.append(np.asarray(bias, np.float32).tobytes())  # always raw float32 in ncnn
        return self.add("Convolution", name, [x], params, output)

    def prelu(self, name, x, slopes):
        self.chunks.append(np.asarray(slopes, np.float32).reshape(-1).tobytes())
        return self.add("PReLU", name, [x], {0: np.size(slopes)})

    def sum(self, name, inputs):
        # op_type left at ncnn's default, add, as Real-ESRGAN's files write it.
        return self.add("BinaryOp", name, inputs)

    def pixel_shuffle(self, name, x, factor):
        return self.add("PixelShuffle", name, [x], {0: factor, 1: PIXELSHUFFLE_DCR})

    def param_text(self):
        # A blob read by several layers goes through a Split, one copy per reader (ncnn's rule).
        readers = collections.Counter(b for layer in self.layers for b in layer[2])
        taken, lines = collections.Counter(), []
        for kind, name, inputs, outputs, params in self.layers:
            read = []
            for blob in inputs:
                read.append(blob if readers[blob] == 1 else f"{blob}_{taken[blob]}")
                taken[blob] += 1
            lines.append((kind, name, read, outputs, params))
            for blob in outputs:
                if readers[blob] > 1:
                    lines.append(("Split", f"{blob}_split", [blob], [f"{blob}_{i}" for i in range(readers[blob])], {}))
        body = []
        for kind, name, inputs, outputs, params in lines:
            keys = [f"{ARRAY_KEY_BASE - k if isinstance(v, tuple) else k}={_format(v)}" for k, v in params.items()]
            body.append(
                " ".join([f"{kind:<16}", f"{name:<24}", str(len(inputs)), str(len(outputs)), *inputs, *outputs, *keys])
            )
        blobs = sum(len(outputs) for *_, outputs, _ in lines)
        return "\n".join([str(MAGIC), f"{len(lines)} {blobs}", *body]) + "\n"

    def bin_bytes(self):
        return b"".join(self.chunks)


class _Layers:
    """The generator's layers by name, recording which ones the export consumed."""

    def __init__(self, generator):
        self.generator = generator
        self.by_name = {layer.name: layer for layer in generator.layers}
        self.used = set()

    def __contains__(self, name):
        return name in self.by_name

    def __getitem__(self, name):
        self.used.add(name)
        return self.by_name[name]

    def take(self, *names):
        """Marks layers whose work the ncnn graph does without reading them (adds, copies)."""
        for name in names:
            self[name]

    def count(self, pattern):
        return next(i for i in range(len(self.by_name) + 1) if pattern.format(i) not in self.by_name)

    def conv(self, name, batch_norm=None):
        """(kernel, bias) of a stride-1 'same' Conv2D, with the BatchNorm after it folded in."""
        layer = self[name]
        if layer.strides != (1, 1) or layer.padding != "same" or layer.dilation_rate != (1, 1) or layer.groups != 1:
            raise SRGANError(f"ncnn export: {name} is not a stride-1 'same' convolution")
        if layer.activation.__name__ != "linear":
            raise SRGANError(f"ncnn export: {name} has a built-in activation ({layer.activation.__name__})")
        kernel = layer.kernel.numpy().astype(np.float64)
        bias = layer.bias.numpy().astype(np.float64) if layer.use_bias else np.zeros(kernel.shape[-1])
        if batch_norm and batch_norm in self:
            bn = self[batch_norm]
            scale = (bn.gamma.numpy() if bn.scale else 1.0) / np.sqrt(bn.moving_variance.numpy() + bn.epsilon)
            kernel = kernel * scale
            bias = (bias - bn.moving_mean.numpy()) * scale + (bn.beta.numpy() if bn.center else 0.0)
        return kernel.astype(np.float32), bias.astype(np.float32)

    def slopes(self, name):
        layer = self[name]
        if tuple(layer.shared_axes or ()) != (1, 2):
            raise SRGANError(f"ncnn export: {name} has per-pixel slopes; ncnn's PReLU has one per channel")
        return layer.alpha.numpy().reshape(-1)

    def check_all_used(self):
        left = sorted(
            n for n, layer in self.by_name.items() if n not in self.used and layer.__class__.__name__ != "InputLayer"
        )
        if left:
            raise SRGANError(f"ncnn export does not know {self.generator.name}'s layers {left}")


def _check_rescaling(layer, scale, offset):
    if not (np.isclose(float(layer.scale), scale) and np.isclose(float(layer.offset), offset)):
        raise SRGANError(f"ncnn export: {layer.name} is not x * {scale} + {offset}")


def _srresnet(g, m, subpixel_tail):
    head = g.prelu("head_prelu", g.conv("head_conv", g.input(), *m.conv("head_conv")), m.slopes("head_prelu"))
    x = head
    for i in range(m.count("res{}_conv1")):
        y = g.conv(f"res{i}_conv1", x, *m.conv(f"res{i}_conv1", f"res{i}_bn1"))
        y = g.prelu(f"res{i}_prelu", y, m.slopes(f"res{i}_prelu"))
        y = g.conv(f"res{i}_conv2", y, *m.conv(f"res{i}_conv2", f"res{i}_bn2"))
        x = g.sum(m[f"res{i}_add"].name, [x, y])
    x = g.conv("body_conv", x, *m.conv("body_conv", "body_bn"))
    x = g.sum(m["long_skip"].name, [head, x])
    stages = m.count("up{}_conv")
    factor = None
    for stage in range(stages):
        x = g.conv(f"up{stage}_conv", x, *m.conv(f"up{stage}_conv"))
        factor = m[f"up{stage}_shuffle"].factor
        slopes = m.slopes(f"up{stage}_prelu")
        if stage == stages - 1 and subpixel_tail:
            # The PReLU before the shuffle, slopes repeated per phase (channel (i·r + j)·C + c).
            x = g.prelu(f"up{stage}_prelu", x, np.tile(slopes, factor * factor))
        else:
            x = g.prelu(f"up{stage}_prelu", g.pixel_shuffle(f"up{stage}_shuffle", x, factor), slopes)
    kernel, bias = m.conv("tail_conv")
    skip = "detail_add" in m
    if skip:
        kernel, bias = kernel * 0.5, bias * 0.5  # a power of two: exact
    if subpixel_tail:
        x = g.conv("tail_conv", x, phase_kernel(kernel, factor), np.tile(bias, factor * factor))
        x = g.pixel_shuffle("tail_shuffle", x, factor)
    else:
        x = g.conv("tail_conv", x, kernel, bias)
    if skip:
        bicubic = m["bicubic"]
        _check_rescaling(m["bicubic_signed"], 2.0, -1.0)
        r = bicubic.factor
        base = g.add("Padding", "bicubic_pad", [INPUT_BLOB], {0: 2, 1: 2, 2: 2, 3: 2, 4: PADDING_REFLECT})
        base = g.conv("bicubic_conv", base, np.asarray(bicubic._kernel, np.float32), same=False)
        base = g.pixel_shuffle("bicubic", base, r)
        x = g.sum(m["detail_add"].name, [base, x])
        if m["sr_images"].activation.__name__ != "linear":
            raise SRGANError("ncnn export: the bicubic-skip generator's output is not linear")
    else:
        if m["sr_images"].activation.__name__ != "tanh":
            raise SRGANError("ncnn export: SRResNet's output is not tanh")
        x = g.add("TanH", "sr_images", [x])
        x = g.add("BinaryOp", "to_unit_scale", [x], {0: BINARY_MUL, 1: 1, 2: 0.5})
        x = g.add("BinaryOp", "to_unit", [x], {0: BINARY_ADD, 1: 1, 2: 0.5})
    g.add("Clip", "clip", [x], {0: 0.0, 1: 1.0}, output=OUTPUT_BLOB)


def _rrdbnet(g, m, clip):
    def lrelu(name):
        return float(m[name].negative_slope)

    def eltwise(name, residual, x):  # x + s · residual, s from the Rescaling before the Add
        scale = float(m[name.replace("_add", "_scale")].scale)
        m.take(name)
        return g.add("Eltwise", name, [residual, x], {0: ELTWISE_SUM, 1: (scale, 1.0)})

    first = g.conv("conv_first", g.input(), *m.conv("conv_first"))
    x = first
    for block in range(m.count("body{}_rdb1_conv1")):
        y = x
        for rdb in range(1, 4):
            prefix = f"body{block}_rdb{rdb}"
            features = [y]
            for k in range(1, 5):
                inputs = features[0] if k == 1 else g.add("Concat", m[f"{prefix}_cat{k}"].name, features)
                conv = g.conv(
                    f"{prefix}_conv{k}", inputs, *m.conv(f"{prefix}_conv{k}"), leaky=lrelu(f"{prefix}_lrelu{k}")
                )
                features.append(conv)
            c5 = g.conv(
                f"{prefix}_conv5", g.add("Concat", m[f"{prefix}_cat5"].name, features), *m.conv(f"{prefix}_conv5")
            )
            y = eltwise(f"{prefix}_add", c5, y)
        x = eltwise(f"body{block}_add", y, x)
    body = g.conv("conv_body", x, *m.conv("conv_body"))
    x = g.sum(m["long_skip"].name, [first, body])
    stage = 1
    while f"conv_up{stage}" in m:
        # Four copies through a pixel shuffle in Keras: nearest-neighbour x2.
        m.take(f"up{stage}_copies", f"up{stage}")
        x = g.add("Interp", f"up{stage}", [x], {0: NEAREST, 1: 2.0, 2: 2.0})
        x = g.conv(f"conv_up{stage}", x, *m.conv(f"conv_up{stage}"), leaky=lrelu(f"lrelu_up{stage}"))
        stage += 1
    x = g.conv("conv_hr", x, *m.conv("conv_hr"), leaky=lrelu("lrelu_hr"))
    _check_rescaling(m["sr_images"], 2.0, -1.0)  # 2y − 1, undone by the [0, 1] map: y
    x = g.conv("conv_last", x, *m.conv("conv_last"), output=None if clip else OUTPUT_BLOB)
    if clip:
        g.add("Clip", "clip", [x], {0: 0.0, 1: 1.0}, output=OUTPUT_BLOB)


def ncnn_model(generator, storage="float32", subpixel_tail=True, clip=True):
    """(``.param`` text, ``.bin`` bytes) of an SRResNet or RRDBNet generator.

    ``subpixel_tail``: SRResNet's last convolution before its last shuffle (same function).
    ``clip=False`` ends RRDBNet at its last convolution, exactly as Real-ESRGAN's files do.
    """
    g, m = NcnnGraph(storage), _Layers(generator)
    if "head_conv" in m:
        _srresnet(g, m, subpixel_tail)
    elif "conv_first" in m:
        _rrdbnet(g, m, clip)
    else:
        raise SRGANError(f"ncnn export knows SRResNet and RRDBNet generators; {generator.name} is neither")
    m.check_all_used()
    return g.param_text(), g.bin_bytes()


def write_ncnn(generator, folder, name, storage="float32", subpixel_tail=True):
    """Writes ``folder/<name>[_fp16].param`` and ``.bin``, each atomically; returns the ``.param`` path."""
    param, weights = ncnn_model(generator, storage, subpixel_tail)
    stem = os.path.join(folder, f"{name}{STORAGES[storage]}")
    with atomic_path(f"{stem}.bin") as tmp, open(tmp, "wb") as f:
        f.write(weights)
    with atomic_path(f"{stem}.param") as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(param)
    return f"{stem}.param"
