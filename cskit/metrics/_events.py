"""One DuckDB pass over the product events, shared by every event metric.

The events table is the only table that reaches billions of rows, so it is
read once, in DuckDB, into one row per ``(account_id, contact_id)`` with the
flags and counts every event metric needs. The developer metrics, usage drop
and days silent then work on that small summary with pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from cskit.metrics._core import Context, require, utc_instants

__all__ = ["People", "people", "local_midnights", "NO_CONTACT_IDS"]

NO_CONTACT_IDS = (
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
_EVENT_COLUMNS = ("ts", "account_id", "contact_id", "event", "count")

_SUMMARY = """
WITH visible AS (
    SELECT e.account_id, e.contact_id, e.ts,
           coalesce(e."count", 1) AS n,
           coalesce(list_contains($builds, e.event), false) AS build,
           b.activation_start, b.mad_start, b.inactive_start, b.kick_start,
           b.kick_end, b.recent_start, b.baseline_start
    FROM events AS e
    JOIN bounds AS b ON e.account_id = b.account_id
    WHERE e.ts < b.end_ts AND coalesce(e."count", 1) > 0
)
SELECT account_id, contact_id,
       max(ts) AS last_ts,
       bool_or(build) AS built,
       coalesce(bool_or(build AND ts >= activation_start), false) AS activated,
       coalesce(bool_or(ts >= mad_start), false) AS active,
       coalesce(bool_or(ts >= inactive_start), false) AS recent,
       coalesce(bool_or(build AND ts >= kick_start AND ts < kick_end), false)
           AS day45,
       coalesce(bool_or(ts >= kick_start AND ts < kick_end), false) AS onboarded,
       coalesce(sum(n) FILTER (WHERE ts >= recent_start), 0) AS recent_usage,
       coalesce(sum(n) FILTER (WHERE ts >= baseline_start AND ts < recent_start),
                0) AS baseline_usage
FROM visible
GROUP BY account_id, contact_id
"""


@dataclass(frozen=True)
class People:
    """The event summary, the developers and who lacks contact ids.

    ``summary`` has one row per ``(account_id, contact_id)`` (an empty
    ``contact_id`` is one row per account) of the visible events;
    ``developers`` the developers' ``(account_id, contact_id)`` pairs;
    ``no_contact`` the accounts whose visible events all lack a contact;
    ``warnings`` per account why developers were inferred from builds.
    """

    summary: pd.DataFrame
    developers: pd.DataFrame
    no_contact: pd.Index
    warnings: pd.Series

    @property
    def named(self) -> pd.DataFrame:
        """Return the summary rows of identified contacts."""
        return self.summary[self.summary["contact_id"].notna()]


def local_midnights(ctx: Context, dates: pd.Series) -> pd.Series:
    """Return the UTC instant of local midnight of each account's date."""
    zones = ctx.accounts["timezone"]
    out = pd.Series(pd.NaT, index=ctx.ids, dtype="datetime64[us, UTC]")
    for zone in zones.unique():
        rows = (zones == zone).to_numpy()
        local = pd.to_datetime(dates[rows]).astype("datetime64[us]")
        instants = local.dt.tz_localize(
            zone, ambiguous=True, nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
        out[rows] = instants.astype("datetime64[us, UTC]")
    return out


def _bounds(ctx: Context) -> pd.DataFrame:
    """Return per account the UTC instants that cut the event windows."""
    settings = ctx.settings
    recent = 7 * settings.usage_recent_weeks
    baseline = recent + 7 * settings.usage_baseline_weeks
    bounds = pd.DataFrame(index=ctx.ids)
    bounds["end_ts"] = utc_instants(ctx, ctx.as_of)
    starts = {
        "activation_start": settings.activation_window_days,
        "mad_start": settings.mad_window_days,
        "inactive_start": settings.inactivity_days,
        "recent_start": recent,
        "baseline_start": baseline,
    }
    for column, days in starts.items():
        bounds[column] = utc_instants(ctx, ctx.as_of - pd.Timedelta(days=days))

    kickoff = ctx.accounts.get("kickoff_date")
    if kickoff is None:
        kickoff = pd.Series(pd.NaT, index=ctx.ids, dtype="datetime64[us]")
    bounds["kick_start"] = local_midnights(ctx, kickoff)
    later = kickoff + pd.Timedelta(days=settings.day45_days)
    bounds["kick_end"] = local_midnights(ctx, later)
    bounds.index.name = "account_id"
    return bounds.reset_index()


def _summary(ctx: Context, events: pd.DataFrame) -> pd.DataFrame:
    """Run the one DuckDB aggregate over the events."""
    bounds = _bounds(ctx)
    with duckdb.connect() as con:
        con.register("events", events[list(_EVENT_COLUMNS)])
        con.register("bounds", bounds)
        params = {"builds": list(ctx.settings.build_events)}
        summary = con.execute(_SUMMARY, params).df()
    summary["account_id"] = summary["account_id"].astype("str")
    summary["contact_id"] = summary["contact_id"].astype("str")
    summary["last_ts"] = summary["last_ts"].dt.tz_convert("UTC")
    for column in ("recent_usage", "baseline_usage"):
        summary[column] = summary[column].astype("float64")
    return summary


def people(ctx: Context) -> People | None:
    """Return the event summary and developers (None without ``events``)."""
    if "people" in ctx.cache:
        return ctx.cache["people"]
    events = require(ctx.tables, "events", _EVENT_COLUMNS)
    result = None
    if events is not None:
        summary = _summary(ctx, events)
        named = summary["contact_id"].notna()
        any_named = named.groupby(summary["account_id"]).any()
        developers, warnings = _developers(ctx, summary[named])
        no_contact = any_named.index[~any_named.astype(bool)]
        result = People(summary, developers, no_contact, warnings)
    ctx.cache["people"] = result
    return result


def _developers(ctx: Context, named: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Return the developers' (account_id, contact_id) pairs and warnings."""
    pair = ["account_id", "contact_id"]
    builders = named.loc[named["built"].astype(bool), pair]
    contacts = require(ctx.tables, "contacts", ("contact_id", "account_id", "role"))
    warnings = pd.Series("", index=ctx.ids, dtype="str")
    if contacts is None:
        warnings[:] = _NO_CONTACTS_TABLE
        return builders.reset_index(drop=True), warnings

    has_role = contacts["role"].notna().groupby(contacts["account_id"]).any()
    has_role = has_role.reindex(ctx.ids, fill_value=False).astype(bool)
    warnings[~has_role] = _NO_ROLES
    is_developer = contacts["role"].eq("developer").fillna(False).astype(bool)
    by_role = contacts.loc[is_developer, pair]
    developers = pd.concat(
        [
            by_role[by_role["account_id"].isin(has_role.index[has_role])],
            builders[builders["account_id"].isin(has_role.index[~has_role])],
        ]
    )
    return developers.drop_duplicates().reset_index(drop=True), warnings
