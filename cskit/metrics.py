"""The playbook's account metrics: adoption, revenue, sentiment, support.

Every metric receives the canonical tables of :mod:`cskit.schema` in a dict
keyed by table name (a table the workspace lacks is absent from the dict) and
an as-of date, and returns a :class:`MetricResult`: a value with a status
(``ok``, ``not_available`` or ``undefined``), the reason when it is not ``ok``
and a warning when the value is computable but suspect. Missing data is
never reported as 0.

``as_of`` is the start of that calendar day in the account's timezone
(``accounts.timezone``, default UTC): data at or after it is invisible and
windows are half-open, ``[as_of - N days, as_of)``. Timestamps are compared
as instants; dates (``app_usage.date``, ``revenue.month``, ``kickoff_date``)
are already calendar dates of the account and are compared as dates.

Each metric is computed for every account at once with grouped pandas
operations: :func:`portfolio_metrics` returns the whole portfolio, and the
one-account functions (:func:`account_metrics` and each metric) run the same
code on one account's slice, so both always agree. The definitions, formulas
and edge cases are in ``docs/metrics.md``.

Limitations
-----------
Developers are matched to events by ``(account_id, contact_id)``; a contact's
``created_at`` and ``left_at`` are not used. Revenue retention compares two
monthly snapshots and ignores what happened in between (a churn and a
reactivation inside the period cancel out); each month's revenue is
converted with that month's exchange rate, so currency moves show up in NRR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, MissingColumnError
from cskit.schema import TABLES

__all__ = [
    "METRICS",
    "MetricResult",
    "MetricSettings",
    "account_metrics",
    "activated_developers",
    "as_table",
    "csat",
    "draft_apps",
    "end_user_mau",
    "live_apps",
    "mad_by_month",
    "monthly_active_developers",
    "nps",
    "open_tickets",
    "portfolio_metrics",
    "revenue_retention",
    "seat_utilisation",
    "tickets_created",
    "time_to_value",
]

logger = logging.getLogger(__name__)

OK = "ok"
NOT_AVAILABLE = "not_available"
UNDEFINED = "undefined"

METRICS: tuple[str, ...] = (
    "activated_developers",
    "mad",
    "live_apps",
    "draft_apps",
    "end_user_mau",
    "nrr",
    "grr",
    "nps",
    "csat",
    "ttv_days",
    "tickets_created",
    "open_tickets",
    "seat_utilisation",
)

_UNITS = {
    "activated_developers": "count",
    "mad": "count",
    "live_apps": "count",
    "draft_apps": "count",
    "end_user_mau": "count",
    "nrr": "%",
    "grr": "%",
    "nps": "score",
    "csat": "%",
    "ttv_days": "days",
    "tickets_created": "count",
    "open_tickets": "count",
    "seat_utilisation": "%",
}

_POSITIVE_INTS = (
    "activation_window_days",
    "mad_window_days",
    "inactivity_days",
    "live_app_window_days",
    "mau_window_days",
    "retention_months",
    "survey_window_days",
    "nps_min_responses",
    "ticket_window_days",
    "ttv_target_days",
)

_NO_CONTACT_IDS = (
    "events have no contact_id values for this account (account-level usage "
    "only): per-person metrics need events with contact_id"
)
_NO_CONTACTS_TABLE = (
    "table 'contacts' is absent: a developer is taken to be any contact with a "
    "build event before as_of"
)
_NO_ROLES = (
    "no contact of this account has a role: a developer is taken to be any "
    "contact with a build event before as_of"
)


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
class MetricSettings:
    """The playbook's windows and thresholds used by the metrics.

    Parameters
    ----------
    activation_window_days, mad_window_days, inactivity_days : int
        Trailing windows in days (activated developers, MAD and seat
        utilisation; inactivity is read by the risk flags).
    build_events : tuple of str
        The ``events.event`` names that count as building an app. A list is
        accepted and stored as a tuple.
    live_app_window_days, mau_window_days : int
        Windows for live apps and end-user MAU.
    retention_months : int
        Length of the NRR/GRR period in months.
    survey_window_days : int
        Window for NPS and CSAT responses.
    nps_min_responses : int
        Fewer NPS responses than this give a warning.
    ticket_window_days : int
        Window for tickets created.
    base_currency : str
        ISO 4217 code revenue is converted to.
    ttv_target_days : int
        The playbook's time-to-value target, quoted in TTV reasons.

    Raises
    ------
    InvalidInputError
        When a window is not a whole number above 0, ``build_events`` is
        empty or ``base_currency`` is not a three-letter code.
    """

    activation_window_days: int = 30
    mad_window_days: int = 30
    inactivity_days: int = 14
    build_events: tuple[str, ...] = ("app_create", "app_edit", "app_publish")
    live_app_window_days: int = 30
    mau_window_days: int = 30
    retention_months: int = 12
    survey_window_days: int = 365
    nps_min_responses: int = 10
    ticket_window_days: int = 90
    base_currency: str = "USD"
    ttv_target_days: int = 30

    def __post_init__(self) -> None:
        """Check every setting; store ``build_events`` as a tuple."""
        for name in _POSITIVE_INTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(
                    f"MetricSettings.{name} is {value!r}; expected a whole number "
                    "above 0. Fix it under 'metrics:' in params/defaults.yaml."
                )
        events = self.build_events
        if isinstance(events, str) or not events:
            raise InvalidInputError(
                f"MetricSettings.build_events is {events!r}; expected a non-empty "
                "list of event names such as ['app_create', 'app_edit']."
            )
        object.__setattr__(self, "build_events", tuple(events))
        currency = self.base_currency
        if not (
            isinstance(currency, str) and len(currency) == 3 and currency.isupper()
        ):
            raise InvalidInputError(
                f"MetricSettings.base_currency is {currency!r}; expected an ISO "
                "4217 code such as 'USD'."
            )


_DEFAULT_SETTINGS = MetricSettings()

_Tables = Mapping[str, pd.DataFrame]
_Mask = pd.Series | np.ndarray | bool
_Text = pd.Series | str


@dataclass(frozen=True)
class _Context:
    """What every metric needs: tables, accounts, as-of day and settings."""

    tables: Mapping[str, pd.DataFrame]
    accounts: pd.DataFrame
    as_of: pd.Timestamp
    settings: MetricSettings
    has_accounts: bool
    cache: dict = field(default_factory=dict)

    @property
    def ids(self) -> pd.Index:
        return self.accounts.index


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


def _check_timezone(zone: str, *, where: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise InvalidInputError(
            f"{where} is {zone!r}, not an IANA timezone name; use a name such as "
            "'Europe/Berlin' or 'UTC'."
        ) from error


def _context(
    tables: Mapping[str, pd.DataFrame],
    as_of: object,
    settings: MetricSettings,
    *,
    single: bool,
    timezone: str | None = None,
) -> _Context:
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
    return _Context(tables, accounts, day, settings, has_accounts)


def _accounts(tables: _Tables, timezone: str | None) -> pd.DataFrame:
    """Return the accounts indexed by account_id with a filled timezone."""
    if "accounts" in tables:
        frame = _require(tables, "accounts", ("account_id",))
        frame = frame.drop_duplicates("account_id").set_index("account_id")
    else:
        frame = pd.DataFrame(index=_data_account_ids(tables))
    if timezone is not None:
        _check_timezone(timezone, where="timezone")
        frame["timezone"] = timezone
    elif "timezone" in frame:
        frame["timezone"] = frame["timezone"].fillna("UTC")
    else:
        frame["timezone"] = "UTC"

    for zone in frame["timezone"].unique():
        _check_timezone(zone, where="accounts.timezone")
    return frame


def _data_account_ids(tables: _Tables) -> pd.Index:
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


def _require(
    tables: _Tables, name: str, columns: tuple[str, ...]
) -> pd.DataFrame | None:
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


def _absent(name: str) -> str:
    return f"table '{name}' is absent from the workspace; load it to compute this"


def _utc_instants(ctx: _Context, day: pd.Timestamp) -> pd.Series:
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


def _ts_mask(
    frame: pd.DataFrame, column: str, ctx: _Context, days: int | None = None
) -> pd.Series:
    """Rows whose timestamp is before as_of (and within ``days`` when given)."""
    account = frame["account_id"]
    end = account.map(_utc_instants(ctx, ctx.as_of))
    mask = frame[column] < end
    if days is not None:
        day = ctx.as_of - pd.Timedelta(days=days)
        mask &= frame[column] >= account.map(_utc_instants(ctx, day))
    return mask.fillna(False).astype(bool)


def _date_mask(
    frame: pd.DataFrame, column: str, ctx: _Context, days: int | None = None
) -> pd.Series:
    """Rows of known accounts whose date is before as_of (and within ``days``)."""
    mask = frame["account_id"].isin(ctx.ids) & (frame[column] < ctx.as_of)
    if days is not None:
        mask &= frame[column] >= ctx.as_of - pd.Timedelta(days=days)
    return mask.fillna(False).astype(bool)


def _local_dates(instants: pd.Series, zones: pd.Series) -> pd.Series:
    """Return the calendar date of each UTC instant in its row's timezone."""
    dates = pd.Series(pd.NaT, index=instants.index, dtype="datetime64[us]")
    for zone in zones.unique():
        rows = zones == zone
        local = instants[rows].dt.tz_convert(zone).dt.tz_localize(None)
        dates[rows] = local.dt.normalize().astype("datetime64[us]")
    return dates


def _ok(
    ctx: _Context, values: pd.Series | None = None, *, fill: float = 0.0
) -> pd.DataFrame:
    """Start a per-account result frame: every account ok with its value."""
    if values is None:
        series = pd.Series(fill, index=ctx.ids, dtype="float64")
    else:
        series = values.reindex(ctx.ids).astype("float64").fillna(fill)
    return pd.DataFrame(
        {"value": series, "status": OK, "reason": "", "warning": ""}, index=ctx.ids
    )


def _unavailable(ctx: _Context, reason: str) -> pd.DataFrame:
    frame = _ok(ctx)
    _mark(frame, True, NOT_AVAILABLE, reason)
    return frame


def _aligned(mask: _Mask, index: pd.Index) -> pd.Series:
    if isinstance(mask, pd.Series):
        return mask.reindex(index).fillna(False).astype(bool)
    return pd.Series(np.broadcast_to(np.asarray(mask, dtype=bool), len(index)), index)


def _aligned_text(text: _Text, index: pd.Index) -> pd.Series:
    if isinstance(text, pd.Series):
        return text.reindex(index).astype("str")
    return pd.Series(text, index=index, dtype="str")


def _mark(frame: pd.DataFrame, mask: _Mask, status: str, reason: _Text) -> None:
    """Give the still-ok rows in ``mask`` a status and reason; the first wins."""
    hit = _aligned(mask, frame.index) & frame["status"].eq(OK)
    if not hit.any():
        return
    frame.loc[hit, "value"] = np.nan
    frame.loc[hit, "status"] = status
    frame.loc[hit, "reason"] = _aligned_text(reason, frame.index)[hit]


def _warn(frame: pd.DataFrame, mask: _Mask, text: _Text) -> None:
    """Append a warning to the rows in ``mask``."""
    hit = _aligned(mask, frame.index)
    current = frame["warning"]
    joined = current.where(current.eq(""), current + "; ") + _aligned_text(
        text, frame.index
    )
    frame.loc[hit, "warning"] = joined[hit]


def _result(frame: pd.DataFrame, name: str) -> MetricResult:
    row = frame.iloc[0]
    ok = row["status"] == OK
    return MetricResult(
        name=name,
        value=float(row["value"]) if ok else None,
        status=str(row["status"]),
        reason=str(row["reason"]),
        warning=str(row["warning"]),
        unit=_UNITS[name],
    )


# ---------------------------------------------------------------------------
# Developers and product events


@dataclass(frozen=True)
class _People:
    events: pd.DataFrame
    no_contact: pd.Index
    developers: pd.DataFrame
    warnings: pd.Series


def _people(ctx: _Context) -> _People | None:
    """Visible events with a contact, the developers and who lacks contact ids."""
    if "people" in ctx.cache:
        return ctx.cache["people"]
    columns = ("ts", "account_id", "contact_id", "event", "count")
    events = _require(ctx.tables, "events", columns)
    people = None
    if events is not None:
        counted = events["count"].fillna(1).gt(0).astype(bool)
        visible = events.loc[_ts_mask(events, "ts", ctx) & counted, list(columns)]
        named = visible["contact_id"].notna()
        any_named = named.groupby(visible["account_id"]).any()
        visible = visible[named]
        developers, warnings = _developers(ctx, visible)
        people = _People(visible, any_named.index[~any_named], developers, warnings)
    ctx.cache["people"] = people
    return people


def _developers(ctx: _Context, visible: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Return the developers' (account_id, contact_id) pairs and warnings."""
    pair = ["account_id", "contact_id"]
    builds = visible["event"].isin(ctx.settings.build_events)
    builders = visible.loc[builds, pair].drop_duplicates()
    contacts = _require(ctx.tables, "contacts", ("contact_id", "account_id", "role"))
    warnings = pd.Series("", index=ctx.ids, dtype="str")
    if contacts is None:
        warnings[:] = _NO_CONTACTS_TABLE
        return builders, warnings

    has_role = contacts["role"].notna().groupby(contacts["account_id"]).any()
    has_role = has_role.reindex(ctx.ids, fill_value=False).astype(bool)
    warnings[~has_role] = _NO_ROLES
    by_role = contacts.loc[contacts["role"].eq("developer").fillna(False), pair]
    developers = pd.concat(
        [
            by_role[by_role["account_id"].isin(has_role.index[has_role])],
            builders[builders["account_id"].isin(has_role.index[~has_role])],
        ]
    )
    return developers.drop_duplicates(), warnings


def _developer_frame(ctx: _Context, days: int, *, build_only: bool) -> pd.DataFrame:
    people = _people(ctx)
    if people is None:
        return _unavailable(ctx, _absent("events"))

    events = people.events
    mask = _ts_mask(events, "ts", ctx, days)
    if build_only:
        mask &= events["event"].isin(ctx.settings.build_events)
    active = events[mask].merge(people.developers, on=["account_id", "contact_id"])
    frame = _ok(ctx, active.groupby("account_id")["contact_id"].nunique())

    _mark(frame, frame.index.isin(people.no_contact), NOT_AVAILABLE, _NO_CONTACT_IDS)
    warnings = people.warnings
    _warn(frame, frame["status"].eq(OK) & warnings.ne(""), warnings)
    return frame


def _activated_frame(ctx: _Context) -> pd.DataFrame:
    days = ctx.settings.activation_window_days
    return _developer_frame(ctx, days, build_only=True)


def _mad_frame(ctx: _Context) -> pd.DataFrame:
    return _developer_frame(ctx, ctx.settings.mad_window_days, build_only=False)


def _seat_frame(ctx: _Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return _unavailable(ctx, _absent("accounts"))
    _require(ctx.tables, "accounts", ("account_id", "seats_licensed"))
    people = _people(ctx)
    if people is None:
        return _unavailable(ctx, _absent("events"))

    events = people.events
    window = _ts_mask(events, "ts", ctx, ctx.settings.mad_window_days)
    active = events[window].groupby("account_id")["contact_id"].nunique()
    active = active.reindex(ctx.ids, fill_value=0)
    seats = ctx.accounts["seats_licensed"].astype("float64")
    frame = _ok(ctx, 100.0 * active / seats.where(seats > 0))

    _mark(
        frame,
        seats.isna(),
        NOT_AVAILABLE,
        "accounts.seats_licensed is empty for this account; fill it in",
    )
    _mark(frame, seats.eq(0), UNDEFINED, "accounts.seats_licensed is 0")
    _mark(frame, frame.index.isin(people.no_contact), NOT_AVAILABLE, _NO_CONTACT_IDS)
    return frame


# ---------------------------------------------------------------------------
# Apps and end users


_APP_COLUMNS = ("app_id", "account_id", "created_at", "published_at", "archived_at")
_USAGE_COLUMNS = ("date", "app_id", "end_user_id", "account_id")


def _live_frame(ctx: _Context) -> pd.DataFrame:
    apps = _require(ctx.tables, "apps", _APP_COLUMNS)
    usage = _require(ctx.tables, "app_usage", _USAGE_COLUMNS)
    if apps is None:
        return _unavailable(ctx, _absent("apps"))
    if usage is None:
        return _unavailable(ctx, _absent("app_usage"))

    window = _date_mask(usage, "date", ctx, ctx.settings.live_app_window_days)
    used = apps["app_id"].isin(usage.loc[window, "app_id"].unique())
    published = _ts_mask(apps, "published_at", ctx)
    archived = _ts_mask(apps, "archived_at", ctx)
    live = published & ~archived & used
    return _ok(ctx, live.groupby(apps["account_id"]).sum())


def _draft_frame(ctx: _Context) -> pd.DataFrame:
    apps = _require(ctx.tables, "apps", _APP_COLUMNS)
    if apps is None:
        return _unavailable(ctx, _absent("apps"))

    open_ = ~_ts_mask(apps, "published_at", ctx) & ~_ts_mask(apps, "archived_at", ctx)
    draft = _ts_mask(apps, "created_at", ctx) & open_
    frame = _ok(ctx, draft.groupby(apps["account_id"]).sum())

    # Apps without created_at may be drafts or may not exist yet at as_of.
    undated = apps["created_at"].isna() & open_
    undated = undated.groupby(apps["account_id"]).sum().reindex(ctx.ids, fill_value=0)
    text = undated.astype("str") + " unpublished app(s) without created_at left out"
    _warn(frame, undated.gt(0), text)
    return frame


def _mau_frame(ctx: _Context) -> pd.DataFrame:
    usage = _require(ctx.tables, "app_usage", _USAGE_COLUMNS)
    if usage is None:
        return _unavailable(ctx, _absent("app_usage"))

    rows = usage[_date_mask(usage, "date", ctx, ctx.settings.mau_window_days)]
    return _ok(ctx, rows.groupby("account_id")["end_user_id"].nunique())


def _first_live_use(
    ctx: _Context, apps: pd.DataFrame, usage: pd.DataFrame
) -> pd.Series:
    """Return per account the first usage date of an app on or after publishing."""
    published = apps.loc[
        _ts_mask(apps, "published_at", ctx), ["app_id", "account_id", "published_at"]
    ]
    zones = published["account_id"].map(ctx.accounts["timezone"])
    published["published_on"] = _local_dates(published["published_at"], zones)

    used = usage.loc[_date_mask(usage, "date", ctx), ["app_id", "date"]]
    rows = used.merge(published[["app_id", "account_id", "published_on"]], on="app_id")
    rows = rows[rows["date"] >= rows["published_on"]]
    return rows.groupby("account_id")["date"].min()


def _ttv_frame(ctx: _Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return _unavailable(ctx, _absent("accounts"))
    _require(ctx.tables, "accounts", ("account_id", "kickoff_date"))
    apps = _require(ctx.tables, "apps", _APP_COLUMNS)
    usage = _require(ctx.tables, "app_usage", _USAGE_COLUMNS)
    if apps is None or usage is None:
        return _unavailable(ctx, _absent("apps" if apps is None else "app_usage"))

    kickoff = ctx.accounts["kickoff_date"]
    first = _first_live_use(ctx, apps, usage).reindex(ctx.ids)
    frame = _ok(ctx, (first - kickoff).dt.days, fill=np.nan)
    _mark_ttv(ctx, frame, kickoff, first)
    return frame


def _mark_ttv(
    ctx: _Context, frame: pd.DataFrame, kickoff: pd.Series, first: pd.Series
) -> None:
    _mark(
        frame,
        kickoff.isna(),
        NOT_AVAILABLE,
        "accounts.kickoff_date is empty for this account; fill it in",
    )
    _mark(
        frame,
        kickoff >= ctx.as_of,
        UNDEFINED,
        "kickoff_date is on or after as_of: onboarding has not started",
    )

    waited = (ctx.as_of - kickoff).dt.days.astype("Int64").astype("str")
    target = ctx.settings.ttv_target_days
    censored = (
        "no live app yet (censored): "
        + waited
        + f" days since kickoff, target {target}"
    )
    _mark(frame, first.isna(), UNDEFINED, censored)

    early = first < kickoff
    text = (
        "first end-user use of a published app ("
        + first.dt.strftime("%Y-%m-%d")
        + ") is before kickoff_date ("
        + kickoff.dt.strftime("%Y-%m-%d")
        + "); check the kickoff date"
    )
    _mark(frame, early, UNDEFINED, text)
    _warn(frame, early & frame["reason"].eq(text), text)


# ---------------------------------------------------------------------------
# Revenue retention


def _retention_months(ctx: _Context) -> tuple[pd.Period, pd.Period]:
    end = pd.Period(ctx.as_of, freq="M") - 1
    return end - ctx.settings.retention_months, end


def _mrr_by_account(ctx: _Context) -> pd.DataFrame | None:
    """Return per account its MRR in base currency at the period start and end."""
    columns = ("account_id", "month", "mrr", "currency")
    revenue = _require(ctx.tables, "revenue", columns)
    if revenue is None:
        return None

    start, end = _retention_months(ctx)
    rows = revenue.loc[revenue["account_id"].isin(ctx.ids), list(columns)]
    rows["period"] = rows["month"].dt.to_period("M")
    rows = rows[rows["period"].isin([start, end])]
    _check_mrr(rows)
    rows["base"] = _to_base(ctx, rows)

    by_month = rows.groupby(["account_id", "period"])["base"].sum()
    mrr = pd.DataFrame(index=ctx.ids)
    for label, period in (("start", start), ("end", end)):
        values = by_month[by_month.index.get_level_values("period") == period]
        values = values.droplevel("period")
        mrr[label] = values.reindex(ctx.ids).fillna(0.0).astype("float64")
        mrr[f"has_{label}"] = ctx.ids.isin(values.index)
    return mrr


def _check_mrr(rows: pd.DataFrame) -> None:
    bad = rows[rows["mrr"] < 0]
    if not bad.empty:
        first = bad.iloc[0]
        raise InvalidInputError(
            f"revenue.mrr is {first['mrr']} for account {first['account_id']!r} in "
            f"{first['period']}; MRR cannot be negative. Record credits as a lower "
            "MRR of at least 0."
        )


def _to_base(ctx: _Context, rows: pd.DataFrame) -> pd.Series:
    """Convert MRR to the base currency with each month's exchange rate."""
    base = ctx.settings.base_currency
    currency = rows["currency"]
    if "currency" in ctx.accounts:
        currency = currency.fillna(rows["account_id"].map(ctx.accounts["currency"]))
    currency = currency.fillna(base)
    foreign = currency.ne(base)
    if not foreign.any():
        return rows["mrr"].astype("float64")

    keys = pd.MultiIndex.from_arrays([currency[foreign], rows.loc[foreign, "period"]])
    rates = _fx_rates(ctx)
    rate = pd.Series(np.nan, index=keys) if rates is None else rates.reindex(keys)
    missing = rate.isna().to_numpy()
    if missing.any():
        row = rows[foreign][missing].iloc[0]
        raise _missing_rate(ctx, currency[row.name], row, rates is None)
    converted = rows["mrr"].astype("float64")
    converted[foreign] = converted[foreign] * rate.to_numpy()
    return converted


def _fx_rates(ctx: _Context) -> pd.Series | None:
    fx = _require(ctx.tables, "fx_rates", ("currency", "month", "rate"))
    if fx is None:
        return None
    period = fx["month"].dt.to_period("M")
    return fx.groupby([fx["currency"], period])["rate"].last()


def _missing_rate(
    ctx: _Context, currency: str, row: pd.Series, table_absent: bool
) -> InvalidInputError:
    base = ctx.settings.base_currency
    where = "table 'fx_rates' is absent" if table_absent else "fx_rates has no rate"
    return InvalidInputError(
        f"{where} for {currency} in {row['period']}: revenue of account "
        f"{row['account_id']!r} is in {currency} and base_currency is {base}. Add "
        f"a row (currency={currency}, month={row['period']}-01, rate=<{base} per "
        f"1 {currency}>) to fx_rates, or set base_currency to {currency}."
    )


def _outside_reason(ctx: _Context) -> str:
    start, _ = _retention_months(ctx)
    return (
        f"no MRR above 0 in {start} (the period start): outside the retention "
        "cohort (started later or no revenue), so retention is undefined"
    )


def _churn_warning(ctx: _Context, churned: int, cohort: int) -> str:
    _, end = _retention_months(ctx)
    return (
        f"{churned} of {cohort} account(s) in the cohort have no revenue row in "
        f"{end}; counted as churned (MRR 0)"
    )


def _retention_frames(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return each account's own NRR and GRR frames."""
    mrr = _mrr_by_account(ctx)
    if mrr is None:
        reason = _absent("revenue")
        return _unavailable(ctx, reason), _unavailable(ctx, reason)

    start = mrr["start"].where(mrr["start"] > 0)
    nrr = _ok(ctx, 100.0 * mrr["end"] / start)
    grr = _ok(ctx, 100.0 * np.minimum(mrr["end"], mrr["start"]) / start)
    churned = start.notna() & ~mrr["has_end"]
    for frame in (nrr, grr):
        _mark(frame, start.isna(), UNDEFINED, _outside_reason(ctx))
        _warn(frame, churned, _churn_warning(ctx, 1, 1))
    return nrr, grr


def _cohort_results(ctx: _Context) -> tuple[MetricResult, MetricResult]:
    """Return NRR and GRR of the cohort of every account in ``ctx``."""
    mrr = _mrr_by_account(ctx)
    if mrr is None:
        reason = _absent("revenue")
        return tuple(
            MetricResult(name, None, NOT_AVAILABLE, reason, unit="%")
            for name in ("nrr", "grr")
        )

    cohort = mrr[mrr["start"] > 0]
    if cohort.empty:
        reason = _outside_reason(ctx)
        return tuple(
            MetricResult(name, None, UNDEFINED, reason, unit="%")
            for name in ("nrr", "grr")
        )

    start = float(cohort["start"].sum())
    kept = float(np.minimum(cohort["end"], cohort["start"]).sum())
    churned = int((~cohort["has_end"]).sum())
    warning = _churn_warning(ctx, churned, len(cohort)) if churned else ""
    return (
        MetricResult(
            "nrr", 100.0 * float(cohort["end"].sum()) / start, OK, "", warning, "%"
        ),
        MetricResult("grr", 100.0 * kept / start, OK, "", warning, "%"),
    )


# ---------------------------------------------------------------------------
# Surveys


_SURVEY_COLUMNS = ("response_id", "account_id", "contact_id", "submitted_at", "kind")


def _responses(ctx: _Context, kind: str, low: int, high: int) -> pd.DataFrame | None:
    """Return the answered responses of ``kind`` in the survey window."""
    surveys = _require(ctx.tables, "surveys", (*_SURVEY_COLUMNS, "score"))
    if surveys is None:
        return None

    window = _ts_mask(surveys, "submitted_at", ctx, ctx.settings.survey_window_days)
    rows = surveys[window & surveys["kind"].eq(kind) & surveys["score"].notna()]
    score = rows["score"]
    bad = rows[(score < low) | (score > high) | (score % 1 != 0)]
    if not bad.empty:
        shown = ", ".join(
            f"response_id {r!r} has score {s}"
            for r, s in zip(bad["response_id"][:5], bad["score"][:5], strict=True)
        )
        raise InvalidInputError(
            f"{kind.upper()} scores out of range in surveys: {shown}; {kind} scores "
            f"are whole numbers from {low} to {high}. Fix or drop these responses "
            "in the survey export."
        )
    return rows


def _latest_per_contact(rows: pd.DataFrame) -> pd.DataFrame:
    """Keep each contact's latest response; responses without contact all count."""
    ordered = rows.sort_values(["submitted_at", "response_id"])
    named = ordered["contact_id"].notna()
    latest = ordered[named].drop_duplicates(["account_id", "contact_id"], keep="last")
    return pd.concat([latest, ordered[~named]])


def _nps_frame(ctx: _Context) -> pd.DataFrame:
    rows = _responses(ctx, "nps", 0, 10)
    if rows is None:
        return _unavailable(ctx, _absent("surveys"))

    rows = _latest_per_contact(rows)
    account = rows["account_id"]
    count = rows.groupby(account).size().reindex(ctx.ids, fill_value=0)
    promoters = rows["score"].ge(9).groupby(account).sum()
    detractors = rows["score"].le(6).groupby(account).sum()
    score = 100.0 * (promoters - detractors) / count
    frame = _ok(ctx, score)

    days = ctx.settings.survey_window_days
    _mark(frame, count.eq(0), UNDEFINED, f"no NPS response in the {days} days")
    least = ctx.settings.nps_min_responses
    text = "NPS from " + count.astype("str") + f" response(s), fewer than {least}"
    _warn(frame, count.gt(0) & count.lt(least), text)
    return frame


def _csat_frame(ctx: _Context) -> pd.DataFrame:
    rows = _responses(ctx, "csat", 1, 5)
    if rows is None:
        return _unavailable(ctx, _absent("surveys"))

    account = rows["account_id"]
    count = rows.groupby(account).size().reindex(ctx.ids, fill_value=0)
    share = 100.0 * rows["score"].ge(4).groupby(account).mean()
    frame = _ok(ctx, share)

    days = ctx.settings.survey_window_days
    reason = f"no answered CSAT response in the {days} days"
    _mark(frame, count.eq(0), UNDEFINED, reason)
    return frame


# ---------------------------------------------------------------------------
# Tickets


_TICKET_COLUMNS = ("ticket_id", "account_id", "created_at", "solved_at", "status")


def _tickets_created_frame(ctx: _Context) -> pd.DataFrame:
    tickets = _require(ctx.tables, "tickets", _TICKET_COLUMNS)
    if tickets is None:
        return _unavailable(ctx, _absent("tickets"))

    days = ctx.settings.ticket_window_days
    created = _ts_mask(tickets, "created_at", ctx, days)
    return _ok(ctx, created.groupby(tickets["account_id"]).sum())


def _open_tickets_frame(ctx: _Context) -> pd.DataFrame:
    tickets = _require(ctx.tables, "tickets", _TICKET_COLUMNS)
    if tickets is None:
        return _unavailable(ctx, _absent("tickets"))

    created = _ts_mask(tickets, "created_at", ctx)
    is_open = created & ~_ts_mask(tickets, "solved_at", ctx)
    frame = _ok(ctx, is_open.groupby(tickets["account_id"]).sum())

    # The status column is the export's current status, so it may leak the future.
    closed = tickets["status"].str.lower().isin(["solved", "closed"])
    undated = (is_open & closed & tickets["solved_at"].isna()).fillna(False)
    undated = undated.groupby(tickets["account_id"]).sum().reindex(ctx.ids)
    undated = undated.fillna(0).astype("int64")
    text = undated.astype("str") + " open ticket(s) have a closed status but no "
    _warn(frame, undated.gt(0), text + "solved_at; counted as open")
    return frame


# ---------------------------------------------------------------------------
# Public API


_FRAMES: dict[str, Callable[[_Context], pd.DataFrame]] = {
    "activated_developers": _activated_frame,
    "mad": _mad_frame,
    "live_apps": _live_frame,
    "draft_apps": _draft_frame,
    "end_user_mau": _mau_frame,
    "nps": _nps_frame,
    "csat": _csat_frame,
    "ttv_days": _ttv_frame,
    "tickets_created": _tickets_created_frame,
    "open_tickets": _open_tickets_frame,
    "seat_utilisation": _seat_frame,
}


def _one(
    name: str, tables: _Tables, as_of: object, settings: MetricSettings
) -> MetricResult:
    ctx = _context(tables, as_of, settings, single=True)
    return _result(_FRAMES[name](ctx), name)


def _all_frames(ctx: _Context) -> dict[str, pd.DataFrame]:
    frames = {name: build(ctx) for name, build in _FRAMES.items()}
    frames["nrr"], frames["grr"] = _retention_frames(ctx)
    return {name: frames[name] for name in METRICS}


def activated_developers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the developers with a build event in the activation window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account keyed by table name: ``events`` (ts,
        account_id, contact_id, event, count), optionally ``contacts``
        (contact_id, account_id, role) and ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``activation_window_days`` and ``build_events`` are used.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``events`` or when the account's
        events have no ``contact_id``; a warning when ``contacts`` is absent.

    Raises
    ------
    MissingColumnError
        When a table lacks a column used here.
    InvalidInputError
        When the tables hold more than one account or ``as_of`` is no date.

    See Also
    --------
    monthly_active_developers, seat_utilisation

    Examples
    --------
    >>> import pandas as pd
    >>> from cskit.schema import validate_table
    >>> events = validate_table("events", pd.DataFrame({
    ...     "ts": ["2024-03-20 10:00Z"], "account_id": ["a1"],
    ...     "contact_id": ["c1"], "event": ["app_edit"]}))
    >>> result = activated_developers({"events": events}, as_of="2024-04-01")
    >>> result.value, result.status
    (1.0, 'ok')
    """
    return _one("activated_developers", tables, as_of, settings)


def monthly_active_developers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the developers with any product event in the trailing MAD window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`activated_developers`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``mad_window_days`` (and ``build_events`` when ``contacts`` is absent).

    Returns
    -------
    MetricResult
        The ``mad`` metric, a count.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    mad_by_month, activated_developers
    """
    return _one("mad", tables, as_of, settings)


def mad_by_month(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Count the distinct active developers in each complete calendar month.

    Months are cut in ``timezone``; only months that end on or before
    ``as_of`` are returned, from the month of the first visible event with a
    contact to the last complete month, months without activity as 0.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`activated_developers`.
    as_of : datetime.date or str
        The report date; the start of that day in ``timezone``.
    timezone : str
        The account's IANA timezone; it overrides ``accounts.timezone``.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (datetime64, first of the month) and ``mad``
        (int64). Empty when nothing can be counted; then ``.attrs["reason"]``
        says why (absent ``events``, no ``contact_id``, no complete month).

    Raises
    ------
    InvalidInputError
        When ``timezone`` is not an IANA name or ``as_of`` is no date.

    See Also
    --------
    monthly_active_developers
    """
    ctx = _context(tables, as_of, _DEFAULT_SETTINGS, single=False, timezone=timezone)
    people = _people(ctx)
    if people is None:
        return _no_months(_absent("events"))
    events = people.events.merge(people.developers, on=["account_id", "contact_id"])
    if people.events.empty:
        reason = _NO_CONTACT_IDS if len(people.no_contact) else "no event before as_of"
        return _no_months(reason)

    local = people.events["ts"].dt.tz_convert(timezone).dt.tz_localize(None)
    first = local.min().to_period("M")
    last = pd.Period(ctx.as_of, freq="M") - 1
    if first > last:
        return _no_months("no complete calendar month of events before as_of")

    months = events["ts"].dt.tz_convert(timezone).dt.tz_localize(None)
    counts = events.groupby(months.dt.to_period("M"))["contact_id"].nunique()
    periods = pd.period_range(first, last, freq="M")
    return pd.DataFrame(
        {
            "month": periods.to_timestamp().astype("datetime64[us]"),
            "mad": counts.reindex(periods, fill_value=0).to_numpy(dtype="int64"),
        }
    )


def _no_months(reason: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"month": pd.Series(dtype="datetime64[us]"), "mad": pd.Series(dtype="int64")}
    )
    frame.attrs["reason"] = reason
    return frame


def live_apps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the published, unarchived apps used by an end user in the window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``apps`` (app_id, account_id,
        published_at, archived_at), ``app_usage`` (date, app_id, account_id)
        and optionally ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``live_app_window_days`` is used.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``apps`` or ``app_usage``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    draft_apps, end_user_mau, time_to_value
    """
    return _one("live_apps", tables, as_of, settings)


def draft_apps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the apps created but neither published nor archived before as_of.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``apps`` (app_id, account_id,
        created_at, published_at, archived_at), optionally ``accounts``.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        Not used; accepted for a uniform signature.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``apps``; a warning when
        unpublished apps without ``created_at`` were left out.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    live_apps
    """
    return _one("draft_apps", tables, as_of, settings)


def end_user_mau(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the distinct end users of the account's apps in the MAU window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``app_usage`` (date, app_id,
        end_user_id, account_id).
    as_of : datetime.date or str
        The report date (``app_usage.date`` is a local calendar date).
    settings : MetricSettings
        ``mau_window_days`` is used.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``app_usage``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    live_apps
    """
    return _one("end_user_mau", tables, as_of, settings)


def revenue_retention(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> tuple[MetricResult, MetricResult]:
    """Compute net and gross revenue retention over the trailing months.

    The period ends with the last complete calendar month before ``as_of``
    (``M_end``) and starts ``retention_months`` earlier (``M_start``). The
    cohort is every account in ``tables`` with MRR above 0 in ``M_start``;
    given one account's slice that is the account's own retention, given the
    whole portfolio it is the portfolio's.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``revenue`` (account_id, month, mrr, currency); ``fx_rates``
        (currency, month, rate) when revenue is not all in
        ``base_currency``; optionally ``accounts`` (which accounts, and
        ``currency`` for revenue rows without one).
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months`` and ``base_currency`` are used.

    Returns
    -------
    tuple of MetricResult
        ``(nrr, grr)`` in %; ``undefined`` when no account has MRR above 0
        at ``M_start``; ``not_available`` without ``revenue``.

    Raises
    ------
    InvalidInputError
        When a rate for a currency and month is missing, or MRR is negative.
    MissingColumnError
        When a table lacks a column used here.

    Examples
    --------
    >>> import pandas as pd
    >>> from cskit.schema import validate_table
    >>> revenue = validate_table("revenue", pd.DataFrame({
    ...     "account_id": ["a1", "a1"], "month": ["2023-03-01", "2024-03-01"],
    ...     "mrr": [100.0, 150.0], "currency": ["USD", "USD"]}))
    >>> nrr, grr = revenue_retention({"revenue": revenue}, as_of="2024-04-10")
    >>> nrr.value, grr.value
    (150.0, 100.0)
    """
    ctx = _context(tables, as_of, settings, single=False)
    return _cohort_results(ctx)


def nps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the account's net promoter score from its latest responses.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``surveys`` (response_id,
        account_id, contact_id, submitted_at, kind, score).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``survey_window_days`` and ``nps_min_responses`` are used.

    Returns
    -------
    MetricResult
        A score from -100 to 100; ``undefined`` without a response in the
        window; a warning with fewer than ``nps_min_responses`` responses.

    Raises
    ------
    InvalidInputError
        When a score is outside 0..10 or fractional (naming the response).

    See Also
    --------
    csat
    """
    return _one("nps", tables, as_of, settings)


def csat(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the share (%) of answered CSAT ratings that are 4 or 5.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`nps`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``survey_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no rating was answered in the window.

    Raises
    ------
    InvalidInputError
        When a score is outside 1..5 or fractional (naming the response).

    See Also
    --------
    nps
    """
    return _one("csat", tables, as_of, settings)


def time_to_value(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the days from kickoff to the first end-user use of a published app.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``accounts`` (kickoff_date,
        timezone), ``apps`` (app_id, account_id, published_at) and
        ``app_usage`` (date, app_id).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ttv_target_days`` is quoted in the censored reason.

    Returns
    -------
    MetricResult
        The ``ttv_days`` metric; ``undefined`` with reason "no live app yet
        (censored)" before the first live use, or when that use is dated
        before kickoff; ``not_available`` without ``kickoff_date``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    live_apps
    """
    return _one("ttv_days", tables, as_of, settings)


def tickets_created(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the tickets created in the trailing ticket window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``tickets`` (ticket_id, account_id,
        created_at, solved_at, status).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ticket_window_days`` is used.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``tickets``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    open_tickets
    """
    return _one("tickets_created", tables, as_of, settings)


def open_tickets(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the tickets created before as_of and not solved before it.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`tickets_created`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        Not used; accepted for a uniform signature.

    Returns
    -------
    MetricResult
        A count; a warning when open tickets carry a closed status without
        ``solved_at``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    tickets_created
    """
    return _one("open_tickets", tables, as_of, settings)


def seat_utilisation(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute active contacts in the MAD window as a % of licensed seats.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``accounts`` (seats_licensed,
        timezone) and ``events`` (ts, account_id, contact_id, event, count).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``mad_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage (above 100 when more people are active than licensed);
        ``not_available`` without ``seats_licensed``; ``undefined`` with 0
        seats.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    monthly_active_developers
    """
    return _one("seat_utilisation", tables, as_of, settings)


def account_metrics(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> dict[str, MetricResult]:
    """Compute every metric of :data:`METRICS` for one account.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account keyed by table name.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        The playbook's windows and thresholds.

    Returns
    -------
    dict of str to MetricResult
        Keyed by metric name, in report order.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for the single metrics.

    See Also
    --------
    portfolio_metrics, as_table
    """
    ctx = _context(tables, as_of, settings, single=True)
    frames = _all_frames(ctx)
    return {name: _result(frame, name) for name, frame in frames.items()}


def portfolio_metrics(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date | str | pd.Timestamp,
    settings: MetricSettings = _DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Compute every metric for every account, each in its own timezone.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of the whole portfolio keyed by table name. Without
        ``accounts`` the accounts are those found in the other tables.
    as_of : datetime.date or str
        The report date; the start of that day in each account's timezone.
    settings : MetricSettings
        The playbook's windows and thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per account in ``accounts`` order: ``account_id`` then, for
        each metric ``m`` of :data:`METRICS`, ``m`` (float, NaN unless ok),
        ``m_status`` and ``m_reason``. NRR and GRR are each account's own.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for the single metrics.

    See Also
    --------
    account_metrics, revenue_retention
    """
    ctx = _context(tables, as_of, settings, single=False)
    frames = _all_frames(ctx)
    table = pd.DataFrame(index=ctx.ids)
    for name, frame in frames.items():
        table[name] = frame["value"]
        table[f"{name}_status"] = frame["status"]
        table[f"{name}_reason"] = frame["reason"]
    table.index.name = "account_id"
    logger.info("portfolio metrics of %d accounts as of %s", len(table), ctx.as_of)
    return table.reset_index()


def as_table(results: Mapping[str, MetricResult]) -> pd.DataFrame:
    """Lay out metric results as a table for reports.

    Parameters
    ----------
    results : dict of str to MetricResult
        As returned by :func:`account_metrics`.

    Returns
    -------
    pandas.DataFrame
        One row per metric with columns ``metric``, ``value`` (float, NaN
        unless ok), ``unit``, ``status``, ``reason`` and ``warning``.

    Examples
    --------
    >>> table = as_table({"nps": MetricResult("nps", 20.0, "ok", unit="score")})
    >>> table[["metric", "value", "status"]].to_dict("records")
    [{'metric': 'nps', 'value': 20.0, 'status': 'ok'}]
    """
    columns = ["metric", "value", "unit", "status", "reason", "warning"]
    rows = [
        (name, r.value, r.unit, r.status, r.reason, r.warning)
        for name, r in results.items()
    ]
    table = pd.DataFrame(rows, columns=columns)
    table["value"] = table["value"].astype("float64")
    return table
