"""Upscaling real images with any model format: the library behind ``srgan upscale``.

    from srgan_tf import upscale
    big = upscale("photo.jpg", model="runs/demo")          # a PIL image, 4x larger

Tiles bound the model's memory; PNG outputs without alpha are streamed to disk
band by band, so a 2000x2000 -> 8000x8000 upscale never holds the output whole.
"""

import glob
import os
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, PngImagePlugin
from tqdm.auto import tqdm

from srgan_tf.errors import SRGANError
from srgan_tf.inference.fastest import CONVERTED, converted_runner, fastest_runner
from srgan_tf.inference.picture import Picture, luma, output_path, quantize, read_picture, write_picture
from srgan_tf.inference.pngstream import PNGStreamWriter
from srgan_tf.inference.tiling import (
    AUTO_TILE,
    DEFAULT_OVERLAP,
    available_memory,
    choose_tile,
    memory_per_lr_pixel,
    tile_memory,
    tiled_bands,
    upscale_tiled,
)
from srgan_tf.inference.write_behind import write_behind
from srgan_tf.pretrained.cards import card_tile_overlap, default_model
from srgan_tf.runtimes.runners import KerasBackend, detect_format, load_backend, read_metadata
from srgan_tf.utils.imageio import MAX_DECODE_PIXELS, is_image_path, open_image
from srgan_tf.utils.messages import LOGGER


@dataclass
class Upscaler:
    """A loaded model plus how to tile for it.

    ``tile``: LR pixels per tile side, 0 for whole images, or ``"auto"``: per image, the largest
    tile that fits a share of the memory available then (:func:`~srgan_tf.inference.tiling.choose_tile`),
    from the model's activation memory per pixel (``bytes_per_lr_pixel``, with its runtime's
    overhead); 256 where that is unknown."""

    backend: object
    scale: int
    overlap: int
    tile: object = AUTO_TILE
    bytes_per_lr_pixel: float = None

    @classmethod
    def load(cls, model, backend="auto", tile=AUTO_TILE, overlap=None):
        """``model``: a named model, a path (run dir, .keras, SavedModel, .tflite, .onnx, .param)
        or a Keras generator.

        ``backend="auto"`` runs an exported artifact on its own runtime and a Keras model (named,
        run dir, ``.keras``) on the fastest verified runtime (:mod:`srgan_tf.inference.fastest`:
        converted once, cached); ``"keras"`` keeps a Keras model on Keras, and ``"tflite"``,
        ``"onnx"`` or ``"ncnn"`` choose that runtime's cached conversion."""
        if not isinstance(model, (str, os.PathLike)):
            runner, metadata = KerasBackend(model), {}
        else:
            kind = detect_format(model)
            runs_on = (kind, "auto", *(CONVERTED if kind == "keras" else ()))
            if backend not in runs_on:
                raise SRGANError(
                    f"--backend {backend} cannot run {os.fspath(model)} (a {kind} model): choose {', '.join(runs_on)}"
                )
            if kind == "keras" and backend != "keras":
                runner, metadata = fastest_runner(model) if backend == "auto" else converted_runner(model, backend)
            else:
                runner, metadata = load_backend(model, kind), read_metadata(os.fspath(model))
                LOGGER.info(f"{os.fspath(model)} runs on {runner.name}")
        scale = metadata.get("scale") or runner(np.zeros((1, 8, 8, 3), np.float32)).shape[1] // 8
        if overlap is None:
            # A named model's measured overlap, else the receptive field (exact): computed for
            # Keras models, carried in the metadata of exported ones.
            overlap = card_tile_overlap(model) if isinstance(model, str) else None
            if overlap is None and isinstance(runner, KerasBackend):
                from srgan_tf.models.receptive_field import receptive_field_radius

                overlap = receptive_field_radius(runner.generator)
            elif overlap is None:
                overlap = int(metadata.get("tile_overlap", metadata.get("receptive_field", DEFAULT_OVERLAP)))
        activations = metadata.get("activation_bytes_per_lr_pixel")
        if activations is None and tile == AUTO_TILE and isinstance(runner, KerasBackend):
            from srgan_tf.models.flops import activation_bytes_per_lr_pixel

            activations = activation_bytes_per_lr_pixel(runner.generator)
        per_pixel = memory_per_lr_pixel(activations, runner.name, metadata.get("architecture"))
        return cls(runner, int(scale), int(overlap), tile, per_pixel)

    def tile_for(self, height, width):
        """The tile size for a ``height`` x ``width`` image (0: whole)."""
        if self.tile != AUTO_TILE:
            return self.tile
        available = available_memory()
        tile = choose_tile(height, width, self.scale, self.overlap, self.bytes_per_lr_pixel, available)
        if self.bytes_per_lr_pixel and available:
            needs = tile_memory(height, width, self.scale, tile, self.overlap, self.bytes_per_lr_pixel)
            LOGGER.info(
                f"{width}x{height}: {f'tiles of {tile} px' if tile else 'the whole image at once'} "
                f"(about {needs / 2**30:.1f} GiB of {available / 2**30:.1f} GiB available)"
            )
        return tile

    def bands(self, rgb, progress=False):
        tile = self.tile_for(*rgb.shape[:2])
        return tiled_bands(self.backend, rgb, self.scale, tile, self.overlap, progress)

    def upscale_array(self, rgb, progress=False):
        tile = self.tile_for(*rgb.shape[:2])
        return upscale_tiled(self.backend, rgb, self.scale, tile, self.overlap, progress)

    def upscale_picture(self, picture, progress=False):
        """Model on the RGB, bicubic on the alpha; gray/bit depth/ICC carried over."""
        sr = self.upscale_array(picture.rgb, progress)
        alpha = None
        if picture.alpha is not None:
            size = (sr.shape[1], sr.shape[0])
            resized = Image.fromarray(picture.alpha.astype(np.float32), "F").resize(size, Image.BICUBIC)
            alpha = np.clip(np.asarray(resized), 0.0, 1.0)
        return Picture(sr, alpha, picture.gray, picture.bits, picture.icc)


def upscale(image, model=None, backend="auto", tile=AUTO_TILE, overlap=None, max_pixels=MAX_DECODE_PIXELS):
    """Upscales a path, a PIL image or an ``(H, W, 3)`` array.

    ``model``: a named model, a run dir, ``.keras``, SavedModel, ``.tflite``, ``.onnx`` or ncnn
    ``.param``, a Keras generator, or an Upscaler; None: the default named model. A Keras model
    runs on the fastest verified runtime unless ``backend`` names one (see :meth:`Upscaler.load`).

    Returns a PIL image for path/PIL input (mode kept: RGB, RGBA, L, 16-bit
    gray), or a float32 array in [0, 1] for array input (uint8 arrays are
    taken as 0..255).
    """
    if model is None:
        model = default_model()
    upscaler = model if isinstance(model, Upscaler) else Upscaler.load(model, backend, tile, overlap)
    if isinstance(image, np.ndarray):
        rgb = image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else image.astype(np.float32)
        return upscaler.upscale_array(rgb)
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(image, Image.Image):
            image.save(os.path.join(tmp, "input.png"))  # one decode path for files and PIL images
            image = os.path.join(tmp, "input.png")
        picture = upscaler.upscale_picture(read_picture(image, max_pixels))
        path = write_picture(picture, os.path.join(tmp, "out.png"))
        # The package's own PNG, of a size the input's check admitted: Image.open would refuse any
        # result above Pillow's bomb limit (179 MP, a 12 MP photo x4), PngImageFile does not check.
        with PngImagePlugin.PngImageFile(path) as result:
            result.load()
            return result


def _is_image_file(path):
    """An image extension, or a header Pillow recognises (a photo saved without extension)."""
    if is_image_path(path):
        return True
    try:
        with Image.open(path):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not an image" here
        return False


def _expand_with_roots(inputs, out_dir=None):
    """``([(absolute path, root)], [(path, reason)])``: the images to upscale — ``root`` is the
    folder argument a file was found under, else None — and the folder files that are not images.

    A folder walk never enters ``out_dir``: last run's outputs are not this run's inputs.
    """
    found, ignored = {}, []
    outputs = os.path.realpath(out_dir) if out_dir is not None else None
    for item in inputs:
        if os.path.isdir(item):
            root = os.path.abspath(item)
            if os.path.realpath(item) == outputs:
                raise SRGANError(
                    f"--out {out_dir} is the input folder {item}: the next run would upscale its outputs again; "
                    "give another --out (a sub-folder works)"
                )
            for folder, dirs, names in os.walk(item):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and os.path.realpath(os.path.join(folder, d)) != outputs
                )
                for name in sorted(names):
                    path = os.path.abspath(os.path.join(folder, name))
                    if name.startswith("."):
                        continue
                    if _is_image_file(path):
                        found.setdefault(path, root)
                    else:
                        ignored.append((path, "not an image file"))
        elif os.path.isfile(item):
            found.setdefault(os.path.abspath(item), None)
        else:
            matches = [m for m in glob.glob(item, recursive=True) if os.path.isfile(m)]
            if not matches:
                raise SRGANError(f"no such file, folder or glob match: {item}")
            for match in matches:
                found.setdefault(os.path.abspath(match), None)
    return sorted(found.items()), ignored


def plan_outputs(inputs, out_dir, fmt="png", scale=4):
    """Maps every input image to its own output path: [(input, output)], sorted by input.

    With ``out_dir`` None each output goes beside its input (file arguments only: a folder
    would pick up its own outputs on the next run); otherwise files found under a
    folder argument keep their sub-folders below ``out_dir``. Inputs that would still share
    an output (``a.png`` and ``a.jpg``, or ``A/Photo.png`` and ``B/photo.jpg`` with ``--out``: names
    that differ only in case clash on every file system) get their extension in the name
    (``a_jpg_x4.png``); if two inputs would still write one file, nothing is written and
    SRGANError names them.

    Outputs are never inputs: folder arguments are walked without ``out_dir`` (which may sit
    inside them, but not be one of them), and a file this run is about to write (``a_x4.png``
    matched by a glob beside ``a.png``) is left out of the inputs.
    """
    return _plan(_expand_with_roots(inputs, out_dir)[0], out_dir, fmt, scale)[0]


def _plan(found, out_dir, fmt, scale):
    """:func:`plan_outputs` for already expanded ``(path, root)`` pairs; also returns the inputs
    left out because this run writes them."""
    outputs = []
    while True:  # leaving an input out can change another's name (fewer clashes): plan again
        planned = _plan_all(found, out_dir, fmt, scale)
        targets = {}
        for _, target in planned:
            targets.setdefault(_output_key(os.path.realpath(target)), []).append(target)
        written = [
            (path, root)
            for path, root in found
            if any(_same_file(path, t) for t in targets.get(_output_key(os.path.realpath(path)), ()))
        ]
        if not written:
            return planned, outputs
        outputs.extend(path for path, _ in written)
        found = [item for item in found if item not in written]


def _plan_all(found, out_dir, fmt, scale):
    planned = []
    for path, root in found:
        if out_dir is None and root is not None:
            raise SRGANError(f"{root} is a folder: give --out (outputs beside the inputs are for files only)")
        if out_dir is None:
            folder = os.path.dirname(path)
        elif root is not None:
            folder = os.path.join(out_dir, os.path.relpath(os.path.dirname(path), root))
        else:
            folder = out_dir
        planned.append((path, folder))
    targets = [output_path(path, folder, fmt, scale=scale) for path, folder in planned]
    keys = [_output_key(t) for t in targets]
    clashes = {k for k in keys if keys.count(k) > 1}
    if clashes:
        targets = [
            output_path(path, folder, fmt, suffix=_extension_suffix(path), scale=scale) if key in clashes else target
            for (path, folder), target, key in zip(planned, targets, keys)
        ]
    seen = {}
    for (path, _), target in zip(planned, targets):
        key = _output_key(target)
        if key in seen or key == _output_key(path):
            other = seen.get(key, path)
            advice = "use separate runs" + ("" if out_dir else " or --out")
            raise SRGANError(f"{other} and {path} would both be written to {target}; {advice}")
        seen[key] = path
    return [(path, os.path.normpath(target)) for (path, _), target in zip(planned, targets)]


def _output_key(path):
    """Names that differ only in case, or in Unicode normalisation (macOS stores NFD), are one file
    on macOS and Windows: a plan is the same on every file system, so they clash everywhere.
    Per-character lower case, not casefold: ``Straße`` and ``Strasse`` are two files everywhere."""
    return unicodedata.normalize("NFD", os.path.normcase(os.path.abspath(path))).lower()


def _same_file(path, target):
    """An existing input is an output of this run only if it is that very file (a planned output
    that does not exist yet cannot be an input)."""
    try:
        return os.path.samefile(path, target)
    except OSError:
        return False


def _extension_suffix(path):
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    return f"_{extension}_x{{scale}}"


@dataclass
class BatchResult:
    written: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (path, reason): existing outputs, files that are not images
    failed: list = field(default_factory=list)  # (path, reason): unreadable inputs

    def summary(self):
        parts = [f"{len(self.written)} upscaled"]
        exists = [p for p, why in self.skipped if why == "output exists"]
        if exists:
            parts.append(f"{len(exists)} skipped (output exists; --overwrite replaces)")
        others = [(p, why) for p, why in self.skipped if why != "output exists"]
        if others:
            names = ", ".join(f"{os.path.basename(p)} ({why})" for p, why in others[:10])
            parts.append(f"{len(others)} skipped: {names}")
        if self.failed:
            names = ", ".join(f"{os.path.basename(p)} ({why})" for p, why in self.failed[:10])
            parts.append(f"{len(self.failed)} failed: {names}")
        return "; ".join(parts)


def upscale_file(
    upscaler, path, out_path, fmt="png", overwrite=False, max_pixels=MAX_DECODE_PIXELS, progress=False, decoded=None
):
    """One file in, one file out; PNG without alpha is streamed band by band.

    ``decoded``: a Future of ``read_picture(path, max_pixels)`` already under way (the batch
    decodes the next file while this one runs); its errors are this file's."""
    if os.path.exists(out_path) and not overwrite:
        raise FileExistsError(out_path)
    picture = decoded.result() if decoded is not None else read_picture(path, max_pixels)
    if fmt == "png" and picture.alpha is None:
        width, height = picture.size
        channels = 1 if picture.gray else 3
        writer = PNGStreamWriter(
            out_path, width * upscaler.scale, height * upscaler.scale, channels, picture.bits, picture.icc
        )

        def write(band):
            if picture.gray:
                band = luma(band)[..., None]
            writer.write(quantize(band, picture.bits))

        with writer:
            # Each band is encoded while the next one's tiles run.
            write_behind(write, (band for _, band in upscaler.bands(picture.rgb, progress)))
        return out_path
    return write_picture(upscaler.upscale_picture(picture, progress), out_path, fmt, overwrite)


def upscale_files(upscaler, inputs, out_dir, fmt="png", overwrite=False, max_pixels=MAX_DECODE_PIXELS, progress=True):
    """Upscales every input; a bad file is reported and skipped, the rest go on.

    ``out_dir`` None writes each output beside its input (see :func:`plan_outputs`).
    """
    result = BatchResult()
    found, ignored = _expand_with_roots(inputs, out_dir)  # one walk: each header is opened once
    plan, outputs = _plan(found, out_dir, fmt, upscaler.scale)
    result.skipped.extend(ignored)
    result.skipped.extend((path, "an output of this run") for path in outputs)
    if not plan:
        raise SRGANError("no input images found")
    with ThreadPoolExecutor(1, thread_name_prefix="srgan-decode") as decoder:
        upcoming = _prefetch(decoder, plan, 0, overwrite, max_pixels)
        for index, (path, target) in enumerate(tqdm(plan, desc="upscaling", unit="image", disable=not progress)):
            decoded, upcoming = upcoming, _prefetch(decoder, plan, index + 1, overwrite, max_pixels)
            _upscale_one(upscaler, path, target, fmt, overwrite, max_pixels, progress, decoded, result)
    return result


PREFETCH_MAX_PIXELS = 16 * 1024 * 1024  # larger inputs are decoded when their turn comes: memory first


def _prefetch(decoder, plan, index, overwrite, max_pixels):
    """A Future decoding ``plan[index]``'s input on the decoder thread, or None (no such input,
    its output is kept, or too large to hold beside the image being upscaled)."""
    if index >= len(plan):
        return None
    path, target = plan[index]
    if os.path.exists(target) and not overwrite:
        return None
    try:
        with open_image(path, max_pixels) as image:  # the package's guarded header read: no bomb warnings
            if image.size[0] * image.size[1] > PREFETCH_MAX_PIXELS:
                return None
    except SRGANError:  # reported when the file's turn comes
        return None
    return decoder.submit(read_picture, path, max_pixels)


def _upscale_one(upscaler, path, target, fmt, overwrite, max_pixels, progress, decoded, result):
    """One file of a batch: written, skipped or failed into ``result``, never raising."""
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except OSError as error:  # a file where the output's folder should be: this file fails, not the batch
        result.failed.append((path, f"cannot create {os.path.dirname(target)} ({error.strerror})"))
        return
    try:
        upscale_file(upscaler, path, target, fmt, overwrite, max_pixels, progress, decoded)
        result.written.append(target)
    except FileExistsError:
        result.skipped.append((path, "output exists"))
    except SRGANError as error:
        result.failed.append((path, str(error).split(": ", 1)[-1]))
    except Exception as error:  # noqa: BLE001 - whatever goes wrong with one file, the rest go on
        reason = str(error).strip().splitlines()
        result.failed.append((path, f"{type(error).__name__}: {reason[-1] if reason else ''}".rstrip(": ")))
