"""Tests of the lifecycle phase rules and each phase's KPI status."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cskit import lifecycle
from cskit.exceptions import MissingColumnError
from cskit.params import LifecycleParams

AS_OF = "2026-03-01"


def day(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[us]")


def accounts(**columns) -> pd.DataFrame:
    size = len(next(iter(columns.values())))
    base = {
        "account_id": [f"A{i}" for i in range(1, size + 1)],
        "kickoff_date": day(*["2024-01-01"] * size),
        "renewal_date": day(*["2027-01-01"] * size),
        "churned_at": day(*[None] * size),
    }
    base.update(columns)
    return pd.DataFrame(base)


def phase(metrics: dict, tables: dict, **options) -> list[str]:
    ids = tables["accounts"]["account_id"]
    table = pd.DataFrame({"account_id": ids, **metrics})
    result = lifecycle.lifecycle_phase(table, tables=tables, as_of=AS_OF, **options)
    return list(result["phase"])


def test_churned_and_onboarding():
    tables = {
        "accounts": accounts(
            kickoff_date=day("2026-01-15", "2026-01-15", "2025-06-01"),
            churned_at=day(None, None, "2026-02-01"),
        )
    }
    # A1 no live app, kickoff 45 days ago: Onboarding; A2 live: Adoption;
    # A3 churned before as-of.
    assert phase({"live_apps": [0.0, 1.0, 0.0]}, tables) == [
        "Onboarding",
        "Adoption",
        "Churned",
    ]


def test_onboarding_ends_after_onboarding_days():
    tables = {"accounts": accounts(kickoff_date=day("2025-12-01", "2025-12-02"))}
    # 90 days before 2026-03-01 is 2025-12-01: not under 90 days.
    assert phase({"live_apps": [0.0, 0.0]}, tables) == ["Adoption", "Onboarding"]
    rules = LifecycleParams(onboarding_days=91)
    assert phase({"live_apps": [0.0, 0.0]}, tables, rules=rules) == [
        "Onboarding",
        "Onboarding",
    ]


def test_renewal_window_edges():
    tables = {"accounts": accounts(renewal_date=day("2026-05-29", "2026-05-30"))}
    # 89 days ahead is inside [0, 90); 90 days is not.
    assert phase({"live_apps": [1.0, 1.0]}, tables) == ["Renewal", "Adoption"]


def touchpoints(kind: str, ts: str, attended=2) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "touchpoint_id": ["T1"],
            "account_id": ["A1"],
            "kind": [kind],
            "ts": pd.Series(pd.to_datetime([ts], utc=True)).astype(
                "datetime64[us, UTC]"
            ),
            "invited": pd.array([2], dtype="Int64"),
            "attended": pd.array([attended], dtype="Int64"),
        }
    )


def test_advocacy_expansion_value_realization_order():
    kpis = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "kpi": ["hours", "hours", "hours"],
            "measured_at": day("2026-02-01", "2026-02-01", "2026-02-01"),
            "target": [10.0, 10.0, 10.0],
            "current": [5.0, 5.0, 5.0],
        }
    )
    tables = {
        "accounts": accounts(kickoff_date=day(*["2024-01-01"] * 4)),
        "touchpoints": touchpoints("reference_call", "2025-12-01"),
        "kpis": kpis,
    }
    metrics = {
        "live_apps": [1.0] * 4,
        "seat_growth": [0.0, 5.0, 0.0, 0.0],
        "module_growth": [0.0, 0.0, 0.0, 0.0],
    }
    # A1 reference call: Advocacy (before its KPI); A2 seats grew: Expansion;
    # A3 KPI measured: Value Realization; A4: Adoption.
    assert phase(metrics, tables) == [
        "Advocacy",
        "Expansion",
        "Value Realization",
        "Adoption",
    ]


def test_advocacy_needs_attendance_and_recency():
    for kind, ts, attended in (
        ("reference_call", "2024-12-01", 2),
        ("reference_call", "2026-01-01", 0),
        ("webinar", "2026-01-01", 2),
    ):
        tables = {
            "accounts": accounts(kickoff_date=day("2024-01-01")),
            "touchpoints": touchpoints(kind, ts, attended),
        }
        assert phase({"live_apps": [1.0]}, tables) == ["Adoption"]


def test_seat_utilisation_at_threshold_is_expansion():
    tables = {"accounts": accounts(kickoff_date=day("2024-01-01", "2024-01-01"))}
    assert phase(
        {"live_apps": [1.0, 1.0], "seat_utilisation": [90.0, 89.9]}, tables
    ) == ["Expansion", "Adoption"]


def test_rule_text_and_missing_account_id():
    tables = {"accounts": accounts(renewal_date=day("2026-03-10"))}
    table = pd.DataFrame({"account_id": ["A1"]})
    result = lifecycle.lifecycle_phase(table, tables=tables, as_of=AS_OF)
    assert result["rule"].iloc[0] == "renewal within 90 days"
    with pytest.raises(MissingColumnError, match="account_id"):
        lifecycle.lifecycle_phase(pd.DataFrame(), tables=tables, as_of=AS_OF)


def test_phase_kpis_by_hand():
    table = pd.DataFrame(
        {
            "account_id": ["A1"],
            "ttv_days": [30.0],
            "live_apps": [1.0],
            "activated_developers": [3.0],
            "mad": [5.0],
            "end_user_mau": [20.0],
            "seat_growth": [0.0],
            "module_growth": [1.0],
            "on_time_renewal": [100.0],
            "nrr": [np.nan],
            "nrr_status": ["undefined"],
        }
    )
    tables = {"touchpoints": touchpoints("testimonial", "2026-01-01")}
    kpis = lifecycle.phase_kpis(table, tables=tables, as_of=AS_OF)
    status = kpis.set_index("kpi")["status"].to_dict()
    values = kpis.set_index("kpi")["value"]
    # ttv 30 <= 30 met; activated 3/5 = 60 % met; MAU/MAD 20/5 = 4 met;
    # no kpis table: not available; seats 0 not > 0; modules 1 met;
    # renewal 100 % met; nrr undefined; testimonial met, no referral.
    assert status == {
        "ttv_days": "met",
        "live_apps": "met",
        "activated_share": "met",
        "mau_per_mad": "met",
        "kpis_with_roi": "not_available",
        "seat_growth": "not_met",
        "module_growth": "met",
        "on_time_renewal": "met",
        "nrr": "not_available",
        "referrals": "not_met",
        "testimonials": "met",
    }
    assert (values["activated_share"], values["mau_per_mad"]) == (60, 4)


def test_phase_kpis_of_the_own_phase_and_counts():
    table = pd.DataFrame(
        {"account_id": ["A1", "A2"], "ttv_days": [10.0, 40.0], "live_apps": [1.0, 1.0]}
    )
    phases = pd.DataFrame(
        {"account_id": ["A1", "A2"], "phase": ["Onboarding", "Renewal"]}
    )
    kpis = lifecycle.phase_kpis(table, tables={}, as_of=AS_OF, phases=phases)
    assert list(zip(kpis["account_id"], kpis["kpi"], strict=True)) == [
        ("A1", "ttv_days"),
        ("A1", "live_apps"),
        ("A2", "on_time_renewal"),
        ("A2", "nrr"),
    ]
    counts = lifecycle.phase_counts(phases)["accounts"].to_dict()
    assert counts["Onboarding"] == 1 and counts["Advocacy"] == 0


def test_churn_events_win_over_the_accounts_shortcut():
    from datetime import date

    import pandas as pd

    from cskit.lifecycle import lifecycle_phase
    from cskit.schema import validate_table

    accounts = validate_table("accounts", pd.DataFrame({
        "account_id": ["A", "B", "C"], "kickoff_date": ["2023-01-01"] * 3,
    }))
    events = validate_table("account_events", pd.DataFrame({
        "account_id": ["A", "B", "B", "C"],
        "date": ["2024-03-01", "2024-01-01", "2024-02-01", "2024-09-01"],
        "kind": ["churned", "churned", "reactivated", "churned"],
    }))
    table = pd.DataFrame({"account_id": ["A", "B", "C"], "live_apps": [1.0] * 3})
    phases = lifecycle_phase(
        table, tables={"accounts": accounts, "account_events": events},
        as_of=date(2024, 6, 1),
    ).set_index("account_id")["phase"]
    # A churned; B came back; C churns only after the as-of date.
    assert phases.to_dict() == {"A": "Churned", "B": "Adoption", "C": "Adoption"}
