"""How much arithmetic a generator does: convolution FLOPs per LR input pixel."""

import keras
import numpy as np

PROBE = 8  # LR pixels per side of the probe image whose layer shapes fix each conv's resolution


def conv_flops_per_lr_pixel(generator):
    """Multiply-adds x 2 of every convolution, per pixel of the LR input.

    Each conv costs ``2·kh·kw·Cin·Cout`` per output pixel, at its own resolution (×4 after one
    x2 upsampling, ×16 after two): the resolution is read from the layer's output shape on a
    small probe image, so any layer graph (pixel shuffles, nearest upsampling) is covered.
    Elementwise work (activations, adds) is left out: it is not where the time goes.
    """
    convs = [layer for layer in generator.layers if isinstance(layer, keras.layers.Conv2D)]
    probe = keras.Model(generator.inputs, [layer.output for layer in convs])
    outputs = probe([np.zeros((1, PROBE, PROBE, 3), np.float32)], training=False)
    total = 0.0
    for layer, output in zip(convs, outputs):
        kh, kw, cin, cout = layer.kernel.shape
        pixels_per_lr_pixel = output.shape[1] * output.shape[2] / PROBE**2
        total += 2 * kh * kw * cin * cout * pixels_per_lr_pixel
    return total


def _inbound_layer_names(node_config):
    """The layer names a functional config's inbound node reads (its ``keras_history`` entries)."""
    if isinstance(node_config, dict):
        history = node_config.get("config", {}).get("keras_history") if "class_name" in node_config else None
        if history:
            return [history[0]]
        return [name for value in node_config.values() for name in _inbound_layer_names(value)]
    if isinstance(node_config, (list, tuple)):
        return [name for value in node_config for name in _inbound_layer_names(value)]
    return []


def activation_bytes_per_lr_pixel(generator):
    """Peak bytes of live activations per LR input pixel, for a runtime that frees each tensor
    after its last reader (ncnn's light mode, LiteRT's arena planner): every layer output from
    the one that makes it to the last one that reads it, summed over the layers alive at once.

    What tiling budgets its memory with (:func:`srgan_tf.inference.tiling.choose_tile`); the
    runtime's own workspace (e.g. Winograd transforms) comes on top and is measured in
    ``bench/upscale_cli.py``. None for a subclassed model, whose graph cannot be read.
    """
    if not hasattr(generator, "inputs"):  # a subclassed model: no graph to read
        return None
    layers = [layer for layer in generator.layers if not isinstance(layer, keras.layers.InputLayer)]
    config = generator.get_config()
    if "output_layers" in config:  # a functional graph: who reads what, from its config
        order = [layer.name for layer in generator.layers]
        readers = {name: [] for name in order}
        for position, layer in enumerate(config["layers"]):
            for source in _inbound_layer_names(layer.get("inbound_nodes", [])):
                readers[source].append(position)
        outputs = config["output_layers"]
        for entry in outputs if isinstance(outputs[0], (list, tuple)) else [outputs]:
            readers[entry[0]].append(len(order))  # the outputs live to the end
    else:  # a Sequential chain: each layer reads the one before
        order = ["input", *(layer.name for layer in layers)]
        readers = {name: [position + 1] for position, name in enumerate(order)}
    probe = keras.Model(generator.inputs, [layer.output for layer in layers])
    outputs = probe([np.zeros((1, PROBE, PROBE, 3), np.float32)], training=False)
    size = {order[0]: 3 * 4}  # the input, float32
    for layer, output in zip(layers, outputs):
        size[layer.name] = int(np.prod(output.shape[1:])) * output.dtype.size / PROBE**2
    peak = 0.0
    for position in range(len(order)):
        alive = [
            name
            for birth, name in enumerate(order)
            if birth <= position and max(readers[name], default=birth) >= position
        ]
        peak = max(peak, sum(size[name] for name in alive))
    return peak
