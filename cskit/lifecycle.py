"""Lifecycle phase of every account, and each phase's KPIs against target.

The phases are the playbook's: Onboarding, Adoption, Value Realization,
Expansion, Renewal, Advocacy (plus Churned for a former customer). The
rules, first match wins:

1. **Churned**: the account's last churn before as-of was not followed by
   a reactivation (``account_events``; ``accounts.churned_at`` where that
   table is absent).
2. **Onboarding**: kickoff less than ``onboarding_days`` before as-of (or
   not yet held) and no live app.
3. **Renewal**: the renewal date falls in ``[as_of, as_of +
   renewal_window_days)``: the renewal window takes precedence over the
   phases below because it is time-bound.
4. **Advocacy**: a touchpoint of an advocacy kind (reference call,
   referral, testimonial, case study) in the last ``advocacy_window_days``.
5. **Expansion**: seats or modules grew (``seat_growth`` or
   ``module_growth`` above 0), or seat utilisation is at or above
   ``expansion_seat_utilisation_pct``.
6. **Value Realization**: at least one customer KPI (``kpis`` table) with a
   target was measured in the last ``kpi_window_days``: the ROI is visible.
7. **Adoption**: every other live account.

Limitations
-----------
Dates are compared as UTC days.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from cskit.exceptions import MissingColumnError

__all__ = ["PHASES", "LifecycleRules", "lifecycle_phase", "phase_kpis", "phase_counts"]

logger = logging.getLogger(__name__)

PHASES: tuple[str, ...] = (
    "Onboarding",
    "Adoption",
    "Value Realization",
    "Expansion",
    "Renewal",
    "Advocacy",
)


class LifecycleRules(BaseModel):
    """The rules that place an account in its phase, and the KPI targets.

    The first two fields are those of ``lifecycle:`` in
    ``params/defaults.yaml``; the others have the playbook's defaults.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    onboarding_days: int = 90
    renewal_window_days: int = 90
    advocacy_window_days: int = 365
    advocacy_kinds: tuple[str, ...] = (
        "reference_call",
        "referral",
        "testimonial",
        "case_study",
    )
    referral_kinds: tuple[str, ...] = ("reference_call", "referral")
    testimonial_kinds: tuple[str, ...] = ("testimonial", "case_study")
    kpi_window_days: int = 180
    expansion_seat_utilisation_pct: float = 90.0
    ttv_target_days: float = 30.0
    activated_share_pct: float = 60.0
    mau_per_mad: float = 3.0
    nrr_pct: float = 100.0


def _rules(rules: LifecycleRules | Any | None) -> LifecycleRules:
    if rules is None or isinstance(rules, LifecycleRules):
        return rules or LifecycleRules()
    return LifecycleRules(**rules.model_dump())


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name not in table:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    values = pd.to_numeric(table[name], errors="coerce").astype("float64")
    status = table.get(f"{name}_status")
    return values if status is None else values.where(status.fillna("ok").eq("ok"))


def _account_dates(tables, ids: pd.Index, column: str) -> pd.Series:
    accounts = tables.get("accounts")
    if accounts is None or column not in accounts:
        return pd.Series(pd.NaT, index=ids, dtype="datetime64[us]")
    values = accounts.drop_duplicates("account_id").set_index("account_id")[column]
    return pd.to_datetime(values.reindex(ids)).astype("datetime64[us]")


def _churned_before(tables, ids: pd.Index, day: pd.Timestamp) -> pd.Series:
    """Whether each account's last churn or reactivation before ``day`` is a churn.

    ``account_events`` (kinds ``churned`` and ``reactivated``) win over
    ``accounts.churned_at`` where the table exists.
    """
    events = tables.get("account_events")
    if events is None or events.empty:
        return _account_dates(tables, ids, "churned_at") < day
    rows = events[events["kind"].isin(["churned", "reactivated"])]
    rows = rows[pd.to_datetime(rows["date"]) < day].sort_values(["account_id", "date"])
    last = rows.drop_duplicates("account_id", keep="last").set_index("account_id")
    return last["kind"].reindex(ids).eq("churned").fillna(False).astype(bool)


def _touchpoint_counts(tables, ids, day, days: int, kinds) -> pd.Series:
    points = tables.get("touchpoints")
    if points is None:
        return pd.Series(np.nan, index=ids)
    start = day - pd.Timedelta(days=days)
    utc = (start.tz_localize("UTC"), day.tz_localize("UTC"))
    rows = points[points["kind"].isin(kinds) & (points["ts"] >= utc[0])]
    rows = rows[(rows["ts"] < utc[1]) & ~(rows["attended"] == 0).fillna(False)]
    return rows.groupby("account_id").size().reindex(ids, fill_value=0).astype(float)


def _kpis_measured(tables, ids, day, days: int) -> pd.Series:
    kpis = tables.get("kpis")
    if kpis is None:
        return pd.Series(np.nan, index=ids)
    start = day - pd.Timedelta(days=days)
    when = pd.to_datetime(kpis["measured_at"])
    when = when.dt.tz_convert("UTC").dt.tz_localize(None) if when.dt.tz else when
    rows = kpis[(when >= start) & (when < day) & kpis["target"].notna()]
    rows = rows[rows["current"].notna()]
    counts = rows.groupby("account_id")["kpi"].nunique()
    return counts.reindex(ids, fill_value=0).astype(float)


def lifecycle_phase(
    table: pd.DataFrame,
    *,
    tables: Mapping[str, pd.DataFrame],
    as_of: Any,
    rules: LifecycleRules | None = None,
) -> pd.DataFrame:
    """Place every account of a metrics table in its lifecycle phase.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per account: ``account_id`` and the metric columns
        ``live_apps``, ``seat_growth``, ``module_growth`` and
        ``seat_utilisation`` (each optional; an absent one never matches).
    tables : dict of str to pandas.DataFrame
        ``accounts`` (``kickoff_date``, ``renewal_date``, ``churned_at``),
        ``touchpoints`` and ``kpis``, each optional.
    as_of : date-like
    rules : LifecycleRules or cskit.params.LifecycleParams, optional

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``phase`` and ``rule`` (the rule that matched, in
        words), in the table's order.

    Raises
    ------
    MissingColumnError
        When ``table`` has no ``account_id``.
    """
    if "account_id" not in table:
        raise MissingColumnError(
            "account_id", frame="the metrics table", found=list(table)
        )
    rules = _rules(rules)
    day = pd.Timestamp(as_of).normalize()
    ids = pd.Index(table["account_id"].astype("str"), name="account_id")
    data = table.set_index(ids)
    checks = _phase_checks(data, tables, ids, day, rules)

    phase = pd.Series("Adoption", index=ids, dtype="object")
    rule = pd.Series("live, no other phase's rule applies", index=ids, dtype="object")
    for name, hit, text in reversed(checks):
        phase = phase.mask(hit, name)
        rule = rule.mask(hit, text)
    logger.info("lifecycle phase of %d accounts as of %s", len(ids), day.date())
    return pd.DataFrame(
        {"account_id": ids, "phase": phase.to_numpy(), "rule": rule.to_numpy()}
    )


def _phase_checks(data, tables, ids, day, rules: LifecycleRules) -> list:
    churned = _churned_before(tables, ids, day)
    kickoff = _account_dates(tables, ids, "kickoff_date")
    since = (day - kickoff).dt.days
    no_live = ~(_column(data, "live_apps") > 0)
    renewal = (_account_dates(tables, ids, "renewal_date") - day).dt.days
    advocacy = _touchpoint_counts(
        tables, ids, day, rules.advocacy_window_days, rules.advocacy_kinds
    )
    grew = (_column(data, "seat_growth") > 0) | (_column(data, "module_growth") > 0)
    seats = _column(data, "seat_utilisation") >= rules.expansion_seat_utilisation_pct
    kpis = _kpis_measured(tables, ids, day, rules.kpi_window_days)
    return [
        ("Churned", churned, "churned before as-of"),
        (
            "Onboarding",
            (since < rules.onboarding_days) & no_live,
            f"no live app yet, kickoff under {rules.onboarding_days} days ago",
        ),
        (
            "Renewal",
            (renewal >= 0) & (renewal < rules.renewal_window_days),
            f"renewal within {rules.renewal_window_days} days",
        ),
        (
            "Advocacy",
            advocacy > 0,
            f"a reference, referral or testimonial in the last "
            f"{rules.advocacy_window_days} days",
        ),
        (
            "Expansion",
            grew | seats,
            "seats or modules grew, or seat utilisation at or above "
            f"{rules.expansion_seat_utilisation_pct:g} %",
        ),
        (
            "Value Realization",
            kpis > 0,
            f"a customer KPI with a target measured in the last "
            f"{rules.kpi_window_days} days",
        ),
    ]


def _kpi_values(data, tables, ids, day, rules: LifecycleRules) -> pd.DataFrame:
    mad = _column(data, "mad")
    values = {
        "ttv_days": _column(data, "ttv_days"),
        "live_apps": _column(data, "live_apps"),
        "activated_share": 100
        * _column(data, "activated_developers")
        / mad.where(mad > 0),
        "mau_per_mad": _column(data, "end_user_mau") / mad.where(mad > 0),
        "kpis_with_roi": _kpis_measured(tables, ids, day, rules.kpi_window_days),
        "seat_growth": _column(data, "seat_growth"),
        "module_growth": _column(data, "module_growth"),
        "on_time_renewal": _column(data, "on_time_renewal"),
        "nrr": _column(data, "nrr"),
        "referrals": _touchpoint_counts(
            tables, ids, day, rules.advocacy_window_days, rules.referral_kinds
        ),
        "testimonials": _touchpoint_counts(
            tables, ids, day, rules.advocacy_window_days, rules.testimonial_kinds
        ),
    }
    return pd.DataFrame(values, index=ids)


def _kpi_specs(rules: LifecycleRules) -> list[tuple[str, str, str, float]]:
    return [
        ("Onboarding", "ttv_days", "<=", rules.ttv_target_days),
        ("Onboarding", "live_apps", ">=", 1),
        ("Adoption", "activated_share", ">=", rules.activated_share_pct),
        ("Adoption", "mau_per_mad", ">=", rules.mau_per_mad),
        ("Value Realization", "kpis_with_roi", ">=", 1),
        ("Expansion", "seat_growth", ">", 0),
        ("Expansion", "module_growth", ">", 0),
        ("Renewal", "on_time_renewal", ">=", 100),
        ("Renewal", "nrr", ">=", rules.nrr_pct),
        ("Advocacy", "referrals", ">=", 1),
        ("Advocacy", "testimonials", ">=", 1),
    ]


_OPS = {"<=": operator.le, ">=": operator.ge, ">": operator.gt}


def phase_kpis(
    table: pd.DataFrame,
    *,
    tables: Mapping[str, pd.DataFrame],
    as_of: Any,
    rules: LifecycleRules | None = None,
    phases: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare each phase's KPIs with their targets.

    Parameters
    ----------
    table : pandas.DataFrame
        The metrics table (``account_id``, ``ttv_days``, ``live_apps``,
        ``activated_developers``, ``mad``, ``end_user_mau``,
        ``seat_growth``, ``module_growth``, ``on_time_renewal``, ``nrr``;
        absent ones are not available).
    tables : dict of str to pandas.DataFrame
        ``touchpoints`` and ``kpis`` for ROI, referrals and testimonials.
    as_of : date-like
    rules : LifecycleRules, optional
    phases : pandas.DataFrame, optional
        :func:`lifecycle_phase` output: keep only each account's own phase.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``phase``, ``kpi``, ``value``, ``target`` (text
        such as ``"<= 30"``) and ``status`` (``met``, ``not_met`` or
        ``not_available``).
    """
    rules = _rules(rules)
    day = pd.Timestamp(as_of).normalize()
    ids = pd.Index(table["account_id"].astype("str"), name="account_id")
    values = _kpi_values(table.set_index(ids), tables, ids, day, rules)
    parts = []
    for phase, kpi, op, target in _kpi_specs(rules):
        value = values[kpi]
        status = np.where(
            value.isna(),
            "not_available",
            np.where(_OPS[op](value, target), "met", "not_met"),
        )
        parts.append(
            pd.DataFrame(
                {
                    "account_id": ids,
                    "phase": phase,
                    "kpi": kpi,
                    "value": value.to_numpy(),
                    "target": f"{op} {target:g}",
                    "status": status,
                }
            )
        )
    result = pd.concat(parts, ignore_index=True)
    if phases is not None:
        own = phases[["account_id", "phase"]].astype({"account_id": "str"})
        result = result.merge(own, on=["account_id", "phase"])
    return result.sort_values(["account_id"], kind="stable").reset_index(drop=True)


def phase_counts(phases: pd.DataFrame) -> pd.DataFrame:
    """Count accounts per phase, in lifecycle order (Churned last).

    Parameters
    ----------
    phases : pandas.DataFrame
        :func:`lifecycle_phase` output.

    Returns
    -------
    pandas.DataFrame
        ``accounts`` per phase, every phase listed (0 when empty).
    """
    order = [*PHASES, "Churned"]
    counts = phases["phase"].value_counts().reindex(order, fill_value=0)
    return counts.rename("accounts").rename_axis("phase").to_frame()
