"""Onboarding metrics: time to value, its censored median, training."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from cskit.metrics._apps import APP_COLUMNS, USAGE_COLUMNS
from cskit.metrics._core import (
    NOT_AVAILABLE,
    OK,
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
    context,
    date_mask,
    local_dates,
    mark,
    ok_frame,
    require,
    single,
    ts_mask,
    unavailable,
    warn,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = ["FRAMES", "time_to_value", "training_attendance", "ttv_median"]

logger = logging.getLogger(__name__)


def _first_live_use(ctx: Context, apps: pd.DataFrame, usage: pd.DataFrame) -> pd.Series:
    """Return per account the first usage date of an app on or after publishing."""
    published = apps.loc[
        ts_mask(apps, "published_at", ctx), ["app_id", "account_id", "published_at"]
    ]
    zones = published["account_id"].map(ctx.accounts["timezone"])
    published["published_on"] = local_dates(published["published_at"], zones)

    used = usage.loc[date_mask(usage, "date", ctx), ["app_id", "date"]]
    rows = used.merge(published[["app_id", "account_id", "published_on"]], on="app_id")
    rows = rows[rows["date"] >= rows["published_on"]]
    first = rows.sort_values("date").drop_duplicates("account_id")
    return first.set_index("account_id")[["date", "published_on"]]


def _usage_starts(ctx: Context, usage: pd.DataFrame) -> pd.Series:
    """Return per account the first day its app_usage history holds."""
    used = usage.loc[date_mask(usage, "date", ctx), ["account_id", "date"]]
    return used.groupby("account_id")["date"].min()


def _ttv_frame(ctx: Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return unavailable(ctx, absent("accounts"))
    require(ctx.tables, "accounts", ("account_id", "kickoff_date"))
    apps = require(ctx.tables, "apps", APP_COLUMNS)
    usage = require(ctx.tables, "app_usage", USAGE_COLUMNS)
    if apps is None or usage is None:
        return unavailable(ctx, absent("apps" if apps is None else "app_usage"))

    kickoff = ctx.accounts["kickoff_date"]
    live = _first_live_use(ctx, apps, usage).reindex(ctx.ids)
    first = live["date"]
    frame = ok_frame(ctx, (first - kickoff).dt.days, fill=np.nan)
    _mark_ttv(ctx, frame, kickoff, first)
    _mark_uncovered(frame, live, _usage_starts(ctx, usage).reindex(ctx.ids))
    return frame


# A first live use this long after publishing, on the first day of the
# account's usage history, means the history starts after the real first use.
_UNCOVERED_GAP_DAYS = 90


def _mark_uncovered(frame: pd.DataFrame, live: pd.DataFrame, starts: pd.Series):
    """Not available when the app went live long before the usage history begins.

    The first end-user day then lies before the export, so the days from
    kickoff would count the export's start, not the customer's first value.
    """
    gap = (starts - live["published_on"]).dt.days
    uncovered = (gap > _UNCOVERED_GAP_DAYS) & live["date"].eq(starts)
    text = (
        "app_usage for this account starts on "
        + starts.dt.strftime("%Y-%m-%d")
        + ", after its first app went live ("
        + live["published_on"].dt.strftime("%Y-%m-%d")
        + "): the first end-user day is not in the data"
    )
    mark(frame, uncovered & frame["status"].eq("ok"), NOT_AVAILABLE, text)


def _mark_ttv(
    ctx: Context, frame: pd.DataFrame, kickoff: pd.Series, first: pd.Series
) -> None:
    mark(
        frame,
        kickoff.isna(),
        NOT_AVAILABLE,
        "accounts.kickoff_date is empty for this account; fill it in",
    )
    mark(
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
    mark(frame, first.isna(), UNDEFINED, censored)

    early = first < kickoff
    text = (
        "first end-user use of a published app ("
        + first.dt.strftime("%Y-%m-%d")
        + ") is before kickoff_date ("
        + kickoff.dt.strftime("%Y-%m-%d")
        + "); check the kickoff date"
    )
    mark(frame, early, UNDEFINED, text)
    warn(frame, early & frame["reason"].eq(text), text)


_TOUCHPOINT_COLUMNS = ("account_id", "ts", "kind", "invited", "attended")


def _training_frame(ctx: Context) -> pd.DataFrame:
    touchpoints = require(ctx.tables, "touchpoints", _TOUCHPOINT_COLUMNS)
    if touchpoints is None:
        return unavailable(ctx, absent("touchpoints"))

    days = ctx.settings.training_window_days
    kinds = ctx.settings.training_kinds
    rows = touchpoints[
        ts_mask(touchpoints, "ts", ctx, days)
        & touchpoints["kind"].isin(kinds).fillna(False).astype(bool)
    ]
    invited = rows["invited"].astype("float64")
    attended = rows["attended"].astype("float64")
    known = (invited > 0) & attended.notna()
    by_account = rows["account_id"][known]
    sums = (
        pd.DataFrame({"invited": invited[known], "attended": attended[known]})
        .groupby(by_account)
        .sum()
    )
    sums = sums.reindex(ctx.ids, fill_value=0.0)
    frame = ok_frame(
        ctx, 100.0 * sums["attended"] / sums["invited"].where(sums["invited"] > 0)
    )

    reason = f"no {'/'.join(kinds)} touchpoint with invitees in the {days} days"
    mark(frame, sums["invited"].eq(0), UNDEFINED, reason)
    over = (attended > invited)[known].groupby(by_account).sum()
    over = over.reindex(ctx.ids, fill_value=0).astype("int64")
    text = over.astype("str") + " training(s) with more attendees than invitees"
    warn(frame, over.gt(0) & frame["status"].eq(OK), text)
    return frame


FRAMES = {"ttv_days": _ttv_frame, "training_attendance": _training_frame}


def _ttv_durations(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Return per account the TTV duration in days and whether it went live."""
    reason = frame["reason"]
    live = frame["status"].eq(OK)
    censored = reason.str.startswith("no live app yet")
    kickoff = ctx.accounts.get("kickoff_date")
    waited = (ctx.as_of - kickoff).dt.days if kickoff is not None else np.nan
    durations = pd.DataFrame(
        {
            "duration": frame["value"].where(live, waited).astype("float64"),
            "live": live,
            "use": live | censored,
            "early": reason.str.contains("before kickoff_date"),
        },
        index=ctx.ids,
    )
    return durations


def time_to_value(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    return single("ttv_days", _ttv_frame, tables, as_of, settings)


def ttv_median(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Estimate the portfolio's median TTV, accounts not yet live censored.

    A Kaplan-Meier estimate (lifelines): an account that is live contributes
    its TTV as an event; an account not live yet contributes the days since
    its kickoff as a censored time, never a missing value. Accounts without
    kickoff, with kickoff on or after as_of, or whose first live use is dated
    before kickoff are left out; the last are counted in the warning.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of the portfolio (or any set of accounts):
        ``accounts``, ``apps`` and ``app_usage``.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``ttv_target_days`` is quoted in reasons.

    Returns
    -------
    MetricResult
        ``ttv_median`` in days; ``undefined`` when fewer than half of the
        accounts went live in the observed time (the median is not reached)
        or no account can be used; ``not_available`` as for
        :func:`time_to_value`.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`time_to_value`.

    See Also
    --------
    time_to_value
    """
    from lifelines import KaplanMeierFitter

    ctx = context(tables, as_of, settings, single=False)
    frame = _ttv_frame(ctx)
    durations = _ttv_durations(ctx, frame)
    early = int(durations["early"].sum())
    warning = ""
    if early:
        warning = f"{early} account(s) with a first live use before kickoff left out"
    used = durations[durations["use"]]
    if used.empty:
        return _no_median(frame, warning)

    fitter = KaplanMeierFitter().fit(used["duration"], event_observed=used["live"])
    median = float(fitter.median_survival_time_)
    logger.info("TTV median of %d accounts (%d live)", len(used), used["live"].sum())
    if not np.isfinite(median):
        reason = (
            f"fewer than half of {len(used)} account(s) went live in the observed "
            "time: the median is not reached yet"
        )
        return MetricResult("ttv_median", None, UNDEFINED, reason, warning, "days")
    return MetricResult("ttv_median", median, OK, "", warning, "days")


def _no_median(frame: pd.DataFrame, warning: str) -> MetricResult:
    """Return the result when no account can enter the estimate."""
    if len(frame) and frame["status"].eq(NOT_AVAILABLE).all():
        reason = str(frame["reason"].iloc[0])
        return MetricResult("ttv_median", None, NOT_AVAILABLE, reason, warning, "days")
    reason = "no account is live or waiting for its first live app"
    return MetricResult("ttv_median", None, UNDEFINED, reason, warning, "days")


def training_attendance(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of invited people who attended the account's trainings.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``touchpoints`` (account_id, ts, kind, invited, attended) of one
        account.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``training_kinds`` and ``training_window_days`` are used.

    Returns
    -------
    MetricResult
        ``100 * sum(attended) / sum(invited)`` over the trainings with both
        counts; ``undefined`` when there is none.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`time_to_value`.
    """
    build = _training_frame
    return single("training_attendance", build, tables, as_of, settings)
