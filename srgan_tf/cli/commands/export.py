"""``srgan export``: a named model, run dir or .keras -> SavedModel, TFLite, ONNX and ncnn, verified."""

import os

from srgan_tf.cli.commands.options import positive_int
from srgan_tf.errors import SRGANError

HELP = "export SavedModel / TFLite / ONNX / ncnn and verify them against Keras"
WORKLOAD = "inference"


def add_arguments(parser):
    parser.add_argument("model", help="a named model (srgan models), a run directory or a generator .keras file")
    parser.add_argument("--out", help="output folder (default: MODEL/export for a run dir)")
    parser.add_argument(
        "--formats",
        default="saved_model,tflite,onnx,ncnn",
        help="comma-separated subset of saved_model,tflite,onnx,ncnn",
    )
    parser.add_argument(
        "--tflite-quant", default="float32,float16,dynamic,int8", help="TFLite variants: float32,float16,dynamic,int8"
    )
    parser.add_argument("--fixed-size", help="also write fixed-input TFLite models of this LR size, e.g. 50x50")
    parser.add_argument("--int8-io", choices=("float", "uint8"), default="float", help="full-int8 input/output type")
    parser.add_argument("--name", default="srgan", help="model name (TF Serving model name, file prefix)")
    parser.add_argument(
        "--max-pixels",
        type=positive_int,
        help="SavedModel refuses larger inputs (N*H*W of a float request, H*W of an encoded image; default 2048*2048)",
    )


def run(args):
    from srgan_tf.export import export_model, parse_size
    from srgan_tf.export.saved_model import SERVING_MAX_PIXELS

    if args.out is None:
        if not os.path.isdir(args.model):
            raise SRGANError("--out is required when exporting a .keras file or a named model")
        args.out = os.path.join(args.model, "export")
    export_model(
        args.model,
        args.out,
        formats=[f.strip() for f in args.formats.split(",") if f.strip()],
        quantizations=[q.strip() for q in args.tflite_quant.split(",") if q.strip()],
        fixed_size=parse_size(args.fixed_size) if args.fixed_size else None,
        model_name=args.name,
        max_pixels=SERVING_MAX_PIXELS if args.max_pixels is None else args.max_pixels,
        int8_io=args.int8_io,
    )
    print(f"exported to {args.out} (report: {os.path.join(args.out, 'report.json')})")
    return 0
