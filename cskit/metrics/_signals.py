"""Warning signs: a drop in usage and a silent account."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cskit.metrics._core import (
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
    date_mask,
    local_dates,
    mark,
    ok_frame,
    require,
    single,
    ts_mask,
    unavailable,
)
from cskit.metrics._events import people
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = ["FRAMES", "ACTIVITY_SOURCES", "days_silent", "usage_drop"]

ACTIVITY_SOURCES = {
    "touchpoints": "ts",
    "tickets": "created_at",
    "surveys": "submitted_at",
    "calls": "started_at",
}


def _usage_drop_frame(ctx: Context) -> pd.DataFrame:
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))

    summary = found.summary
    sums = summary.groupby("account_id")[["recent_usage", "baseline_usage"]].sum()
    sums = sums.reindex(ctx.ids, fill_value=0.0)
    recent_weeks = ctx.settings.usage_recent_weeks
    baseline_weeks = ctx.settings.usage_baseline_weeks
    recent = sums["recent_usage"] / recent_weeks
    baseline = sums["baseline_usage"] / baseline_weeks
    frame = ok_frame(ctx, 100.0 * (recent - baseline) / baseline.where(baseline > 0))

    reason = (
        f"no product usage in the {baseline_weeks} weeks before the last "
        f"{recent_weeks} weeks: no baseline to compare with"
    )
    mark(frame, baseline.eq(0), UNDEFINED, reason)
    return frame


def _last_instants(ctx: Context) -> tuple[list[pd.Series], list[str]]:
    """Return per source the last activity instant per account."""
    found, present = [], []
    summary = people(ctx)
    if summary is not None:
        found.append(summary.summary.groupby("account_id")["last_ts"].max())
        present.append("events")
    for name, column in ACTIVITY_SOURCES.items():
        table = require(ctx.tables, name, ("account_id", column))
        if table is None:
            continue
        rows = table[ts_mask(table, column, ctx)]
        found.append(rows.groupby("account_id")[column].max())
        present.append(name)
    return found, present


def _silent_frame(ctx: Context) -> pd.DataFrame:
    instants, present = _last_instants(ctx)
    zones = ctx.accounts["timezone"]
    days = []
    for last in instants:
        last = last.reindex(ctx.ids).astype("datetime64[us, UTC]")
        days.append(local_dates(last, zones))
    usage = require(ctx.tables, "app_usage", ("account_id", "date"))
    if usage is not None:
        rows = usage[date_mask(usage, "date", ctx)]
        days.append(rows.groupby("account_id")["date"].max().reindex(ctx.ids))
        present.append("app_usage")
    if not present:
        names = ["events", "app_usage", *ACTIVITY_SOURCES]
        return unavailable(ctx, f"none of the tables {names} is in the workspace")

    last_day = pd.concat(days, axis=1).max(axis=1)
    frame = ok_frame(ctx, (ctx.as_of - last_day).dt.days)
    reason = f"no activity of any kind before as_of (in {', '.join(present)})"
    mark(frame, last_day.isna(), UNDEFINED, reason)
    return frame


FRAMES = {"usage_drop": _usage_drop_frame, "days_silent": _silent_frame}


def usage_drop(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compare the last weeks' product usage with the account's own baseline.

    ``usage`` is the sum of ``events.count`` (empty counts as 1) of every
    event, with or without contact. The value is
    ``100 * (recent / R - baseline / B) / (baseline / B)`` with ``R =
    usage_recent_weeks`` (4) weeks before as_of and the ``B =
    usage_baseline_weeks`` (8) weeks before them: negative is a drop.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``events`` of one account, optionally ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``usage_recent_weeks`` and ``usage_baseline_weeks`` are used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` without baseline usage.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.
    """
    return single("usage_drop", _usage_drop_frame, tables, as_of, settings)


def days_silent(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the days since the account's last activity of any kind.

    Activity is any product event, end-user app use, touchpoint, ticket
    created, survey response or call, before as_of. The value is
    ``as_of - (local date of the last activity)`` in days, so activity on
    the day before as_of gives 1. The account is silent when the value
    reaches ``silent_days``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Any of ``events``, ``app_usage``, ``touchpoints``, ``tickets``,
        ``surveys`` and ``calls`` of one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        Not used beyond the events summary; ``silent_days`` is the flag's
        threshold.

    Returns
    -------
    MetricResult
        Days; ``undefined`` when there is no activity at all;
        ``not_available`` when none of the tables is present.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.
    """
    return single("days_silent", _silent_frame, tables, as_of, settings)
