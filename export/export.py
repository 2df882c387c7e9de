"""Export a trained generator for TF Serving, TFLite and ONNX — the thin script form of ``srgan export``.

    python export/export.py runs/demo                                  # -> runs/demo/export
    python export/export.py runs/demo --formats tflite --tflite-quant int8 --int8-io uint8
    python export/export.py generator.keras --out exported --fixed-size 50x50

Every artifact is reloaded and compared with the Keras generator; the parity
table is printed and saved as OUT/report.json, and the script exits non-zero
when an artifact misses its tolerance.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from srgan_tf.commands.export import add_export_arguments, run  # noqa: E402
from srgan_tf.errors import SRGANError  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_export_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except SRGANError as error:
        print(f"export.py: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
