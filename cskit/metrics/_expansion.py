"""Per-account expansion and renewal: logo churn, seats, modules, renewals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cskit.metrics import _revenue
from cskit.metrics._core import (
    NOT_AVAILABLE,
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
    mark,
    ok_frame,
    require,
    single,
    unavailable,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = [
    "FRAMES",
    "logo_churned",
    "module_growth",
    "on_time_renewal",
    "seat_growth",
]


def _snapshot_rows(ctx: Context, column: str) -> tuple[pd.DataFrame, ...] | None:
    """Return the revenue rows of ``M_start`` and ``M_end`` with ``column``."""
    revenue = require(ctx.tables, "revenue", ("account_id", "month", column))
    if revenue is None:
        return None
    start, end = _revenue.retention_months(ctx)
    rows = revenue[revenue["account_id"].isin(ctx.ids)]
    period = rows["month"].dt.to_period("M")
    return rows[period == start], rows[period == end], rows


def _seat_growth_frame(ctx: Context) -> pd.DataFrame:
    found = _snapshot_rows(ctx, "seats")
    if found is None:
        return unavailable(ctx, absent("revenue"))
    first, last, rows = found

    start = first.groupby("account_id")["seats"].sum(min_count=1)
    start = start.reindex(ctx.ids).astype("float64")
    end = last.groupby("account_id")["seats"].sum().reindex(ctx.ids, fill_value=0)
    frame = ok_frame(ctx, 100.0 * (end.astype("float64") - start) / start)

    known = rows["seats"].notna().groupby(rows["account_id"]).any()
    known = known.reindex(ctx.ids, fill_value=False).astype(bool)
    mark(frame, ~known, NOT_AVAILABLE, "revenue.seats is empty for this account")
    month, _ = _revenue.retention_months(ctx)
    mark(frame, start.isna() | start.eq(0), UNDEFINED, f"no seats in {month}")
    return frame


def _module_sets(rows: pd.DataFrame) -> pd.Series:
    """Return per account the set of modules of its rows."""
    listed = rows[["account_id", "modules"]].explode("modules").dropna()
    return listed.groupby("account_id")["modules"].agg(frozenset)


def _module_growth_frame(ctx: Context) -> pd.DataFrame:
    found = _snapshot_rows(ctx, "modules")
    if found is None:
        return unavailable(ctx, absent("revenue"))
    first, last, rows = found

    empty = pd.Series([frozenset()] * len(ctx.ids), index=ctx.ids, dtype=object)
    before = _module_sets(first).reindex(ctx.ids).fillna(empty)
    after = _module_sets(last).reindex(ctx.ids).fillna(empty)
    added = [len(b - a) for a, b in zip(before, after, strict=True)]
    frame = ok_frame(ctx, pd.Series(added, index=ctx.ids))

    known = rows["modules"].map(_is_list).groupby(rows["account_id"]).any()
    known = known.reindex(ctx.ids, fill_value=False).astype(bool)
    mark(frame, ~known, NOT_AVAILABLE, "revenue.modules is empty for this account")
    month, _ = _revenue.retention_months(ctx)
    outside = ~ctx.ids.isin(first["account_id"])
    mark(frame, outside, UNDEFINED, f"no revenue row in {month} (the period start)")
    return frame


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _due_dates(ctx: Context) -> pd.DataFrame:
    """Return the renewals due in the trailing window: account_id, due, prev."""
    settings = ctx.settings
    begin = (pd.Period(ctx.as_of, freq="M") - settings.retention_months).to_timestamp()
    start = ctx.accounts["contract_start"].dropna()
    months = (ctx.as_of.year - start.dt.year) * 12 + ctx.as_of.month - start.dt.month
    terms = (months // settings.renewal_term_months + 1).clip(lower=0)

    account = np.repeat(start.index.to_numpy(), terms.to_numpy())
    k = np.concatenate([np.arange(1, n + 1) for n in terms.to_numpy()] or [[]])
    first = np.repeat(start.to_numpy(), terms.to_numpy())
    due = _add_months(first, k * settings.renewal_term_months)
    prev = _add_months(first, (k - 1) * settings.renewal_term_months)
    table = pd.DataFrame({"account_id": account, "due": due, "prev": prev})
    grace = pd.Timedelta(days=settings.renewal_grace_days)
    keep = (table["due"] >= begin) & (table["due"] + grace < ctx.as_of)
    return table[keep].reset_index(drop=True)


def _add_months(dates: np.ndarray, months: np.ndarray) -> pd.Series:
    """Add whole months to dates, keeping the day or the month's last day."""
    stamps = pd.Series(pd.to_datetime(dates)).astype("datetime64[us]")
    periods = stamps.dt.to_period("M") + pd.Series(months.astype("int64"))
    day = np.minimum(stamps.dt.day, periods.dt.days_in_month)
    result = periods.dt.to_timestamp() + pd.to_timedelta(day - 1, unit="D")
    return result.astype("datetime64[us]")


def _renewal_frame(ctx: Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return unavailable(ctx, absent("accounts"))
    require(ctx.tables, "accounts", ("account_id", "contract_start"))
    events = require(ctx.tables, "account_events", ("account_id", "date", "kind"))
    if events is None:
        return unavailable(ctx, absent("account_events"))

    due = _due_dates(ctx)
    renewed = events[events["kind"].eq("renewed") & (events["date"] < ctx.as_of)]
    pairs = due.reset_index().merge(renewed[["account_id", "date"]], on="account_id")
    grace = pd.Timedelta(days=ctx.settings.renewal_grace_days)
    hit = (pairs["date"] > pairs["prev"]) & (pairs["date"] <= pairs["due"] + grace)
    due["on_time"] = due.index.isin(pairs.loc[hit, "index"])
    counts = due.groupby("account_id")["on_time"].agg(["size", "sum"])
    counts = counts.reindex(ctx.ids, fill_value=0)
    frame = ok_frame(
        ctx, 100.0 * counts["sum"] / counts["size"].where(counts["size"] > 0)
    )

    empty = "accounts.contract_start is empty for this account; fill it in"
    mark(frame, ctx.accounts["contract_start"].isna(), NOT_AVAILABLE, empty)
    outcomes = events[
        events["kind"].isin(["renewed", "churned"]) & (events["date"] < ctx.as_of)
    ]
    silent = ~pd.Index(ctx.ids).isin(outcomes["account_id"])
    unrecorded = (
        "account_events records neither a renewal nor a churn of this account: "
        "renewals are not in the export, so timeliness cannot be judged"
    )
    mark(
        frame,
        pd.Series(silent, index=frame.index) & counts["size"].gt(0),
        NOT_AVAILABLE,
        unrecorded,
    )
    months = ctx.settings.retention_months
    reason = f"no renewal fell due in the last {months} months"
    mark(frame, counts["size"].eq(0), UNDEFINED, reason)
    return frame


FRAMES = {
    "seat_growth": _seat_growth_frame,
    "module_growth": _module_growth_frame,
    "on_time_renewal": _renewal_frame,
}


def logo_churned(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Tell (1 or 0) whether the account churned over the retention period.

    1 when the account had MRR above 0 in ``M_start`` and has MRR 0 (or no
    revenue row) in ``M_end``; 0 when it still pays; ``undefined`` outside
    the cohort, exactly as for NRR.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`revenue_retention`, one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months`` and ``base_currency`` are used.

    Returns
    -------
    MetricResult
        1.0 or 0.0 (unit ``flag``).

    Raises
    ------
    InvalidInputError
        As for :func:`revenue_retention`.
    """
    build = _revenue.FRAMES["logo_churned"]
    return single("logo_churned", build, tables, as_of, settings)


def seat_growth(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % change of ``revenue.seats`` from ``M_start`` to ``M_end``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``revenue`` (account_id, month, seats) of one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months`` is used.

    Returns
    -------
    MetricResult
        A percentage; -100 when no revenue row is left in ``M_end``;
        ``undefined`` without seats in ``M_start``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.
    """
    return single("seat_growth", _seat_growth_frame, tables, as_of, settings)


def module_growth(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the modules in ``M_end`` that the account did not have in ``M_start``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``revenue`` (account_id, month, modules) of one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months`` is used.

    Returns
    -------
    MetricResult
        A count (modules dropped are not subtracted); ``undefined`` without
        a revenue row in ``M_start``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.
    """
    build = _module_growth_frame
    return single("module_growth", build, tables, as_of, settings)


def on_time_renewal(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of renewals due in the retention period renewed on time.

    A renewal falls due every ``renewal_term_months`` after
    ``contract_start``; it is on time when a ``renewed`` account event is
    dated after the previous due date and at most ``renewal_grace_days``
    after this one.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``accounts`` (contract_start) and ``account_events`` (account_id,
        date, kind) of one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months``, ``renewal_term_months`` and
        ``renewal_grace_days`` are used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no renewal fell due.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.
    """
    return single("on_time_renewal", _renewal_frame, tables, as_of, settings)
