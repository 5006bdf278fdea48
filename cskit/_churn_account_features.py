"""Churn features of revenue, lifecycle events and account attributes.

Private helpers of :mod:`cskit.churn`: MRR and its changes, upgrades and
downgrades, renewals and earlier churns, tenure, days to the next renewal
and the account attributes (segment, tier, plan, seats, roadmap).

Limitations
-----------
``accounts.has_roadmap``, ``seats_licensed``, ``segment``, ``tier`` and
``plan`` are the values at export time (the contract has no history of
them), so a snapshot sees today's value of these columns. Revenue is compared
in the account's currency (MRR changes are ratios, so the currency cancels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit._churn_grid import (
    Context,
    carry_forward,
    last_value_grid,
    month_index,
    ratio,
    require,
)

__all__: list[str] = []


def revenue_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """MRR of the last month before as-of and its change over 3 and 12 months."""
    revenue = tables.get("revenue")
    if revenue is None or revenue.empty:
        return {}
    require(revenue, ("account_id", "month", "mrr"), "revenue")

    rows = ctx.grid.row(revenue)
    cols = month_index(revenue["month"]) - ctx.grid.first
    mrr = last_value_grid(ctx.grid.shape, rows, cols, revenue["mrr"].to_numpy(float))
    now = carry_forward(mrr, ctx.cols)
    before_3 = carry_forward(mrr, np.clip(ctx.cols - 3, 0, None))
    before_12 = carry_forward(mrr, np.clip(ctx.cols - 12, 0, None))
    out = {
        "mrr": now,
        "mrr_change_3m": ratio(now - before_3, before_3),
        "mrr_change_12m": ratio(now - before_12, before_12),
    }
    if "seats" in revenue:
        seats = revenue["seats"].astype("float64").to_numpy()
        out["seats_billed"] = carry_forward(
            last_value_grid(ctx.grid.shape, rows, cols, seats), ctx.cols
        )
    return out


def lifecycle_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Downgrades, upgrades, renewals and past churns from ``account_events``."""
    events = tables.get("account_events")
    if events is None or events.empty:
        return {}
    require(events, ("account_id", "date", "kind"), "account_events")

    kind = events["kind"].astype("str").to_numpy()
    out = {}
    for name in ("downgraded", "upgraded"):
        out[f"{name}_12m"] = ctx.window(events, "date", kind == name).last(12)
    out["renewals_before"] = ctx.window(events, "date", kind == "renewed").before()
    out["churned_before"] = ctx.window(events, "date", kind == "churned").before()
    return out


def account_features(accounts: pd.DataFrame, ctx: Context) -> dict[str, np.ndarray]:
    """Tenure, days to the next renewal, seats licensed and the roadmap flag."""
    as_of = ctx.as_of_days[None, :]
    start = _days(accounts.get("contract_start"))[:, None]
    renewal = _next_anniversary(accounts, ctx)
    out = {
        "tenure_days": as_of - start,
        "days_to_renewal": renewal - as_of,
        "seats_licensed": _column(accounts, "seats_licensed")[:, None] + 0 * as_of,
        "has_roadmap": _column(accounts, "has_roadmap")[:, None] + 0 * as_of,
    }
    return out


def _column(accounts: pd.DataFrame, name: str) -> np.ndarray:
    if name not in accounts:
        return np.full(len(accounts), np.nan)
    return pd.to_numeric(accounts[name].astype("Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )


def _days(values: pd.Series | None) -> np.ndarray:
    """Days since 1970 of a date column (NaN when missing)."""
    if values is None:
        return np.array([], dtype=float)
    dates = pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    out = dates.astype(np.int64).astype(float)
    out[np.isnat(dates)] = np.nan
    return out


def _next_anniversary(accounts: pd.DataFrame, ctx: Context) -> np.ndarray:
    """Day number of the first contract anniversary on or after each as-of."""
    anchor = accounts.get("contract_start")
    if anchor is None or anchor.isna().all():
        anchor = accounts.get("renewal_date")
    if anchor is None:
        return np.full((len(accounts), len(ctx.cols)), np.nan)

    anchor = pd.to_datetime(anchor).to_numpy().astype("datetime64[D]")
    valid = ~np.isnat(anchor)
    safe = np.where(valid, anchor, np.datetime64("2000-01-01"))
    as_of = ctx.as_of.to_numpy().astype("datetime64[D]")
    years = (
        as_of.astype("datetime64[Y]").astype(int)[None, :]
        - safe.astype("datetime64[Y]").astype(int)[:, None]
    )
    best = np.full(years.shape, np.nan)
    for shift in (-1, 0, 1):
        day = _add_years(safe, years + shift)
        ok = (day >= as_of[None, :]) & np.isnan(best)
        best = np.where(ok, day.astype(np.int64).astype(float), best)
    return np.where(valid[:, None], best, np.nan)


def _add_years(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Add whole years (as 12-month steps; the 29th of February becomes the 28th)."""
    month = days.astype("datetime64[M]")
    offset = days - month.astype("datetime64[D]")
    moved = month[:, None] + (12 * years).astype("timedelta64[M]")
    length = (moved + 1).astype("datetime64[D]") - moved.astype("datetime64[D]")
    offset = np.minimum(offset[:, None], length - 1)
    return moved.astype("datetime64[D]") + offset
