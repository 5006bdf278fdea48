"""Revenue: MRR in base currency, retention, churn and MRR movements."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError
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
    unavailable,
    warn,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings

__all__ = [
    "FRAMES",
    "logo_churn_rate",
    "monthly_revenue",
    "mrr_movements",
    "period_mrr",
    "retention",
    "retention_months",
    "revenue_churn_rate",
    "revenue_retention",
]

_REVENUE_COLUMNS = ("account_id", "month", "mrr", "currency")


def retention_months(ctx: Context) -> tuple[pd.Period, pd.Period]:
    """Return ``M_start`` and ``M_end`` of the trailing retention period."""
    end = pd.Period(ctx.as_of, freq="M") - 1
    return end - ctx.settings.retention_months, end


def monthly_revenue(
    ctx: Context, periods: list[pd.Period] | None = None
) -> pd.DataFrame | None:
    """Return the revenue rows of known accounts with MRR in base currency.

    Columns: the revenue columns, ``period`` (monthly) and ``base``. Only the
    rows of ``periods`` when given. None without a ``revenue`` table.
    """
    revenue = require(ctx.tables, "revenue", _REVENUE_COLUMNS)
    if revenue is None:
        return None
    rows = revenue[revenue["account_id"].isin(ctx.ids)].copy()
    rows["period"] = rows["month"].dt.to_period("M")
    if periods is not None:
        rows = rows[rows["period"].isin(periods)]
    _check_mrr(rows)
    rows["base"] = _to_base(ctx, rows)
    return rows


def period_mrr(ctx: Context, start: pd.Period, end: pd.Period) -> pd.DataFrame | None:
    """Return per account its MRR in base currency in ``start`` and ``end``."""
    rows = monthly_revenue(ctx, [start, end])
    if rows is None:
        return None
    by_month = rows.groupby(["account_id", "period"])["base"].sum()
    mrr = pd.DataFrame(index=ctx.ids)
    for label, period in (("start", start), ("end", end)):
        values = by_month[by_month.index.get_level_values("period") == period]
        values = values.droplevel("period")
        mrr[label] = values.reindex(ctx.ids).fillna(0.0).astype("float64")
        mrr[f"has_{label}"] = ctx.ids.isin(values.index)
    return mrr


def _check_mrr(rows: pd.DataFrame) -> None:
    bad = rows[rows["mrr"] < 0]
    if not bad.empty:
        first = bad.iloc[0]
        raise InvalidInputError(
            f"revenue.mrr is {first['mrr']} for account {first['account_id']!r} in "
            f"{first['period']}; MRR cannot be negative. Record credits as a lower "
            "MRR of at least 0."
        )


def _to_base(ctx: Context, rows: pd.DataFrame) -> pd.Series:
    """Convert MRR to the base currency with each month's exchange rate."""
    base = ctx.settings.base_currency
    currency = rows["currency"]
    if "currency" in ctx.accounts:
        currency = currency.fillna(rows["account_id"].map(ctx.accounts["currency"]))
    currency = currency.fillna(base)
    foreign = currency.ne(base)
    if not foreign.any():
        return rows["mrr"].astype("float64")

    keys = pd.MultiIndex.from_arrays([currency[foreign], rows.loc[foreign, "period"]])
    rates = _fx_rates(ctx)
    rate = pd.Series(np.nan, index=keys) if rates is None else rates.reindex(keys)
    missing = rate.isna().to_numpy()
    if missing.any():
        row = rows[foreign][missing].iloc[0]
        raise _missing_rate(ctx, currency[row.name], row, rates is None)
    converted = rows["mrr"].astype("float64")
    converted[foreign] = converted[foreign] * rate.to_numpy()
    return converted


def _fx_rates(ctx: Context) -> pd.Series | None:
    fx = require(ctx.tables, "fx_rates", ("currency", "month", "rate"))
    if fx is None:
        return None
    period = fx["month"].dt.to_period("M")
    return fx.groupby([fx["currency"], period])["rate"].last()


def _missing_rate(
    ctx: Context, currency: str, row: pd.Series, table_absent: bool
) -> InvalidInputError:
    base = ctx.settings.base_currency
    where = "table 'fx_rates' is absent" if table_absent else "fx_rates has no rate"
    return InvalidInputError(
        f"{where} for {currency} in {row['period']}: revenue of account "
        f"{row['account_id']!r} is in {currency} and base_currency is {base}. Add "
        f"a row (currency={currency}, month={row['period']}-01, rate=<{base} per "
        f"1 {currency}>) to fx_rates, or set base_currency to {currency}."
    )


def outside_reason(start: pd.Period) -> str:
    """Return the reason an account outside the retention cohort is undefined."""
    return (
        f"no MRR above 0 in {start} (the period start): outside the retention "
        "cohort (started later or no revenue), so retention is undefined"
    )


def _churn_warning(end: pd.Period, churned: int, cohort: int) -> str:
    return (
        f"{churned} of {cohort} account(s) in the cohort have no revenue row in "
        f"{end}; counted as churned (MRR 0)"
    )


def _retention_frames(ctx: Context) -> dict[str, pd.DataFrame]:
    """Return each account's own NRR, GRR and logo churn frames (cached)."""
    if "retention" not in ctx.cache:
        ctx.cache["retention"] = _own_retention(ctx)
    return ctx.cache["retention"]


def _own_retention(ctx: Context) -> dict[str, pd.DataFrame]:
    start_month, end_month = retention_months(ctx)
    mrr = period_mrr(ctx, start_month, end_month)
    names = ("nrr", "grr", "logo_churned")
    if mrr is None:
        return {name: unavailable(ctx, absent("revenue")) for name in names}

    start = mrr["start"].where(mrr["start"] > 0)
    frames = {
        "nrr": ok_frame(ctx, 100.0 * mrr["end"] / start),
        "grr": ok_frame(ctx, 100.0 * np.minimum(mrr["end"], mrr["start"]) / start),
        "logo_churned": ok_frame(ctx, mrr["end"].eq(0).astype("float64")),
    }
    churned = start.notna() & ~mrr["has_end"]
    for frame in frames.values():
        mark(frame, start.isna(), UNDEFINED, outside_reason(start_month))
        warn(frame, churned, _churn_warning(end_month, 1, 1))
    return frames


def _nrr_frame(ctx: Context) -> pd.DataFrame:
    return _retention_frames(ctx)["nrr"]


def _grr_frame(ctx: Context) -> pd.DataFrame:
    return _retention_frames(ctx)["grr"]


def _logo_frame(ctx: Context) -> pd.DataFrame:
    return _retention_frames(ctx)["logo_churned"]


FRAMES = {"nrr": _nrr_frame, "grr": _grr_frame, "logo_churned": _logo_frame}


def _cohort(ctx: Context, start: pd.Period, end: pd.Period) -> pd.DataFrame | None:
    mrr = period_mrr(ctx, start, end)
    return None if mrr is None else mrr[mrr["start"] > 0]


def _cohort_results(
    ctx: Context, start: pd.Period, end: pd.Period
) -> tuple[MetricResult, MetricResult]:
    """Return NRR and GRR of the cohort of every account in ``ctx``."""
    cohort = _cohort(ctx, start, end)
    empty = _empty_cohort(cohort, start, ("nrr", "grr"))
    if empty is not None:
        return empty

    total = float(cohort["start"].sum())
    kept = float(np.minimum(cohort["end"], cohort["start"]).sum())
    churned = int((~cohort["has_end"]).sum())
    warning = _churn_warning(end, churned, len(cohort)) if churned else ""
    nrr = 100.0 * float(cohort["end"].sum()) / total
    return (
        MetricResult("nrr", nrr, OK, "", warning, "%"),
        MetricResult("grr", 100.0 * kept / total, OK, "", warning, "%"),
    )


def _empty_cohort(
    cohort: pd.DataFrame | None, start: pd.Period, names: tuple[str, ...]
) -> tuple[MetricResult, ...] | None:
    if cohort is None:
        status, reason = NOT_AVAILABLE, absent("revenue")
    elif cohort.empty:
        status, reason = UNDEFINED, outside_reason(start)
    else:
        return None
    return tuple(MetricResult(name, None, status, reason, unit="%") for name in names)


def _period_context(
    tables: Mapping[str, pd.DataFrame],
    start: AsOf,
    end: AsOf,
    settings: MetricSettings,
) -> tuple[Context, pd.Period, pd.Period]:
    """Read ``start`` and ``end`` as months; the context sees every account."""
    try:
        first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"start {start!r} or end {end!r} cannot be read as a month; pass "
            "dates or texts such as '2024-03-01'."
        ) from error
    if not first < last:
        raise InvalidInputError(
            f"start month {first} is not before end month {last}; pass a start "
            "month earlier than the end month."
        )
    as_of = (last + 1).to_timestamp()
    return context(tables, as_of, settings, single=False), first, last


def retention(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: AsOf,
    end: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> tuple[MetricResult, MetricResult]:
    """Compute NRR and GRR of the accounts with MRR above 0 in ``start``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``revenue`` (account_id, month, mrr, currency); ``fx_rates`` when
        revenue is not all in ``base_currency``; optionally ``accounts``.
    start, end : datetime.date or str
        The period's first and last month (any day of the month).
    settings : MetricSettings
        ``base_currency`` is used.

    Returns
    -------
    tuple of MetricResult
        ``(nrr, grr)`` in %; ``undefined`` when the cohort is empty;
        ``not_available`` without ``revenue``.

    Raises
    ------
    InvalidInputError
        When ``start`` is not before ``end``, a rate is missing (naming the
        currency and month) or MRR is negative.

    See Also
    --------
    revenue_retention, logo_churn_rate, revenue_churn_rate
    """
    ctx, first, last = _period_context(tables, start, end, settings)
    return _cohort_results(ctx, first, last)


def revenue_retention(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> tuple[MetricResult, MetricResult]:
    """Compute net and gross revenue retention over the trailing months.

    The period ends with the last complete calendar month before ``as_of``
    (``M_end``) and starts ``retention_months`` earlier (``M_start``); see
    :func:`retention` for the rules.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`retention`.
    as_of : datetime.date or str
        The report date.
    settings : MetricSettings
        ``retention_months`` and ``base_currency`` are used.

    Returns
    -------
    tuple of MetricResult
        ``(nrr, grr)`` in %.

    Raises
    ------
    InvalidInputError
        When a rate for a currency and month is missing, or MRR is negative.
    MissingColumnError
        When a table lacks a column used here.

    Examples
    --------
    >>> import pandas as pd
    >>> from cskit.schema import validate_table
    >>> revenue = validate_table("revenue", pd.DataFrame({
    ...     "account_id": ["a1", "a1"], "month": ["2023-03-01", "2024-03-01"],
    ...     "mrr": [100.0, 150.0], "currency": ["USD", "USD"]}))
    >>> nrr, grr = revenue_retention({"revenue": revenue}, as_of="2024-04-10")
    >>> nrr.value, grr.value
    (150.0, 100.0)
    """
    ctx = context(tables, as_of, settings, single=False)
    return _cohort_results(ctx, *retention_months(ctx))


def logo_churn_rate(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: AsOf,
    end: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the % of the cohort's accounts with MRR 0 in the end month.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`retention`.
    start, end : datetime.date or str
        The period's first and last month.
    settings : MetricSettings
        ``base_currency`` is used.

    Returns
    -------
    MetricResult
        ``logo_churn_rate`` in %; statuses as for :func:`retention`.

    Raises
    ------
    InvalidInputError
        As for :func:`retention`.
    """
    ctx, first, last = _period_context(tables, start, end, settings)
    cohort = _cohort(ctx, first, last)
    empty = _empty_cohort(cohort, first, ("logo_churn_rate",))
    if empty is not None:
        return empty[0]
    rate = 100.0 * float(cohort["end"].eq(0).mean())
    return MetricResult("logo_churn_rate", rate, OK, unit="%")


def revenue_churn_rate(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: AsOf,
    end: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> MetricResult:
    """Compute the cohort's MRR lost to churn and contraction, in % (100 - GRR).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`retention`.
    start, end : datetime.date or str
        The period's first and last month.
    settings : MetricSettings
        ``base_currency`` is used.

    Returns
    -------
    MetricResult
        ``revenue_churn_rate`` in %; statuses as for :func:`retention`.

    Raises
    ------
    InvalidInputError
        As for :func:`retention`.
    """
    ctx, first, last = _period_context(tables, start, end, settings)
    cohort = _cohort(ctx, first, last)
    empty = _empty_cohort(cohort, first, ("revenue_churn_rate",))
    if empty is not None:
        return empty[0]
    lost = (cohort["start"] - np.minimum(cohort["end"], cohort["start"])).sum()
    rate = 100.0 * float(lost) / float(cohort["start"].sum())
    return MetricResult("revenue_churn_rate", rate, OK, unit="%")


_MOVEMENTS = ["new", "expansion", "contraction", "churn", "reactivation"]


def mrr_movements(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Split each month's MRR change into new, expansion, contraction, churn.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`retention`.
    as_of : datetime.date or str
        Months up to the last complete month before ``as_of`` are shown.
    settings : MetricSettings
        ``base_currency`` is used.

    Returns
    -------
    pandas.DataFrame
        One row per month from the second month of revenue data: ``month``
        (first of the month), ``mrr_start``, ``new``, ``expansion``,
        ``contraction`` (negative), ``churn`` (negative), ``reactivation``
        and ``mrr_end``, in base currency; ``mrr_end - mrr_start`` is the sum
        of the five movements. Empty without revenue.

    Raises
    ------
    InvalidInputError
        As for :func:`retention`.
    """
    ctx = context(tables, as_of, settings, single=False)
    rows = monthly_revenue(ctx)
    last = pd.Period(ctx.as_of, freq="M") - 1
    if rows is None or rows.empty or rows["period"].min() >= last:
        columns = ["month", "mrr_start", *_MOVEMENTS, "mrr_end"]
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})

    rows = rows[rows["period"] <= last]
    periods = pd.period_range(rows["period"].min(), last, freq="M")
    grid = rows.pivot_table("base", "period", "account_id", aggfunc="sum")
    grid = grid.reindex(periods).fillna(0.0)
    return _movements(grid)


def _movements(grid: pd.DataFrame) -> pd.DataFrame:
    """Classify every account's change from one month to the next."""
    cur, prev = grid.to_numpy()[1:], grid.to_numpy()[:-1]
    seen = np.maximum.accumulate(grid.to_numpy() > 0, axis=0)[:-1]
    zero = np.zeros_like(cur)
    starting = (prev == 0) & (cur > 0)
    moves = {
        "new": np.where(starting & ~seen, cur, zero),
        "expansion": np.where((prev > 0) & (cur > prev), cur - prev, zero),
        "contraction": np.where((prev > 0) & (cur > 0) & (cur < prev), cur - prev, 0),
        "churn": np.where((prev > 0) & (cur == 0), -prev, zero),
        "reactivation": np.where(starting & seen, cur, zero),
    }
    table = pd.DataFrame({name: m.sum(axis=1) for name, m in moves.items()})
    table.insert(0, "mrr_start", prev.sum(axis=1))
    table.insert(0, "month", grid.index[1:].to_timestamp().astype("datetime64[us]"))
    table["mrr_end"] = cur.sum(axis=1)
    return table
