"""Where outputs land: never read back as inputs, never two inputs into one file (upscale, evaluate)."""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from srgan_tf import SRGANError
from srgan_tf.inference.upscale import plan_outputs


def _srgan(*args):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def _files(folder):
    return sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, names in os.walk(folder) for n in names)


@pytest.mark.slow
def test_upscale_never_reads_its_own_output_folder(tiny_model_path, tmp_path, train_photo):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(train_photo[:12, :16]).save(photos / "a.png")
    Image.fromarray(train_photo[20:32, :16]).save(photos / "b.png")
    first = _srgan("upscale", str(photos), "--model", tiny_model_path, "--out", str(photos / "up"))
    assert first.returncode == 0 and first.stdout.strip() == "2 upscaled", first.stderr
    again = _srgan("upscale", str(photos), "--model", tiny_model_path, "--out", str(photos / "up"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "0 upscaled; 2 skipped (output exists; --overwrite replaces)"
    # Another format: nothing matches a planned output, the output folder is still not walked.
    jpg = _srgan("upscale", str(photos), "--model", tiny_model_path, "--out", str(photos / "up"), "--format", "jpg")
    assert jpg.returncode == 0 and jpg.stdout.strip() == "2 upscaled", jpg.stderr
    assert _files(photos) == ["a.png", "b.png"] + [f"up/{s}_x4.{e}" for s in "ab" for e in ("jpg", "png")]
    assert Image.open(photos / "up" / "a_x4.jpg").size == (64, 48)


def test_planned_outputs_are_not_inputs(tmp_path, train_photo):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a.png", "a_x4.png", "b.png"):  # a_x4.png: a's output from an earlier run
        Image.fromarray(train_photo[:12, :16]).save(photos / name)
    plan = plan_outputs([str(photos / "*.png")], str(photos))
    assert [(os.path.basename(i), os.path.basename(o)) for i, o in plan] == [
        ("a.png", "a_x4.png"),
        ("b.png", "b_x4.png"),
    ]
    plan = plan_outputs([str(photos / "a.png"), str(photos / "a_x4.png")], None)
    assert [os.path.basename(i) for i, _ in plan] == ["a.png"]
    with pytest.raises(SRGANError, match="is the input folder"):
        plan_outputs([str(photos)], str(photos))
    # An input is left out only if it is the very file the run writes: on a case-sensitive file
    # system A_x4.png is not a_x4.png (on macOS/Windows it is, and samefile says so).
    Image.fromarray(train_photo[:12, :16]).save(photos / "A_x4.png")
    case_sensitive = not os.path.exists(photos / "B.PNG")
    plan = plan_outputs([str(photos / "a.png"), str(photos / "A_x4.png")], None)
    expected = ["A_x4.png", "a.png"] if case_sensitive else ["a.png"]
    assert sorted(os.path.basename(i) for i, _ in plan) == expected


@pytest.mark.slow
def test_evaluate_keeps_sub_folders_of_saved_images(tiny_model_path, tmp_path, photos):
    data, saved, report = tmp_path / "hr", tmp_path / "saved", tmp_path / "scores.json"
    sizes = {"cats/001.png": (48, 64), "dogs/001.png": (64, 48), "dogs/002.png": (32, 32), "dogs/002.jpg": (40, 32)}
    for index, (name, (width, height)) in enumerate(sizes.items()):
        (data / os.path.dirname(name)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(photos[index % 2][:height, :width]).save(data / name, quality=95)
    result = _srgan(
        "evaluate", "--model", tiny_model_path, "--data", str(data), "--json", str(report), "--save-images", str(saved)
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split(" | ")[0].strip("| ") for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows == ["image", "cats/001.png", "dogs/001.png", "dogs/002.jpg", "dogs/002.png", "**mean**"]
    assert [s["name"] for s in json.loads(report.read_text())["images"]] == rows[1:-1]
    # One output per input, in the input's sub-folder; a second 002 keeps its extension in the name.
    outputs = {"cats/001.png": "cats/001_x4.png", "dogs/001.png": "dogs/001_x4.png"}
    outputs.update({"dogs/002.jpg": "dogs/002_x4.png", "dogs/002.png": "dogs/002_png_x4.png"})
    assert _files(saved) == sorted(outputs.values())
    for name, output in outputs.items():
        assert Image.open(saved / output).size == sizes[name]  # SR of the LR made from that HR
