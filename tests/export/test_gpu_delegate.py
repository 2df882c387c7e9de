"""GPU-delegate readiness of every TFLite export: each generator, each quantisation, and a negative
control that shows why TensorFlow's analyzer alone is not the check."""

import json

import keras
import pytest
import tensorflow as tf

from srgan_tf.assets import SAMPLE_TRAIN_DIR
from srgan_tf.data.scan import find_images
from srgan_tf.export import export_model
from srgan_tf.export.gpu_delegate import analyzer_report, gpu_delegate_check
from srgan_tf.export.saved_model import write_core_saved_model
from srgan_tf.export.tflite import QUANTIZATIONS, op_names, representative_patches, write_tflite
from srgan_tf.models import build_generator, build_rrdbnet

GENERATORS = {
    "srresnet": lambda: build_generator(4, 1, 8),
    "srresnet_bicubic_skip": lambda: build_generator(4, 1, 8, upsample_skip=True),
    "rrdbnet": lambda: build_rrdbnet(4, num_blocks=1, filters=8, growth=4),
}


def test_the_analyzer_calls_ops_compatible_that_the_delegate_lacks(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
    def spectrum(images):
        return tf.abs(tf.signal.rfft2d(images[..., 0]))

    converter = tf.lite.TFLiteConverter.from_concrete_functions([spectrum.get_concrete_function()], spectrum)
    path = tmp_path / "rfft.tflite"
    path.write_bytes(converter.convert())
    assert "RFFT2D" in op_names(path)
    analyzer_ok, flagged, _ = analyzer_report(path)
    assert analyzer_ok and not flagged  # its GPU check is compiled out of these wheels
    check = gpu_delegate_check(path)
    assert not check["compatible"]
    assert {"op": "RFFT2D", "reason": "Not supported op RFFT2D"} in check["unsupported"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_generator_and_quantisation_runs_on_the_gpu_delegate(name, tmp_path):
    keras.utils.set_random_seed(0)
    core = write_core_saved_model(GENERATORS[name](), str(tmp_path / "core"))
    representative = representative_patches(find_images(SAMPLE_TRAIN_DIR), count=4, size=24)
    for quantization in QUANTIZATIONS:
        path = write_tflite(core, str(tmp_path / f"{quantization}.tflite"), quantization, representative)
        check = gpu_delegate_check(path)
        assert check == {"compatible": True, "unsupported": [], "analyzer": {"compatible": True, "flagged": {}}}, (
            quantization
        )
        ops = set(op_names(path))
        # The ops LiteRT samples report SR models losing the GPU on are here, and pass.
        assert "DEPTH_TO_SPACE" in ops or "RESIZE_NEAREST_NEIGHBOR" in ops
        assert ("PRELU" in ops) == name.startswith("srresnet")


@pytest.mark.slow
def test_the_report_and_its_table_carry_the_gpu_verdict(tmp_path):
    keras.utils.set_random_seed(0)
    model = tmp_path / "generator.keras"
    build_generator(4, 1, 8).save(model)
    printed = []
    report = export_model(
        model, tmp_path / "out", formats=["tflite"], quantizations=["float32", "dynamic"], print_fn=printed.append
    )
    rows = report["artifacts"]
    assert [r["gpu_delegate"]["compatible"] for r in rows] == [True, True]
    on_disk = json.loads((tmp_path / "out" / "report.json").read_text())
    assert on_disk["artifacts"][0]["gpu_delegate"]["unsupported"] == []
    table = printed[-1]
    assert "| GPU delegate |" in table.splitlines()[0]
    assert all(line.endswith("| yes | yes |") for line in table.splitlines()[2:])
