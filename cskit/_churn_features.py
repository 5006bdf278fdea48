"""Point-in-time churn snapshots: features strictly before each as-of date.

Private helpers of :mod:`cskit.churn`: :func:`make_context` builds the
account x month grid of :mod:`cskit._churn_grid`, :func:`compute` runs every
feature family (a snapshot's as-of date is always the first day of a month,
so "strictly before as-of" is "in an earlier month"), :func:`assemble` lays
the arrays out as one row per account and as-of date, :func:`label` adds
the churn labels and :func:`complete` the derived and absent features. No
Python loop runs per account or per month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit._churn_account_features import (
    account_features,
    lifecycle_features,
    revenue_features,
)
from cskit._churn_grid import (
    Context,
    _Grid,
    localise,
    month_index,
    require,
)
from cskit._churn_usage_features import app_features, people_features, usage_features
from cskit._churn_voice_features import (
    engagement_features,
    pulse_features,
    survey_features,
    ticket_features,
)

__all__: list[str] = []


SLA_HOURS = {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}
CATEGORICAL = ("segment", "tier", "plan")


_LOOKBACK = 13


def churn_dates(tables: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (churns, reactivations) as frames of account_id and date.

    An account with a 'churned' row in ``account_events`` takes its churn
    dates from there; ``accounts.churned_at`` is used only for the others.
    """
    accounts = tables["accounts"]
    events = tables.get("account_events")
    empty = pd.DataFrame(
        {
            "account_id": pd.Series(dtype="str"),
            "date": pd.Series(dtype="datetime64[us]"),
        }
    )
    churns, react = empty, empty
    if events is not None and not events.empty:
        require(events, ("account_id", "date", "kind"), "account_events")
        kind = events["kind"].astype("str")
        churns = events.loc[kind == "churned", ["account_id", "date"]]
        react = events.loc[kind == "reactivated", ["account_id", "date"]]

    if "churned_at" in accounts:
        known = set(churns["account_id"].astype("str"))
        shortcut = accounts.loc[
            accounts["churned_at"].notna()
            & ~accounts["account_id"].astype("str").isin(known),
            ["account_id", "churned_at"],
        ].rename(columns={"churned_at": "date"})
        churns = pd.concat([churns, shortcut], ignore_index=True)
    return _tidy_dates(churns), _tidy_dates(react)


def _tidy_dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(
        account_id=frame["account_id"].astype("str"),
        date=pd.to_datetime(frame["date"]).astype("datetime64[us]"),
    )
    return frame.dropna().sort_values("date").reset_index(drop=True)


def _asof(snaps: pd.DataFrame, dates: pd.DataFrame, *, forward: bool) -> pd.Series:
    """The last date before as-of (or the first on or after it) per snapshot."""
    left = snaps[["account_id", "as_of"]].reset_index().sort_values("as_of")
    right = dates.rename(columns={"date": "found"}).assign(key=lambda d: d["found"])
    merged = pd.merge_asof(
        left,
        right.sort_values("key"),
        left_on="as_of",
        right_on="key",
        by="account_id",
        direction="forward" if forward else "backward",
        allow_exact_matches=forward,
    )
    return merged.set_index("index")["found"].reindex(snaps.index)


def label(snaps: pd.DataFrame, tables: dict, *, horizons, data_end) -> pd.DataFrame:
    """Drop snapshots of churned accounts and add ``churned_within_<H>d`` labels.

    A label is NaN (censored) when its window reaches past ``data_end``, even
    when a churn is already seen in it: keeping only the churns of a partly
    seen window would inflate the churn rate of the latest snapshots.
    """
    churns, react = churn_dates(tables)
    last_churn = _asof(snaps, churns, forward=False)
    last_react = _asof(snaps, react, forward=False)
    gone = last_churn.notna() & (last_react.isna() | (last_react < last_churn))
    snaps = snaps.loc[~gone.to_numpy()].copy()

    next_churn = _asof(snaps, churns, forward=True)
    snaps["next_churn_date"] = next_churn.astype("datetime64[us]")
    for horizon in horizons:
        end = snaps["as_of"] + pd.Timedelta(days=int(horizon))
        hit = next_churn.notna() & (next_churn < end)
        censored = end > pd.Timestamp(data_end)
        values = np.where(censored, np.nan, hit.astype(float))
        snaps[f"churned_within_{int(horizon)}d"] = values
    return snaps


FAMILIES = (
    usage_features,
    people_features,
    app_features,
    ticket_features,
    survey_features,
    engagement_features,
    revenue_features,
    lifecycle_features,
)


def make_context(accounts: pd.DataFrame, as_of: pd.DatetimeIndex, **settings):
    """Build the account x month grid that ends with the last as-of month."""
    zones = accounts.get("timezone", pd.Series("UTC", index=accounts.index))
    zones = pd.Series(
        zones.fillna("UTC").astype("str").to_numpy(),
        index=accounts["account_id"].astype("str").to_numpy(),
    )
    months = month_index(pd.Series(as_of))
    first = int(months.min()) - _LOOKBACK
    grid = _Grid(
        accounts.reset_index(drop=True), first, int(months.max()) - first + 1, zones
    )
    return Context(grid, months - first, as_of, **settings)


def compute(tables: dict, ctx: Context, pulse) -> dict[str, np.ndarray]:
    """Run every feature family; return feature name -> account x as-of array."""
    tables = localise({**tables, "pulse": pulse}, ctx.grid)
    pulse = tables.pop("pulse")
    features: dict[str, np.ndarray] = {}
    for family in FAMILIES:
        features.update(family(tables, ctx))
    features.update(pulse_features(pulse, ctx))
    features.update(account_features(ctx.grid.accounts, ctx))
    return features


def assemble(features: dict, ctx: Context) -> pd.DataFrame:
    """Lay the arrays out as one row per account and as-of date."""
    accounts = ctx.grid.accounts
    n_acc, n_asof = ctx.grid.shape[0], len(ctx.cols)
    frame = pd.DataFrame(
        {
            "account_id": np.repeat(
                accounts["account_id"].astype("str").to_numpy(), n_asof
            ),
            "as_of": np.tile(ctx.as_of.to_numpy().astype("datetime64[us]"), n_acc),
        }
    )
    for name in CATEGORICAL:
        values = accounts[name] if name in accounts else pd.Series(index=accounts.index)
        frame[name] = np.repeat(values.astype("str").to_numpy(), n_asof)
    for name, values in features.items():
        frame[name] = np.asarray(values, dtype="float64").ravel()
    frame["account_id"] = frame["account_id"].astype("str")
    for name in CATEGORICAL:
        frame[name] = frame[name].astype("str")
    return frame


def started(frame: pd.DataFrame, accounts: pd.DataFrame) -> pd.Series:
    """True for snapshots on or after the account's contract start (or unknown)."""
    if "contract_start" not in accounts:
        return pd.Series(True, index=frame.index)
    start = pd.to_datetime(accounts["contract_start"]).astype("datetime64[us]")
    lookup = pd.Series(start.to_numpy(), index=accounts["account_id"].astype("str"))
    begin = frame["account_id"].map(lookup)
    return begin.isna() | (begin <= frame["as_of"])


SNAPSHOT_FEATURES = (
    "segment",
    "tier",
    "plan",
    "events_1m",
    "events_3m",
    "usage_trend_1m",
    "usage_trend_3m",
    "build_events_1m",
    "build_trend_3m",
    "days_since_last_event",
    "developers",
    "developers_active_1m",
    "developers_inactive_1m",
    "developer_active_share",
    "contacts_active_1m",
    "champions",
    "champions_left_6m",
    "champions_left_ever",
    "live_apps",
    "draft_apps",
    "apps_published_3m",
    "end_users_1m",
    "end_user_trend_3m",
    "app_usage_days_1m",
    "seats_licensed",
    "seats_billed",
    "seat_utilisation",
    "tickets_3m",
    "tickets_high_urgent_3m",
    "tickets_high_urgent_share_3m",
    "tickets_slow_3m",
    "tickets_open",
    "sla_breaches_3m",
    "pulse_6m",
    "pulse_texts_6m",
    "nps_12m",
    "nps_responses_12m",
    "csat_12m",
    "calls_3m",
    "touchpoints_3m",
    "has_roadmap",
    "days_to_renewal",
    "mrr",
    "mrr_change_3m",
    "mrr_change_12m",
    "downgraded_12m",
    "upgraded_12m",
    "renewals_before",
    "churned_before",
    "tenure_days",
)


def complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Add derived columns and NaN for every feature whose table is absent."""
    if "developers" in frame and "seats_licensed" in frame:
        frame["seat_utilisation"] = frame["developers"] / frame["seats_licensed"].where(
            frame["seats_licensed"] > 0
        )
    missing = [name for name in SNAPSHOT_FEATURES if name not in frame]
    frame = pd.concat(
        [frame, pd.DataFrame(np.nan, index=frame.index, columns=missing)], axis=1
    )
    labels = [c for c in frame if c.startswith("churned_within_")]
    keys = ["account_id", "as_of"]
    return frame[keys + list(SNAPSHOT_FEATURES) + ["next_churn_date"] + labels]
