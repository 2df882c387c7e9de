"""The models a server offers: a list of names fixed at start, each loaded once.

Requests name a model from this list and never give a path: what the server reads from disk is
what its command line named. A ``--model`` is named by its file or folder name without extension
(``runs/demo`` -> ``demo``, ``export/saved_model/srgan`` -> ``srgan``), or ``NAME=PATH`` names it.
A TF Serving model folder (numbered version folders of SavedModels) serves its highest version,
as TF Serving does.
"""

import contextlib
import os
import re
import threading

from srgan_tf.errors import SRGANError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _versions(folder):
    """{version: path} of a TF Serving model folder's numbered SavedModels."""
    if not os.path.isdir(folder):
        return {}
    found = {}
    for entry in os.listdir(folder):
        if entry.isdigit() and os.path.isfile(os.path.join(folder, entry, "saved_model.pb")):
            found[int(entry)] = os.path.join(folder, entry)
    return found


def parse_model_spec(spec):
    """``(name, path or named model, version)`` of one ``--model`` argument."""
    from srgan_tf.pretrained.cards import is_named_model

    name, _, path = spec.partition("=") if "=" in spec and not os.path.exists(spec) else ("", "", spec)
    version = 1
    if is_named_model(path):
        return name or path, path, version
    versions = _versions(path)
    if versions:
        version = max(versions)
        resolved = versions[version]
    else:
        resolved = path
    if not name:
        base = os.path.basename(os.path.normpath(path))
        if base.isdigit() and os.path.isfile(os.path.join(path, "saved_model.pb")):  # a version folder
            version, base = int(base), os.path.basename(os.path.dirname(os.path.abspath(path)))
        name = os.path.splitext(base)[0] if base.endswith((".keras", ".tflite", ".onnx")) else base
    if not _NAME.match(name):
        raise SRGANError(f"--model {spec}: {name!r} cannot name a model in a URL; give NAME=PATH")
    return name, resolved, version


class ServedModel:
    """One entry of the list: loaded on first use (or by :meth:`ModelList.preload`), once."""

    def __init__(self, name, spec, version, tile, overlap):
        self.name, self.spec, self.version = name, spec, version
        self._tile, self._overlap = tile, overlap
        self._lock = threading.Lock()
        self.upscaler = None
        self.error = None

    @property
    def state(self):
        """TF Serving's words: LOADING until loaded, AVAILABLE, or END when loading failed."""
        if self.upscaler is not None:
            return "AVAILABLE"
        return "END" if self.error else "LOADING"

    def load(self):
        """The :class:`~srgan_tf.inference.Upscaler`; raises SRGANError when the model cannot load."""
        with self._lock:
            if self.upscaler is None and self.error is None:
                from srgan_tf.inference import Upscaler

                try:
                    self.upscaler = Upscaler.load(self.spec, "auto", self._tile, self._overlap)
                except Exception as error:  # noqa: BLE001 - kept, and told to every request for it
                    self.error = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
            if self.error:
                raise SRGANError(f"model {self.name} failed to load: {self.error}")
            return self.upscaler


class ModelList:
    """``{name: ServedModel}`` built from the command line; the first is the page's default."""

    def __init__(self, specs=(), named=True, tile=None, overlap=None):
        from srgan_tf.inference.tiling import DEFAULT_TILE
        from srgan_tf.pretrained.cards import DEFAULT_MODEL, named_models

        tile = DEFAULT_TILE if tile is None else tile
        self.models = {}
        self.unavailable = {}  # named models this installation cannot serve: {name: why}
        for spec in specs:
            name, path, version = parse_model_spec(spec)
            if name in self.models:
                raise SRGANError(f"two models are named {name}: name one of them with --model NAME=PATH")
            self._check_path(path)
            self.models[name] = ServedModel(name, path, version, tile, overlap)
        if named:
            cards = named_models()
            order = [DEFAULT_MODEL] if DEFAULT_MODEL in cards else []
            for name in order + [n for n in cards if n != DEFAULT_MODEL]:
                if name in self.models:
                    continue
                why = self._missing_source(cards[name])
                if why:
                    self.unavailable[name] = why
                else:
                    self.models[name] = ServedModel(name, name, 1, tile, overlap)
        if not self.models:
            raise SRGANError("no model to serve: give --model (or install a named model)")

    @staticmethod
    def _check_path(path):
        from srgan_tf.runtimes.runners import detect_format

        detect_format(path)  # a missing or unknown model is a start-up error, not a request's

    @staticmethod
    def _missing_source(card):
        if not card.imported:
            return None
        from srgan_tf.pretrained.installed import source_paths

        try:
            source_paths(card)
        except SRGANError as error:
            return str(error)
        return None

    @property
    def default(self):
        return next(iter(self.models))

    def get(self, name):
        """The entry of ``name``; KeyError names the known ones."""
        if name not in self.models:
            raise KeyError(f"no model named {name!r} here (models: {', '.join(self.models)})")
        return self.models[name]

    def preload(self):
        """Loads every model on a background thread, in order, so the first request need not."""

        def load_all():
            for model in self.models.values():
                with contextlib.suppress(SRGANError):  # kept in model.error: its status and requests say it
                    model.load()

        thread = threading.Thread(target=load_all, name="srgan-serve-preload", daemon=True)
        thread.start()
        return thread
