"""``export_model``: one generator -> SavedModel, TFLite, ONNX and ncnn, each verified against Keras.

OUT/saved_model/<name>/<version>/      TF Serving layout (+ srgan_metadata.json)
OUT/tflite/<name>_<quant>[_HxW].tflite  (+ <file>.srgan_metadata.json)
OUT/onnx/<name>.onnx                    (+ <file>.srgan_metadata.json; metadata also inside)
OUT/ncnn/<name>[_fp16].param + .bin     (+ <file>.srgan_metadata.json)
OUT/report.json                         the parity report
"""

import hashlib
import json
import os
import tempfile

from srgan_tf import __version__
from srgan_tf.assets import SAMPLE_TRAIN_DIR, SAMPLE_VAL_DIR
from srgan_tf.data.scan import find_images
from srgan_tf.errors import SRGANError
from srgan_tf.export.gpu_delegate import gpu_delegate_check
from srgan_tf.export.parity import check_artifact, format_table, parity_inputs
from srgan_tf.export.saved_model import SERVING_MAX_PIXELS, write_core_saved_model, write_saved_model
from srgan_tf.export.tflite import QUANTIZATIONS, io_quantization, representative_patches, write_tflite
from srgan_tf.models import activation_bytes_per_lr_pixel, receptive_field_radius
from srgan_tf.pretrained.cards import card_tile_overlap, get_card, is_named_model
from srgan_tf.runtimes.runners import METADATA_NAME, KerasBackend, load_backend

FORMATS = ("saved_model", "tflite", "onnx", "ncnn")


def _pixel_io(path):
    """Metadata of a uint8-I/O TFLite model: what its bytes mean."""
    quantization = io_quantization(path)
    return {
        "input": "uint8 NHWC RGB pixels 0..255 (the bytes themselves: scale 1, zero point 0)",
        "output": "uint8 NHWC RGB; pixel value = output_quantization.scale * (byte - output_quantization.zero_point)",
        "output_quantization": quantization["output"],
    }


def load_source(source):
    """A named model, run dir or ``.keras`` file -> (generator, scale, config hash)."""
    backend = KerasBackend(source)
    generator = backend.generator
    probe = generator.compute_output_shape((1, 8, 8, 3))
    scale = probe[1] // 8
    if is_named_model(source):
        return generator, scale, f"{source}-{get_card(source).sha256[:16]}"
    config_path = os.path.join(source, "config.json") if os.path.isdir(source) else None
    if config_path and os.path.isfile(config_path):
        with open(config_path, "rb") as f:
            config_hash = hashlib.sha256(f.read()).hexdigest()[:16]
    else:
        # A .keras file, or a folder holding one without a run's config: hashed as the file.
        model_path = os.path.join(source, "generator.keras") if os.path.isdir(source) else source
        with open(model_path, "rb") as f:
            config_hash = "model-" + hashlib.sha256(f.read()).hexdigest()[:16]
    return generator, scale, config_hash


def _source_label(source):
    return source if is_named_model(source) else os.path.abspath(source)


def artifact_metadata(source, generator, scale, config_hash):
    """What every artifact of ``source`` carries beside it (``srgan_metadata.json``)."""
    receptive_field = receptive_field_radius(generator)
    return {
        "scale": scale,
        "input": "float32 NHWC RGB in [0, 1]",
        "output": "float32 NHWC RGB in [0, 1]",
        "config_hash": config_hash,
        "receptive_field": receptive_field,  # LR pixels; the tiling overlap that is exact
        "tile_overlap": card_tile_overlap(os.fspath(source)) or receptive_field,  # what srgan upscale uses
        # Live activations at their peak, per LR pixel: what srgan upscale sizes its tiles with.
        "activation_bytes_per_lr_pixel": activation_bytes_per_lr_pixel(generator),
        "srgan_tf_version": __version__,
        "source": _source_label(source),
    }


def _write_metadata(path, metadata):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")


def parse_size(text):
    """ "50x50" -> (50, 50)."""
    try:
        height, width = (int(v) for v in text.lower().split("x"))
    except ValueError as error:
        raise SRGANError(f"--fixed-size expects HxW, e.g. 50x50, got {text!r}") from error
    if height < 1 or width < 1:
        raise SRGANError(f"--fixed-size must be positive, got {text!r}")
    return height, width


def export_model(
    source,
    out_dir,
    formats=FORMATS,
    quantizations=QUANTIZATIONS,
    fixed_size=None,
    model_name="srgan",
    max_pixels=SERVING_MAX_PIXELS,
    int8_io="float",
    print_fn=print,
):
    """Exports ``source`` (named model, run dir or .keras) to ``out_dir`` and verifies every artifact.

    Returns the report (a dict, also written to ``out_dir/report.json``).
    Raises SRGANError, after writing the report, when an artifact misses its tolerance.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise SRGANError(f"unknown export format(s) {sorted(unknown)}; choose from {', '.join(FORMATS)}")
    bad_quant = set(quantizations) - set(QUANTIZATIONS)
    if bad_quant:
        raise SRGANError(f"unknown TFLite quantization(s) {sorted(bad_quant)}; choose from {', '.join(QUANTIZATIONS)}")
    generator, scale, config_hash = load_source(os.fspath(source))
    os.makedirs(out_dir, exist_ok=True)
    base_metadata = artifact_metadata(source, generator, scale, config_hash)
    reference = KerasBackend(generator, subpixel_tail=False)  # the graph as trained
    inputs = parity_inputs(find_images(SAMPLE_VAL_DIR), scale=scale)
    if fixed_size:
        inputs.update(parity_inputs(find_images(SAMPLE_VAL_DIR), sizes=(fixed_size,), scale=scale))
    rows = []

    def verify(name, path, quantization, fixed=None):
        row = check_artifact(name, path, load_backend(path), quantization, reference, inputs, fixed)
        if path.endswith(".tflite"):
            # Whether a phone's GPU delegate takes every op: not a parity failure (the CPU
            # runtime runs it), but a change that loses it is seen here, at export time.
            row["gpu_delegate"] = gpu_delegate_check(path)
        rows.append(row)
        print_fn(f"  {name}: max abs {row['max_abs']:.2e}, {row['latency_ms']:.1f} ms, {'ok' if row['ok'] else 'FAIL'}")

    if "saved_model" in formats:
        path = write_saved_model(generator, out_dir, model_name, max_pixels=max_pixels)
        _write_metadata(os.path.join(path, METADATA_NAME), {**base_metadata, "format": "saved_model"})
        verify("saved_model", path, "float32")

    if "tflite" in formats:
        tflite_dir = os.path.join(out_dir, "tflite")
        os.makedirs(tflite_dir, exist_ok=True)
        representative = None
        if "int8" in quantizations:
            representative = representative_patches(find_images(SAMPLE_TRAIN_DIR), scale=scale)
        with tempfile.TemporaryDirectory() as tmp:
            variants = [(None, os.path.join(tmp, "dynamic"))]
            if fixed_size:
                variants.append((fixed_size, os.path.join(tmp, "fixed")))
            for size, float_core in variants:
                write_core_saved_model(generator, float_core, size)
                pixel_core = None
                if "int8" in quantizations and int8_io == "uint8":
                    pixel_core = f"{float_core}_pixels"
                    write_core_saved_model(generator, pixel_core, size, pixels=True)
                for quantization in quantizations:
                    core = pixel_core if quantization == "int8" and pixel_core else float_core
                    suffix = f"_{size[0]}x{size[1]}" if size else ""
                    name = f"{model_name}_{quantization}{suffix}"
                    path = write_tflite(
                        core, os.path.join(tflite_dir, f"{name}.tflite"), quantization, representative, int8_io
                    )
                    _write_metadata(
                        f"{os.path.splitext(path)[0]}.{METADATA_NAME}",
                        {
                            **base_metadata,
                            "format": "tflite",
                            "quantization": quantization,
                            "input_size": list(size) if size else "dynamic (resize_tensor_input)",
                            **(_pixel_io(path) if core is pixel_core else {}),
                        },
                    )
                    verify(f"tflite {quantization}{suffix}", path, quantization, size)

    if "onnx" in formats:
        from srgan_tf.export.onnx_export import DEFAULT_OPSET, write_onnx

        onnx_dir = os.path.join(out_dir, "onnx")
        os.makedirs(onnx_dir, exist_ok=True)
        metadata = {**base_metadata, "format": "onnx", "opset": DEFAULT_OPSET}
        path = write_onnx(generator, os.path.join(onnx_dir, f"{model_name}.onnx"), metadata)
        _write_metadata(f"{os.path.splitext(path)[0]}.{METADATA_NAME}", metadata)
        verify("onnx", path, "float32")

    if "ncnn" in formats:
        from srgan_tf.export.ncnn_export import INPUT_BLOB, OUTPUT_BLOB, STORAGES, write_ncnn

        ncnn_dir = os.path.join(out_dir, "ncnn")
        os.makedirs(ncnn_dir, exist_ok=True)
        for storage in STORAGES:
            path = write_ncnn(generator, ncnn_dir, model_name, storage)
            metadata = {
                **base_metadata,
                "format": "ncnn",
                "weights": storage,
                "input": f"blob {INPUT_BLOB!r}: float32 planar RGB (ncnn Mat 3 x H x W) in [0, 1]",
                "output": f"blob {OUTPUT_BLOB!r}: float32 planar RGB (3 x sH x sW) in [0, 1]",
            }
            _write_metadata(f"{os.path.splitext(path)[0]}.{METADATA_NAME}", metadata)
            verify(f"ncnn {storage}", path, storage)

    report = {"source": _source_label(source), "scale": scale, "config_hash": config_hash, "artifacts": rows}
    with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print_fn(format_table(rows))
    failed = [r["artifact"] for r in rows if not r["ok"]]
    if failed:
        raise SRGANError(f"export parity failed for {', '.join(failed)} (see {os.path.join(out_dir, 'report.json')})")
    return report
