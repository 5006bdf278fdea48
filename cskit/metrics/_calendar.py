"""Business time: working days, opening hours and holidays in a timezone.

The business seconds between two instants are ``B(end) - B(start)``, where
``B(t)`` counts the business seconds from a fixed day up to ``t``. ``B`` is
built from a table of the local days the instants span: each working day's
opening and closing instants are local wall-clock times converted to UTC, so
a daylight-saving change inside the opening hours gives a shorter or longer
business day, and a change at night changes nothing. Every step is a numpy
operation over all tickets of one timezone.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError
from cskit.metrics._settings import WEEKDAYS, MetricSettings, business_hours

__all__ = ["business_seconds", "holiday_dates"]


@lru_cache(maxsize=32)
def _country_holidays(country: str, first: int, last: int) -> frozenset:
    import holidays

    try:
        days = holidays.country_holidays(country, years=range(first, last + 1))
    except NotImplementedError as error:
        raise InvalidInputError(
            f"MetricSettings.holiday_country is {country!r}, which the holidays "
            "package does not know; use an ISO 3166 code such as 'US' or 'DE', or "
            "null for no public holidays."
        ) from error
    return frozenset(days.keys())


def holiday_dates(settings: MetricSettings, first: int, last: int) -> set[dt.date]:
    """Return the non-working dates of the years ``first`` to ``last``."""
    dates = {dt.date.fromisoformat(text) for text in settings.extra_holidays}
    if settings.holiday_country:
        dates |= _country_holidays(settings.holiday_country, first, last)
    return dates


def _day_table(
    days: pd.DatetimeIndex, zone: str, settings: MetricSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per local day its opening instant, length and business before it."""
    opening, closing = business_hours(settings)
    working_days = [WEEKDAYS.index(day) for day in settings.business_days]
    holidays = holiday_dates(settings, days[0].year, days[-1].year)
    is_holiday = np.array([day in holidays for day in days.date], dtype=bool)
    working = np.asarray(days.day_of_week.isin(working_days)) & ~is_holiday

    def instants(offset: dt.timedelta) -> np.ndarray:
        local = (days + offset).tz_localize(
            zone, ambiguous=True, nonexistent="shift_forward"
        )
        return local.tz_convert("UTC").as_unit("us").asi8

    opens, closes = instants(opening), instants(closing)
    length = np.where(working, closes - opens, 0)
    before = np.concatenate([[0], np.cumsum(length)[:-1]])
    return opens, length, before


def business_seconds(
    start: pd.Series, end: pd.Series, zone: str, settings: MetricSettings
) -> pd.Series:
    """Return the business seconds from ``start`` to ``end`` in one timezone.

    Parameters
    ----------
    start, end : pandas.Series
        UTC instants (``datetime64[us, UTC]``) on the same index; ``end``
        before ``start`` gives a negative duration; NaT gives NaN.
    zone : str
        The IANA timezone of the calendar.
    settings : MetricSettings
        ``business_days``, ``business_hours``, ``holiday_country`` and
        ``extra_holidays``.

    Returns
    -------
    pandas.Series
        Float seconds.
    """
    known = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start.index, dtype="float64")
    if not known.any():
        return out

    local = [
        s[known].dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
        for s in (start, end)
    ]
    first = min(x.min() for x in local) - pd.Timedelta(days=1)
    last = max(x.max() for x in local) + pd.Timedelta(days=1)
    days = pd.date_range(first, last, freq="D")
    opens, length, before = _day_table(days, zone, settings)

    def cumulative(stamps: pd.Series, dates: pd.Series) -> np.ndarray:
        i = ((dates - first) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
        t = stamps[known].dt.as_unit("us").astype("int64").to_numpy()
        return before[i] + np.clip(t - opens[i], 0, length[i])

    micro = cumulative(end, local[1]) - cumulative(start, local[0])
    out[known] = micro / 1e6
    return out
