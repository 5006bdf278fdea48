"""The canonical data contract: tables, columns, coercion and validation.

Every table a user brings in is first *coerced* column by column to the
canonical in-memory types, then *validated* with a pandera schema. Both
steps collect every problem of a table before failing, so one error lists
all that is wrong with a file (file, column, row, value, what to do).

In-memory types, the same in every layer of cskit:

- ids and text: pandas ``str`` dtype, missing as NaN; ids are never numbers,
  so ``00123`` keeps its leading zeros;
- timestamps: ``datetime64[us, UTC]``; a naive value is read in the row's
  account timezone (default UTC) and converted to UTC;
- dates: ``datetime64[us]`` at midnight, a calendar date of the account;
- counts: nullable ``Int64``; amounts and scores: ``float64``;
- flags: nullable ``boolean`` (yes/no, true/false, 1/0, y/n are read);
- enumerations: lower-case text from a closed set;
- lists (``tickets.tags``, ``revenue.modules``): Python lists of text.

Limitations
-----------
A wall-clock time that a daylight-saving change makes ambiguous is read as
its first occurrence, and one that does not exist is moved forward to the
first valid instant. Day-first and month-first dates are told apart only by
an explicit ``format`` in the mapping file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pandera.pandas as pa

from cskit.exceptions import SchemaValidationError

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "PLACEHOLDERS",
    "coerce_table",
    "validate_table",
    "empty_table",
    "SURVEY_SCALES",
]

PLACEHOLDERS = frozenset({"", "n/a", "na", "nan", "null", "none", "-", "--", "nat"})
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Column name.
    kind : str
        One of ``id``, ``text``, ``timestamp``, ``date``, ``int``, ``float``,
        ``bool``, ``enum``, ``list``, ``timezone``, ``currency``.
    required : bool
        Whether the column must be present in the source.
    nullable : bool
        Whether a value may be missing.
    choices : tuple of str
        The allowed values of an ``enum`` column.
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns and its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    unique_key: bool = True
    parent: str | None = field(default=None)

    @property
    def column_names(self) -> list[str]:
        """Return the canonical column names in order."""
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(column for column in self.columns if column.name == name)


def _key(name: str, kind: str = "id") -> Column:
    return Column(name, kind, required=True, nullable=False)


SEGMENTS = ("smb", "mid_market", "enterprise")
ROLES = (
    "developer",
    "end_user",
    "admin",
    "champion",
    "exec_sponsor",
    "economic_buyer",
    "other",
)
PRIORITIES = ("low", "normal", "high", "urgent")
SURVEY_KINDS = ("nps", "csat", "ces")
CALL_KINDS = (
    "kickoff",
    "training",
    "office_hours",
    "dev_on_demand",
    "qbr",
    "exec_sponsor",
    "other",
)
ACCOUNT_EVENT_KINDS = (
    "renewed",
    "churned",
    "downgraded",
    "upgraded",
    "reactivated",
    "paused",
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table(
            "accounts",
            (
                _key("account_id"),
                Column("name", "text"),
                Column("segment", "enum", choices=SEGMENTS),
                Column("tier", "text"),
                Column("plan", "text"),
                Column("csm", "text"),
                Column("timezone", "timezone"),
                Column("currency", "currency"),
                Column("contract_start", "date"),
                Column("renewal_date", "date"),
                Column("kickoff_date", "date"),
                Column("seats_licensed", "int"),
                Column("has_roadmap", "bool"),
                Column("churned_at", "date"),
            ),
            key=("account_id",),
        ),
        Table(
            "contacts",
            (
                _key("contact_id"),
                _key("account_id"),
                Column("name", "text"),
                Column("email", "text"),
                Column("title", "text"),
                Column("department", "text"),
                Column("role", "enum", choices=ROLES),
                Column("is_champion", "bool"),
                Column("manager_id", "id"),
                Column("created_at", "timestamp"),
                Column("left_at", "timestamp"),
            ),
            key=("contact_id",),
        ),
        Table(
            "events",
            (
                _key("ts", "timestamp"),
                _key("account_id"),
                Column("contact_id", "id"),
                Column("event", "text", required=True, nullable=False),
                Column("app_id", "id"),
                Column("count", "int"),
            ),
            key=("ts", "account_id", "contact_id", "event"),
            unique_key=False,
        ),
        Table(
            "apps",
            (
                _key("app_id"),
                _key("account_id"),
                Column("name", "text"),
                Column("owner_id", "id"),
                Column("created_at", "timestamp"),
                Column("published_at", "timestamp"),
                Column("archived_at", "timestamp"),
            ),
            key=("app_id",),
        ),
        Table(
            "app_usage",
            (
                _key("date", "date"),
                _key("app_id"),
                _key("end_user_id"),
                _key("account_id"),
            ),
            key=("date", "app_id", "end_user_id"),
        ),
        Table(
            "tickets",
            (
                _key("ticket_id"),
                _key("account_id"),
                Column("requester_id", "id"),
                Column("created_at", "timestamp", required=True, nullable=False),
                Column("first_response_at", "timestamp"),
                Column("solved_at", "timestamp"),
                Column("priority", "enum", choices=PRIORITIES),
                Column("status", "text"),
                Column("tags", "list"),
                Column("subject", "text"),
                Column("description", "text"),
                Column("satisfaction", "text"),
                Column("channel", "text"),
            ),
            key=("ticket_id",),
        ),
        Table(
            "ticket_comments",
            (
                _key("ticket_id"),
                _key("created_at", "timestamp"),
                Column("author_side", "enum", choices=("customer", "agent")),
                Column("body", "text"),
            ),
            key=("ticket_id", "created_at"),
            parent="tickets",
        ),
        Table(
            "surveys",
            (
                _key("response_id"),
                _key("account_id"),
                Column("contact_id", "id"),
                Column("submitted_at", "timestamp", required=True, nullable=False),
                Column(
                    "kind", "enum", required=True, nullable=False, choices=SURVEY_KINDS
                ),
                Column("score", "float"),
                Column("comment", "text"),
            ),
            key=("response_id",),
        ),
        Table(
            "calls",
            (
                _key("call_id"),
                _key("account_id"),
                Column("started_at", "timestamp", required=True, nullable=False),
                Column("kind", "enum", choices=CALL_KINDS),
                Column("title", "text"),
            ),
            key=("call_id",),
        ),
        Table(
            "call_turns",
            (
                _key("call_id"),
                _key("seq", "int"),
                Column("speaker", "text"),
                Column("side", "enum", choices=("customer", "vendor")),
                Column("text", "text"),
            ),
            key=("call_id", "seq"),
            parent="calls",
        ),
        Table(
            "revenue",
            (
                _key("account_id"),
                _key("month", "date"),
                Column("mrr", "float", required=True, nullable=False),
                Column("currency", "currency"),
                Column("seats", "int"),
                Column("modules", "list"),
            ),
            key=("account_id", "month"),
        ),
        Table(
            "fx_rates",
            (
                _key("currency", "currency"),
                _key("month", "date"),
                Column("rate", "float", required=True, nullable=False),
            ),
            key=("currency", "month"),
        ),
        Table(
            "account_events",
            (
                _key("account_id"),
                _key("date", "date"),
                Column(
                    "kind",
                    "enum",
                    required=True,
                    nullable=False,
                    choices=ACCOUNT_EVENT_KINDS,
                ),
                Column("reason", "text"),
                Column("mrr_change", "float"),
                Column("notes", "text"),
            ),
            key=("account_id", "date", "kind"),
        ),
        Table(
            "touchpoints",
            (
                _key("touchpoint_id"),
                _key("account_id"),
                Column("ts", "timestamp", required=True, nullable=False),
                Column("kind", "text"),
                Column("invited", "int"),
                Column("attended", "int"),
                Column("notes", "text"),
            ),
            key=("touchpoint_id",),
        ),
        Table(
            "kpis",
            (
                _key("account_id"),
                _key("kpi", "text"),
                _key("measured_at", "date"),
                Column("unit", "text"),
                Column("direction", "enum", choices=("up", "down")),
                Column("baseline", "float"),
                Column("target", "float"),
                Column("current", "float"),
                Column("annual_value", "float"),
            ),
            key=("account_id", "kpi", "measured_at"),
        ),
    ]
}

_DTYPES = {
    "id": "str",
    "text": "str",
    "enum": "str",
    "timezone": "str",
    "currency": "str",
    "timestamp": "datetime64[us, UTC]",
    "date": "datetime64[us]",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "list": "object",
}


def empty_table(name: str) -> pd.DataFrame:
    """Return an empty DataFrame with the canonical columns and dtypes of ``name``.

    Parameters
    ----------
    name : str
        A canonical table name, a key of :data:`TABLES`.

    Returns
    -------
    pandas.DataFrame
        No rows; one column per canonical column, in contract order.
    """
    table = TABLES[name]
    return pd.DataFrame(
        {c.name: pd.Series(dtype=_DTYPES[c.kind]) for c in table.columns}
    )


class _Problems:
    """Collects problems of one table as rows for :class:`SchemaValidationError`."""

    def __init__(self, source: str):
        self.source = source
        self.rows: list[dict] = []

    def add(self, column: str, rows, values, problem: str) -> None:
        for row, value in zip(rows, values, strict=True):
            self.rows.append(
                {
                    "file": self.source,
                    "column": column,
                    "row": None if row is None else int(row) + 2,
                    "value": None if _is_blank(value) else str(value),
                    "problem": problem,
                }
            )

    def raise_if_any(self, table: str) -> None:
        if self.rows:
            frame = pd.DataFrame(self.rows, columns=list(self.rows[0]))
            frame = frame.sort_values(["row", "column"], na_position="first")
            raise SchemaValidationError(
                table, self.source, frame.reset_index(drop=True)
            )


def _is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip().lower() in PLACEHOLDERS


def _blank_mask(series: pd.Series) -> pd.Series:
    text = series.astype("str").str.strip().str.lower()
    return series.isna() | text.isin(PLACEHOLDERS)


def _as_text(series: pd.Series) -> pd.Series:
    """Return text with blanks and placeholders as NaN and ids kept verbatim."""
    blank = _blank_mask(series)
    text = series.map(_text_of, na_action="ignore").astype("str")
    return text.mask(blank).str.strip()


def _text_of(value) -> str:
    # A float id such as 123.0 came from a numeric column: give back "123".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coerce_number(series, column, problems, *, integer):
    blank = _blank_mask(series)
    text = series.astype("str").str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text.mask(blank), errors="coerce")
    bad = values.isna() & ~blank
    if integer:
        fractional = values.notna() & (values % 1 != 0)
        problems.add(
            column,
            series.index[fractional],
            series[fractional],
            "expected a whole number; round it in the source or map the column "
            "to a decimal one",
        )
        values = values.mask(fractional)
    problems.add(
        column, series.index[bad], series[bad], "not a number; fix or blank the value"
    )
    return values.astype("Int64" if integer else "float64")


def _coerce_bool(series, column, problems):
    blank = _blank_mask(series)
    text = series.astype("str").str.strip().str.lower()
    values = pd.Series(pd.NA, index=series.index, dtype="boolean")
    values[text.isin(_TRUE)] = True
    values[text.isin(_FALSE)] = False
    bad = values.isna() & ~blank
    problems.add(
        column,
        series.index[bad],
        series[bad],
        "expected a yes/no value (true/false, yes/no, 1/0)",
    )
    return values


def _coerce_enum(series, column, problems, choices):
    text = _as_text(series).str.lower().str.replace(r"[\s-]+", "_", regex=True)
    bad = text.notna() & ~text.isin(choices)
    problems.add(
        column,
        series.index[bad],
        series[bad],
        f"not one of {list(choices)}; map the value with 'values:' in the mapping file",
    )
    return text.mask(bad)


def _coerce_list(series):
    def split(value):
        if isinstance(value, (list, tuple, np.ndarray)):
            return [str(item).strip() for item in value if not _is_blank(item)]
        if _is_blank(value):
            return []
        parts = re.split(r"[;,]", str(value))
        return [part.strip() for part in parts if part.strip()]

    return pd.Series([split(v) for v in series], index=series.index, dtype="object")


def _coerce_timezone(series, column, problems):
    text = _as_text(series)
    known = {name: _zone_exists(name) for name in text.dropna().unique()}
    bad = text.notna() & ~text.map(known).fillna(True).astype(bool)
    problems.add(
        column,
        series.index[bad],
        series[bad],
        "not an IANA timezone name such as 'Europe/Berlin'",
    )
    return text.mask(bad)


def _zone_exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _coerce_currency(series, column, problems):
    text = _as_text(series).str.upper()
    bad = text.notna() & ~text.str.match(_CURRENCY).fillna(False).astype(bool)
    problems.add(
        column, series.index[bad], series[bad], "not an ISO 4217 code such as 'EUR'"
    )
    return text.mask(bad)


def _parse_datetimes(text: pd.Series, fmt: str | None) -> pd.Series:
    """Parse text to timestamps, UTC where an offset was given, else naive."""
    if fmt:
        return pd.to_datetime(text, format=fmt, errors="coerce")
    try:
        return pd.to_datetime(text, format="ISO8601", errors="raise")
    except (ValueError, TypeError):
        return pd.to_datetime(text, format="mixed", errors="coerce")


def _coerce_timestamp(series, column, problems, *, fmt, zones, as_date):
    blank = _blank_mask(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed_naive, parsed_aware = _split_datetime_series(series)
    else:
        text = series.astype("str").str.strip().mask(blank)
        has_offset = text.str.contains(_OFFSET, na=False)
        parsed_aware = pd.to_datetime(
            text[has_offset], utc=True, errors="coerce", format=fmt or "ISO8601"
        )
        parsed_naive = _parse_datetimes(text[~has_offset & ~blank], fmt)
        if getattr(parsed_naive.dtype, "tz", None) is not None:
            parsed_naive = parsed_naive.dt.tz_convert("UTC").dt.tz_localize(None)
    local = _localize(parsed_naive, zones)
    result = pd.concat([parsed_aware, local]).reindex(series.index)
    result = result.astype("datetime64[us, UTC]")
    bad = result.isna() & ~blank
    hint = (
        "a date such as 2024-03-31"
        if as_date
        else "a timestamp such as 2024-03-31 14:05"
    )
    problems.add(
        column,
        series.index[bad],
        series[bad],
        f"cannot be read as {hint}; set 'format:' for this column in the mapping file",
    )
    if as_date:
        return _local_dates(result, zones)
    return result


def _split_datetime_series(series):
    if series.dt.tz is None:
        return series.dropna(), pd.Series(dtype="datetime64[us, UTC]")
    return pd.Series(dtype="datetime64[us]"), series.dt.tz_convert("UTC").dropna()


def _localize(naive: pd.Series, zones: pd.Series) -> pd.Series:
    """Read naive timestamps in each row's timezone and return them in UTC."""
    naive = pd.to_datetime(naive, errors="coerce").dropna()
    if naive.empty:
        return pd.Series(dtype="datetime64[us, UTC]")
    parts = []
    for zone, rows in naive.groupby(_zones_for(zones, naive.index)):
        flags = np.ones(len(rows), dtype=bool)
        localized = rows.dt.tz_localize(
            zone, ambiguous=flags, nonexistent="shift_forward"
        )
        parts.append(localized.dt.tz_convert("UTC"))
    return pd.concat(parts)


def _zones_for(zones: pd.Series, index) -> pd.Series:
    """Return each row's timezone name, UTC where none is known."""
    picked = zones.reindex(index).astype(object)
    return picked.where(picked.notna(), "UTC").astype(str)


def _local_dates(utc: pd.Series, zones: pd.Series) -> pd.Series:
    """Return the calendar date of each UTC instant in its row's timezone."""
    dates = pd.Series(pd.NaT, index=utc.index, dtype="datetime64[us]")
    valid = utc.dropna()
    for zone, rows in valid.groupby(_zones_for(zones, valid.index)):
        local = rows.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
        dates[local.index] = local.astype("datetime64[us]")
    return dates


def coerce_table(
    name: str,
    frame: pd.DataFrame,
    *,
    source: str = "<data>",
    timezones: pd.Series | None = None,
    formats: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Coerce a table to the canonical columns and types.

    Parameters
    ----------
    name : str
        Canonical table name (``accounts``, ``events``, ...).
    frame : pandas.DataFrame
        The rows as read from the source, columns already renamed to the
        canonical names. Unknown columns are dropped; optional canonical
        columns that are absent are added empty.
    source : str
        The file the rows came from, named in every problem.
    timezones : pandas.Series, optional
        IANA timezone of each row (same index as ``frame``); naive timestamps
        are read in it. Rows without one, or all rows when it is not given,
        use UTC (for ``accounts``, the table's own ``timezone`` column).
    formats : dict, optional
        ``strftime`` format per date or timestamp column.

    Returns
    -------
    pandas.DataFrame
        The canonical columns in contract order with canonical dtypes.

    Raises
    ------
    SchemaValidationError
        Listing every required column that is missing and every value that
        could not be read, with file, column, row and value.
    """
    problems = _Problems(source)
    coerced = _coerce(name, frame, problems, timezones, formats)
    problems.raise_if_any(name)
    return coerced


def _coerce(name, frame, problems, timezones, formats):
    table = _table(name)
    frame = frame.reset_index(drop=True)
    _check_required(table, frame, problems)
    if problems.rows:
        problems.raise_if_any(name)

    zones = _row_timezones(table, frame, timezones)
    columns = {}
    for column in table.columns:
        raw = frame[column.name] if column.name in frame else None
        columns[column.name] = _coerce_column(
            column, raw, len(frame), problems, (formats or {}).get(column.name), zones
        )
    coerced = pd.DataFrame(columns, index=frame.index)
    if name == "events":
        coerced["count"] = coerced["count"].fillna(1)
    if name == "surveys":
        _check_survey_scores(coerced, frame, problems)
    if name == "revenue":
        _check_non_negative(coerced, frame, "mrr", problems)
    return coerced


# The scale of each survey kind: lowest and highest whole-number answer.
SURVEY_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _check_survey_scores(coerced, frame, problems) -> None:
    """Report scores outside their kind's scale, or not whole numbers."""
    for kind, (low, high) in SURVEY_SCALES.items():
        score = coerced["score"].where(coerced["kind"] == kind)
        bad = score.notna() & ((score < low) | (score > high) | (score % 1 != 0))
        problems.add(
            "score", frame.index[bad], frame.loc[bad, "score"],
            f"a {kind} score must be a whole number from {low} to {high}; fix the "
            "value or remove the response",
        )


def _check_non_negative(coerced, frame, column, problems) -> None:
    bad = coerced[column] < 0
    problems.add(
        column, frame.index[bad], frame.loc[bad, column],
        "must not be negative; record a refund or a credit outside the MRR",
    )


def _table(name: str) -> Table:
    if name not in TABLES:
        raise KeyError(
            f"unknown table {name!r}; the canonical tables are {sorted(TABLES)}"
        )
    return TABLES[name]


def _check_required(table, frame, problems):
    for column in table.columns:
        if column.required and column.name not in frame.columns:
            problems.add(
                column.name,
                [None],
                [None],
                f"required column is missing; the columns present are "
                f"{list(map(str, frame.columns))}; rename it in the source or map "
                "it under 'columns:' in the mapping file",
            )


def _row_timezones(table, frame, timezones):
    if timezones is not None:
        return timezones.reset_index(drop=True).reindex(frame.index)
    if table.name == "accounts" and "timezone" in frame:
        zones = _as_text(frame["timezone"])
        return zones.where(zones.map(lambda z: _zone_exists(z) if z == z else False))
    return pd.Series("UTC", index=frame.index)


def _coerce_column(column, raw, length, problems, fmt, zones):
    if raw is None:
        if column.kind == "list":
            return pd.Series([[] for _ in range(length)], dtype="object")
        return pd.Series(
            pd.NA if column.kind in ("int", "bool") else np.nan, index=range(length)
        ).astype(_DTYPES[column.kind])
    kind = column.kind
    if kind in ("id", "text"):
        return _as_text(raw)
    if kind in ("int", "float"):
        return _coerce_number(raw, column.name, problems, integer=kind == "int")
    if kind == "bool":
        return _coerce_bool(raw, column.name, problems)
    if kind == "enum":
        return _coerce_enum(raw, column.name, problems, column.choices)
    if kind == "list":
        return _coerce_list(raw)
    if kind == "timezone":
        return _coerce_timezone(raw, column.name, problems)
    if kind == "currency":
        return _coerce_currency(raw, column.name, problems)
    return _coerce_timestamp(
        raw, column.name, problems, fmt=fmt, zones=zones, as_date=kind == "date"
    )


def _pandera_schema(table: Table) -> pa.DataFrameSchema:
    columns = {}
    for column in table.columns:
        checks = []
        if column.kind == "enum":
            checks.append(pa.Check.isin(list(column.choices)))
        unique = table.unique_key and table.key == (column.name,)
        columns[column.name] = pa.Column(
            nullable=column.nullable, unique=unique, checks=checks or None
        )
    unique = list(table.key) if table.unique_key and len(table.key) > 1 else None
    return pa.DataFrameSchema(columns, unique=unique, strict=False)


_CHECK_ADVICE = {
    "not_nullable": "a value is required here; fill it in or drop the row",
    "field_uniqueness": "duplicated key; each value must appear once, remove or "
    "merge the duplicated rows",
    "multiple_fields_uniqueness": "duplicated key; each key must appear once, "
    "remove or merge the duplicated rows",
}


def validate_table(
    name: str,
    frame: pd.DataFrame,
    *,
    source: str = "<data>",
    timezones: pd.Series | None = None,
    formats: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Coerce a table and check it against the contract.

    The checks are: required columns present, values readable, keys not
    missing and unique, enumerations within their set. Every problem is
    collected before the error is raised.

    Parameters
    ----------
    name, frame, source, timezones, formats
        As for :func:`coerce_table`.

    Returns
    -------
    pandas.DataFrame
        The coerced table.

    Raises
    ------
    SchemaValidationError
        With one row per problem in ``.problems``.

    Examples
    --------
    >>> import pandas as pd
    >>> accounts = pd.DataFrame({"account_id": ["00123"], "timezone": ["UTC"]})
    >>> validate_table("accounts", accounts)["account_id"].tolist()
    ['00123']
    """
    problems = _Problems(source)
    coerced = _coerce(name, frame, problems, timezones, formats)
    schema = _pandera_schema(_table(name))
    try:
        schema.validate(coerced, lazy=True)
    except pa.errors.SchemaErrors as error:
        _collect_pandera(error.failure_cases, coerced, problems)
    problems.raise_if_any(name)
    return coerced


def _collect_pandera(cases: pd.DataFrame, frame: pd.DataFrame, problems) -> None:
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = (
            case.column
            if isinstance(case.column, str)
            else "/".join(map(str, frame.columns))
        )
        advice = _CHECK_ADVICE.get(check.split("(")[0], f"failed check {check}")
        row = None if pd.isna(case.index) else int(case.index)
        problems.add(str(column), [row], [case.failure_case], advice)
