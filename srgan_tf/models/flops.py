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
