"""The playbook's account metrics: adoption, revenue, sentiment, support.

Every metric receives the canonical tables of :mod:`cskit.schema` in a dict
keyed by table name (a table the workspace lacks is absent from the dict) and
an as-of date, and returns a :class:`MetricResult`: a value with a status
(``ok``, ``not_available`` or ``undefined``), the reason when it is not ``ok``
and a warning when the value is computable but suspect. Missing data is
never reported as 0.

``as_of`` is the start of that calendar day in the account's timezone
(``accounts.timezone``, default UTC): data at or after it is invisible and
windows are half-open, ``[as_of - N days, as_of)``.

Each metric is computed for every account at once: :func:`portfolio_metrics`
returns the whole portfolio, and the one-account functions run the same code
on one account's slice, so both always agree. The product events, the one
table that reaches billions of rows, are aggregated in a single DuckDB pass;
the other tables with grouped pandas operations. Definitions, formulas and
edge cases are in ``docs/metrics.md``.

The code is split by topic into private modules (``_developers``, ``_apps``,
``_onboarding``, ``_revenue``, ``_expansion``, ``_surveys``, ``_support``,
``_signals``, ``_calendar``); everything public is re-exported here.

Limitations
-----------
Revenue retention compares two monthly snapshots and ignores what happened
in between (a churn and a reactivation inside the period cancel out); each
month's revenue is converted with that month's exchange rate, so currency
moves show up in NRR and in MRR movements. The SLA calendar has one holiday
country for every account. Help-desk good/bad ratings are dated by
``solved_at`` because the export has no rating date.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from cskit.metrics import (
    _apps,
    _developers,
    _expansion,
    _onboarding,
    _revenue,
    _signals,
    _support,
    _surveys,
)
from cskit.metrics._apps import (
    draft_apps,
    end_user_growth,
    end_user_mau,
    live_app_growth,
    live_apps,
)
from cskit.metrics._core import (
    UNITS,
    AsOf,
    Context,
    MetricResult,
    context,
    to_result,
)
from cskit.metrics._developers import (
    activated_developers,
    day45_activation,
    inactive_developer_share,
    inactive_developers,
    mad_by_month,
    monthly_active_developers,
    seat_utilisation,
)
from cskit.metrics._expansion import (
    logo_churned,
    module_growth,
    on_time_renewal,
    seat_growth,
)
from cskit.metrics._onboarding import time_to_value, training_attendance, ttv_median
from cskit.metrics._revenue import (
    logo_churn_rate,
    mrr_movements,
    retention,
    revenue_churn_rate,
    revenue_retention,
)
from cskit.metrics._settings import DEFAULT_SETTINGS, MetricSettings
from cskit.metrics._signals import days_silent, usage_drop
from cskit.metrics._support import (
    first_response_sla,
    open_ticket_age_days,
    open_tickets,
    resolution_sla,
    sla_by_priority,
    slow_tickets,
    tickets_created,
)
from cskit.metrics._surveys import ces, csat, csat_good_bad, nps, nps_high, nps_low

__all__ = [
    "METRICS",
    "MetricResult",
    "MetricSettings",
    "account_metrics",
    "activated_developers",
    "as_table",
    "ces",
    "csat",
    "csat_good_bad",
    "day45_activation",
    "days_silent",
    "draft_apps",
    "end_user_growth",
    "end_user_mau",
    "first_response_sla",
    "inactive_developer_share",
    "inactive_developers",
    "live_app_growth",
    "live_apps",
    "logo_churn_rate",
    "logo_churned",
    "mad_by_month",
    "module_growth",
    "monthly_active_developers",
    "mrr_movements",
    "nps",
    "nps_high",
    "nps_low",
    "on_time_renewal",
    "open_ticket_age_days",
    "open_tickets",
    "portfolio_metrics",
    "resolution_sla",
    "retention",
    "revenue_churn_rate",
    "revenue_retention",
    "seat_growth",
    "seat_utilisation",
    "sla_by_priority",
    "slow_tickets",
    "tickets_created",
    "time_to_value",
    "training_attendance",
    "ttv_median",
    "usage_drop",
]

logger = logging.getLogger(__name__)

_UNITS = UNITS

METRICS: tuple[str, ...] = (
    "activated_developers",
    "mad",
    "inactive_developers",
    "inactive_developer_share",
    "day45_activation",
    "live_apps",
    "live_app_growth",
    "draft_apps",
    "end_user_mau",
    "end_user_growth",
    "nrr",
    "grr",
    "logo_churned",
    "seat_growth",
    "module_growth",
    "on_time_renewal",
    "nps",
    "nps_low",
    "nps_high",
    "csat",
    "csat_good_bad",
    "ces",
    "ttv_days",
    "training_attendance",
    "tickets_created",
    "open_tickets",
    "first_response_sla",
    "resolution_sla",
    "slow_tickets",
    "open_ticket_age_days",
    "seat_utilisation",
    "usage_drop",
    "days_silent",
)

_FRAMES = {
    **_developers.FRAMES,
    **_apps.FRAMES,
    **_revenue.FRAMES,
    **_expansion.FRAMES,
    **_surveys.FRAMES,
    **_onboarding.FRAMES,
    **_support.FRAMES,
    **_signals.FRAMES,
}


def _all_frames(ctx: Context) -> dict[str, pd.DataFrame]:
    return {name: _FRAMES[name](ctx) for name in METRICS}


def account_metrics(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> dict[str, MetricResult]:
    """Compute every metric of :data:`METRICS` for one account.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of one account keyed by table name.
    as_of : datetime.date or str
        The report date; the start of that day in the account's timezone.
    settings : MetricSettings
        The playbook's windows and thresholds.

    Returns
    -------
    dict of str to MetricResult
        Keyed by metric name, in report order.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for the single metrics.

    See Also
    --------
    portfolio_metrics, as_table
    """
    ctx = context(tables, as_of, settings, single=True)
    frames = _all_frames(ctx)
    return {name: to_result(frame, name) for name, frame in frames.items()}


def portfolio_metrics(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: AsOf,
    settings: MetricSettings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Compute every metric for every account, each in its own timezone.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables of the whole portfolio keyed by table name. Without
        ``accounts`` the accounts are those found in the other tables.
    as_of : datetime.date or str
        The report date; the start of that day in each account's timezone.
    settings : MetricSettings
        The playbook's windows and thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per account in ``accounts`` order: ``account_id`` then, for
        each metric ``m`` of :data:`METRICS`, ``m`` (float, NaN unless ok),
        ``m_status`` and ``m_reason``. NRR and GRR are each account's own.

    Raises
    ------
    MissingColumnError, InvalidInputError
        As for the single metrics.

    See Also
    --------
    account_metrics, revenue_retention
    """
    ctx = context(tables, as_of, settings, single=False)
    frames = _all_frames(ctx)
    table = pd.DataFrame(index=ctx.ids)
    for name, frame in frames.items():
        table[name] = frame["value"]
        table[f"{name}_status"] = frame["status"]
        table[f"{name}_reason"] = frame["reason"]
    table.index.name = "account_id"
    logger.info("portfolio metrics of %d accounts as of %s", len(table), ctx.as_of)
    return table.reset_index()


def as_table(results: Mapping[str, MetricResult]) -> pd.DataFrame:
    """Lay out metric results as a table for reports.

    Parameters
    ----------
    results : dict of str to MetricResult
        As returned by :func:`account_metrics`.

    Returns
    -------
    pandas.DataFrame
        One row per metric with columns ``metric``, ``value`` (float, NaN
        unless ok), ``unit``, ``status``, ``reason`` and ``warning``.

    Examples
    --------
    >>> table = as_table({"nps": MetricResult("nps", 20.0, "ok", unit="score")})
    >>> table[["metric", "value", "status"]].to_dict("records")
    [{'metric': 'nps', 'value': 20.0, 'status': 'ok'}]
    """
    columns = ["metric", "value", "unit", "status", "reason", "warning"]
    rows = [
        (name, r.value, r.unit, r.status, r.reason, r.warning)
        for name, r in results.items()
    ]
    table = pd.DataFrame(rows, columns=columns)
    table["value"] = table["value"].astype("float64")
    return table
