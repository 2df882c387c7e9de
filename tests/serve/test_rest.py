"""srgan serve's TF Serving REST API and job API over HTTP, against a real server process:
export/serving/rest_request.py unchanged, float instances, every bad input a 4xx, bombs refused
without memory growth, a full queue answered 503, no temporary files left."""

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from imagefiles import photo_crop, png_bomb
from PIL import Image
from serverprocess import get_json, request, rss_kb, serving

from srgan_tf.inference import Upscaler
from srgan_tf.inference.upscale import upscale_file
from srgan_tf.utils.ranges import sr_images, to_uint8

pytestmark = pytest.mark.slow  # a server process: TensorFlow's start-up alone is seconds
pytest.importorskip("fastapi", reason='the serve extra is not installed (pip install "srgan_tf[serve]")')
pytest.importorskip("uvicorn", reason='the serve extra is not installed (pip install "srgan_tf[serve]")')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TILE = 16  # small tiles: several per test image, so tiling and progress are exercised


@pytest.fixture(scope="module")
def tiny(tiny_model_path, tmp_path_factory):
    """The tiny model, as a file whose basename names it "tiny" on the server."""
    path = tmp_path_factory.mktemp("served") / "tiny.keras"
    shutil.copyfile(tiny_model_path, path)
    return str(path)


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("server_tmp")
    args = ["--no-named", "--model", tiny, "--tile", str(TILE), "--queue", "2"]
    with serving(args, tmp_dir) as (url, process):
        yield url, process, tmp_dir
    assert os.listdir(tmp_dir) == []  # nothing left behind once stopped


@pytest.fixture(scope="module")
def crop_png(photos, tmp_path_factory):
    path = tmp_path_factory.mktemp("inputs") / "crop.png"
    Image.fromarray(photo_crop(photos[0], 48, 64, 100, 100)).save(path)
    return str(path)


def keras_sr(model_path, lr):
    """The Keras model's own output on ``lr`` (N, H, W, 3) [0, 1], whole and untiled."""
    generator = keras.models.load_model(model_path)
    return sr_images(generator, tf.constant(lr, tf.float32)).numpy()


def test_model_status_and_metadata(server):
    url = server[0]
    status, body = get_json(f"{url}/v1/models/tiny")
    assert status == 200
    assert body == {
        "model_version_status": [
            {"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}
        ]
    }
    assert get_json(f"{url}/v1/models/tiny/versions/1")[0] == 200
    status, body = get_json(f"{url}/v1/models/tiny/metadata")
    signatures = body["metadata"]["signature_def"]["signature_def"]
    assert signatures["serving_default"]["inputs"]["images"]["dtype"] == "DT_FLOAT"
    assert list(signatures["serving_default"]["outputs"]) == ["sr_images"]
    assert list(signatures["upscale_image"]["outputs"]) == ["png_bytes"]
    status, body = get_json(f"{url}/v1/models/srgan-x4")
    assert status == 404 and "models: tiny" in body["error"]


def test_rest_request_client_runs_unchanged(server, tiny, crop_png, tmp_path):
    url = server[0]
    out = tmp_path / "rest_x4.png"
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    client = os.path.join(ROOT, "export", "serving", "rest_request.py")
    done = subprocess.run(
        [sys.executable, client, crop_png, "--out", str(out), "--url", url, "--model", "tiny"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lr = np.asarray(Image.open(crop_png), np.float32)[None] / 255.0
    expected = to_uint8(keras_sr(tiny, lr)).numpy()[0]
    got = np.asarray(Image.open(out))
    assert got.shape == (192, 256, 3)
    # Tiled on the server, whole here: equal to float rounding, so at most one level apart.
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


def test_float_instances_match_the_keras_model(server, tiny, photos):
    url = server[0]
    lr = np.stack([photo_crop(p, 37, 53, 10, 20) for p in photos]).astype(np.float32) / 255.0
    expected = keras_sr(tiny, lr)
    for body, key in [
        ({"instances": lr.tolist()}, "predictions"),
        ({"signature_name": "serving_default", "instances": [{"images": x} for x in lr.tolist()]}, "predictions"),
        ({"inputs": {"images": lr.tolist()}}, "outputs"),
    ]:
        status, data, _ = request(f"{url}/v1/models/tiny:predict", json.dumps(body).encode())
        assert status == 200, data
        got = np.asarray(json.loads(data)[key], np.float32)
        assert got.shape == (len(photos), 148, 212, 3)
        assert np.abs(got - expected).max() <= 1e-5


def one_line_error(status, data):
    error = json.loads(data)["error"]
    assert 400 <= status < 500 or status == 503
    assert error and "\n" not in error
    return error


def test_every_bad_request_gets_a_4xx_and_one_line(server, crop_png):
    url = server[0]
    good = Path(crop_png).read_bytes()
    b64 = {"signature_name": "upscale_image", "instances": [{"b64": base64.b64encode(good).decode()}]}
    predict = f"{url}/v1/models/tiny:predict"
    cases = [
        (predict, b"{not json", 400, "JSON Parse error"),
        (predict, b"[1, 2]", 400, "JSON object"),
        (predict, json.dumps({"instances": []}).encode(), 400, "non-empty list"),
        (predict, json.dumps({"signature_name": "nope", "instances": [1]}).encode(), 400, "not found"),
        (predict, json.dumps({"instances": [[[0.5, 0.5]]]}).encode(), 400, "got 1x2"),
        (predict, json.dumps({"instances": [[[0.5, 0.5, 0.5]], [[[0.1, 0.2, 0.3]]]]}).encode(), 400, "element: 0"),
        (predict, json.dumps({"instances": [[["a", "b", "c"]]]}).encode(), 400, "numbers"),
        (predict, json.dumps({**b64, "instances": [{"b64": "!!!"}]}).encode(), 400, "base64"),
        (predict, json.dumps({**b64, "instances": [{"b64": base64.b64encode(good[:300]).decode()}]}).encode(), 400, ""),
        (predict, json.dumps({**b64, "instances": [{"b64": base64.b64encode(b"text").decode()}]}).encode(), 400, ""),
        (f"{url}/v1/models/nope:predict", json.dumps(b64).encode(), 404, "no model named"),
        (f"{url}/v1/models/tiny/versions/7:predict", json.dumps(b64).encode(), 404, "version 1 only"),
        (f"{url}/api/upscale?model=tiny", b"this is a text file", 415, "not a recognised image"),
        (f"{url}/api/upscale?model=tiny&name=cut.png", good[: len(good) // 2], 422, "cut.png: cannot decode"),
        (f"{url}/api/upscale?model=tiny", b"", 400, "no image"),
        (f"{url}/api/upscale?model=../../etc/passwd", good, 404, "no model named"),
        (f"{url}/api/jobs/nope", None, 404, "no such job"),
        (f"{url}/no/such/page", None, 404, "Not Found"),
    ]
    for target, body, expected, words in cases:
        status, data, _ = request(target, body, method="POST" if body is not None else "GET")
        assert status == expected, (target, body[:40] if body else None, data)
        assert words in one_line_error(status, data)
    status, data, _ = request(predict, json.dumps(b64).encode())  # still serving
    assert status == 200 and json.loads(data)["predictions"][0]["b64"]


def test_request_size_limit(tiny, tmp_path, crop_png):
    with serving(["--no-named", "--model", tiny, "--max-bytes", "1000"], tmp_path / "tmp") as (url, _):
        status, data, _ = request(f"{url}/api/upscale?model=tiny", Path(crop_png).read_bytes())
        assert status == 413 and "at most 1000" in one_line_error(status, data)


def test_bombs_are_refused_from_the_header_without_memory_growth(server):
    url, process, _ = server
    bomb = png_bomb(10000, 10000)  # ~100 KB; 100 MB decoded as gray, 300 MB as RGB
    b64 = {"signature_name": "upscale_image", "instances": [{"b64": base64.b64encode(bomb).decode()}]}
    request(f"{url}/api/upscale?model=tiny", bomb)  # first request: whatever is allocated once
    before = rss_kb(process.pid)
    for _ in range(3):
        status, data, _ = request(f"{url}/api/upscale?model=tiny&name=bomb.png", bomb)
        assert status == 413 and "10000x10000" in one_line_error(status, data)
        status, data, _ = request(f"{url}/v1/models/tiny:predict", json.dumps(b64).encode())
        assert status == 413 and "10000x10000" in one_line_error(status, data)
    grown_mb = (rss_kb(process.pid) - before) / 1024
    assert grown_mb < 20, f"the server grew by {grown_mb:.0f} MB"


def wait_for(url, job_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, job = get_json(f"{url}/api/jobs/{job_id}")
        if job["state"] in ("done", "error"):
            return job
        time.sleep(0.1)
    raise TimeoutError(job)


def test_page_job_is_byte_for_byte_the_upscale_library_file(server, tiny, crop_png, tmp_path):
    url, _, tmp_dir = server
    status, data, _ = request(f"{url}/api/upscale?model=tiny&name=crop.png", Path(crop_png).read_bytes())
    assert status == 202, data
    job = wait_for(url, json.loads(data)["id"])
    assert job["state"] == "done" and job["tiles_done"] == job["tiles_total"] == 3 * 4  # 48x64 in 16 px tiles
    assert job["download_name"] == "crop_x4.png"
    status, served, headers = request(f"{url}/api/jobs/{job['id']}/result.png")
    assert status == 200 and 'filename="crop_x4.png"' in headers["Content-Disposition"]
    expected = upscale_file(Upscaler.load(tiny, tile=TILE), crop_png, str(tmp_path / "crop_x4.png"))
    assert served == Path(expected).read_bytes()
    status, bicubic, _ = request(f"{url}/api/jobs/{job['id']}/bicubic.png")
    assert Image.open(io.BytesIO(bicubic)).size == (256, 192)
    # The upload and the result file are gone once the job ends (TensorFlow's autograph keeps the
    # code it generates until the process exits).
    assert [name for name in os.listdir(tmp_dir) if not name.startswith("__autograph_generated_file")] == []


def test_a_full_queue_answers_503_and_the_accepted_jobs_finish(server, photos, tmp_path):
    url = server[0]
    path = tmp_path / "big.png"
    Image.fromarray(photo_crop(photos[1], 256, 256)).save(path)  # 256 tiles of 16 px: a second or more
    data = path.read_bytes()
    answers = [request(f"{url}/api/upscale?model=tiny&name=big.png", data) for _ in range(6)]
    # While the queue is full a REST request is refused before its body is parsed: this one is
    # not even JSON (a 400 once there is room).
    busy_predict = request(f"{url}/v1/models/tiny:predict", b"{not json")
    statuses = [status for status, _, _ in answers]
    # One running and two waiting (--queue 2); the others are refused at once.
    assert statuses.count(202) == 3 and statuses.count(503) == 3, statuses
    assert "busy" in one_line_error(503, answers[-1][1])
    assert "busy" in one_line_error(503, busy_predict[1])
    for status, body, _ in answers:
        if status == 202:
            assert wait_for(url, json.loads(body)["id"])["state"] == "done"
