"""RRDBNet weights from an ncnn export of ESRGAN / Real-ESRGAN (e.g. Real-ESRGAN x4plus).

The ncnn graph is checked layer by layer against the network :func:`build_rrdbnet` makes for
the same architecture — every layer type, every convolution's shape and activation, every
residual scale, concat width and upsampling mode, in order — and only then are the kernels
mapped onto the Keras layers by name. Any difference is an error that names the layer: a
different export (another block count, a new layer) never loads silently wrong.
"""

from srgan_tf.config import canonical_architecture
from srgan_tf.errors import SRGANError
from srgan_tf.models.rrdbnet import RESIDUAL_SCALE
from srgan_tf.pretrained.ncnn_model import BINARY_ADD, ELTWISE_SUM, LEAKY_RELU, NEAREST, read_convolutions, read_param


def _expected(architecture):
    """The non-Split layers of the ncnn graph, in order: (type, detail) pairs.

    For a convolution the detail is (Keras layer name, outputs, inputs, LeakyReLU?); for a
    Concat the number of inputs.
    """
    architecture = canonical_architecture(architecture)
    blocks, features, growth = architecture["num_blocks"], architecture["filters"], architecture["growth"]
    steps = {2: 1, 4: 2, 8: 3}[architecture["scale"]]
    layers = [("Input", None), ("Convolution", ("conv_first", features, 3, False))]
    for block in range(blocks):
        for rdb in range(1, 4):
            prefix = f"body{block}_rdb{rdb}"
            for k in range(1, 5):
                layers.append(("Convolution", (f"{prefix}_conv{k}", growth, features + (k - 1) * growth, True)))
                layers.append(("Concat", k + 1))
            layers.append(("Convolution", (f"{prefix}_conv5", features, features + 4 * growth, False)))
            layers.append(("Eltwise", None))
        layers.append(("Eltwise", None))
    layers.append(("Convolution", ("conv_body", features, features, False)))
    layers.append(("BinaryOp", None))
    for stage in range(1, steps + 1):
        layers.append(("Interp", None))
        layers.append(("Convolution", (f"conv_up{stage}", features, features, True)))
    layers.append(("Convolution", ("conv_hr", features, features, True)))
    layers.append(("Convolution", ("conv_last", 3, features, False)))
    return layers


def _check_layer(layer, kind, detail, source):
    where = f"{source}: layer {layer.name}"
    if layer.type != kind:
        raise SRGANError(f"{where} is a {layer.type} where RRDBNet has a {kind}: not this architecture")
    if kind == "Concat" and len(layer.inputs) != detail:
        raise SRGANError(f"{where} joins {len(layer.inputs)} tensors, RRDBNet's dense block joins {detail}")
    if kind == "Eltwise":
        coefficients = tuple(round(c, 6) for c in layer.param(1, ()))
        if layer.param(0) != ELTWISE_SUM or coefficients != (RESIDUAL_SCALE, 1.0):
            raise SRGANError(f"{where} is not 'x + {RESIDUAL_SCALE} * residual' (op {layer.param(0)}, {coefficients})")
    if kind == "BinaryOp" and layer.param(0, BINARY_ADD) != BINARY_ADD:
        raise SRGANError(f"{where} is not an addition (op {layer.param(0)}): not RRDBNet's long skip")
    if kind == "Interp" and (layer.param(0) != NEAREST or layer.param(1) != 2.0 or layer.param(2) != 2.0):
        raise SRGANError(f"{where} is not nearest-neighbour x2 upsampling")
    if kind == "Convolution":
        name, outputs, inputs, leaky = detail
        shape = (layer.param(0), layer.param(11, layer.param(1)), layer.param(1))
        if shape != (outputs, 3, 3) or layer.param(4) != 1 or layer.param(3, 1) != 1 or layer.param(2, 1) != 1:
            raise SRGANError(f"{where} is not a 3x3 'same' conv to {outputs} channels ({name})")
        if layer.param(6) != outputs * inputs * 9 or not layer.param(5, 0):
            raise SRGANError(f"{where} has {layer.param(6)} weights, {name} needs {outputs}x{inputs}x3x3 and a bias")
        activation = layer.param(9, 0)
        expected = (LEAKY_RELU, (0.2,)) if leaky else (0, None)
        if (activation, layer.param(10) if activation else None) != expected:
            raise SRGANError(f"{where} has activation {activation} {layer.param(10)}, {name} needs {expected}")


def load_rrdbnet_ncnn(generator, architecture, param_text, bin_data, source="ncnn model"):
    """Sets ``generator`` (an RRDBNet of ``architecture``) from ncnn ``.param`` text and ``.bin`` bytes.

    Raises SRGANError, naming the layer, at the first difference from RRDBNet.
    """
    layers = [layer for layer in read_param(param_text, source) if layer.type != "Split"]
    expected = _expected(architecture)
    if len(layers) != len(expected):
        raise SRGANError(
            f"{source} has {len(layers)} layers (Split aside), RRDBNet with "
            f"{architecture['num_blocks']} blocks at x{architecture['scale']} has {len(expected)}"
        )
    for layer, (kind, detail) in zip(layers, expected):
        _check_layer(layer, kind, detail, source)
    convolutions = read_convolutions(layers, bin_data, source)
    names = [detail[0] for kind, detail in expected if kind == "Convolution"]
    for name, conv in zip(names, convolutions):
        target = generator.get_layer(name)
        kernel = conv.kernel.transpose(2, 3, 1, 0)  # (out, in, kh, kw) -> Keras (kh, kw, in, out)
        if tuple(target.kernel.shape) != kernel.shape:
            raise SRGANError(
                f"{source}: {conv.layer.name} has kernel {kernel.shape}, {name} needs {target.kernel.shape}"
            )
        target.set_weights([kernel, conv.bias])
    return generator
