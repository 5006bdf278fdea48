"""Support metrics: ticket counts, SLA compliance, slow and aging tickets."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cskit.metrics._calendar import business_seconds
from cskit.metrics._core import (
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
    check_timezone,
    context,
    mark,
    ok_frame,
    require,
    single,
    ts_mask,
    unavailable,
    utc_instants,
    warn,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, PRIORITY_NAMES, MetricSettings

__all__ = [
    "FRAMES",
    "first_response_sla",
    "open_ticket_age_days",
    "open_tickets",
    "resolution_sla",
    "sla_by_priority",
    "slow_tickets",
    "tickets_created",
]

TICKET_COLUMNS = ("ticket_id", "account_id", "created_at", "solved_at", "status")


def _tickets_created_frame(ctx: Context) -> pd.DataFrame:
    tickets = require(ctx.tables, "tickets", TICKET_COLUMNS)
    if tickets is None:
        return unavailable(ctx, absent("tickets"))

    days = ctx.settings.ticket_window_days
    created = ts_mask(tickets, "created_at", ctx, days)
    return ok_frame(ctx, created.groupby(tickets["account_id"]).sum())


def _open_tickets_frame(ctx: Context) -> pd.DataFrame:
    tickets = require(ctx.tables, "tickets", TICKET_COLUMNS)
    if tickets is None:
        return unavailable(ctx, absent("tickets"))

    created = ts_mask(tickets, "created_at", ctx)
    is_open = created & ~ts_mask(tickets, "solved_at", ctx)
    frame = ok_frame(ctx, is_open.groupby(tickets["account_id"]).sum())

    # The status column is the export's current status, so it may leak the future.
    closed = tickets["status"].str.lower().isin(["solved", "closed"])
    undated = (is_open & closed & tickets["solved_at"].isna()).fillna(False)
    undated = undated.groupby(tickets["account_id"]).sum().reindex(ctx.ids)
    undated = undated.fillna(0).astype("int64")
    text = undated.astype("str") + " open ticket(s) have a closed status but no "
    warn(frame, undated.gt(0), text + "solved_at; counted as open")
    return frame


def _open_mask(ctx: Context, tickets: pd.DataFrame) -> pd.Series:
    created = ts_mask(tickets, "created_at", ctx)
    return created & ~ts_mask(tickets, "solved_at", ctx)


def _open_age_frame(ctx: Context) -> pd.DataFrame:
    tickets = require(ctx.tables, "tickets", TICKET_COLUMNS)
    if tickets is None:
        return unavailable(ctx, absent("tickets"))

    rows = tickets[_open_mask(ctx, tickets)]
    end = rows["account_id"].map(utc_instants(ctx, ctx.as_of))
    age = (end - rows["created_at"]) / pd.Timedelta(days=1)
    frame = ok_frame(ctx, age.groupby(rows["account_id"]).median())
    count = rows.groupby("account_id").size().reindex(ctx.ids, fill_value=0)
    mark(frame, count.eq(0), UNDEFINED, "no open ticket at as_of")
    return frame


def _slow_frame(ctx: Context) -> pd.DataFrame:
    tickets = require(ctx.tables, "tickets", (*TICKET_COLUMNS, "tags"))
    if tickets is None:
        return unavailable(ctx, absent("tickets"))

    window = ts_mask(tickets, "created_at", ctx, ctx.settings.ticket_window_days)
    tags = tickets.loc[window, ["account_id", "tags"]].explode("tags")
    wanted = ctx.settings.slow_ticket_tag.lower()
    slow = tags["tags"].astype("str").str.strip().str.lower().eq(wanted)
    slow_ids = tags.index[slow.fillna(False).astype(bool)].unique()
    account = tickets.loc[slow_ids, "account_id"]
    return ok_frame(ctx, account.value_counts())


_SLA_COLUMNS = (*TICKET_COLUMNS, "first_response_at", "priority")
_STAMPS = {"first_response": "first_response_at", "resolution": "solved_at"}


def _sla_outcomes(ctx: Context, kind: str) -> pd.DataFrame | None:
    """Return per ticket in the window its priority and SLA outcome.

    ``outcome`` is ``met``, ``breached`` or ``pending`` (no answer before
    as_of yet, target not yet passed).
    """
    tickets = require(ctx.tables, "tickets", _SLA_COLUMNS)
    if tickets is None:
        return None
    days = ctx.settings.ticket_window_days
    rows = tickets[ts_mask(tickets, "created_at", ctx, days)]
    end = rows["account_id"].map(utc_instants(ctx, ctx.as_of))
    stamp = rows[_STAMPS[kind]]
    done = (stamp < end).fillna(False).astype(bool)
    until = stamp.where(done, end).astype("datetime64[us, UTC]")
    elapsed = _business(ctx, rows, until)

    priority = rows["priority"].fillna("normal")
    targets = getattr(ctx.settings, f"sla_{kind}_hours")
    limit = priority.map(targets).astype("float64") * 3600.0
    outcome = np.where(elapsed > limit, "breached", np.where(done, "met", "pending"))
    return pd.DataFrame(
        {"account_id": rows["account_id"], "priority": priority, "outcome": outcome}
    )


def _business(ctx: Context, rows: pd.DataFrame, until: pd.Series) -> pd.Series:
    """Return business seconds from created_at to ``until`` per ticket."""
    zone = ctx.settings.sla_timezone
    if zone == "account":
        zones = rows["account_id"].map(ctx.accounts["timezone"])
    else:
        check_timezone(zone, where="MetricSettings.sla_timezone")
        zones = pd.Series(zone, index=rows.index)
    elapsed = pd.Series(np.nan, index=rows.index, dtype="float64")
    for name in zones.unique():
        part = (zones == name).to_numpy()
        start = rows["created_at"][part]
        elapsed[part] = business_seconds(start, until[part], name, ctx.settings)
    return elapsed


def _sla_frame(ctx: Context, kind: str) -> pd.DataFrame:
    outcomes = _sla_outcomes(ctx, kind)
    if outcomes is None:
        return unavailable(ctx, absent("tickets"))

    decided = outcomes[outcomes["outcome"].ne("pending")]
    met = decided["outcome"].eq("met").groupby(decided["account_id"]).mean()
    frame = ok_frame(ctx, 100.0 * met)
    count = decided.groupby("account_id").size().reindex(ctx.ids, fill_value=0)
    days = ctx.settings.ticket_window_days
    reason = f"no ticket of the {days} days has met or breached its target yet"
    mark(frame, count.eq(0), UNDEFINED, reason)
    return frame


def _first_response_frame(ctx: Context) -> pd.DataFrame:
    return _sla_frame(ctx, "first_response")


def _resolution_frame(ctx: Context) -> pd.DataFrame:
    return _sla_frame(ctx, "resolution")


FRAMES = {
    "tickets_created": _tickets_created_frame,
    "open_tickets": _open_tickets_frame,
    "first_response_sla": _first_response_frame,
    "resolution_sla": _resolution_frame,
    "slow_tickets": _slow_frame,
    "open_ticket_age_days": _open_age_frame,
}


def tickets_created(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    build = _tickets_created_frame
    return single("tickets_created", build, tables, as_of, settings)


def open_tickets(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    return single("open_tickets", _open_tickets_frame, tables, as_of, settings)


def first_response_sla(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of tickets answered within their first-response target.

    A ticket created in the ticket window meets its target when the
    business hours from ``created_at`` to the answer are at most the target
    of its priority (empty priority: ``normal``). A ticket not answered
    before as_of is left out until its target has passed, then breached.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` of one account (ticket_id, account_id, created_at,
        first_response_at, solved_at, status, priority, tags) and optionally
        ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ticket_window_days`` and the SLA and calendar settings.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no ticket is decided yet.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing, ``as_of`` is no date or a calendar
        setting is unknown.
    """
    return single("first_response_sla", _first_response_frame, tables, as_of, settings)


def resolution_sla(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of tickets solved within their resolution target.

    A ticket created in the ticket window meets its target when the
    business hours from ``created_at`` to ``solved_at`` are at most the target
    of its priority (empty priority: ``normal``). A ticket not solved
    before as_of is left out until its target has passed, then breached.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` of one account (ticket_id, account_id, created_at,
        first_response_at, solved_at, status, priority, tags) and optionally
        ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ticket_window_days`` and the SLA and calendar settings.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no ticket is decided yet.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing, ``as_of`` is no date or a calendar
        setting is unknown.
    """
    return single("resolution_sla", _resolution_frame, tables, as_of, settings)


def slow_tickets(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the tickets of the ticket window tagged ``slow_ticket_tag``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` of one account (ticket_id, account_id, created_at,
        first_response_at, solved_at, status, priority, tags) and optionally
        ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ticket_window_days`` and the SLA and calendar settings.

    Returns
    -------
    MetricResult
        A count (tags compared without case).

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing, ``as_of`` is no date or a calendar
        setting is unknown.
    """
    return single("slow_tickets", _slow_frame, tables, as_of, settings)


def open_ticket_age_days(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the median age in days of the tickets open at as_of.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` of one account (ticket_id, account_id, created_at,
        first_response_at, solved_at, status, priority, tags) and optionally
        ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``ticket_window_days`` and the SLA and calendar settings.

    Returns
    -------
    MetricResult
        Days (fractional); ``undefined`` when no ticket is open.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing, ``as_of`` is no date or a calendar
        setting is unknown.
    """
    return single("open_ticket_age_days", _open_age_frame, tables, as_of, settings)


def sla_by_priority(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Tabulate SLA compliance per priority over every account in ``tables``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` of the portfolio (or one account), optionally
        ``accounts``.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        As for :func:`first_response_sla`.

    Returns
    -------
    pandas.DataFrame
        One row per priority (low, normal, high, urgent): ``tickets``, then
        for ``first_response`` and ``resolution`` the ``_target_hours``,
        ``_met``, ``_breached``, ``_pending`` counts and ``_sla`` (%, NaN
        when nothing is decided). Empty without ``tickets``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`first_response_sla`.
    """
    ctx = context(tables, as_of, settings, single=False)
    table = pd.DataFrame(index=pd.Index(PRIORITY_NAMES, name="priority"))
    for kind in _STAMPS:
        outcomes = _sla_outcomes(ctx, kind)
        if outcomes is None:
            return table.iloc[:0].reset_index()
        counts = pd.crosstab(outcomes["priority"], outcomes["outcome"])
        counts = counts.reindex(
            index=table.index, columns=["met", "breached", "pending"], fill_value=0
        )
        table["tickets"] = counts.sum(axis=1)
        targets = getattr(settings, f"sla_{kind}_hours")
        table[f"{kind}_target_hours"] = [targets[p] for p in table.index]
        for outcome in counts.columns:
            table[f"{kind}_{outcome}"] = counts[outcome]
        decided = counts["met"] + counts["breached"]
        table[f"{kind}_sla"] = 100.0 * counts["met"] / decided.where(decided > 0)
    return table.reset_index()
