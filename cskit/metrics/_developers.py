"""Developer metrics: activation, MAD, inactivity, Day-45 and seats."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cskit.metrics._core import (
    NOT_AVAILABLE,
    OK,
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
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
from cskit.metrics._events import NO_CONTACT_IDS, People, local_midnights, people
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = [
    "activated_developers",
    "day45_activation",
    "inactive_developer_share",
    "inactive_developers",
    "mad_by_month",
    "monthly_active_developers",
    "seat_utilisation",
    "FRAMES",
]

_PAIR = ["account_id", "contact_id"]


def _flagged(people: People, developers: pd.DataFrame, flag: str) -> pd.Series:
    """Count per account the developers whose summary ``flag`` is set."""
    rows = people.named.merge(developers[_PAIR], on=_PAIR)
    return rows[flag].astype(bool).groupby(rows["account_id"]).sum()


def _finish(ctx: Context, frame: pd.DataFrame, people: People) -> pd.DataFrame:
    mark(frame, frame.index.isin(people.no_contact), NOT_AVAILABLE, NO_CONTACT_IDS)
    warnings = people.warnings
    warn(frame, frame["status"].eq(OK) & warnings.ne(""), warnings)
    return frame


def _count_frame(ctx: Context, flag: str) -> pd.DataFrame:
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))
    frame = ok_frame(ctx, _flagged(found, found.developers, flag))
    return _finish(ctx, frame, found)


def _activated_frame(ctx: Context) -> pd.DataFrame:
    return _count_frame(ctx, "activated")


def _mad_frame(ctx: Context) -> pd.DataFrame:
    return _count_frame(ctx, "active")


def _seated(
    ctx: Context, developers: pd.DataFrame, start: pd.Series, end: pd.Series
) -> pd.DataFrame:
    """Keep the developers whose seat overlaps ``[start, end)`` of their account.

    A contact's ``created_at`` must be before ``end`` and its ``left_at``
    empty or at or after ``start``; an empty ``created_at`` counts as seated.
    """
    contacts = ctx.tables.get("contacts")
    if contacts is None:
        return developers
    columns = [c for c in ("created_at", "left_at") if c in contacts]
    rows = developers.merge(
        contacts[[*_PAIR, *columns]].drop_duplicates(_PAIR), on=_PAIR, how="left"
    )
    keep = pd.Series(True, index=rows.index)
    if "created_at" in rows:
        keep &= ~(rows["created_at"] >= rows["account_id"].map(end)).fillna(False)
    if "left_at" in rows:
        keep &= ~(rows["left_at"] < rows["account_id"].map(start)).fillna(False)
    return rows.loc[keep.astype(bool), _PAIR]


def _inactive_counts(ctx: Context, found: People) -> tuple[pd.Series, pd.Series]:
    """Return per account the developers seated at as_of and the inactive ones."""
    now = utc_instants(ctx, ctx.as_of)
    seated = _seated(ctx, found.developers, now, now)
    total = seated.groupby("account_id").size().reindex(ctx.ids, fill_value=0)
    recent = _flagged(found, seated, "recent").reindex(ctx.ids, fill_value=0)
    return total, total - recent


def _inactive_frame(ctx: Context) -> pd.DataFrame:
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))
    _, inactive = _inactive_counts(ctx, found)
    return _finish(ctx, ok_frame(ctx, inactive), found)


def _inactive_share_frame(ctx: Context) -> pd.DataFrame:
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))
    total, inactive = _inactive_counts(ctx, found)
    frame = ok_frame(ctx, 100.0 * inactive / total.where(total > 0))
    mark(frame, total.eq(0), UNDEFINED, "no developer is seated at as_of")
    return _finish(ctx, frame, found)


def _day45_frame(ctx: Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return unavailable(ctx, absent("accounts"))
    require(ctx.tables, "accounts", ("account_id", "kickoff_date"))
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))

    kickoff = ctx.accounts["kickoff_date"]
    days = ctx.settings.day45_days
    ends = kickoff + pd.Timedelta(days=days)
    start, end = local_midnights(ctx, kickoff), local_midnights(ctx, ends)
    seated = _seated(ctx, found.developers, start, end)
    total = seated.groupby("account_id").size().reindex(ctx.ids, fill_value=0)
    built = _flagged(found, seated, "day45").reindex(ctx.ids, fill_value=0)
    frame = ok_frame(ctx, 100.0 * built / total.where(total > 0))

    empty = "accounts.kickoff_date is empty for this account; fill it in"
    mark(frame, kickoff.isna(), NOT_AVAILABLE, empty)
    late = f"the Day-{days} window ends " + ends.dt.strftime("%Y-%m-%d")
    mark(frame, ends > ctx.as_of, UNDEFINED, late + ", after as_of")
    seen = found.summary["onboarded"].groupby(found.summary["account_id"]).any()
    seen = seen.reindex(ctx.ids, fill_value=False).astype(bool)
    unseen = (
        f"no product event at all between kickoff and kickoff + {days} days: "
        "the usage history does not cover onboarding"
    )
    mark(frame, ~seen, NOT_AVAILABLE, unseen)
    none = f"no developer seated between kickoff and kickoff + {days} days"
    mark(frame, total.eq(0), UNDEFINED, none)
    return _finish(ctx, frame, found)


def _seat_frame(ctx: Context) -> pd.DataFrame:
    if not ctx.has_accounts:
        return unavailable(ctx, absent("accounts"))
    require(ctx.tables, "accounts", ("account_id", "seats_licensed"))
    found = people(ctx)
    if found is None:
        return unavailable(ctx, absent("events"))

    named = found.named
    active = named["active"].astype(bool).groupby(named["account_id"]).sum()
    active = active.reindex(ctx.ids, fill_value=0)
    seats = ctx.accounts["seats_licensed"].astype("float64")
    frame = ok_frame(ctx, 100.0 * active / seats.where(seats > 0))

    empty = "accounts.seats_licensed is empty for this account; fill it in"
    mark(frame, seats.isna(), NOT_AVAILABLE, empty)
    mark(frame, seats.eq(0), UNDEFINED, "accounts.seats_licensed is 0")
    mark(frame, frame.index.isin(found.no_contact), NOT_AVAILABLE, NO_CONTACT_IDS)
    return frame


FRAMES = {
    "activated_developers": _activated_frame,
    "mad": _mad_frame,
    "inactive_developers": _inactive_frame,
    "inactive_developer_share": _inactive_share_frame,
    "day45_activation": _day45_frame,
    "seat_utilisation": _seat_frame,
}


def activated_developers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the developers with a build event in the activation window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account keyed by table name: ``events`` (ts,
        account_id, contact_id, event, count), optionally ``contacts``
        (contact_id, account_id, role) and ``accounts`` (timezone).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``activation_window_days`` and ``build_events`` are used.

    Returns
    -------
    MetricResult
        A count; ``not_available`` without ``events`` or when the account's
        events have no ``contact_id``; a warning when ``contacts`` is absent.

    Raises
    ------
    MissingColumnError
        When a table lacks a column used here.
    InvalidInputError
        When the tables hold more than one account or ``as_of`` is no date.

    See Also
    --------
    monthly_active_developers, seat_utilisation, day45_activation

    Examples
    --------
    >>> import pandas as pd
    >>> from cskit.schema import validate_table
    >>> events = validate_table("events", pd.DataFrame({
    ...     "ts": ["2024-03-20 10:00Z"], "account_id": ["a1"],
    ...     "contact_id": ["c1"], "event": ["app_edit"]}))
    >>> result = activated_developers({"events": events}, as_of="2024-04-01")
    >>> result.value, result.status
    (1.0, 'ok')
    """
    return single("activated_developers", _activated_frame, tables, as_of, settings)


def monthly_active_developers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the developers with any product event in the trailing MAD window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`activated_developers`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``mad_window_days`` (and ``build_events`` when ``contacts`` is absent).

    Returns
    -------
    MetricResult
        The ``mad`` metric, a count.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    mad_by_month, activated_developers
    """
    return single("mad", _mad_frame, tables, as_of, settings)


def inactive_developers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Count the seated developers without any event for ``inactivity_days``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`activated_developers`; ``contacts.created_at`` and
        ``left_at`` decide who is seated at as_of when present.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``inactivity_days`` is used.

    Returns
    -------
    MetricResult
        A count.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    inactive_developer_share
    """
    return single("inactive_developers", _inactive_frame, tables, as_of, settings)


def inactive_developer_share(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the inactive developers as a % of the seated developers.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`inactive_developers`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``inactivity_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no developer is seated.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    inactive_developers
    """
    build = _inactive_share_frame
    return single("inactive_developer_share", build, tables, as_of, settings)


def day45_activation(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of developers seated by kickoff + 45 days who built by then.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``accounts`` (kickoff_date, timezone), ``events`` and optionally
        ``contacts`` (role, created_at, left_at) of one account.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``day45_days`` and ``build_events`` are used; the target (60 %) is
        ``targets.day45_activation_pct`` of the parameter file.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` before kickoff + 45 days or without a
        seated developer; ``not_available`` without ``kickoff_date``.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    activated_developers, time_to_value
    """
    return single("day45_activation", _day45_frame, tables, as_of, settings)


def seat_utilisation(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute active contacts in the MAD window as a % of licensed seats.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``accounts`` (seats_licensed,
        timezone) and ``events`` (ts, account_id, contact_id, event, count).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``mad_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage (above 100 when more people are active than licensed);
        ``not_available`` without ``seats_licensed``; ``undefined`` with 0
        seats.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for :func:`activated_developers`.

    See Also
    --------
    monthly_active_developers
    """
    return single("seat_utilisation", _seat_frame, tables, as_of, settings)


def mad_by_month(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Count the distinct active developers in each complete calendar month.

    Months are cut in ``timezone``; only months that end on or before
    ``as_of`` are returned, from the month of the first visible event with a
    contact to the last complete month, months without activity as 0.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`activated_developers`.
    as_of : datetime.date or str
        The report date; the start of that day in ``timezone``.
    timezone : str
        The account's IANA timezone; it overrides ``accounts.timezone``.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (datetime64, first of the month) and ``mad``
        (int64). Empty when nothing can be counted; then ``.attrs["reason"]``
        says why (absent ``events``, no ``contact_id``, no complete month).

    Raises
    ------
    InvalidInputError
        When ``timezone`` is not an IANA name or ``as_of`` is no date.

    See Also
    --------
    monthly_active_developers
    """
    settings = DEFAULT_SETTINGS
    ctx = context(tables, as_of, settings, single=False, timezone=timezone)
    found = people(ctx)
    if found is None:
        return _no_months(absent("events"))
    events = _visible_named_events(ctx)
    if events.empty:
        reason = NO_CONTACT_IDS if len(found.no_contact) else "no event before as_of"
        return _no_months(reason)

    local = events["ts"].dt.tz_convert(timezone).dt.tz_localize(None)
    months = local.dt.to_period("M")
    first, last = months.min(), pd.Period(ctx.as_of, freq="M") - 1
    if first > last:
        return _no_months("no complete calendar month of events before as_of")

    keys = pd.MultiIndex.from_frame(events[_PAIR])
    is_developer = keys.isin(pd.MultiIndex.from_frame(found.developers[_PAIR]))
    rows = events[is_developer]
    counts = rows.groupby(months[is_developer])["contact_id"].nunique()
    periods = pd.period_range(first, last, freq="M")
    return pd.DataFrame(
        {
            "month": periods.to_timestamp().astype("datetime64[us]"),
            "mad": counts.reindex(periods, fill_value=0).to_numpy(dtype="int64"),
        }
    )


def _visible_named_events(ctx: Context) -> pd.DataFrame:
    events = ctx.tables["events"]
    counted = events["count"].fillna(1).gt(0).astype(bool)
    keep = ts_mask(events, "ts", ctx) & counted & events["contact_id"].notna()
    return events.loc[keep, ["ts", "account_id", "contact_id"]]


def _no_months(reason: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"month": pd.Series(dtype="datetime64[us]"), "mad": pd.Series(dtype="int64")}
    )
    frame.attrs["reason"] = reason
    return frame
