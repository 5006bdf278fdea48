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

The module also applies the rules to rows already read
(:func:`apply_columns`, :func:`translate_values`, :func:`expand_intervals`);
:mod:`cskit.ingest` reads the files and validates the result.

Limitations
-----------
A month counts in full for every interval active on any day of it, so a
subscription replaced mid-month is counted twice in that month. Open-ended
intervals stop at the latest date of their own file unless ``until`` is set.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cskit.exceptions import ConfigurationError
from cskit.schema import PLACEHOLDERS, TABLES

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
    "apply_columns",
    "translate_values",
    "expand_intervals",
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


def apply_columns(
    name: str, raw: pd.DataFrame, rule: TableMapping, *, files: list
) -> tuple[pd.DataFrame, dict[str, str], list[dict]]:
    """Fill the canonical columns of table ``name`` from the source columns.

    Parameters
    ----------
    name : str
        Canonical table name.
    raw : pandas.DataFrame
        The rows as read (source column names, text values).
    rule : TableMapping
        The table's mapping; canonical columns it does not list are taken
        from source columns of the same name when present.
    files : list
        The files the rows came from, named in problems.

    Returns
    -------
    frame : pandas.DataFrame
        The canonical columns found (same index as ``raw``).
    sources : dict of str to str
        Canonical column -> the source column (or expression) it came from.
    problems : list of dict
        One per mapped source column absent from the file.
    """
    out: dict[str, pd.Series] = {}
    sources: dict[str, str] = {}
    problems: list[dict] = []
    for column in TABLES[name].column_names:
        spec = rule.columns.get(column, column if column in raw else None)
        if spec is None:
            continue
        if isinstance(spec, Constant):
            out[column] = pd.Series(_constant_text(spec.value), index=raw.index)
            sources[column] = column
            continue

        needed = [spec] if isinstance(spec, str) else [spec.start, spec.add]
        absent = [source for source in needed if source not in raw]
        if absent:
            problems.append(_missing_source(name, column, absent[0], raw, files))
        elif isinstance(spec, str):
            out[column] = raw[spec]
            sources[column] = spec
        else:
            out[column] = _offset(raw[spec.start], raw[spec.add], spec)
            sources[column] = f"{spec.start} + {spec.add}"
    return pd.DataFrame(out, index=raw.index), sources, problems


def _missing_source(name, column, source_column, raw, files) -> dict:
    return {
        "table": name,
        "canonical": column,
        "file": ", ".join(str(f) for f in files),
        "column": source_column,
        "row": None,
        "value": None,
        "problem": (
            f"the mapping fills {column!r} from column {source_column!r}, which "
            f"is not in the file; the columns present are {list(raw.columns)}. "
            "Fix the mapping file or the export"
        ),
    }


def _constant_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@functools.lru_cache(maxsize=65536)
def _parse_one(text: str, fmt: str | None):
    """Parse one date or timestamp text; None when it cannot be read."""
    try:
        moment = pd.to_datetime(text, format=fmt) if fmt else pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(moment) else moment


def _offset(start: pd.Series, add: pd.Series, spec: Offset) -> pd.Series:
    """Return ``start + add`` units as ISO text (blank when either is blank).

    A value that cannot be read is written as ``"<start> + <add> <unit>"``,
    so validation reports it with the row and both inputs.
    """
    results = []
    for begin, amount in zip(start.astype(str), add.astype(str), strict=True):
        begin, amount = begin.strip(), amount.strip()
        if begin.lower() in PLACEHOLDERS or amount.lower() in PLACEHOLDERS:
            results.append("")
            continue

        moment = _parse_one(begin, spec.format)
        number = pd.to_numeric(amount, errors="coerce")
        if moment is None or pd.isna(number):
            results.append(f"{begin} + {amount} {spec.unit}")
        else:
            shifted = moment + pd.Timedelta(**{spec.unit: float(number)})
            results.append(shifted.isoformat())
    return pd.Series(results, index=start.index, dtype="str")


def translate_values(frame: pd.DataFrame, values: dict) -> pd.DataFrame:
    """Replace source values by canonical ones, matched ignoring case and spaces.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical columns; changed in place and returned.
    values : dict
        Column -> {source value: canonical value}. Values not listed stay.

    Returns
    -------
    pandas.DataFrame
    """
    for column, table in values.items():
        if column not in frame:
            continue
        lookup = {key.strip().lower(): value for key, value in table.items()}
        key = frame[column].astype(str).str.strip().str.lower()
        mapped = key.map(lookup)
        frame[column] = mapped.where(mapped.notna(), frame[column])
    return frame


def expand_intervals(
    raw: pd.DataFrame, origin: pd.DataFrame, spec: Intervals
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Turn subscription intervals into revenue rows, one per account and month.

    Parameters
    ----------
    raw : pandas.DataFrame
        The subscriptions file as read (text), with the columns ``spec`` names.
    origin : pandas.DataFrame
        The ``file`` and ``line`` of each row of ``raw``.
    spec : Intervals
        Which columns hold the account, start, end, amount, seats, currency.

    Returns
    -------
    frame : pandas.DataFrame
        ``account_id``, ``month`` (first day, as text), ``mrr``, ``currency``
        and ``seats``; overlapping intervals of an account are summed.
    origin : pandas.DataFrame
        For each revenue row, the file and line of its first interval.
    problems : list of dict
        Unreadable dates or amounts, and ends before starts; those intervals
        are left out of ``frame``.

    Examples
    --------
    >>> raw = pd.DataFrame({"a": ["1"], "s": ["2024-01-31"], "e": ["2024-03-01"],
    ...                     "m": ["10"]})
    >>> where = pd.DataFrame({"file": ["subs.csv"], "line": [2]})
    >>> spec = Intervals(file="subs.csv", account_id="a", start="s", end="e",
    ...                  amount="m")
    >>> expand_intervals(raw, where, spec)[0]["month"].tolist()
    ['2024-01-01', '2024-02-01', '2024-03-01']
    """
    intervals, problems = _read_intervals(raw, spec, origin)
    frame, positions = _expand_months(intervals, spec)
    return frame, origin.iloc[positions].reset_index(drop=True), problems


def _parse_dates(text: pd.Series, fmt: str | None) -> pd.Series:
    """Parse date texts (by unique value); unreadable or blank ones are NaT."""

    def one(value: str):
        moment = _parse_one(value, fmt) if value else None
        if moment is None:
            return pd.NaT
        return moment.tz_convert("UTC").tz_localize(None) if moment.tzinfo else moment

    stripped = text.astype(str).str.strip()
    parsed = {value: one(value) for value in stripped.unique()}
    return pd.to_datetime(stripped.map(parsed)).astype("datetime64[us]")


def _read_intervals(raw: pd.DataFrame, spec: Intervals, origin: pd.DataFrame):
    """Return the readable intervals (with their row position) and problems."""
    problems: list[dict] = []
    start = _parse_dates(raw[spec.start], spec.format)
    end = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    if spec.end:
        end = _parse_dates(raw[spec.end], spec.format)
    amount = pd.to_numeric(raw[spec.amount].astype(str).str.strip(), errors="coerce")

    checks = [
        (
            spec.start,
            start.isna(),
            "start date missing or unreadable; set 'format:' under from_intervals",
        ),
        (
            spec.end,
            end.isna() & _filled(raw, spec.end),
            "end date unreadable; "
            "set 'format:' under from_intervals or blank it (open-ended)",
        ),
        (spec.amount, amount.isna(), "amount missing or not a number"),
        (spec.end, end < start, "end date before the start date"),
    ]
    bad = pd.Series(False, index=raw.index)
    for column, mask, problem in checks:
        for position in np.flatnonzero(mask.to_numpy()):
            problems.append(_interval_problem(raw, column, position, problem, origin))
        bad |= mask.fillna(False)

    seats = raw[spec.seats] if spec.seats else pd.Series(np.nan, index=raw.index)
    currency = _currency(raw, spec)
    intervals = pd.DataFrame(
        {
            "account_id": raw[spec.account_id].astype(str).str.strip(),
            "start": start,
            "end": end,
            "amount": amount,
            "seats": pd.to_numeric(seats, errors="coerce"),
            "currency": currency,
            "position": np.arange(len(raw)),
        }
    )
    return intervals[~bad.to_numpy()], problems


def _filled(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if not column:
        return pd.Series(False, index=raw.index)
    return raw[column].astype(str).str.strip().ne("")


def _currency(raw: pd.DataFrame, spec: Intervals) -> pd.Series:
    if isinstance(spec.currency, Constant):
        return pd.Series(_constant_text(spec.currency.value), index=raw.index)
    if isinstance(spec.currency, str):
        return raw[spec.currency].astype(str).str.strip()
    return pd.Series("", index=raw.index)


def _interval_problem(raw, column, position, problem, origin) -> dict:
    value = raw[column].iloc[position] if column in raw else None
    return {
        "table": "revenue",
        "file": origin["file"].iloc[position],
        "column": column,
        "row": int(origin["line"].iloc[position]),
        "value": None if value in (None, "") else str(value),
        "problem": problem,
    }


def _expand_months(intervals: pd.DataFrame, spec: Intervals):
    """Return one row per account, month and currency, and its first interval."""
    if intervals.empty:
        return _empty_revenue(), np.array([], dtype=int)
    first = intervals["start"].dt.year * 12 + intervals["start"].dt.month - 1
    until = pd.Timestamp(spec.until) if spec.until else _data_end(intervals)
    ends = intervals["end"].fillna(until)
    last = ends.dt.year * 12 + ends.dt.month - 1
    months = (last - first + 1).clip(lower=0).astype(int).to_numpy()

    rows = np.repeat(np.arange(len(intervals)), months)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(months) - months, months)
    expanded = intervals.iloc[rows].reset_index(drop=True)
    expanded["month"] = np.repeat(first.to_numpy(), months) + step

    grouped = (
        expanded.groupby(["account_id", "month", "currency"], sort=True)
        .agg(
            mrr=("amount", "sum"),
            seats=("seats", lambda s: s.sum(min_count=1)),
            position=("position", "min"),
        )
        .reset_index()
    )
    month_text = [f"{m // 12:04d}-{m % 12 + 1:02d}-01" for m in grouped["month"]]
    frame = pd.DataFrame(
        {
            "account_id": grouped["account_id"].astype("str"),
            "month": pd.Series(month_text, dtype="str"),
            "mrr": grouped["mrr"].astype("float64"),
            "currency": grouped["currency"].astype("str"),
            "seats": grouped["seats"],
        }
    )
    return frame, grouped["position"].to_numpy()


def _empty_revenue() -> pd.DataFrame:
    columns = ["account_id", "month", "mrr", "currency", "seats"]
    return pd.DataFrame({column: pd.Series(dtype="str") for column in columns})


def _data_end(intervals: pd.DataFrame) -> pd.Timestamp:
    """Return the latest start or end date: where open intervals stop."""
    latest = pd.concat([intervals["start"], intervals["end"]]).max()
    return latest if pd.notna(latest) else pd.Timestamp("1970-01-01")
