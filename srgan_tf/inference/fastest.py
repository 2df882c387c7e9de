"""The runtime a Keras model runs on by default: the fastest measured on this kind of CPU among
those installed, converted once, checked against Keras, and cached with its hashes.

A named model, a run dir or a ``.keras`` file is converted on first use into the user cache
(``<cache>/runtimes/<source hash>-<runtime>-v<format>/``) by :mod:`srgan_tf.export.conversion`,
which checks the artifact against the Keras graph with the export's float32 tolerance. Later
runs hash the cached files against ``entry.json`` and open them with the runtime alone: no
TensorFlow import, which is most of a small photo's time. A damaged entry is converted again;
a runtime that is not installed, or whose conversion fails, gives way to the next with one
warning line; Keras is the last resort.
"""

import importlib.util
import json
import os
import shutil
import time
import zipfile

from srgan_tf.config.registry import ARCHITECTURES
from srgan_tf.errors import ConversionFailed, SRGANError
from srgan_tf.pretrained.cards import get_card, is_named_model
from srgan_tf.pretrained.user_cache import cache_dir
from srgan_tf.pretrained.weights_file import file_sha256
from srgan_tf.runtimes.runners import BACKENDS, KerasBackend
from srgan_tf.utils.atomic import remove_temporary, temporary_name, write_json
from srgan_tf.utils.messages import LOGGER, warn

# Fastest first for `srgan upscale` as people run it: one process, each tile shape run once or a
# few times, measured end to end (bench/upscale_cli.py, docs/benchmarks.md) on this project's
# AVX2 machines. ncnn's Winograd convolutions win for RRDBNet; for SRResNet its first call at
# each new shape costs more than they save. Keras, the reference, comes last.
PREFERENCE = ("tflite", "onnx", "ncnn")
PREFERENCE_BY_ARCHITECTURE = {"rrdbnet": ("ncnn", "tflite", "onnx")}
CONVERTED = PREFERENCE  # the runtimes a Keras model can be converted for
PACKAGES = {"ncnn": "ncnn", "tflite": "ai_edge_litert", "onnx": "onnxruntime"}
ARTIFACTS = {"ncnn": ("model.param", "model.bin"), "tflite": ("model.tflite",), "onnx": ("model.onnx",)}
ENTRY = "entry.json"
# Bumped whenever a converter's output changes, so entries written by an older one are
# converted again instead of trusted.
CONVERSION_FORMAT = 1


def runtime_installed(runtime):
    return importlib.util.find_spec(PACKAGES[runtime]) is not None


def source_hash(model):
    """The SHA-256 that names a Keras model's cache entries: a named model's weights (from its
    card, nothing read), else the ``.keras`` file's bytes."""
    if is_named_model(model):
        return get_card(model).sha256
    path = os.fspath(model)
    if os.path.isdir(path):
        path = os.path.join(path, "generator.keras")
    if not os.path.isfile(path):
        raise SRGANError(f"no Keras generator at {path}")
    return file_sha256(path)


def source_architecture(model):
    """The registry name of a Keras model's architecture, read without TensorFlow: a named
    model's card, a run dir's config.json, or the name a ``.keras`` file's model was built
    with (the builders name it after its architecture); None when none of them says."""
    if is_named_model(model):
        return get_card(model).architecture.get("arch", "srresnet")
    path = os.fspath(model)
    try:
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "config.json")):
            with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
                return json.load(f)["model"]["arch"]
        keras_file = os.path.join(path, "generator.keras") if os.path.isdir(path) else path
        with zipfile.ZipFile(keras_file) as archive:
            name = json.loads(archive.read("config.json"))["config"]["name"]
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None
    return name if name in ARCHITECTURES else None


def preference(model):
    """The runtimes to try for ``model``, fastest first."""
    return PREFERENCE_BY_ARCHITECTURE.get(source_architecture(model), PREFERENCE)


def entry_folder(digest, runtime):
    """The cache entry of the model whose :func:`source_hash` is ``digest``, on ``runtime``."""
    return os.path.join(cache_dir(), "runtimes", f"{digest[:16]}-{runtime}-v{CONVERSION_FORMAT}")


REQUIRED = ("runtime", "artifact", "scale", "tile_overlap", "parity", "files")
STALE_SECONDS = 3600  # a private conversion folder this old belongs to a process that was killed


def _read_entry(folder):
    """The entry's record when it is complete and every file it lists still has its hash, else None."""
    try:
        with open(os.path.join(folder, ENTRY), encoding="utf-8") as f:
            entry = json.load(f)
        if entry.get("format") != CONVERSION_FORMAT or any(key not in entry for key in REQUIRED):
            return None
        if entry["artifact"] not in entry["files"]:
            return None
        for name, digest in entry["files"].items():
            if file_sha256(os.path.join(folder, name)) != digest:
                return None
        return entry
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return None


def _remove_stale_conversions(root):
    """Private folders that killed conversions left behind (never trusted, but never reused)."""
    now = time.time()
    for name in os.listdir(root):
        path = os.path.join(root, name)
        try:
            if name.startswith(".") and ".partial" in name and now - os.path.getmtime(path) > STALE_SECONDS:
                remove_temporary(path)
        except OSError:
            continue


def _convert(model, digest, runtime, folder):
    """Converts into a private folder beside ``folder`` and renames it into place, so a killed
    process or a concurrent one never leaves a half-written entry under the final name."""
    from srgan_tf.utils.tensorflow_loading import import_tensorflow

    import_tensorflow()  # before the converters import it: its start-up lines stay hidden
    from srgan_tf.export.conversion import convert_for_runtime

    os.makedirs(os.path.dirname(folder), exist_ok=True)
    _remove_stale_conversions(os.path.dirname(folder))
    tmp = temporary_name(folder)
    os.makedirs(tmp)
    try:
        path, metadata = convert_for_runtime(model, runtime, tmp)
        files = {name: file_sha256(os.path.join(tmp, name)) for name in sorted(os.listdir(tmp))}
        entry = {
            "format": CONVERSION_FORMAT,
            "runtime": runtime,
            "artifact": os.path.basename(path),
            "source": metadata["source"],
            "source_sha256": digest,
            "scale": metadata["scale"],
            "tile_overlap": metadata["tile_overlap"],
            "activation_bytes_per_lr_pixel": metadata["activation_bytes_per_lr_pixel"],
            "architecture": source_architecture(model),
            "parity": metadata["parity"],
            "files": files,
        }
        write_json(os.path.join(tmp, ENTRY), entry)
        if os.path.isdir(folder) and not os.path.islink(folder):  # damaged, or just finished by another process
            shutil.rmtree(folder, ignore_errors=True)
        elif os.path.lexists(folder):  # a file or link where the entry belongs
            os.remove(folder)
        try:
            os.rename(tmp, folder)
        except OSError:  # another process renamed its own conversion into place first
            if _read_entry(folder) is None:
                raise
    finally:
        remove_temporary(tmp)
    return entry


def converted_runner(model, runtime):
    """``(runner, entry)`` for ``model`` on ``runtime`` from the cache, converting it first when
    the entry is missing or damaged."""
    digest = source_hash(model)
    folder = entry_folder(digest, runtime)
    entry = _read_entry(folder)
    if entry is None:
        if os.path.exists(os.path.join(folder, ENTRY)):
            warn(f"the cached {runtime} conversion of {model} is damaged or out of date; converting it again")
        LOGGER.info(f"converting {model} for {runtime} (once; cached in {folder})")
        try:
            entry = _convert(model, digest, runtime, folder)
        except OSError as error:
            raise CacheUnusable(f"cannot write the runtime cache {os.path.dirname(folder)} ({error})") from error
    runner = BACKENDS[runtime](os.path.join(folder, entry["artifact"]))
    LOGGER.info(
        f"{model} runs on {runtime} (float32, max abs difference from Keras {entry['parity']['max_abs']:.1e}; {folder})"
    )
    return runner, {**entry, "folder": folder}


class CacheUnusable(SRGANError):
    """The cache folder cannot hold a conversion (read-only, a file in its place, disk full)."""


def fastest_runner(model):
    """``(runner, entry)`` on the first runtime of :func:`preference` that is installed and
    converts within tolerance; ``(KerasBackend, {})`` when none does."""
    missing = []
    for runtime in preference(model):
        if not runtime_installed(runtime):
            missing.append(PACKAGES[runtime])
            continue
        try:
            runner, entry = converted_runner(model, runtime)
        except ConversionFailed as error:
            warn(f"cannot run {model} on {runtime} ({error}); trying the next runtime")
            continue
        except CacheUnusable as error:
            warn(f"{error}: {model} runs on Keras")
            return KerasBackend(model), {}
        if missing:
            warn(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed: {model} runs on {runtime}"
            )
        return runner, entry
    if missing:
        warn(f"{', '.join(missing)} not installed: {model} runs on Keras, the slowest (pip install {missing[0]})")
    LOGGER.info(f"{model} runs on Keras")
    return KerasBackend(model), {}
