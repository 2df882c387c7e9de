"""How far each output pixel of a generator can see, in LR pixels."""

import math

import keras

from srgan_tf.models.layers import PixelShuffle


def receptive_field_radius(generator):
    """LR pixels of context each output pixel depends on, from the layer graph.

    Walks the layers in order: a conv with kernel k adds (k-1)/2 · dilation
    pixels at its own resolution, i.e. that divided by the upscaling done
    before it (pixel shuffles, which also carry RRDBNet's nearest-neighbour x2).
    Summing every conv bounds the longest path, so dense connections (RRDBNet)
    are covered.
    """
    radius, scale = 0.0, 1
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, dilation = layer.kernel_size[0], layer.dilation_rate[0]
            radius += (kernel - 1) / 2 * dilation / scale
        elif isinstance(layer, PixelShuffle):
            scale *= layer.factor
    return math.ceil(radius)
