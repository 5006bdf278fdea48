"""Shared machinery of the metrics: results, context, masks and statuses.

Every metric is computed for every account of the tables at once into a
*frame*: one row per account with ``value``, ``status``, ``reason`` and
``warning``. A one-account function runs the same code on one account's
slice and reads the single row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, MissingColumnError
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings
from cskit.schema import TABLES

__all__ = [
    "OK",
    "NOT_AVAILABLE",
    "UNDEFINED",
    "UNITS",
    "MetricResult",
    "Context",
    "AsOf",
    "Tables",
    "Frame",
    "absent",
    "check_timezone",
    "context",
    "date_mask",
    "local_dates",
    "mark",
    "ok_frame",
    "require",
    "single",
    "to_result",
    "ts_mask",
    "unavailable",
    "utc_instants",
    "warn",
    "DEFAULT_SETTINGS",
    "MetricSettings",
]

logger = logging.getLogger(__name__)

OK = "ok"
NOT_AVAILABLE = "not_available"
UNDEFINED = "undefined"

UNITS: dict[str, str] = {
    "activated_developers": "count",
    "mad": "count",
    "inactive_developers": "count",
    "inactive_developer_share": "%",
    "day45_activation": "%",
    "seat_utilisation": "%",
    "live_apps": "count",
    "live_app_growth": "%",
    "draft_apps": "count",
    "end_user_mau": "count",
    "end_user_growth": "%",
    "nrr": "%",
    "grr": "%",
    "logo_churned": "flag",
    "seat_growth": "%",
    "module_growth": "count",
    "on_time_renewal": "%",
    "nps": "score",
    "nps_low": "score",
    "nps_high": "score",
    "csat": "%",
    "csat_good_bad": "%",
    "ces": "score",
    "ttv_days": "days",
    "training_attendance": "%",
    "tickets_created": "count",
    "open_tickets": "count",
    "first_response_sla": "%",
    "resolution_sla": "%",
    "slow_tickets": "count",
    "open_ticket_age_days": "days",
    "usage_drop": "%",
    "days_silent": "days",
}

Tables = Mapping[str, pd.DataFrame]
AsOf = date | str | pd.Timestamp
_Mask = pd.Series | np.ndarray | bool
_Text = pd.Series | str
Frame = Callable[["Context"], pd.DataFrame]


@dataclass(frozen=True)
class MetricResult:
    """The value of one metric for one account, with its status.

    Parameters
    ----------
    name : str
        The metric, one of :data:`METRICS`.
    value : float or None
        The value; None unless ``status`` is ``"ok"``.
    status : str
        ``"ok"``, ``"not_available"`` (its data is absent) or ``"undefined"``
        (the data is there but the metric has no meaning).
    reason : str
        Why the status is not ``"ok"``.
    warning : str
        Why an ``ok`` value is suspect (for example NPS from 3 responses).
    unit : str
        ``"count"``, ``"%"``, ``"days"`` or ``"score"``.
    """

    name: str
    value: float | None
    status: str
    reason: str = ""
    warning: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Context:
    """What every metric needs: tables, accounts, as-of day and settings."""

    tables: Tables
    accounts: pd.DataFrame
    as_of: pd.Timestamp
    settings: MetricSettings
    has_accounts: bool
    cache: dict = field(default_factory=dict)

    @property
    def ids(self) -> pd.Index:
        """Return the account ids, in the order of ``accounts``."""
        return self.accounts.index

    def shifted(self, days: int) -> Context:
        """Return the same context ``days`` earlier, with its own cache."""
        return replace(self, as_of=self.as_of - pd.Timedelta(days=days), cache={})


# ---------------------------------------------------------------------------
# Context, validation and result helpers


def _as_of_day(as_of: object) -> pd.Timestamp:
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"as_of {as_of!r} cannot be read as a date; pass a datetime.date or "
            "a text such as '2024-03-31'."
        ) from error
    if pd.isna(day) or day.tzinfo is not None or day != day.normalize():
        raise InvalidInputError(
            f"as_of is {as_of!r}; expected a calendar date without time or "
            "timezone, such as '2024-03-31' (it means the start of that day in "
            "each account's timezone)."
        )
    return day.as_unit("us")


def check_timezone(zone: str, *, where: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise InvalidInputError(
            f"{where} is {zone!r}, not an IANA timezone name; use a name such as "
            "'Europe/Berlin' or 'UTC'."
        ) from error


def context(
    tables: Mapping[str, pd.DataFrame],
    as_of: object,
    settings: MetricSettings,
    *,
    single: bool,
    timezone: str | None = None,
) -> Context:
    if not isinstance(settings, MetricSettings):
        raise InvalidInputError(
            f"settings is a {type(settings).__name__}; pass a MetricSettings "
            "(for example MetricSettings(**params['metrics']))."
        )
    day = _as_of_day(as_of)
    has_accounts = "accounts" in tables
    accounts = _accounts(tables, timezone)
    if single:
        accounts = _one_account(accounts, has_accounts)
    return Context(tables, accounts, day, settings, has_accounts)


def _accounts(tables: Tables, timezone: str | None) -> pd.DataFrame:
    """Return the accounts indexed by account_id with a filled timezone."""
    if "accounts" in tables:
        frame = require(tables, "accounts", ("account_id",))
        frame = frame.drop_duplicates("account_id").set_index("account_id")
    else:
        frame = pd.DataFrame(index=_data_account_ids(tables))
    if timezone is not None:
        check_timezone(timezone, where="timezone")
        frame["timezone"] = timezone
    elif "timezone" in frame:
        frame["timezone"] = frame["timezone"].fillna("UTC")
    else:
        frame["timezone"] = "UTC"

    for zone in frame["timezone"].unique():
        check_timezone(zone, where="accounts.timezone")
    return frame


def _data_account_ids(tables: Tables) -> pd.Index:
    ids = [t["account_id"].dropna() for t in tables.values() if "account_id" in t]
    values = pd.concat(ids).unique() if ids else []
    return pd.Index(values, dtype="str", name="account_id")


def _one_account(accounts: pd.DataFrame, has_accounts: bool) -> pd.DataFrame:
    if len(accounts) > 1:
        shown = list(accounts.index[:5])
        raise InvalidInputError(
            f"this metric is for one account but the tables hold {len(accounts)} "
            f"accounts ({shown}...); pass one account's slice, or use "
            "portfolio_metrics() for every account."
        )
    if len(accounts) == 0 and has_accounts:
        raise InvalidInputError(
            "the accounts table has no rows; pass one account's slice with its "
            "row in 'accounts'."
        )
    if len(accounts) == 0:
        index = pd.Index([""], dtype="str", name="account_id")
        return pd.DataFrame({"timezone": ["UTC"]}, index=index)
    return accounts


def require(tables: Tables, name: str, columns: tuple[str, ...]) -> pd.DataFrame | None:
    """Return table ``name`` (None when absent) after checking its columns."""
    frame = tables.get(name)
    if frame is None:
        return None
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(
                column,
                frame=f"table {name!r}",
                found=list(map(str, frame.columns)),
                hint="Build the table with cskit.schema.validate_table(), which "
                "adds every canonical column.",
            )
        _check_dtype(frame, name, column)
    return frame


def _check_dtype(frame: pd.DataFrame, name: str, column: str) -> None:
    kind = TABLES[name].column(column).kind
    dtype = frame[column].dtype
    if kind == "timestamp":
        good = isinstance(dtype, pd.DatetimeTZDtype)
        expected = "datetime64[us, UTC]"
    elif kind == "date":
        good = pd.api.types.is_datetime64_dtype(dtype)
        expected = "datetime64[us] (naive dates)"
    else:
        return
    if not good:
        raise InvalidInputError(
            f"column {name}.{column} has dtype {dtype}; expected {expected}. "
            "Build the table with cskit.schema.validate_table() so dtypes are "
            "canonical."
        )


def absent(name: str) -> str:
    return f"table '{name}' is absent from the workspace; load it to compute this"


def utc_instants(ctx: Context, day: pd.Timestamp) -> pd.Series:
    """Return, per account, the UTC instant of local midnight starting ``day``."""
    key = ("instants", day)
    if key not in ctx.cache:
        zones = ctx.accounts["timezone"]
        instants = {
            zone: day.tz_localize(
                zone, ambiguous=True, nonexistent="shift_forward"
            ).tz_convert("UTC")
            for zone in zones.unique()
        }
        utc = pd.to_datetime(zones.map(instants), utc=True)
        ctx.cache[key] = utc.astype("datetime64[us, UTC]")
    return ctx.cache[key]


def ts_mask(
    frame: pd.DataFrame, column: str, ctx: Context, days: int | None = None
) -> pd.Series:
    """Rows whose timestamp is before as_of (and within ``days`` when given)."""
    account = frame["account_id"]
    end = account.map(utc_instants(ctx, ctx.as_of))
    mask = frame[column] < end
    if days is not None:
        day = ctx.as_of - pd.Timedelta(days=days)
        mask &= frame[column] >= account.map(utc_instants(ctx, day))
    return mask.fillna(False).astype(bool)


def date_mask(
    frame: pd.DataFrame, column: str, ctx: Context, days: int | None = None
) -> pd.Series:
    """Rows of known accounts whose date is before as_of (and within ``days``)."""
    mask = frame["account_id"].isin(ctx.ids) & (frame[column] < ctx.as_of)
    if days is not None:
        mask &= frame[column] >= ctx.as_of - pd.Timedelta(days=days)
    return mask.fillna(False).astype(bool)


def local_dates(instants: pd.Series, zones: pd.Series) -> pd.Series:
    """Return the calendar date of each UTC instant in its row's timezone."""
    dates = pd.Series(pd.NaT, index=instants.index, dtype="datetime64[us]")
    for zone in zones.unique():
        rows = zones == zone
        local = instants[rows].dt.tz_convert(zone).dt.tz_localize(None)
        dates[rows] = local.dt.normalize().astype("datetime64[us]")
    return dates


def ok_frame(
    ctx: Context, values: pd.Series | None = None, *, fill: float = 0.0
) -> pd.DataFrame:
    """Start a per-account result frame: every account ok with its value."""
    if values is None:
        series = pd.Series(fill, index=ctx.ids, dtype="float64")
    else:
        series = values.reindex(ctx.ids).astype("float64").fillna(fill)
    return pd.DataFrame(
        {"value": series, "status": OK, "reason": "", "warning": ""}, index=ctx.ids
    )


def unavailable(ctx: Context, reason: str) -> pd.DataFrame:
    frame = ok_frame(ctx)
    mark(frame, True, NOT_AVAILABLE, reason)
    return frame


def _aligned(mask: _Mask, index: pd.Index) -> pd.Series:
    if isinstance(mask, pd.Series):
        return mask.reindex(index).fillna(False).astype(bool)
    return pd.Series(np.broadcast_to(np.asarray(mask, dtype=bool), len(index)), index)


def _aligned_text(text: _Text, index: pd.Index) -> pd.Series:
    if isinstance(text, pd.Series):
        return text.reindex(index).astype("str")
    return pd.Series(text, index=index, dtype="str")


def mark(frame: pd.DataFrame, mask: _Mask, status: str, reason: _Text) -> None:
    """Give the still-ok rows in ``mask`` a status and reason; the first wins."""
    hit = _aligned(mask, frame.index) & frame["status"].eq(OK)
    if not hit.any():
        return
    frame.loc[hit, "value"] = np.nan
    frame.loc[hit, "status"] = status
    frame.loc[hit, "reason"] = _aligned_text(reason, frame.index)[hit]


def warn(frame: pd.DataFrame, mask: _Mask, text: _Text) -> None:
    """Append a warning to the rows in ``mask``."""
    hit = _aligned(mask, frame.index)
    current = frame["warning"]
    joined = current.where(current.eq(""), current + "; ") + _aligned_text(
        text, frame.index
    )
    frame.loc[hit, "warning"] = joined[hit]


def to_result(frame: pd.DataFrame, name: str) -> MetricResult:
    row = frame.iloc[0]
    ok = row["status"] == OK
    return MetricResult(
        name=name,
        value=float(row["value"]) if ok else None,
        status=str(row["status"]),
        reason=str(row["reason"]),
        warning=str(row["warning"]),
        unit=UNITS[name],
    )


def single(
    name: str, build: Frame, tables: Tables, as_of: object, settings: MetricSettings
) -> MetricResult:
    """Compute the frame of one metric on one account's slice; return its row."""
    ctx = context(tables, as_of, settings, single=True)
    return to_result(build(ctx), name)
