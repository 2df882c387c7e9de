"""``srgan serve`` in a subprocess on a free loopback port, for the serve tests."""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

# Loopback is never sent through a proxy, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(url, data=None, method=None, content_type="application/json", timeout=120):
    """``(status, body bytes, headers)`` of one HTTP request; an HTTP error status is a result, not an exception."""
    headers = {"Content-Type": content_type} if data is not None else {}
    try:
        with _OPENER.open(urllib.request.Request(url, data, headers, method=method), timeout=timeout) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def get_json(url):
    status, body, _ = request(url)
    return status, json.loads(body)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


@contextlib.contextmanager
def serving(args, tmp_dir, timeout=180):
    """Starts ``srgan serve --port 0 ARGS`` with its own TMPDIR (``tmp_dir``); yields ``(url, process)``
    once every model is loaded; stops the server after."""
    os.makedirs(tmp_dir, exist_ok=True)
    env = dict(os.environ, TMPDIR=str(tmp_dir), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "srgan_tf.cli", "serve", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    stderr = []
    threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True).start()
    try:
        line = process.stdout.readline()  # "srgan serve: http://127.0.0.1:PORT/ (models: ...)"
        if not line.startswith("srgan serve: http://"):
            process.wait(timeout=30)
            raise RuntimeError(f"srgan serve did not start: {line}{''.join(stderr)}")
        url = line.split()[2].rstrip("/")
        deadline = time.monotonic() + timeout
        while True:
            _, listing = get_json(f"{url}/api/models")
            states = {m["name"]: m["state"] for m in listing["models"]}
            if all(state == "AVAILABLE" for state in states.values()):
                break
            if any(state == "END" for state in states.values()) or time.monotonic() > deadline:
                raise RuntimeError(f"models did not load: {listing}")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
