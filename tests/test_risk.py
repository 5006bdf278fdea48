"""Tests of the risk flags (smallest data that raises each, and data that
does not), their evidence, the Red / Yellow / Green risk score and the plays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from cskit import plays, risk
from cskit.exceptions import ConfigurationError, MissingColumnError

AS_OF = "2026-03-01"
UTC = "datetime64[us, UTC]"
RULES = risk.RiskRules()


def stamp(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True)).astype(UTC)


def day(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[us]")


def one(flag: str, metrics: dict, *, tables=None, health=None) -> pd.Series:
    table = pd.DataFrame({"account_id": ["A1"], **metrics})
    flags = risk.evaluate_flags(
        table, tables=tables or {}, as_of=AS_OF, health=health, rules=RULES
    )
    return flags.flags.set_index("flag").loc[flag]


@pytest.mark.parametrize(
    ("flag", "metric", "raising", "quiet"),
    [
        ("inactive_developers", "inactive_developer_share", 31.0, 30.0),
        ("slow_tickets", "slow_tickets", 2.0, 1.0),
        ("usage_drop", "usage_drop", -30.0, -29.0),
        ("silent_account", "days_silent", 30.0, 29.0),
        ("negative_pulse", "pulse", -0.11, -0.1),
        ("nps_detractors", "nps", -1.0, 0.0),
        ("low_day45_activation", "day45_activation", 59.0, 60.0),
        ("slow_ttv", "ttv_days", 31.0, 30.0),
        ("low_training_attendance", "training_attendance", 69.0, 70.0),
    ],
)
def test_metric_flags_raise_at_their_threshold(flag, metric, raising, quiet):
    assert bool(one(flag, {metric: [raising]})["raised"])
    assert not bool(one(flag, {metric: [quiet]})["raised"])


def test_flag_without_its_metric_is_not_available():
    row = one("usage_drop", {"nps": [10.0]})
    assert not bool(row["raised"])
    assert row["status"] == "not_available"
    assert "usage_drop" in row["detail"]


def test_metric_not_ok_does_not_raise_and_keeps_its_reason():
    row = one(
        "nps_detractors",
        {
            "nps": [np.nan],
            "nps_status": ["not_available"],
            "nps_reason": ["no NPS responses"],
        },
    )
    assert (bool(row["raised"]), row["detail"]) == (False, "no NPS responses")


def test_no_roadmap():
    assert bool(one("no_roadmap", {"has_roadmap": [0.0]})["raised"])
    assert not bool(one("no_roadmap", {"has_roadmap": [1.0]})["raised"])


def test_no_champion():
    assert bool(one("no_champion", {"active_champions": [0.0]})["raised"])
    assert not bool(one("no_champion", {"active_champions": [1.0]})["raised"])


def accounts(**columns) -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["A1"], **columns})


def test_slow_ttv_for_an_open_onboarding():
    tables = {"accounts": accounts(kickoff_date=day("2026-01-01"))}
    reason = ["no live app yet (censored): 59 days since kickoff, target 30"]
    row = one(
        "slow_ttv",
        {
            "ttv_days": [np.nan],
            "ttv_days_status": ["undefined"],
            "ttv_days_reason": reason,
        },
        tables=tables,
    )
    # kickoff 2026-01-01 to 2026-03-01 is 59 days > 30.
    assert bool(row["raised"]) and row["value"] == 59
    tables = {"accounts": accounts(kickoff_date=day("2026-02-15"))}
    row = one(
        "slow_ttv",
        {
            "ttv_days": [np.nan],
            "ttv_days_status": ["undefined"],
            "ttv_days_reason": reason,
        },
        tables=tables,
    )
    assert not bool(row["raised"])  # 14 days


@pytest.mark.parametrize(
    ("renewal", "band", "raised"),
    [
        ("2026-05-29", "Red", True),  # 89 days ahead
        ("2026-05-30", "Red", False),  # 90 days: outside [0, 90)
        ("2026-04-01", "Yellow", False),
        ("2026-02-28", "Red", False),  # already past
    ],
)
def test_renewal_at_risk(renewal, band, raised):
    tables = {"accounts": accounts(renewal_date=day(renewal))}
    health = pd.DataFrame({"account_id": ["A1"], "band": [band]})
    row = one("renewal_at_risk", {"nps": [1.0]}, tables=tables, health=health)
    assert bool(row["raised"]) is raised


def test_disabled_flag_is_left_out():
    rules = risk.RiskRules(flags={"usage_drop": {"enabled": False}})
    table = pd.DataFrame({"account_id": ["A1"], "usage_drop": [-90.0]})
    flags = risk.evaluate_flags(table, as_of=AS_OF, rules=rules)
    assert "usage_drop" not in set(flags.flags["flag"])


def test_missing_account_id_is_refused():
    with pytest.raises(MissingColumnError, match="account_id"):
        risk.evaluate_flags(pd.DataFrame({"nps": [1.0]}), as_of=AS_OF, rules=RULES)


# ---------------------------------------------------------------- evidence


def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3", "C4"],
            "account_id": ["A1"] * 4,
            "name": ["Ada", "Bo", "Cy", "Di"],
            "role": ["developer", "developer", "champion", "developer"],
            "is_champion": pd.array([False, False, True, False], dtype="boolean"),
            "created_at": stamp("2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01"),
            "left_at": stamp(None, None, "2026-01-10", "2026-01-01"),
        }
    )


def test_inactive_developer_evidence_lists_the_quiet_developers():
    events = pd.DataFrame(
        {
            "ts": stamp("2026-02-25", "2026-02-01"),
            "account_id": ["A1", "A1"],
            "contact_id": ["C1", "C2"],
            "event": ["login", "login"],
            "count": pd.array([1, 1], dtype="Int64"),
        }
    )
    table = pd.DataFrame({"account_id": ["A1"], "inactive_developer_share": [50.0]})
    flags = risk.evaluate_flags(
        table,
        tables={"contacts": contacts(), "events": events},
        as_of=AS_OF,
        rules=RULES,
    )
    found = flags.evidence[flags.evidence["source"] == "contacts"]
    # C1 active 4 days ago, C2 quiet since 2026-02-01, C4 left: only C2.
    assert list(found["ref"]) == ["C2"]
    assert "2026-02-01" in found["detail"].iloc[0]


def test_champion_who_left_is_the_evidence():
    signals = risk.account_signals(
        {
            "contacts": contacts(),
            "accounts": accounts(has_roadmap=pd.array([True], dtype="boolean")),
        },
        as_of=AS_OF,
    )
    row = signals.iloc[0]
    assert (row["active_champions"], row["champions_left"], row["has_roadmap"]) == (
        0,
        1,
        1,
    )
    table = signals
    flags = risk.evaluate_flags(
        table, tables={"contacts": contacts()}, as_of=AS_OF, rules=RULES
    )
    found = flags.evidence[
        (flags.evidence["flag"] == "no_champion")
        & (flags.evidence["source"] == "contacts")
    ]
    assert list(found["detail"]) == ["champion Cy left on 2026-01-10"]


def test_slow_ticket_and_detractor_evidence():
    tickets = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "account_id": ["A1"] * 3,
            "created_at": stamp("2026-02-01", "2026-02-02", "2025-06-01"),
            "tags": [["slow", "performance"], ["billing"], ["slow"]],
            "subject": ["Editor lags", "Invoice", "Old"],
        }
    )
    surveys = pd.DataFrame(
        {
            "response_id": ["R1", "R2"],
            "account_id": ["A1", "A1"],
            "submitted_at": stamp("2026-01-05", "2026-01-06"),
            "kind": ["nps", "nps"],
            "score": [3.0, 9.0],
            "comment": ["too slow", None],
        }
    )
    table = pd.DataFrame({"account_id": ["A1"], "slow_tickets": [2.0], "nps": [-20.0]})
    flags = risk.evaluate_flags(
        table, tables={"tickets": tickets, "surveys": surveys}, as_of=AS_OF, rules=RULES
    )
    evidence = flags.evidence.set_index("source")
    # T3 is outside the 90-day window; R2 is a promoter.
    assert list(evidence.loc[["tickets"], "ref"]) == ["T1"]
    assert list(evidence.loc[["surveys"], "ref"]) == ["R1"]
    raised, rows = risk.account_flags(flags, "A1")
    assert list(raised["flag"]) == ["nps_detractors", "slow_tickets"]
    assert set(rows["source"]) == {"metrics", "tickets", "surveys"}


# ---------------------------------------------------------------- the score


def test_risk_score_levels_from_points_and_band():
    table = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "usage_drop": [-50.0, -50.0, 0.0, 0.0],  # severity 2
            "nps": [-10.0, 10.0, 10.0, 10.0],  # severity 2
        }
    )
    health = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "band": ["Yellow", "Green", "Red", "Green"],
        }
    )
    rules = risk.RiskRules(red_at=5, yellow_at=2)
    flags = risk.evaluate_flags(table, as_of=AS_OF, rules=rules)
    score = risk.risk_score(flags, health=health, rules=rules).set_index("account_id")
    # A1: 2 + 2 + 1 (Yellow) = 5 Red; A2: 2 Yellow; A3: 3 (Red band) Yellow;
    # A4: 0 Green.
    assert list(score["risk_points"]) == [5, 2, 3, 0]
    assert list(score["risk"]) == ["Red", "Yellow", "Yellow", "Green"]
    assert score.loc["A1", "flags"] == "nps_detractors, usage_drop"


def test_red_flag_forces_red():
    table = pd.DataFrame({"account_id": ["A1"], "nps": [10.0]})
    tables = {"accounts": accounts(renewal_date=day("2026-03-10"))}
    health = pd.DataFrame({"account_id": ["A1"], "band": ["Red"]})
    rules = risk.RiskRules(band_points={"Red": 0})
    flags = risk.evaluate_flags(
        table, tables=tables, as_of=AS_OF, health=health, rules=rules
    )
    score = risk.risk_score(flags, health=health, rules=rules)
    # renewal_at_risk has severity 3 < red_at 5, but it is a red flag.
    assert score["risk"].iloc[0] == "Red"


def write(tmp_path, body: dict):
    path = tmp_path / "health.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def test_risk_rule_errors(tmp_path):
    path = write(tmp_path, {"risk": {"flags": {"usage_dorp": {"threshold": 1}}}})
    with pytest.raises(ConfigurationError, match="did you mean 'usage_drop'"):
        risk.load_risk_rules(path)
    path = write(tmp_path, {"risk": {"red_at": 1, "yellow_at": 3}})
    with pytest.raises(ConfigurationError, match="yellow_at"):
        risk.load_risk_rules(path)
    path = write(tmp_path, {"risk": {"red_flags": ["no_champoin"]}})
    with pytest.raises(ConfigurationError, match="did you mean 'no_champion'"):
        risk.load_risk_rules(path)


def test_params_file_matches_the_defaults():
    assert risk.load_risk_rules("params/health.yaml") == risk.RiskRules()
    assert plays.load_plays("params/health.yaml") == plays.PlayBook()


# ------------------------------------------------------------------- plays


def test_open_plays_with_owner_and_due_date():
    table = pd.DataFrame(
        {"account_id": ["A1"], "usage_drop": [-50.0], "days_silent": [40.0]}
    )
    flags = risk.evaluate_flags(table, as_of=AS_OF, rules=RULES)
    listed = plays.open_plays(
        flags,
        as_of=AS_OF,
        accounts=pd.DataFrame({"account_id": ["A1"], "csm": ["Kim"]}),
    )
    # usage_drop -> csm_touch (5 days), competitive_intel (10 days);
    # silent_account -> csm_touch again: listed once with both flags.
    assert list(listed["play"]) == ["csm_touch", "competitive_intel"]
    assert list(listed["due"].astype(str)) == ["2026-03-06", "2026-03-11"]
    assert (
        listed["flags"].iloc[0] == "usage_drop, silent_account"
        or listed["flags"].iloc[0] == "silent_account, usage_drop"
    )
    assert listed["owner"].iloc[0] == "csm Kim"


def test_no_flag_no_play():
    table = pd.DataFrame({"account_id": ["A1"], "nps": [50.0]})
    flags = risk.evaluate_flags(table, as_of=AS_OF, rules=RULES)
    assert plays.open_plays(flags, as_of=AS_OF).empty


def test_playbook_errors(tmp_path):
    path = write(tmp_path, {"plays": {"triggers": {"usage_drop": ["csm_tuoch"]}}})
    with pytest.raises(ConfigurationError, match="did you mean 'csm_touch'"):
        plays.load_plays(path)
    path = write(tmp_path, {"plays": {"triggers": {"usage_dorp": ["csm_touch"]}}})
    with pytest.raises(ConfigurationError, match="did you mean 'usage_drop'"):
        plays.load_plays(path)
