"""Mapping files: how a folder of exports becomes the canonical tables.

A mapping is a YAML file that says, per canonical table, which file holds it,
which source column fills each canonical column (or a constant, or a time
offset from two columns), the date formats, value translations, and how to
compute tables that are not in the exports as such (revenue from
subscription intervals). ``docs/mapping.md`` describes the format with
examples; two mappings ship in ``cskit/mappings/``: ``canonical`` (files
named after the tables, columns named as in the contract) and
``ravenstack`` (the RavenStack synthetic SaaS exports).

Every key is checked: an unknown one is refused with the closest valid
name, and every error names the mapping file and the key.
"""

from __future__ import annotations

import difflib
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cskit.exceptions import ConfigurationError
from cskit.schema import TABLES

__all__ = [
    "Constant",
    "Offset",
    "Join",
    "Intervals",
    "Derive",
    "CsvOptions",
    "TableMapping",
    "Mapping",
    "MAPPINGS_DIR",
    "load_mapping",
    "shipped_mappings",
]

logger = logging.getLogger(__name__)

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Constant(_Model):
    """A canonical column filled with one value on every row (``{value: USD}``)."""

    value: str | int | float | bool | None


class Offset(_Model):
    """A timestamp computed as a source timestamp plus a number of units.

    ``{start: submitted_at, add: first_response_time_minutes, unit: minutes}``
    gives ``submitted_at + first_response_time_minutes`` minutes; a blank
    ``add`` gives a blank result.
    """

    start: str
    add: str
    unit: Literal["seconds", "minutes", "hours", "days"] = "minutes"
    format: str | None = None


class Join(_Model):
    """A lookup that brings columns from another file, matched on a key.

    ``on`` names the key in the table's file, ``lookup_on`` in the lookup file
    (default: the same name); ``take`` lists the lookup columns to bring.
    """

    file: str
    on: str
    lookup_on: str | None = None
    take: list[str]


class Intervals(_Model):
    """Revenue rows expanded from subscription intervals.

    Each row of ``file`` (one subscription: ``account_id``, ``start``, ``end``,
    ``amount`` per month) becomes one revenue row per calendar month from its
    start month to its end month; a blank end runs to ``until``, or else to
    the month of the latest start or end date in the file. Subscriptions of an
    account that overlap in a month are summed.
    """

    file: str
    account_id: str
    start: str
    end: str | None = None
    amount: str
    seats: str | None = None
    currency: str | Constant | None = None
    format: str | None = None
    until: date | None = None


class Derive(_Model):
    """How to compute a table that the exports do not hold as such."""

    from_intervals: Intervals


class CsvOptions(_Model):
    """How CSV files are read: field separator and text encoding."""

    sep: str = ","
    encoding: str = "utf-8-sig"


class TableMapping(_Model):
    """Where one canonical table comes from and how its columns are filled."""

    file: str | list[str] | None = None
    join: list[Join] = []
    columns: dict[str, str | Constant | Offset] = {}
    formats: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    duplicates: Literal["error", "first", "last"] = "error"
    derive: Derive | None = None

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, values: Any) -> Any:
        # YAML reads TRUE, 1 or 1.5 as bool or number; match them as text.
        if not isinstance(values, dict):
            return values
        return {
            column: {str(k): str(v) for k, v in table.items()}
            if isinstance(table, dict)
            else table
            for column, table in values.items()
        }

    @property
    def patterns(self) -> list[str]:
        """Return the file patterns as a list (empty for derived tables)."""
        if self.file is None:
            return []
        return [self.file] if isinstance(self.file, str) else list(self.file)


class Mapping(_Model):
    """A parsed mapping file.

    Attributes
    ----------
    name : str
        The mapping's name (its ``name:`` key, else the file's stem).
    path : pathlib.Path or None
        The YAML file it was read from.
    tables : dict of str to TableMapping
        One entry per canonical table the mapping provides; tables not listed
        are absent from the workspace.
    """

    name: str
    description: str = ""
    path: Path | None = None
    csv: CsvOptions = CsvOptions()
    tables: dict[str, TableMapping] = {}


# Allowed keys at each level of the YAML file, for the unknown-key check.
_TOP_KEYS = ("name", "description", "csv", "tables")
_CSV_KEYS = tuple(CsvOptions.model_fields)
_TABLE_KEYS = tuple(TableMapping.model_fields)
_JOIN_KEYS = tuple(Join.model_fields)
_DERIVE_KEYS = tuple(Derive.model_fields)
_INTERVAL_KEYS = tuple(Intervals.model_fields)
_CONSTANT_KEYS = tuple(Constant.model_fields)
_OFFSET_KEYS = tuple(Offset.model_fields)


def shipped_mappings() -> list[str]:
    """Return the names of the mappings shipped with cskit.

    Returns
    -------
    list of str
        Sorted names, each usable as ``load_mapping(name)``.
    """
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(path_or_name: str | Path) -> Mapping:
    """Read and check a mapping file.

    Parameters
    ----------
    path_or_name : str or pathlib.Path
        A path to a YAML mapping file, or the name of a shipped mapping
        (see :func:`shipped_mappings`).

    Returns
    -------
    Mapping
        The parsed mapping.

    Raises
    ------
    ConfigurationError
        When the file is missing, is not valid YAML, has an unknown key (the
        message suggests the closest valid one) or a value of the wrong type;
        the message names the file and the key.

    Examples
    --------
    >>> load_mapping("canonical").tables["accounts"].patterns
    ['accounts.*']
    """
    path = _locate(path_or_name)
    raw = _read_yaml(path)
    _check_keys(raw, path)
    raw.setdefault("name", path.stem)
    try:
        mapping = Mapping.model_validate({**raw, "path": path})
    except ValidationError as error:
        raise _configuration_error(error, path) from None

    _check_tables(mapping, path)
    return mapping


def _locate(path_or_name: str | Path) -> Path:
    text = str(path_or_name)
    looks_like_path = isinstance(path_or_name, Path) or text.endswith((".yaml", ".yml"))
    if looks_like_path or "/" in text or "\\" in text:
        path = Path(path_or_name).expanduser()
        if not path.is_file():
            raise ConfigurationError(
                f"mapping file {str(path)!r} does not exist; pass the path of a "
                f"YAML mapping file or one of the shipped mappings "
                f"{shipped_mappings()}"
            )
        return path

    names = shipped_mappings()
    if text not in names:
        raise ConfigurationError(
            f"unknown mapping {text!r}{_suggest(text, names)}; the shipped "
            f"mappings are {names}, or pass the path of a YAML mapping file"
        )
    return MAPPINGS_DIR / f"{text}.yaml"


class _Loader(yaml.SafeLoader):
    """YAML loader where only true/false are booleans (``on:`` stays a key)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as error:
        raise ConfigurationError(
            f"mapping file {str(path)!r} is not valid YAML: {error}"
        ) from None

    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f"mapping file {str(path)!r} must hold a YAML mapping with the keys "
            f"{list(_TOP_KEYS)}, not a {type(raw).__name__}"
        )
    return raw


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _refuse(key, allowed, where: str, path: Path) -> ConfigurationError:
    return ConfigurationError(
        f"mapping file {str(path)!r}: unknown key {key!r} in {where}"
        f"{_suggest(key, allowed)}; the valid keys there are {list(allowed)}"
    )


def _check_known(section: Any, allowed, where: str, path: Path) -> None:
    if not isinstance(section, dict):
        return
    for key in section:
        if key not in allowed:
            raise _refuse(key, allowed, where, path)


def _check_keys(raw: dict, path: Path) -> None:
    """Refuse unknown keys anywhere in the file, suggesting the closest."""
    _check_known(raw, _TOP_KEYS, "the top level", path)
    _check_known(raw.get("csv"), _CSV_KEYS, "'csv'", path)
    tables = raw.get("tables") or {}
    _check_known(tables, tuple(TABLES), "'tables' (canonical table names)", path)
    if not isinstance(tables, dict):
        return

    for name, table in tables.items():
        _check_table_keys(name, table, path)


def _check_table_keys(name: str, table: Any, path: Path) -> None:
    where = f"tables.{name}"
    _check_known(table, _TABLE_KEYS, where, path)
    if not isinstance(table, dict):
        return

    canonical = TABLES[name].column_names
    for section in ("columns", "formats", "values"):
        _check_known(table.get(section), canonical, f"{where}.{section}", path)
    for column, spec in (table.get("columns") or {}).items():
        if isinstance(spec, dict):
            allowed = _OFFSET_KEYS if "start" in spec else _CONSTANT_KEYS
            _check_known(spec, allowed, f"{where}.columns.{column}", path)

    for step in table.get("join") or []:
        _check_known(step, _JOIN_KEYS, f"{where}.join", path)
    derive = table.get("derive")
    _check_known(derive, _DERIVE_KEYS, f"{where}.derive", path)
    if isinstance(derive, dict):
        intervals = derive.get("from_intervals")
        _check_known(intervals, _INTERVAL_KEYS, f"{where}.derive.from_intervals", path)


def _configuration_error(error: ValidationError, path: Path) -> ConfigurationError:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"] if not _is_type_tag(part))
    return ConfigurationError(
        f"mapping file {str(path)!r}: key {key!r} has the value "
        f"{first.get('input')!r}, which is not valid: {first['msg']}. "
        "See docs/mapping.md for the format."
    )


def _is_type_tag(part) -> bool:
    # pydantic adds the tried union member ('str', 'Constant') to the location.
    return isinstance(part, str) and (part[:1].isupper() or part in ("str", "list"))


def _check_tables(mapping: Mapping, path: Path) -> None:
    for name, table in mapping.tables.items():
        has_file = table.file is not None
        if has_file == (table.derive is not None):
            raise ConfigurationError(
                f"mapping file {str(path)!r}: table {name!r} needs exactly one of "
                "'file' (read it from files) or 'derive' (compute it)"
            )
        if table.derive is not None and name != "revenue":
            raise ConfigurationError(
                f"mapping file {str(path)!r}: 'derive: from_intervals' makes the "
                f"revenue table, not {name!r}; give {name!r} a 'file' instead"
            )
