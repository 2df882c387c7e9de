"""The page's upscales: a job per uploaded image, its progress in tiles, its PNG kept for download.

The result is written by :func:`srgan_tf.inference.upscale.upscale_file`, the function behind
``srgan upscale``, with the same model and tile options: the downloaded PNG is byte for byte the
file ``srgan upscale`` writes. The upload and that file live in a private temporary folder that
is removed as soon as the job ends (done, failed or cancelled); results stay in memory, the
oldest dropped first.
"""

import collections
import dataclasses
import io
import os
import shutil
import tempfile
import threading
import time
import uuid

from srgan_tf.errors import SRGANError
from srgan_tf.inference.tiling import tile_boxes

KEEP_RESULTS = 4  # finished jobs kept for download (a 4 MP input's result is ~100 MB); older ones dropped


def tile_count(width, height, tile):
    """How many times the model runs for an image (see :func:`srgan_tf.inference.tiling.tiled_bands`)."""
    if not tile or tile <= 0 or (height <= tile and width <= tile):
        return 1
    return len(tile_boxes(height, width, tile, 0))


class _Counting:
    """A backend that counts its calls: one per tile."""

    def __init__(self, backend, job):
        self._backend, self._job = backend, job

    def __call__(self, lr_images):
        result = self._backend(lr_images)
        self._job.tiles_done += 1
        return result


@dataclasses.dataclass
class Job:
    id: str
    model: str
    filename: str
    width: int
    height: int
    ticket: int = 0
    state: str = "queued"  # queued, running, done, error
    tiles_done: int = 0
    tiles_total: int = 1
    scale: int | None = None
    error: str | None = None
    status: int | None = None  # the HTTP status of the error
    seconds: float | None = None
    result: bytes | None = dataclasses.field(default=None, repr=False)
    bicubic: bytes | None = dataclasses.field(default=None, repr=False)
    folder: str | None = None

    @property
    def download_name(self):
        stem = os.path.splitext(os.path.basename(self.filename))[0] or "image"
        return f"{stem}_x{self.scale}.png"  # as srgan upscale names it


def bicubic_preview(path, scale):
    """The page's "before": the upright input, bicubic-upscaled to the result's size, as PNG bytes."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    big = image.resize((image.width * scale, image.height * scale), Image.BICUBIC)
    buffer = io.BytesIO()
    big.save(buffer, "PNG", compress_level=1)  # a preview: speed over size
    return buffer.getvalue()


class Jobs:
    """The page's jobs by id, run on a :class:`~srgan_tf.serve.worker.Worker`."""

    def __init__(self, worker, models, max_pixels, keep=KEEP_RESULTS):
        self.worker, self.models, self.max_pixels, self.keep = worker, models, max_pixels, keep
        self._jobs = collections.OrderedDict()
        self._lock = threading.Lock()

    def create(self, data, model, filename, width, height):
        """Checks that ``data`` decodes (SRGANError: it does not), then queues its upscale (QueueFull).
        A full queue is refused first: a busy server does not decode what it will not run."""
        from srgan_tf.inference.picture import read_picture

        entry = self.models.get(model)
        self.worker.check_room()
        folder = tempfile.mkdtemp(prefix="srgan-serve-")
        try:
            path = os.path.join(folder, "input")
            with open(path, "wb") as f:
                f.write(data)
            try:
                read_picture(path, self.max_pixels)  # a corrupt or truncated file fails here, not in the queue
            except SRGANError as error:
                raise SRGANError(str(error).replace(f"{path}: ", "")) from None
            job = Job(uuid.uuid4().hex, entry.name, filename, width, height, folder=folder)
            future, job.ticket = self.worker.submit(lambda: self._run(job, entry, path))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        future.add_done_callback(lambda _: shutil.rmtree(folder, ignore_errors=True))
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        return job

    def _run(self, job, entry, path):
        from srgan_tf.inference.upscale import upscale_file

        job.state = "running"
        start = time.perf_counter()
        try:
            try:
                upscaler = entry.load()
            except SRGANError as error:
                job.error, job.status, job.state = str(error), 503, "error"
                return
            job.scale = upscaler.scale
            job.tiles_total = tile_count(job.width, job.height, upscaler.tile)
            counted = dataclasses.replace(upscaler, backend=_Counting(upscaler.backend, job))
            out = os.path.join(job.folder, "result.png")
            upscale_file(counted, path, out, "png", overwrite=True, max_pixels=self.max_pixels)
            with open(out, "rb") as f:
                job.result = f.read()
            job.bicubic = bicubic_preview(path, upscaler.scale)
            job.state = "done"
        except SRGANError as error:
            job.error, job.status, job.state = str(error).replace(f"{path}: ", ""), 422, "error"
        except Exception as error:  # noqa: BLE001 - one job fails, the server goes on
            lines = str(error).strip().splitlines()
            job.error = f"{type(error).__name__}: {lines[-1] if lines else ''}".rstrip(": ")
            job.status, job.state = 500, "error"
        finally:
            job.seconds = time.perf_counter() - start

    def _forget_old(self):
        finished = [job_id for job_id, job in self._jobs.items() if job.state in ("done", "error")]
        for job_id in finished[: max(len(finished) - self.keep, 0)]:
            del self._jobs[job_id]

    def get(self, job_id):
        with self._lock:
            return self._jobs.get(job_id)

    def describe(self, job):
        """The job as the page polls it."""
        return {
            "id": job.id,
            "model": job.model,
            "state": job.state,
            "ahead": self.worker.ahead(job.ticket) if job.state == "queued" else 0,
            "tiles_done": job.tiles_done,
            "tiles_total": job.tiles_total,
            "width": job.width,
            "height": job.height,
            "scale": job.scale,
            "seconds": job.seconds,
            "error": job.error,
            "status": job.status,
            "download_name": job.download_name if job.state == "done" else None,
        }
