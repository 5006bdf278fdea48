"""Survey metrics: NPS with its interval, CSAT (two forms) and CES."""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError
from cskit.metrics._core import (
    OK,
    UNDEFINED,
    AsOf,
    Context,
    MetricResult,
    absent,
    mark,
    ok_frame,
    require,
    single,
    ts_mask,
    unavailable,
    warn,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = ["FRAMES", "ces", "csat", "csat_good_bad", "nps", "nps_high", "nps_low"]

_SURVEY_COLUMNS = ("response_id", "account_id", "contact_id", "submitted_at", "kind")


def _responses(ctx: Context, kind: str, low: int, high: int) -> pd.DataFrame | None:
    """Return the answered responses of ``kind`` in the survey window."""
    surveys = require(ctx.tables, "surveys", (*_SURVEY_COLUMNS, "score"))
    if surveys is None:
        return None

    window = ts_mask(surveys, "submitted_at", ctx, ctx.settings.survey_window_days)
    rows = surveys[window & surveys["kind"].eq(kind) & surveys["score"].notna()]
    score = rows["score"]
    bad = rows[(score < low) | (score > high) | (score % 1 != 0)]
    if not bad.empty:
        shown = ", ".join(
            f"response_id {r!r} has score {s}"
            for r, s in zip(bad["response_id"][:5], bad["score"][:5], strict=True)
        )
        raise InvalidInputError(
            f"{kind.upper()} scores out of range in surveys: {shown}; {kind} scores "
            f"are whole numbers from {low} to {high}. Fix or drop these responses "
            "in the survey export."
        )
    return rows


def _latest_per_contact(rows: pd.DataFrame) -> pd.DataFrame:
    """Keep each contact's latest response; responses without contact all count."""
    ordered = rows.sort_values(["submitted_at", "response_id"])
    named = ordered["contact_id"].notna()
    latest = ordered[named].drop_duplicates(["account_id", "contact_id"], keep="last")
    return pd.concat([latest, ordered[~named]])


def _nps_counts(ctx: Context) -> pd.DataFrame | None:
    """Return per account the responses, promoters and detractors counted."""
    if "nps_counts" not in ctx.cache:
        ctx.cache["nps_counts"] = _count_nps(ctx)
    return ctx.cache["nps_counts"]


def _count_nps(ctx: Context) -> pd.DataFrame | None:
    rows = _responses(ctx, "nps", 0, 10)
    if rows is None:
        return None
    rows = _latest_per_contact(rows)
    account = rows["account_id"]
    counts = pd.DataFrame(
        {
            "n": rows.groupby(account).size(),
            "promoters": rows["score"].ge(9).groupby(account).sum(),
            "detractors": rows["score"].le(6).groupby(account).sum(),
        }
    )
    return counts.reindex(ctx.ids, fill_value=0).astype("float64")


def _nps_frame(ctx: Context) -> pd.DataFrame:
    counts = _nps_counts(ctx)
    if counts is None:
        return unavailable(ctx, absent("surveys"))

    count = counts["n"]
    score = 100.0 * (counts["promoters"] - counts["detractors"]) / count
    frame = ok_frame(ctx, score)

    days = ctx.settings.survey_window_days
    mark(frame, count.eq(0), UNDEFINED, f"no NPS response in the {days} days")
    least = ctx.settings.nps_min_responses
    text = (
        "NPS from "
        + count.astype("int64").astype("str")
        + f" response(s), fewer than {least}"
    )
    warn(frame, count.gt(0) & count.lt(least), text)
    return frame


def _csat_frame(ctx: Context) -> pd.DataFrame:
    rows = _responses(ctx, "csat", 1, 5)
    if rows is None:
        return unavailable(ctx, absent("surveys"))

    account = rows["account_id"]
    count = rows.groupby(account).size().reindex(ctx.ids, fill_value=0)
    share = 100.0 * rows["score"].ge(4).groupby(account).mean()
    frame = ok_frame(ctx, share)

    days = ctx.settings.survey_window_days
    reason = f"no answered CSAT response in the {days} days"
    mark(frame, count.eq(0), UNDEFINED, reason)
    return frame


def _nps_bound(ctx: Context, sign: int) -> pd.DataFrame:
    """Return the adjusted-Wald bound of NPS (sign -1 low, +1 high)."""
    counts = _nps_counts(ctx)
    if counts is None:
        return unavailable(ctx, absent("surveys"))

    n = counts["n"] + 3.0
    promoters = (counts["promoters"] + 0.75) / n
    detractors = (counts["detractors"] + 0.75) / n
    centre = promoters - detractors
    spread = np.sqrt((promoters + detractors - centre**2) / n)
    z = NormalDist().inv_cdf(0.5 + ctx.settings.nps_confidence / 2)
    bound = (100.0 * (centre + sign * z * spread)).clip(-100.0, 100.0)
    frame = _nps_frame(ctx)
    frame["value"] = bound.where(frame["status"].eq(OK))
    return frame


def _nps_low_frame(ctx: Context) -> pd.DataFrame:
    return _nps_bound(ctx, -1)


def _nps_high_frame(ctx: Context) -> pd.DataFrame:
    return _nps_bound(ctx, 1)


_GOOD_BAD = ("account_id", "solved_at", "satisfaction")


def _good_bad_frame(ctx: Context) -> pd.DataFrame:
    tickets = require(ctx.tables, "tickets", _GOOD_BAD)
    if tickets is None:
        return unavailable(ctx, absent("tickets"))

    days = ctx.settings.survey_window_days
    rating = tickets["satisfaction"].str.strip().str.lower()
    answered = rating.isin(["good", "bad"]).fillna(False).astype(bool)
    rows = ts_mask(tickets, "solved_at", ctx, days) & answered
    account = tickets["account_id"][rows]
    count = rows[rows].groupby(account).size().reindex(ctx.ids, fill_value=0)
    share = 100.0 * rating[rows].eq("good").groupby(account).mean()
    frame = ok_frame(ctx, share)

    reason = f"no ticket solved in the {days} days was rated good or bad"
    mark(frame, count.eq(0), UNDEFINED, reason)
    return frame


def _ces_frame(ctx: Context) -> pd.DataFrame:
    settings = ctx.settings
    rows = _responses(ctx, "ces", settings.ces_scale_min, settings.ces_scale_max)
    if rows is None:
        return unavailable(ctx, absent("surveys"))

    account = rows["account_id"]
    count = rows.groupby(account).size().reindex(ctx.ids, fill_value=0)
    frame = ok_frame(ctx, rows["score"].groupby(account).mean())

    days = settings.survey_window_days
    mark(frame, count.eq(0), UNDEFINED, f"no answered CES response in the {days} days")
    return frame


FRAMES = {
    "nps": _nps_frame,
    "nps_low": _nps_low_frame,
    "nps_high": _nps_high_frame,
    "csat": _csat_frame,
    "csat_good_bad": _good_bad_frame,
    "ces": _ces_frame,
}


def nps(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the account's net promoter score from its latest responses.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account: ``surveys`` (response_id,
        account_id, contact_id, submitted_at, kind, score).
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``survey_window_days`` and ``nps_min_responses`` are used.

    Returns
    -------
    MetricResult
        A score from -100 to 100; ``undefined`` without a response in the
        window; a warning with fewer than ``nps_min_responses`` responses.

    Raises
    ------
    InvalidInputError
        When a score is outside 0..10 or fractional (naming the response).

    See Also
    --------
    csat
    """
    return single("nps", _nps_frame, tables, as_of, settings)


def csat(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the share (%) of answered CSAT ratings that are 4 or 5.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`nps`.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        ``survey_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; ``undefined`` when no rating was answered in the window.

    Raises
    ------
    InvalidInputError
        When a score is outside 1..5 or fractional (naming the response).

    See Also
    --------
    nps
    """
    return single("csat", _csat_frame, tables, as_of, settings)


def nps_low(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the lower bound of the account's NPS interval (adjusted Wald).

    With ``n`` responses, ``P`` promoters and ``D`` detractors (by the
    rule of :func:`nps`): ``n' = n + 3``, ``p = (P + 0.75) / n'``,
    ``d = (D + 0.75) / n'``; the bounds are
    ``100 * (p - d -+ z * sqrt((p + d - (p - d)**2) / n'))``, clipped to
    -100..100, with ``z`` of the ``nps_confidence`` level.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`nps`.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``survey_window_days`` and ``nps_confidence`` are used.

    Returns
    -------
    MetricResult
        A score; statuses and warning as for :func:`nps`.

    Raises
    ------
    InvalidInputError
        As for :func:`nps`.

    See Also
    --------
    nps, nps_high
    """
    return single("nps_low", _nps_low_frame, tables, as_of, settings)


def nps_high(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the upper bound of the account's NPS interval (adjusted Wald).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`nps`.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``survey_window_days`` and ``nps_confidence`` are used.

    Returns
    -------
    MetricResult
        A score; see :func:`nps_low` for the formula.

    Raises
    ------
    InvalidInputError
        As for :func:`nps`.
    """
    return single("nps_high", _nps_high_frame, tables, as_of, settings)


def csat_good_bad(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of "good" among tickets rated good or bad (help-desk CSAT).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``tickets`` (account_id, solved_at, satisfaction) of one account.
    as_of : datetime.date or str
        The report date; tickets solved in the survey window count.
    settings : MetricSettings
        ``survey_window_days`` is used.

    Returns
    -------
    MetricResult
        A percentage; unrated tickets (empty, ``offered``, ...) are left
        out; ``undefined`` when none was rated.

    Raises
    ------
    MissingColumnError, InvalidInputError
        When a column is missing or ``as_of`` is no date.

    See Also
    --------
    csat
    """
    return single("csat_good_bad", _good_bad_frame, tables, as_of, settings)


def ces(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the mean customer effort score of the survey window.

    The scale runs from ``ces_scale_min`` to ``ces_scale_max``; its
    direction is ``ces_higher_is_easier`` (True by default: 7 means very
    easy). The mean is reported on the scale as answered, never flipped.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``surveys`` (kind ``ces``) of one account.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``survey_window_days`` and the ``ces_*`` settings are used.

    Returns
    -------
    MetricResult
        A score; ``undefined`` without an answered CES response.

    Raises
    ------
    InvalidInputError
        When a score is outside the scale or fractional.
    """
    return single("ces", _ces_frame, tables, as_of, settings)
