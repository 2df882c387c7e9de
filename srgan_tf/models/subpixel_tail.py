"""The SRResNet tail computed before the last pixel shuffle: same function, a faster graph.

The paper generator ends ``conv(64→4·64) → pixel shuffle x2 → PReLU → conv 9x9 (64→3)`` on the
4x map. That last convolution has 3 output channels: CPU kernels (XNNPACK, Eigen, oneDNN)
vectorise over output channels and run it at a third of their usual rate, for 11 % of the
network's arithmetic (8.2 of 72.7 GFLOP at 128x128), and its weight gradient is slower still.
The same convolution can be taken on the map *before* the shuffle: an HR tap ``dy`` of output
phase ``i`` reads LR row ``⌊(i+dy)/r⌋``, phase ``(i+dy) mod r``, so a 9x9 kernel over the
shuffled 64 channels is a 5x5 kernel over the ``r²·64`` pre-shuffle channels with ``r²·3``
outputs (one triple per output phase), followed by the shuffle. The PReLU moves before the
shuffle with its slopes repeated per phase. Every output is the same sum of the same products
(taps the 9x9 kernel lacks get zero weights), so the two graphs agree to float32 rounding.

The phase kernel is computed from the 9x9 kernel *variable* at every call (a 0/1 selection
matrix times the kernel: exact, and a few MFLOP), so the rewritten model shares every variable
with the generator: training runs it and the gradients land on the generator's own weights,
and exports trace it with the phase kernel folded to a constant.
"""

from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from srgan_tf.config import ARCHITECTURES, resolve


class TailStage(NamedTuple):
    """A generator's last upsampling stage as the tail replaces it: ``features`` (the tensor
    entering the last pixel shuffle of ``factor``) ``-> shuffle -> prelu -> conv``, then
    ``finish`` from the conv's output to the model's outputs. An architecture's registry entry
    (``subpixel_tail``) finds it in a model, by the layers its builder made."""

    features: object
    prelu: object
    conv: object
    factor: int
    finish: Callable


def tail_stage(generator):
    """``generator``'s :class:`TailStage`, asked of every architecture that has one; None when
    none recognises it (RRDBNet, a last stage that is not a pixel shuffle)."""
    for entry in ARCHITECTURES.values():
        if entry.subpixel_tail is not None:
            stage = resolve(entry.subpixel_tail)(generator)
            if stage is not None:
                return stage
    return None


def phase_size(kernel_size, factor):
    """The phase kernel's side ``K = 2·⌈(k//2)/r⌉ + 1`` for a ``k``-tap kernel on the r× map."""
    return 2 * -(-(kernel_size // 2) // factor) + 1


def phase_selection(kernel_size, factor):
    """The 0/1 matrix taking a kernel's ``k·k`` taps to the phase kernel's
    ``(K, K, r, r, r, r)`` entries (tap row, tap column, input phase i, j, output phase i, j)."""
    pad, size = kernel_size // 2, phase_size(kernel_size, factor)
    half = size // 2
    selection = np.zeros((size, size, factor, factor, factor, factor, kernel_size * kernel_size), np.float32)
    for out_i in range(factor):
        for out_j in range(factor):
            for dy in range(-pad, pad + 1):
                row, in_i = divmod(out_i + dy, factor)
                for dx in range(-pad, pad + 1):
                    col, in_j = divmod(out_j + dx, factor)
                    tap = (dy + pad) * kernel_size + dx + pad
                    selection[row + half, col + half, in_i, in_j, out_i, out_j, tap] = 1.0
    return selection.reshape(-1, kernel_size * kernel_size)


def phase_kernel(kernel, factor):
    """``(k, k, C, O)`` HR kernel -> the ``(K, K, r²·C, r²·O)`` kernel over pre-shuffle channels
    (``depth_to_space`` order: channel ``(i·r + j)·C + c``); numpy or backend tensors."""
    k, _, channels, outputs = kernel.shape
    size = phase_size(k, factor)
    xp = np if isinstance(kernel, np.ndarray) else ops  # the same calls on either
    selection = phase_selection(k, factor)
    selection = selection.astype(kernel.dtype) if xp is np else ops.cast(selection, kernel.dtype)
    phases = xp.matmul(selection, xp.reshape(kernel, (k * k, channels * outputs)))
    phases = xp.reshape(phases, (size, size, factor, factor, factor, factor, channels, outputs))
    # (row, col, in_i, in_j, out_i, out_j, c, o) -> (row, col, (in_i, in_j, c), (out_i, out_j, o))
    phases = xp.transpose(phases, (0, 1, 2, 3, 6, 4, 5, 7))
    return xp.reshape(phases, (size, size, factor * factor * channels, factor * factor * outputs))


class PhaseTail(keras.layers.Layer):
    """``PReLU → conv`` of the generator's last stage, taken on its input before the pixel
    shuffle (``r²·C`` channels), shuffle included; reads the generator's ``prelu`` and ``conv``
    layers' variables, owns none. Built by :func:`with_subpixel_tail`, not saved."""

    def __init__(self, prelu, conv, factor, **kwargs):
        super().__init__(dtype=conv.dtype_policy, **kwargs)
        self.prelu, self.conv, self.factor = prelu, conv, factor

    def call(self, inputs):
        r = self.factor
        slopes = ops.tile(ops.cast(self.prelu.alpha, inputs.dtype), (1, 1, r * r))
        x = ops.relu(inputs) + -slopes * ops.relu(-inputs)  # Keras PReLU's own formula
        kernel = ops.cast(phase_kernel(self.conv.kernel, r), inputs.dtype)
        x = ops.conv(x, kernel, padding="same")
        x = ops.add(x, ops.reshape(ops.tile(ops.cast(self.conv.bias, inputs.dtype), (r * r,)), (1, 1, 1, -1)))
        return ops.depth_to_space(x, r, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        r = self.factor
        return (n, None if h is None else h * r, None if w is None else w * r, self.conv.filters)


def with_subpixel_tail(generator):
    """``generator``'s function with the tail before the last shuffle (see the module
    docstring), sharing every layer and variable with ``generator``; ``generator`` itself if it
    has no such tail (:func:`tail_stage`)."""
    stage = tail_stage(generator)
    if stage is None:
        return generator
    tail = PhaseTail(stage.prelu, stage.conv, stage.factor, name="phase_tail")
    outputs = stage.finish(tail(stage.features))
    return keras.Model(generator.inputs, outputs, name=f"{generator.name}_subpixel_tail")
