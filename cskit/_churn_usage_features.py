"""Churn features of product usage, people and apps.

Private helpers of :mod:`cskit.churn`: product events (level, trend against
the account's own baseline, recency, building), developers and contacts
(active, inactive, champions and champions who left), and apps (live,
draft, published, end users and app usage days), each an account x as-of
array read from the months strictly before as-of.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit._churn_grid import (
    Context,
    Window,
    _present,
    latest_before,
    log_trend,
    month_index,
    ratio,
    require,
)

__all__: list[str] = []


def usage_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Product events: level, trend against the account's own baseline, recency."""
    events = tables.get("events")
    if events is None or events.empty:
        return {}
    require(events, ("ts", "account_id", "event"), "events")

    weight = None
    if "count" in events:
        weight = events["count"].astype("float64").fillna(1.0)
    usage = ctx.window(events, "ts", weight)
    build_rows = events["event"].astype("str").isin(ctx.build_events).to_numpy()
    build_weight = np.where(build_rows, 1.0 if weight is None else weight, 0.0)
    build = ctx.window(events, "ts", build_weight)

    day_number = events["ts"].to_numpy().astype("datetime64[D]").astype(np.int64)
    grid = np.full(ctx.grid.shape, -np.inf)
    rows = ctx.grid.row(events)
    cols = month_index(events["ts"]) - ctx.grid.first
    keep = (rows >= 0) & (cols >= 0) & (cols < ctx.grid.n_months)
    np.maximum.at(grid, (rows[keep], cols[keep]), day_number[keep].astype(float))
    last_day = latest_before(np.where(np.isinf(grid), np.nan, grid), ctx.cols)

    return {
        "events_1m": usage.last(1),
        "events_3m": usage.last(3),
        "usage_trend_1m": log_trend(usage.last(1), usage.last(6, skip=1) / 6),
        "usage_trend_3m": log_trend(usage.last(3) / 3, usage.last(6, skip=3) / 6),
        "build_events_1m": build.last(1),
        "build_trend_3m": log_trend(build.last(3) / 3, build.last(6, skip=3) / 6),
        "days_since_last_event": ctx.as_of_days[None, :] - last_day,
    }


def _distinct_per_month(frame, who: str, column: str, ctx: Context) -> Window:
    """Window sums of the number of distinct ``who`` values per account-month."""
    codes, uniques = pd.factorize(frame[who])
    rows = frame["_row"].to_numpy().astype(np.int64)
    cols = ctx.months_of(frame, column) - ctx.grid.first
    keep = (codes >= 0) & (rows >= 0) & (cols >= 0) & (cols < ctx.grid.n_months)
    cell = rows[keep] * ctx.grid.n_months + cols[keep]
    pairs = np.unique(cell * (len(uniques) + 1) + codes[keep])
    cell = pairs // (len(uniques) + 1)
    grid = np.bincount(cell, minlength=ctx.grid.shape[0] * ctx.grid.n_months)
    return Window(grid.reshape(ctx.grid.shape).astype(float), ctx.cols)


def _roster(contacts: pd.DataFrame, mask: np.ndarray, ctx: Context):
    """Return (people on the roster at as-of, people who left, by month Window)."""
    people = contacts[mask]
    joined = ctx.months_of(people, "created_at") if "created_at" in people else None
    if joined is None:
        joined = np.full(len(people), ctx.grid.first)
    joined = np.where(joined < -(10**8), ctx.grid.first, joined)
    adds = Window(ctx.grid.counts(people, joined), ctx.cols)

    left = ctx.months_of(people, "left_at") if "left_at" in people else None
    if left is None:
        left = np.full(len(people), -(10**9))
    leaves = Window(ctx.grid.counts(people, left), ctx.cols)
    return adds.before() - leaves.before(), leaves


def people_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Developers active and inactive, champions present and departed."""
    contacts, events = tables.get("contacts"), tables.get("events")
    if contacts is None or contacts.empty:
        return {}
    require(contacts, ("contact_id", "account_id"), "contacts")

    role = contacts["role"].astype("str") if "role" in contacts else pd.Series("")
    is_dev = (role == "developer").to_numpy()
    flag = contacts["is_champion"] if "is_champion" in contacts else None
    is_champion = (role == "champion").to_numpy().copy()
    if flag is not None:
        is_champion |= flag.fillna(False).astype(bool).to_numpy()
    developers, _ = _roster(contacts, is_dev, ctx)
    champions, champion_leaves = _roster(contacts, is_champion, ctx)

    out = {
        "developers": developers,
        "champions": champions,
        "champions_left_6m": champion_leaves.last(6),
        "champions_left_ever": champion_leaves.before(),
    }
    if events is not None and not events.empty and "contact_id" in events:
        dev_ids = set(contacts.loc[is_dev, "contact_id"].astype("str"))
        dev_events = events[events["contact_id"].astype("str").isin(dev_ids)]
        active = _distinct_per_month(dev_events, "contact_id", "ts", ctx).last(1)
        contacts_active = _distinct_per_month(events, "contact_id", "ts", ctx)
        out["developers_active_1m"] = active
        out["developers_inactive_1m"] = np.clip(developers - active, 0, None)
        out["developer_active_share"] = ratio(active, developers)
        out["contacts_active_1m"] = contacts_active.last(1)
    return out


def app_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Live and draft apps, apps published lately, end users and their trend."""
    out: dict[str, np.ndarray] = {}
    apps = tables.get("apps")
    if apps is not None and not apps.empty:
        require(apps, ("app_id", "account_id"), "apps")
        published = apps[_present(apps, "published_at")]
        archived_live = published[_present(published, "archived_at")]
        live = ctx.window(published, "published_at")
        gone = ctx.window(archived_live, "archived_at")
        created = apps[_present(apps, "created_at")]
        made = ctx.window(created, "created_at")
        out["live_apps"] = live.before() - gone.before()
        out["draft_apps"] = np.clip(made.before() - live.before(), 0, None)
        out["apps_published_3m"] = live.last(3)

    usage = tables.get("app_usage")
    if usage is not None and not usage.empty:
        require(usage, ("date", "end_user_id", "account_id"), "app_usage")
        users = _distinct_per_month(usage, "end_user_id", "date", ctx)
        days = ctx.window(usage, "date")
        out["end_users_1m"] = users.last(1)
        baseline = users.last(6, skip=3) / 6
        out["end_user_trend_3m"] = log_trend(users.last(3) / 3, baseline)
        out["app_usage_days_1m"] = days.last(1)
    return out
