"""Configs from presets, JSON/YAML files and run directories; ``--set`` overrides; saving."""

import contextlib
import dataclasses
import json
import os

import yaml

from srgan_tf.config.presets import get_preset
from srgan_tf.config.schema import LEGACY_KEYS, Config, DataConfig, LossConfig, ModelConfig, TrainConfig
from srgan_tf.config.validation import validate
from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import write_json

_SECTIONS = {"model": ModelConfig, "loss": LossConfig, "data": DataConfig, "train": TrainConfig}


def config_from_dict(data, base=None):
    """Builds a Config from nested dicts; unknown keys are errors, missing keys keep ``base``'s values."""
    base = base or Config()
    if not isinstance(data, dict):
        raise SRGANError("a config file must hold a mapping of sections (model, loss, data, train)")
    unknown = set(data) - set(_SECTIONS) - {"name"}
    if unknown:
        raise SRGANError(f"unknown config section(s): {', '.join(sorted(unknown))}")
    sections = {}
    for section, cls in _SECTIONS.items():
        values = _renamed(section, data.get(section) or {})
        known = {f.name for f in dataclasses.fields(cls)}
        bad = set(values) - known
        if bad:
            raise SRGANError(f"unknown key(s) in {section}: {', '.join(sorted(bad))}")
        if section == "train" and isinstance(values.get("jit"), bool):
            values = {**values, "jit": "on" if values["jit"] else "off"}  # YAML reads on/off as booleans
        values = {name: _coerce(section, name, value) for name, value in values.items()}
        sections[section] = dataclasses.replace(getattr(base, section), **values)
    return validate(Config(name=data.get("name", base.name), **sections))


def _renamed(section, values):
    """``values`` with the section's old key names (``LEGACY_KEYS``) under today's."""
    legacy = LEGACY_KEYS.get(section, {})
    for old, new in legacy.items():
        if old in values and new in values:
            raise SRGANError(f"{section} sets both {section}.{new} and its old name {section}.{old}")
    return {legacy.get(key, key): value for key, value in values.items()}


def load_config(source):
    """Loads a preset name, a JSON/YAML file, or a run directory holding ``config.json``."""
    if isinstance(source, Config):
        return validate(source)
    source = os.fspath(source)
    if os.path.isdir(source):
        source = os.path.join(source, "config.json")
        if not os.path.isfile(source):
            raise SRGANError(f"no config.json in run directory {os.path.dirname(source)}")
    if not os.path.isfile(source):
        return validate(get_preset(source))
    try:
        with open(source, encoding="utf-8") as f:
            # json for .json: PyYAML (YAML 1.1) reads JSON's 2e-05 as a string.
            data = json.load(f) if source.endswith(".json") else yaml.safe_load(f)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise SRGANError(f"cannot read config {source}: {error}") from error
    return config_from_dict(data or {})


def save_config(config, path):
    """Writes ``config`` as JSON (atomically: a crash never leaves half a file)."""
    write_json(path, config.to_dict())


def apply_overrides(config, overrides):
    """Applies ``["section.key=value", ...]``; values are parsed as YAML scalars."""
    data = config.to_dict()
    for item in overrides or ():
        key, sep, raw = item.partition("=")
        section, dot, name = key.strip().partition(".")
        name = LEGACY_KEYS.get(section, {}).get(name, name)
        if not sep or not dot:
            raise SRGANError(f"--set expects section.key=value, got {item!r}")
        if section not in _SECTIONS:
            raise SRGANError(f"unknown config section {section!r} in {item!r}")
        if name not in data[section]:
            raise SRGANError(f"unknown key {name!r} in section {section!r}")
        data[section][name] = _parse_value(raw, _field_type(section, name))
    return config_from_dict(data)


def _field_type(section, name):
    return {f.name: f.type for f in dataclasses.fields(_SECTIONS[section])}[name]


def _parse_value(raw, annotation):
    """Parses an override; strings stay strings (YAML would read ``on`` as True)."""
    raw = raw.strip()
    if raw.lower() in ("", "null", "none", "~"):
        return None
    if annotation in (str, str | None):  # noqa: SIM109
        return raw
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise SRGANError(f"cannot parse value {raw!r}: {error}") from error
    if annotation in (float, float | None) and isinstance(value, str):  # noqa: SIM109
        with contextlib.suppress(ValueError):  # YAML 1.1 reads "5e-4" (no dot) as a string
            value = float(value)
    return value


def _float_or_text(text):
    try:
        return float(text)
    except ValueError:
        return text


def _coerce(section, name, value):
    """Checks a value against its field's type; ints are accepted where floats are expected."""
    annotation = _field_type(section, name)
    if annotation == float | list:
        numbers = value if isinstance(value, list) else [value]
        if not numbers or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in numbers):
            raise SRGANError(f"{section}.{name} expects a number or a list of numbers, got {value!r}")
        return [float(v) for v in value] if isinstance(value, list) else float(value)
    allowed = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}
    optional = annotation in (str | None, int | None, float | None)
    base = {str | None: str, int | None: int, float | None: float}.get(annotation, annotation)
    if value is None and optional:
        return None
    kinds = allowed.get(base, (object,))
    if base is float and isinstance(value, str):
        value = _float_or_text(value)  # YAML 1.1 reads 1e-4 (no dot) as text
    if isinstance(value, bool) and base is not bool or not isinstance(value, kinds):
        raise SRGANError(f"{section}.{name} expects {base.__name__}, got {value!r}")
    return float(value) if base is float else value
