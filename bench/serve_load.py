"""`srgan serve` under load: N concurrent clients posting 256x256 photos for a fixed time.

    python bench/serve_load.py [--model srgan-x4] [--clients 1,4,16] [--seconds 30] [--queue 8]
                               [--api rest|page]

One server process (``srgan serve --port 0``) per client count; each client posts a 256x256 crop
of a bundled photo in a loop — ``--api rest``: TF Serving's ``upscale_image`` signature (b64 PNG
in, PNG out, the request waits for the result); ``page``: the page's job API (upload, then poll
the job until done, then fetch the PNG). Reported per client count: completed requests per
second, p50 / p99 latency of the completed ones, errors by status (a healthy server shows only
the 503s of a full queue), and the server's peak resident memory (VmHWM).
"""

import argparse
import base64
import collections
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(BENCH)
sys.path[:0] = [BENCH, CHECKOUT, os.path.join(CHECKOUT, "tests")]

from common import machine_line, print_table  # noqa: E402
from serverprocess import request  # noqa: E402


def photo_png(size=256):
    from PIL import Image

    from srgan_tf.assets import SAMPLE_VAL_DIR

    with Image.open(os.path.join(SAMPLE_VAL_DIR, "coffee.png")) as image:
        crop = image.convert("RGB").crop((0, 0, size, size))
    buffer = io.BytesIO()
    crop.save(buffer, "PNG")
    return buffer.getvalue()


def one_rest(url, model, body):
    status, data, _ = request(f"{url}/v1/models/{model}:predict", body, timeout=600)
    return status


def one_page(url, model, png):
    status, data, _ = request(f"{url}/api/upscale?model={model}&name=load.png", png, timeout=600)
    if status != 202:
        return status
    job_id = json.loads(data)["id"]
    while True:
        status, data, _ = request(f"{url}/api/jobs/{job_id}")
        state = json.loads(data)["state"] if status == 200 else "error"
        if state == "done":
            return request(f"{url}/api/jobs/{job_id}/result.png", timeout=600)[0]
        if state == "error":
            return json.loads(data).get("status") or status
        time.sleep(0.05)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def run_load(url, model, clients, seconds, api, png):
    body = json.dumps(
        {"signature_name": "upscale_image", "instances": [{"b64": base64.b64encode(png).decode()}]}
    ).encode()
    latencies, statuses = [], collections.Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop:
            start = time.perf_counter()
            status = one_rest(url, model, body) if api == "rest" else one_page(url, model, png)
            with lock:
                statuses[status] += 1
                if status == 200:
                    latencies.append(time.perf_counter() - start)
            if status == 503:
                time.sleep(0.05)  # a refused client retries, not in a tight loop

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin
    return latencies, statuses, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="srgan-x4")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--queue", type=int, default=8)
    parser.add_argument("--api", choices=("rest", "page"), default="rest")
    args = parser.parse_args()
    png = photo_png()
    print(machine_line())
    rows = []
    for clients in [int(c) for c in args.clients.split(",")]:
        command = [
            sys.executable,
            "-m",
            "srgan_tf.cli",
            "serve",
            "--port",
            "0",
            "--no-named",
            "--queue",
            str(args.queue),
        ]
        command += ["--model", args.model]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=CHECKOUT)
        try:
            url = server.stdout.readline().split()[2].rstrip("/")
            name = os.path.splitext(os.path.basename(os.path.normpath(args.model)))[0]
            while json.loads(request(f"{url}/v1/models/{name}")[1])["model_version_status"][0]["state"] != "AVAILABLE":
                time.sleep(0.2)
            latencies, statuses, elapsed = run_load(url, name, clients, args.seconds, args.api, png)
            peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
        errors = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if s != 200) or "none"
        rows.append(
            [
                clients,
                f"{len(latencies) / elapsed:.2f}",
                f"{quantiles[49]:.2f} s",
                f"{quantiles[98]:.2f} s",
                errors,
                f"{peak:.0f} MB",
            ]
        )
    print(f"{args.api} API, {args.model}, 256x256 PNG in, x4 PNG out, {args.seconds:.0f} s per row, queue {args.queue}")
    print_table(["clients", "requests/s", "p50", "p99", "errors", "server peak RSS"], rows)


if __name__ == "__main__":
    main()
