"""Runs an ncnn model with ncnn itself: the reference that imported networks are checked against.

Two pitfalls of ncnn's Python binding are handled here: ``.param`` files with CRLF line ends
give NaN or huge outputs (so ncnn reads a normalised copy), and an extractor does not keep its
input ``Mat`` alive (so the ``Mat`` is held until ``extract`` returns).
"""

import os
import tempfile

import numpy as np

from srgan_tf.errors import SRGANError
from srgan_tf.pretrained.ncnn_model import normalized_param


class NcnnNet:
    """``NcnnNet(param, bin)(images)``: float32 NHWC in, float32 NHWC out, one image at a time.

    Computes in float32 (ncnn's float16/bfloat16 storage off), so differences from another
    float32 runtime are rounding, not precision.
    """

    def __init__(self, param_path, bin_path, input_name="data", output_name="output", threads=None):
        try:
            import ncnn
        except ImportError as error:
            raise SRGANError("the ncnn reference runtime is not installed: pip install ncnn") from error
        self.net = ncnn.Net()
        for option in ("use_fp16_packed", "use_fp16_storage", "use_fp16_arithmetic", "use_bf16_storage"):
            setattr(self.net.opt, option, False)
        self.net.opt.num_threads = threads or os.cpu_count() or 1
        with open(param_path, "rb") as f:
            text = normalized_param(f.read())
        with tempfile.TemporaryDirectory() as folder:
            normalized = os.path.join(folder, "model.param")
            with open(normalized, "w", encoding="utf-8") as f:
                f.write(text)
            if self.net.load_param(normalized) != 0:
                raise SRGANError(f"ncnn could not read {param_path}")
        if self.net.load_model(os.fspath(bin_path)) != 0:
            raise SRGANError(f"ncnn could not read {bin_path}")
        self._mat = ncnn.Mat
        self.input_name, self.output_name = input_name, output_name

    def __call__(self, images):
        images = np.asarray(images, np.float32)
        outputs = []
        for image in images:
            planar = np.ascontiguousarray(image.transpose(2, 0, 1))
            mat = self._mat(planar)  # held until extract returns: the extractor does not own it
            extractor = self.net.create_extractor()
            extractor.input(self.input_name, mat)
            status, out = extractor.extract(self.output_name)
            if status != 0:
                raise SRGANError(f"ncnn failed to run the model (status {status})")
            outputs.append(np.array(out).transpose(1, 2, 0))
            del mat
        return np.stack(outputs)
