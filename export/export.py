"""Export a trained generator for TF Serving, TFLite and ONNX — the thin script form of ``srgan export``.

    python export/export.py runs/demo                                  # -> runs/demo/export
    python export/export.py runs/demo --formats tflite --tflite-quant int8 --int8-io uint8
    python export/export.py generator.keras --out exported --fixed-size 50x50

Every artifact is reloaded and compared with the Keras generator; the parity
table is printed and saved as OUT/report.json, and the script exits non-zero
when an artifact misses its tolerance.
"""

import sys

from srgan_tf.cli.commands import export, run_script

if __name__ == "__main__":
    sys.exit(run_script(export, __doc__))
