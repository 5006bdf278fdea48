"""Point-in-time churn snapshots: features strictly before each as-of date.

Private helpers of :mod:`cskit.churn`. Every source table is bucketed into
calendar months of the account's timezone and laid out as an
account x month grid (a NumPy array). A snapshot's as-of date is always the
first day of a month, so "strictly before as-of" is "in an earlier month":
a feature at as-of month ``j`` reads grid columns ``< j`` only, through
cumulative sums. No Python loop runs per account or per month.

Limitations
-----------
``accounts.has_roadmap``, ``seats_licensed``, ``segment``, ``tier`` and
``plan`` are the values at export time (the contract has no history of
them), so a snapshot sees today's value of these columns. Revenue is compared
in the account's currency (MRR changes are ratios, so the currency cancels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, MissingColumnError

__all__: list[str] = []

SLA_HOURS = {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}
CATEGORICAL = ("segment", "tier", "plan")
_SLOW_TAGS = ("slow", "performance", "latency", "timeout")
_LOOKBACK = 13


@dataclass
class _Grid:
    """The months of the grid and the accounts' rows in it."""

    accounts: pd.DataFrame
    first: int
    n_months: int
    zones: pd.Series

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.accounts), self.n_months

    def row(self, frame: pd.DataFrame) -> np.ndarray:
        """Return the grid row of each row of a :func:`localise` d frame."""
        return frame["_row"].to_numpy()

    def counts(self, frame: pd.DataFrame, month: np.ndarray, weight=None):
        """Sum ``weight`` (default 1) per account and month into a grid."""
        grid = np.zeros(self.shape)
        rows = self.row(frame)
        cols = np.clip(month - self.first, 0, None)
        keep = (rows >= 0) & (cols < self.n_months) & (month > -(10**8))
        values = np.ones(len(frame)) if weight is None else np.asarray(weight, float)
        np.add.at(grid, (rows[keep], cols[keep]), np.nan_to_num(values[keep]))
        return grid


def month_index(values: pd.Series) -> np.ndarray:
    """Return year * 12 + month - 1 of dates (a large negative for missing)."""
    values = pd.to_datetime(values)
    index = (values.dt.year * 12 + values.dt.month - 1).astype("float64")
    return index.fillna(-(10**9)).to_numpy().astype(np.int64)


def local_times(stamps: pd.Series, zone_of_row: np.ndarray) -> pd.Series:
    """Return naive local wall-clock times of UTC timestamps, one zone per row."""
    stamps = pd.to_datetime(stamps, utc=True)
    result = np.full(len(stamps), np.datetime64("NaT"), dtype="datetime64[us]")
    for name in pd.unique(zone_of_row):
        mask = zone_of_row == name
        local = stamps[mask].dt.tz_convert(str(name)).dt.tz_localize(None)
        result[mask] = local.to_numpy().astype("datetime64[us]")
    return pd.Series(result, index=stamps.index)


def localise(tables: dict, grid: _Grid) -> dict:
    """Add each row's grid row (``_row``); turn UTC timestamps into local times.

    Done once per table, so every feature family reads plain local dates.
    """
    zones = grid.zones.to_numpy().astype("str")
    out = {}
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame) or "account_id" not in frame:
            out[name] = frame
            continue
        frame = frame.copy(deep=False)
        rows = pd.Index(grid.accounts["account_id"].astype("str")).get_indexer(
            frame["account_id"].astype("str")
        )
        frame["_row"] = rows
        zone = np.where(rows >= 0, zones[np.clip(rows, 0, None)], "UTC")
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = local_times(frame[column], zone)
        out[name] = frame
    return out


def require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Raise MissingColumnError for the first missing column of ``frame``."""
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(
                column,
                frame=f"table {name!r}",
                found=list(frame.columns),
                hint="The churn snapshots need it; rename or map the column.",
            )


def cumulative(grid: np.ndarray) -> np.ndarray:
    """Return C with C[:, j] = sum of grid columns < j (C has one more column)."""
    zeros = np.zeros((grid.shape[0], 1))
    return np.concatenate([zeros, np.cumsum(grid, axis=1)], axis=1)


class Window:
    """Sums of a grid over the k months before each as-of column."""

    def __init__(self, grid: np.ndarray, cols: np.ndarray):
        self.total = cumulative(grid)
        self.cols = cols

    def last(self, months: int, *, skip: int = 0) -> np.ndarray:
        """Sum over months [j - skip - months, j - skip) for every as-of j."""
        end = np.clip(self.cols - skip, 0, None)
        start = np.clip(end - months, 0, None)
        return self.total[:, end] - self.total[:, start]

    def before(self) -> np.ndarray:
        """Sum over every month before each as-of column (a running state)."""
        return self.total[:, self.cols]


def latest_before(grid: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return the running maximum of grid columns < j (NaN when none)."""
    filled = np.where(np.isnan(grid), -np.inf, grid)
    running = np.maximum.accumulate(filled, axis=1)
    running = np.concatenate([np.full((grid.shape[0], 1), -np.inf), running], axis=1)
    picked = running[:, cols]
    return np.where(np.isinf(picked), np.nan, picked)


def last_value_grid(grid_shape, rows, cols, values) -> np.ndarray:
    """Grid holding a value in its month (NaN elsewhere); later rows win."""
    grid = np.full(grid_shape, np.nan)
    keep = (rows >= 0) & (cols >= 0) & (cols < grid_shape[1])
    grid[rows[keep], cols[keep]] = values[keep]
    return grid


def carry_forward(grid: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return the last non-missing value in grid columns < j for every as-of j."""
    frame = pd.DataFrame(grid.T).ffill().T.to_numpy()
    padded = np.concatenate([np.full((grid.shape[0], 1), np.nan), frame], axis=1)
    return padded[:, cols]


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Divide, giving NaN where the denominator is zero or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(np.isfinite(out), out, np.nan)


def log_trend(recent: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Return log((recent + 1) / (baseline + 1)): 0 is flat, below 0 a drop."""
    return np.log1p(np.clip(recent, 0, None)) - np.log1p(np.clip(baseline, 0, None))


def check_dates(first, last) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last as-of months as month-start timestamps."""
    first = pd.Timestamp(first).to_period("M").to_timestamp()
    last = pd.Timestamp(last).to_period("M").to_timestamp()
    if first > last:
        raise InvalidInputError(
            f"first_as_of={first.date()} is after last_as_of={last.date()}; "
            "pass a first as-of date on or before the last one"
        )
    return first, last


@dataclass
class Context:
    """What every feature family needs: the grid, the as-of columns, settings."""

    grid: _Grid
    cols: np.ndarray
    as_of: pd.DatetimeIndex
    build_events: tuple[str, ...]
    sla_hours: dict[str, float]

    @property
    def as_of_days(self) -> np.ndarray:
        return self.as_of.to_numpy().astype("datetime64[D]").astype(np.int64)

    def nan(self) -> np.ndarray:
        return np.full((self.grid.shape[0], len(self.cols)), np.nan)

    def months_of(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """Month index of a (local) date or time column."""
        return month_index(frame[column])

    def window(self, frame: pd.DataFrame, column: str, weight=None) -> Window:
        """Window sums of rows (or ``weight``) bucketed by ``column``'s month."""
        if column not in frame:
            return Window(np.zeros(self.grid.shape), self.cols)
        grid = self.grid.counts(frame, self.months_of(frame, column), weight)
        return Window(grid, self.cols)


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


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    """True where a timestamp column holds a value (False when absent)."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].notna()


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


def ticket_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Tickets, priority mix, slow-performance tags, open tickets, SLA breaches."""
    tickets = tables.get("tickets")
    if tickets is None or tickets.empty:
        return {}
    require(tickets, ("ticket_id", "account_id", "created_at"), "tickets")

    priority = tickets.get("priority", pd.Series(index=tickets.index, dtype="str"))
    priority = priority.astype("str").str.lower()
    urgent = priority.isin(["high", "urgent"]).to_numpy().astype(float)
    tags = tickets.get("tags", pd.Series(index=tickets.index, dtype="object"))
    slow = tags.map(_has_slow_tag).to_numpy().astype(float)
    created = ctx.window(tickets, "created_at")
    solved = ctx.window(tickets[_present(tickets, "solved_at")], "solved_at")

    breach = _sla_breaches(tickets, priority, ctx)
    urgent_3m = ctx.window(tickets, "created_at", urgent).last(3)
    return {
        "tickets_3m": created.last(3),
        "tickets_high_urgent_3m": urgent_3m,
        "tickets_high_urgent_share_3m": ratio(urgent_3m, created.last(3)),
        "tickets_slow_3m": ctx.window(tickets, "created_at", slow).last(3),
        "tickets_open": np.clip(created.before() - solved.before(), 0, None),
        "sla_breaches_3m": breach.last(3),
    }


def _has_slow_tag(tags) -> bool:
    if not isinstance(tags, (list, tuple, np.ndarray)):
        return False
    return any(str(tag).lower() in _SLOW_TAGS for tag in tags)


def _sla_breaches(tickets: pd.DataFrame, priority: pd.Series, ctx: Context) -> Window:
    """A breach is known at created + target: it counts in that moment's month."""
    hours = priority.map(ctx.sla_hours).fillna(ctx.sla_hours.get("normal", 8.0))
    target = pd.to_timedelta(hours.astype("float64"), unit="h")
    due = tickets["created_at"] + target.to_numpy()
    first = tickets.get("first_response_at")
    late = pd.Series(True, index=tickets.index)
    if first is not None:
        late = first.isna() | (first > due)
    frame = pd.DataFrame({"_row": tickets["_row"], "due": due})[late]
    return ctx.window(frame, "due")


def survey_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """NPS and CSAT over the 12 months before as-of, with the response counts."""
    surveys = tables.get("surveys")
    if surveys is None or surveys.empty:
        return {}
    require(surveys, ("account_id", "submitted_at", "kind", "score"), "surveys")

    kind = surveys["kind"].astype("str").str.lower()
    score = surveys["score"].astype("float64")
    nps = surveys[(kind == "nps").to_numpy() & score.notna().to_numpy()]
    nps_score = nps["score"].astype("float64").to_numpy()
    answers = ctx.window(nps, "submitted_at").last(12)
    promoters = ctx.window(nps, "submitted_at", nps_score >= 9).last(12)
    detractors = ctx.window(nps, "submitted_at", nps_score <= 6).last(12)

    csat = surveys[(kind == "csat").to_numpy() & score.notna().to_numpy()]
    happy = csat["score"].astype("float64").to_numpy() >= 4
    csat_answers = ctx.window(csat, "submitted_at").last(12)
    csat_happy = ctx.window(csat, "submitted_at", happy).last(12)
    return {
        "nps_12m": 100 * ratio(promoters - detractors, answers),
        "nps_responses_12m": answers,
        "csat_12m": 100 * ratio(csat_happy, csat_answers),
    }


def engagement_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Calls and touchpoints with the vendor in the 3 months before as-of."""
    out = {}
    for name, column in (("calls", "started_at"), ("touchpoints", "ts")):
        frame = tables.get(name)
        if frame is not None and not frame.empty:
            require(frame, ("account_id", column), name)
            out[f"{name}_3m"] = ctx.window(frame, column).last(3)
    return out


def pulse_features(pulse: pd.DataFrame | None, ctx: Context) -> dict[str, np.ndarray]:
    """Mean Engagement Pulse of the texts of the 6 months before as-of."""
    if pulse is None or pulse.empty:
        return {}
    require(pulse, ("account_id", "ts", "score"), "pulse_scores")
    scored = pulse[pulse["score"].notna()]
    score = scored["score"].astype("float64").to_numpy()
    total = ctx.window(scored, "ts", score).last(6)
    count = ctx.window(scored, "ts").last(6)
    return {"pulse_6m": ratio(total, count), "pulse_texts_6m": count}


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
