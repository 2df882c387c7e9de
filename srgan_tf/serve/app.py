"""The web application: the page, its job API, and TF Serving's REST API (:mod:`srgan_tf.serve.rest`)."""

import asyncio
import contextlib
import os
import urllib.parse

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from srgan_tf.errors import SRGANError
from srgan_tf.serve import rest
from srgan_tf.serve.header import HeaderError, TooLarge, image_size
from srgan_tf.serve.jobs import Jobs
from srgan_tf.serve.worker import QueueFull, Worker

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "index.html")
MAX_BYTES = 64 * 1024 * 1024  # a request body; a 1024x1024 float instance is ~40 MB of JSON
MAX_PIXELS = 2048 * 2048  # input pixels of one image: the SavedModel's own guard (SERVING_MAX_PIXELS)
QUEUE_SIZE = 8


class Refused(Exception):
    """A request refused with an HTTP status and one line for the page or client."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _error(status, message):
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


async def _body(request, limit):
    """The request body, refused (413) past ``limit`` bytes before it is all read."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"the request is {int(declared)} bytes; the server takes at most {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"the request is over the server's limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(models, max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES, queue_size=QUEUE_SIZE, preload=True):
    """The FastAPI application serving ``models`` (a :class:`~srgan_tf.serve.models.ModelList`)."""
    worker = Worker(queue_size)
    jobs = Jobs(worker, models, max_pixels)
    with open(PAGE, encoding="utf-8") as f:
        page = f.read()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if preload:
            models.preload()
        yield
        await run_in_threadpool(worker.close)

    app = FastAPI(title="srgan serve", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.worker, app.state.jobs, app.state.models = worker, jobs, models

    @app.exception_handler(Refused)
    async def refused(request, error):
        return _error(error.status, error)

    @app.exception_handler(rest.RestError)
    async def rest_error(request, error):
        return _error(error.status, error)

    @app.exception_handler(HTTPException)
    async def http_error(request, error):
        return _error(error.status_code, error.detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(request, error):
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(400, f"{where}: {first.get('msg', 'invalid request')}")

    def served(name):
        try:
            return models.get(name)
        except KeyError as error:
            raise Refused(404, error.args[0]) from None

    # The page and its job API.

    @app.get("/", response_class=HTMLResponse)
    async def index():
        return HTMLResponse(page)

    @app.get("/api/models")
    async def list_models():
        return {
            "models": [
                {"name": m.name, "state": m.state, "default": m.name == models.default, "error": m.error}
                for m in models.models.values()
            ],
            "unavailable": models.unavailable,
            "max_pixels": max_pixels,
            "max_bytes": max_bytes,
        }

    @app.post("/api/upscale", status_code=202)
    async def upscale(request: Request, model: str = "", name: str = "image"):
        entry = served(model or models.default)
        _refuse_if_busy()
        data = await _body(request, max_bytes)
        if not data:
            raise Refused(400, "the request has no image: send the file's bytes as the body")
        try:
            _, width, height = image_size(data, max_pixels)
        except TooLarge as error:
            raise Refused(413, f"image too large: {error}") from None
        except HeaderError as error:
            raise Refused(415, f"{os.path.basename(name)}: {error}") from None
        try:
            job = await run_in_threadpool(jobs.create, data, entry.name, os.path.basename(name), width, height)
        except SRGANError as error:
            raise Refused(422, f"{os.path.basename(name)}: {error}") from None
        except QueueFull as error:
            raise Refused(503, error) from None
        return jobs.describe(job)

    def _job(job_id):
        job = jobs.get(job_id)
        if job is None:
            raise Refused(404, "no such job (finished results are kept for a while only; upload again)")
        return job

    @app.get("/api/jobs/{job_id}")
    async def job_status(job_id: str):
        return jobs.describe(_job(job_id))

    @app.get("/api/jobs/{job_id}/{kind}.png")
    async def job_image(job_id: str, kind: str):
        job = _job(job_id)
        if job.state != "done" or kind not in ("result", "bicubic"):
            raise Refused(404, f"job {job_id} has no {kind} image ({job.state})")
        headers = {"Cache-Control": "no-store"}
        if kind == "result":
            headers["Content-Disposition"] = content_disposition(job.download_name)
        return Response(job.result if kind == "result" else job.bicubic, media_type="image/png", headers=headers)

    # TF Serving's REST API.

    @app.get("/v1/models/{name}")
    @app.get("/v1/models/{name}/versions/{version}")
    async def status(name: str, version: str = ""):
        return rest.model_status(_versioned(name, version))

    @app.get("/v1/models/{name}/metadata")
    @app.get("/v1/models/{name}/versions/{version}/metadata")
    async def metadata(name: str, version: str = ""):
        return rest.model_metadata(_versioned(name, version))

    @app.post("/v1/models/{name}:predict")
    @app.post("/v1/models/{name}/versions/{version}:predict")
    async def predict(request: Request, name: str, version: str = ""):
        entry = _versioned(name, version)
        _refuse_if_busy()
        body = await _body(request, max_bytes)
        signature, values, columnar = await run_in_threadpool(rest.parse_predict, body, max_pixels)
        try:
            future, _ = worker.submit(lambda: rest.predict(entry.load(), signature, values))
        except QueueFull as error:
            raise Refused(503, error) from None
        try:
            outputs = await asyncio.wrap_future(future)
        except SRGANError as error:
            raise Refused(503 if entry.error else 400, error) from None
        return JSONResponse(await run_in_threadpool(rest.predict_response, signature, outputs, columnar))

    def _refuse_if_busy():
        """503 before a request's body is read and parsed, when the queue could not take it."""
        try:
            worker.check_room()
        except QueueFull as error:
            raise Refused(503, error) from None

    def _versioned(name, version):
        entry = served(name)
        if version and version != str(entry.version):
            raise Refused(404, f"model {name} has version {entry.version} only, not {version}")
        return entry

    return app


def content_disposition(name):
    """An attachment header for any file name: an ASCII fallback (headers are latin-1, and a
    quote would end the value) and the exact name as RFC 5987 UTF-8."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
