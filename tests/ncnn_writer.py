"""Writes an RRDBNet as an ncnn model (.param/.bin) laid out as Real-ESRGAN's ncnn exports are:
the test's own exporter, so real ncnn can run small networks whose weights the test chose."""

import collections

import numpy as np

FLOAT16_TAG = 0x01306B47


class _Graph:
    def __init__(self):
        self.layers, self.weights, self.count = [], [], 0  # count: names for new blobs

    def blob(self):
        self.count += 1
        return f"b{self.count}"

    def add(self, kind, inputs, params="", output=None):
        output = output or self.blob()
        self.layers.append([kind, f"{kind}_{len(self.layers)}", list(inputs), [output], params])
        return output

    def conv(self, x, layer, leaky):
        kernel, bias = layer.get_weights()
        out, inp = kernel.shape[3], kernel.shape[2]
        params = f"0={out} 1=3 4=1 5=1 6={out * inp * 9}" + (" 9=2 -23310=1,2.000000e-01" if leaky else "")
        self.weights.append((kernel.transpose(3, 2, 0, 1), bias))
        return self.add("Convolution", [x], params)

    def text(self, crlf=False):
        # ncnn blobs have one consumer each: a blob read by several layers goes through a Split.
        consumers = collections.Counter(b for layer in self.layers for b in layer[2])
        lines, taken = [], collections.Counter()

        def read(blob):  # the next unread copy of a split blob
            if consumers[blob] == 1:
                return blob
            taken[blob] += 1
            return f"{blob}_s{taken[blob] - 1}"

        for kind, name, inputs, outputs, params in self.layers:
            layer = [kind, name, [read(b) for b in inputs], outputs, params]
            lines.append(layer)
            for b in layer[3]:
                if consumers[b] > 1:
                    copies = [f"{b}_s{i}" for i in range(consumers[b])]
                    lines.append(["Split", f"split_{b}", [b], copies, ""])
        body = [f"{k:<16} {n:<16} {len(i)} {len(o)} {' '.join(i + o)} {p}".rstrip() for k, n, i, o, p in lines]
        blobs = sum(len(outputs) for _, _, _, outputs, _ in lines)
        end = "\r\n" if crlf else "\n"
        return end.join(["7767517", f"{len(lines)} {blobs}", *body]) + end

    def binary(self):
        parts = []
        for kernel, bias in self.weights:
            parts.append(np.uint32(FLOAT16_TAG).tobytes())
            data = kernel.astype(np.float16).tobytes()
            parts.append(data + b"\0" * (-len(data) % 4))
            parts.append(bias.astype(np.float32).tobytes())
        return b"".join(parts)


def rrdbnet_to_ncnn(generator, num_blocks, scale, crlf=False):
    """(.param text, .bin bytes) of a Keras RRDBNet; kernels stored float16 as in the wheel."""
    g = _Graph()
    layer = generator.get_layer
    x = g.add("Input", [], "0=0", output="data")
    first = g.conv(x, layer("conv_first"), False)
    h = first
    for block in range(num_blocks):
        y = h
        for rdb in range(1, 4):
            prefix = f"body{block}_rdb{rdb}"
            features = [y]
            for k in range(1, 5):
                inputs = features[0] if k == 1 else g.add("Concat", features)
                features.append(g.conv(inputs, layer(f"{prefix}_conv{k}"), True))
            c5 = g.conv(g.add("Concat", features), layer(f"{prefix}_conv5"), False)
            y = g.add("Eltwise", [c5, y], "0=1 -23301=2,2.000000e-01,1.000000e+00")
        h = g.add("Eltwise", [y, h], "0=1 -23301=2,2.000000e-01,1.000000e+00")
    body = g.conv(h, layer("conv_body"), False)
    x = g.add("BinaryOp", [first, body])
    for stage in range(1, {2: 1, 4: 2, 8: 3}[scale] + 1):
        x = g.add("Interp", [x], "0=1 1=2.000000e+00 2=2.000000e+00")
        x = g.conv(x, layer(f"conv_up{stage}"), True)
    x = g.conv(x, layer("conv_hr"), True)
    kernel, bias = layer("conv_last").get_weights()
    g.weights.append((kernel.transpose(3, 2, 0, 1), bias))
    g.add("Convolution", [x], f"0=3 1=3 4=1 5=1 6={3 * kernel.shape[2] * 9}", output="output")
    return g.text(crlf), g.binary()
