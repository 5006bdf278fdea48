"""App metrics: live and draft apps, end-user MAU and their growth."""

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
    mark,
    ok_frame,
    require,
    single,
    ts_mask,
    unavailable,
    warn,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = [
    "APP_COLUMNS",
    "USAGE_COLUMNS",
    "FRAMES",
    "draft_apps",
    "end_user_growth",
    "end_user_mau",
    "live_app_growth",
    "live_apps",
]

APP_COLUMNS = ("app_id", "account_id", "created_at", "published_at", "archived_at")
USAGE_COLUMNS = ("date", "app_id", "end_user_id", "account_id")


def _live_frame(ctx: Context) -> pd.DataFrame:
    apps = require(ctx.tables, "apps", APP_COLUMNS)
    usage = require(ctx.tables, "app_usage", USAGE_COLUMNS)
    if apps is None:
        return unavailable(ctx, absent("apps"))
    if usage is None:
        return unavailable(ctx, absent("app_usage"))

    window = date_mask(usage, "date", ctx, ctx.settings.live_app_window_days)
    used = apps["app_id"].isin(usage.loc[window, "app_id"].unique())
    published = ts_mask(apps, "published_at", ctx)
    archived = ts_mask(apps, "archived_at", ctx)
    live = published & ~archived & used
    return ok_frame(ctx, live.groupby(apps["account_id"]).sum())


def _draft_frame(ctx: Context) -> pd.DataFrame:
    apps = require(ctx.tables, "apps", APP_COLUMNS)
    if apps is None:
        return unavailable(ctx, absent("apps"))

    open_ = ~ts_mask(apps, "published_at", ctx) & ~ts_mask(apps, "archived_at", ctx)
    draft = ts_mask(apps, "created_at", ctx) & open_
    frame = ok_frame(ctx, draft.groupby(apps["account_id"]).sum())

    # Apps without created_at may be drafts or may not exist yet at as_of.
    undated = apps["created_at"].isna() & open_
    undated = undated.groupby(apps["account_id"]).sum().reindex(ctx.ids, fill_value=0)
    text = undated.astype("str") + " unpublished app(s) without created_at left out"
    warn(frame, undated.gt(0), text)
    return frame


def _mau_frame(ctx: Context) -> pd.DataFrame:
    usage = require(ctx.tables, "app_usage", USAGE_COLUMNS)
    if usage is None:
        return unavailable(ctx, absent("app_usage"))

    rows = usage[date_mask(usage, "date", ctx, ctx.settings.mau_window_days)]
    return ok_frame(ctx, rows.groupby("account_id")["end_user_id"].nunique())


def _growth(ctx: Context, build, days: int, label: str) -> pd.DataFrame:
    """Compare a metric at as_of with its value ``days`` earlier, in %."""
    now = build(ctx)
    before = build(ctx.shifted(days))
    previous = before["value"].where(before["status"].eq("ok"))
    frame = now.copy()
    frame["value"] = 100.0 * (now["value"] - previous) / previous.where(previous > 0)
    frame["warning"] = ""
    earlier = (ctx.as_of - pd.Timedelta(days=days)).strftime("%Y-%m-%d")
    mark(frame, before["status"].ne("ok"), before["status"], before["reason"])
    reason = f"no {label} in the window ending {earlier}: growth from 0"
    mark(frame, previous.eq(0), UNDEFINED, reason)
    return frame


def _live_growth_frame(ctx: Context) -> pd.DataFrame:
    days = ctx.settings.live_app_window_days
    return _growth(ctx, _live_frame, days, "live app")


def _mau_growth_frame(ctx: Context) -> pd.DataFrame:
    return _growth(ctx, _mau_frame, ctx.settings.mau_window_days, "end user")


FRAMES = {
    "live_apps": _live_frame,
    "live_app_growth": _live_growth_frame,
    "draft_apps": _draft_frame,
    "end_user_mau": _mau_frame,
    "end_user_growth": _mau_growth_frame,
}


def live_apps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    return single("live_apps", _live_frame, tables, as_of, settings)


def draft_apps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    return single("draft_apps", _draft_frame, tables, as_of, settings)


def end_user_mau(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
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
    return single("end_user_mau", _mau_frame, tables, as_of, settings)


def live_app_growth(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the month-over-month change (%) of the live apps.

    Live apps at ``as_of`` against live apps at ``as_of`` minus
    ``live_app_window_days``, each by the rule of :func:`live_apps`.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`live_apps`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``live_app_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when there was no live app before.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`live_apps`.

    See Also
    --------
    live_apps, end_user_growth
    """
    build = _live_growth_frame
    return single("live_app_growth", build, tables, as_of, settings)


def end_user_growth(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the month-over-month change (%) of the end-user MAU.

    End-user MAU at ``as_of`` against the MAU ``mau_window_days`` earlier
    (the window just before).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`end_user_mau`.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``mau_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when the earlier MAU is 0.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`end_user_mau`.

    See Also
    --------
    end_user_mau, live_app_growth
    """
    build = _mau_growth_frame
    return single("end_user_growth", build, tables, as_of, settings)
