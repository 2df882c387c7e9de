"""Will a ``.tflite`` run on a phone's GPU (LiteRT's GPU delegate)? Checked at export time.

Two opinions go in the report:

- TensorFlow's analyzer (``tf.lite.experimental.Analyzer.analyze(gpu_compatibility=True)``), its
  verdict and every op it flags. In the TensorFlow 2.21 and ai-edge-litert 2.3 wheels its GPU
  check is compiled out: it calls every model compatible, even one of RFFT2D or TOPK_V2, which the
  delegate has no kernel for (tests/export/test_gpu_delegate.py shows it). So on its own it proves
  nothing here;
- the delegate's own rules, per op: the builtin ops ``CheckGpuDelegateCompatibility``
  (tensorflow/lite/tools/versioning/gpu_compatibility.cc) accepts, with the conditions that can
  apply to a generator's ops. An op outside that list fails the check by name, which is what
  catches a change to the network that phones' GPUs could not run.
"""

import contextlib
import io
import os
import re

from srgan_tf.utils.keras_compat import tflite_op_details

# The builtin ops the GPU delegate's compatibility check accepts (gpu_compatibility.cc); names as
# LiteRT's interpreter reports them.
GPU_DELEGATE_OPS = frozenset(
    """
    ABS ADD ADD_N ATAN2 AVERAGE_POOL_2D BATCH_MATMUL CAST CEIL CONCATENATION CONV_2D COS CUMSUM DENSIFY
    DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP FLOOR
    FLOOR_DIV FLOOR_MOD FULLY_CONNECTED GATHER GELU GREATER GREATER_EQUAL HARD_SWISH LEAKY_RELU LESS LESS_EQUAL
    LOG LOGICAL_AND LOGISTIC LSTM MAXIMUM MAX_POOL_2D MEAN MINIMUM MIRROR_PAD MUL NEG NOT_EQUAL ONE_HOT PACK PAD
    PADV2 POW PRELU QUANTIZE REDUCE_MAX REDUCE_MIN REDUCE_PROD RELU RELU6 RELU_N1_TO_1 RESHAPE
    RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR RSQRT SELECT SELECT_V2 SIGN SIN SLICE SOFTMAX SPACE_TO_DEPTH SPLIT
    SPLIT_V SQRT SQUARE SQUARED_DIFFERENCE STABLEHLO_CLAMP STRIDED_SLICE SUB SUM TANH TILE TRANSPOSE
    TRANSPOSE_CONV
    """.split()  # noqa: SIM905 - one word per op, as the source lists them
)
_FLOATS = ("float16", "float32")


def _op_problem(op, tensors):
    """Why the delegate refuses ``op`` (a LiteRT op detail), or None."""
    name = op["op_name"]
    if name not in GPU_DELEGATE_OPS:
        return f"Not supported op {name}"

    def dtype(index):
        return tensors[index]["dtype"].__name__ if index in tensors else None

    types = [dtype(i) for i in op["inputs"]]
    out = [dtype(i) for i in op["outputs"]]
    if name == "DEQUANTIZE" and types[0] == "int16":
        return "Unsupported dequantization type (int16)"
    if name == "CAST":
        allowed = (
            (types[0] == "bool" and out[0] in _FLOATS)
            or (types[0] in _FLOATS and out[0] == "bool")
            or (types[0] in ("float32", "int32") and out[0] in ("float32", "int32"))
        )
        if not allowed:
            return f"Not supported Cast case. Input type: {types[0]} and output type: {out[0]}"
    return None


def analyzer_report(tflite_path):
    """TensorFlow's analyzer on ``tflite_path``: ``(compatible, {op: message})`` and its text."""
    import tensorflow as tf

    text = io.StringIO()
    with contextlib.redirect_stdout(text):  # analyze() prints its report
        tf.lite.experimental.Analyzer.analyze(model_path=os.fspath(tflite_path), gpu_compatibility=True)
    report = text.getvalue()
    flagged = {}
    last_op = None
    for line in report.splitlines():
        match = re.match(r"\s*Op#\d+ (\w+)\(", line)
        if match:
            last_op = match.group(1)
        warning = re.search(r"GPU COMPATIBILITY WARNING: (?!Subgraph#)(.*)", line)
        if warning:
            flagged.setdefault(last_op or "?", warning.group(1).strip())
    compatible = "looks compatible with GPU delegate" in report and not flagged
    return compatible, flagged, report


def gpu_delegate_check(tflite_path):
    """The report's ``gpu_delegate`` entry for one ``.tflite``.

    ``{"compatible": bool, "unsupported": [{"op", "reason"}], "analyzer": {"compatible", "flagged"}}``;
    ``compatible`` needs both the delegate's rules and the analyzer to pass.
    """
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=os.fspath(tflite_path))
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    unsupported = {}
    for op in tflite_op_details(interpreter):
        problem = _op_problem(op, tensors)
        if problem:
            unsupported.setdefault(op["op_name"], problem)
    analyzer_ok, flagged, _ = analyzer_report(tflite_path)
    for name, message in flagged.items():
        unsupported.setdefault(name, message)
    return {
        "compatible": not unsupported and analyzer_ok,
        "unsupported": [{"op": name, "reason": reason} for name, reason in sorted(unsupported.items())],
        "analyzer": {"compatible": analyzer_ok, "flagged": flagged},
    }


def gpu_cell(entry):
    """The parity table's "GPU delegate" cell."""
    if entry is None:
        return "—"
    if entry["compatible"]:
        return "yes"
    return "no: " + ", ".join(item["op"] for item in entry["unsupported"])
