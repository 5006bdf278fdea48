"""Reading a health configuration from YAML, a preset or the default.

Private helpers of :mod:`cskit.health`: :func:`load_section` reads one
section of a YAML file (or a packaged preset) into a pydantic model,
resolves each profile's ``extends`` parent and turns validation errors into
messages that name the key and the closest known name;
:func:`load_health_config` and :func:`profile_hash` build on it.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cskit._health_config import HealthConfig, Profile, _suggest
from cskit.exceptions import ConfigurationError

__all__: list[str] = []


PRESETS: tuple[str, ...] = ("playbook", "gainsight", "totango", "planhat", "vitally")
_PRESET_DIR = resources.files("cskit").joinpath("data/health_presets")


def load_section(
    path: str | Path | None, section: str, model: type[BaseModel], *, preset: str
) -> BaseModel:
    """Read one section of a YAML file into a pydantic model.

    Parameters
    ----------
    path : str or pathlib.Path or None
        A YAML file; a bare name of :data:`PRESETS` reads that packaged
        preset; None reads ``params/health.yaml`` found from the working
        folder upwards, else the packaged ``preset``.
    section : str
        The top-level key (``health``, ``risk``, ``plays``).
    model : type
        The pydantic model of the section.
    preset : str
        The packaged preset used when no file is found.

    Returns
    -------
    pydantic.BaseModel

    Raises
    ------
    ConfigurationError
        Naming the file, the key and the value, with the closest valid name
        for an unknown key.
    """
    source, values = _read_source(path, preset)
    values = values.get(section, {}) if isinstance(values, dict) else values
    if section == "health" and isinstance(values, dict):
        values = _resolve_extends(values, source)
    try:
        return model.model_validate(values or {})
    except ValidationError as error:
        raise ConfigurationError(_explain(error, source, model, section)) from error


def _read_source(path: str | Path | None, preset: str) -> tuple[str, Any]:
    if path is not None and str(path) in PRESETS:
        text = _PRESET_DIR.joinpath(f"{path}.yaml").read_text(encoding="utf-8")
        return f"preset {path!r}", yaml.safe_load(text)
    if path is None:
        from cskit.params import find_params_dir

        folder = find_params_dir()
        if folder is None or not (folder / "health.yaml").is_file():
            return _read_source(preset, preset)
        path = folder / "health.yaml"
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(
            f"health configuration {str(path)!r} does not exist; pass a YAML file "
            f"such as params/health.yaml or a preset name {list(PRESETS)}"
        )
    try:
        return str(path), yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigurationError(
            f"{str(path)!r} is not valid YAML ({error}); fix the syntax there"
        ) from error


def _resolve_extends(values: dict, source: str) -> dict:
    """Merge each profile's ``extends`` parent under it."""
    profiles = dict(values.get("profiles") or {})
    done: dict[str, dict] = {}

    def resolve(name: str, seen: tuple) -> dict:
        if name in done:
            return done[name]
        if name not in profiles or name in seen:
            raise ConfigurationError(
                f"{source}: profile {seen[-1]!r} extends {name!r}, which is "
                f"{'a cycle' if name in seen else 'not defined'}; "
                f"profiles are {sorted(profiles)}"
            )
        raw = dict(profiles[name] or {})
        parent = raw.pop("extends", None)
        merged = _merge(resolve(parent, (*seen, name)), raw) if parent else raw
        done[name] = merged
        return merged

    values = dict(values)
    values["profiles"] = {name: resolve(name, ()) for name in profiles}
    return values


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _explain(error: ValidationError, source: str, model, section: str) -> str:
    lines = [f"{source}, section {section!r}: {error.error_count()} problem(s):"]
    for problem in error.errors():
        loc = tuple(problem["loc"])
        where = ".".join(str(p) for p in loc) or section
        if problem["type"] == "extra_forbidden":
            lines.append(f"  unknown key {where!r}{_closest(model, loc)}")
        else:
            message = problem["msg"].removeprefix("Value error, ")
            received = problem.get("input")
            shown = "" if isinstance(received, dict) else f" (received {received!r})"
            lines.append(f"  {where}: {message}{shown}")
    return "\n".join(lines)


def _closest(model, loc: tuple) -> str:
    annotation: Any = model
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return ""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return ""
    return _suggest(loc[-1], list(annotation.model_fields))


def _step(annotation: Any, part: Any) -> Any:
    """Follow one location part into a model, dict, tuple or optional type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _is_model(a)]
        return _step(models[0], part) if models else None
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin in (tuple, list):
        return typing.get_args(annotation)[0]
    if _is_model(annotation) and str(part) in annotation.model_fields:
        return annotation.model_fields[str(part)].annotation
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def load_health_config(path: str | Path | None = None) -> HealthConfig:
    """Read a health configuration: a file, a preset name, or the default.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML file with a ``health:`` section, or a preset name of
        :data:`PRESETS`. By default ``params/health.yaml`` (found from the
        working folder upwards), else the packaged ``playbook`` preset.

    Returns
    -------
    HealthConfig

    Raises
    ------
    ConfigurationError
        For an unknown key (with the closest name), weights that are all 0,
        overlapping or gapped bands, an unknown metric or profile.

    Examples
    --------
    >>> load_health_config("vitally").default_profile
    'vitally'
    """
    return load_section(path, "health", HealthConfig, preset="playbook")


def profile_hash(name: str, profile: Profile) -> str:
    """Return the first 12 hex digits of the SHA-256 of a profile as JSON."""
    payload = {"profile": name, **profile.model_dump(mode="json")}
    canonical = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
