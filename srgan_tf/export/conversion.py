"""One Keras generator converted for one runtime: what ``srgan upscale`` runs by default.

:mod:`srgan_tf.inference.fastest` keeps the results in the user cache and calls this module only
when an entry is missing or damaged. The artifact is checked against the Keras graph as trained
with the export's own inputs and float32 tolerance, so a conversion that does not compute what
the model computes is never used.
"""

import os
import tempfile

from srgan_tf.assets import SAMPLE_VAL_DIR
from srgan_tf.data.scan import find_images
from srgan_tf.errors import ConversionFailed, SRGANError
from srgan_tf.export.parity import TOLERANCES, check_artifact, parity_inputs
from srgan_tf.runtimes.runners import METADATA_NAME, KerasBackend, load_backend
from srgan_tf.utils.atomic import write_json

RUNTIMES = ("tflite", "onnx", "ncnn")
STEM = "model"


def _write_artifact(generator, runtime, folder, metadata):
    """The float32 artifact for ``runtime`` in ``folder``; returns the path a runner opens."""
    if runtime == "tflite":
        from srgan_tf.export.saved_model import write_core_saved_model
        from srgan_tf.export.tflite import write_tflite

        with tempfile.TemporaryDirectory() as tmp:
            core = os.path.join(tmp, "core")
            write_core_saved_model(generator, core)
            return write_tflite(core, os.path.join(folder, f"{STEM}.tflite"), "float32")
    if runtime == "onnx":
        from srgan_tf.export.onnx_export import write_onnx

        return write_onnx(generator, os.path.join(folder, f"{STEM}.onnx"), metadata)
    if runtime == "ncnn":
        from srgan_tf.export.ncnn_export import write_ncnn

        return write_ncnn(generator, folder, STEM, "float32")
    raise SRGANError(f"no conversion for runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")


def convert_for_runtime(source, runtime, folder):
    """Writes ``source``'s float32 ``runtime`` artifact and its metadata into ``folder`` and
    checks it against Keras; returns ``(artifact path, metadata with a "parity" entry)``.

    Raises ConversionFailed when the runtime cannot take the model or the artifact misses the
    export's float32 tolerance; SRGANError when the model itself cannot be loaded."""
    from srgan_tf.export import artifact_metadata, load_source

    generator, scale, config_hash = load_source(os.fspath(source))  # its errors are the model's: they stop
    metadata = {**artifact_metadata(source, generator, scale, config_hash), "format": runtime}
    reference = KerasBackend(generator, subpixel_tail=False)  # the graph as trained
    inputs = parity_inputs(find_images(SAMPLE_VAL_DIR), scale=scale)
    try:
        path = _write_artifact(generator, runtime, folder, metadata)
        row = check_artifact(runtime, path, load_backend(path, runtime), "float32", reference, inputs, timed=False)
    except Exception as error:  # noqa: BLE001 - whatever a converter or runtime raises, the next runtime is tried
        lines = str(error).strip().splitlines()
        raise ConversionFailed(f"{type(error).__name__}: {lines[-1] if lines else ''}".rstrip(": ")) from error
    if not row["ok"]:
        raise ConversionFailed(
            f"the {runtime} conversion of {source} differs from Keras by up to {row['max_abs']:.2e} "
            f"(tolerance {TOLERANCES['float32']['max_abs']:.0e})"
        )
    metadata["parity"] = {"max_abs": row["max_abs"], "psnr_vs_keras": row["psnr_vs_keras"], "inputs": len(inputs)}
    write_json(f"{os.path.splitext(path)[0]}.{METADATA_NAME}", metadata)
    return path, metadata
