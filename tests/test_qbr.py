"""QBR planner: dates per cadence, renewal, first QBR, steps done or overdue."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cskit import qbr
from cskit.exceptions import InvalidInputError
from cskit.params import QbrParams
from cskit.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 10, 1)
SETTINGS = QbrParams()


def _accounts(*rows):
    columns = ["account_id", "tier", "kickoff_date", "renewal_date", "churned_at"]
    frame = pd.DataFrame(list(rows), columns=columns)
    for column in columns[2:]:
        frame[column] = pd.to_datetime(frame[column])
    return frame.assign(name=frame["account_id"], csm="Ann", timezone="UTC")


def _touchpoints(*rows):
    frame = pd.DataFrame(list(rows), columns=["account_id", "ts", "kind"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def _tables():
    accounts = _accounts(
        ["Q", "premium", "2024-01-10", "2027-06-01", None],
        ["H", "standard", "2024-01-10", "2027-06-01", None],
        ["R", "standard", "2024-01-10", "2026-10-25", None],
        ["C", "standard", "2024-01-10", "2026-10-28", None],
        ["F", "standard", "2026-05-01", "2027-05-01", None],
        ["S", "strategic", "2026-08-01", "2027-08-01", None],
        ["D", "premium", "2024-01-10", "2027-06-01", None],
        ["X", "premium", "2024-01-10", "2026-06-01", "2026-06-01"],
    )
    touchpoints = _touchpoints(
        ["Q", "2026-07-10 15:00", "qbr"],
        ["H", "2026-05-03 09:00", "qbr"],
        ["R", "2026-06-01 09:00", "qbr"],
        ["C", "2026-08-10 09:00", "qbr"],
        ["D", "2026-09-28 09:00", "qbr"],
        ["D", "2026-08-30 09:00", "qbr_prep"],
        ["Q", "2026-09-12 09:00", "qbr_prep"],
        ["X", "2026-03-01 09:00", "qbr"],
    )
    return {"accounts": accounts, "touchpoints": touchpoints}


def _plan():
    plan = qbr.plan_qbrs(_tables(), as_of=AS_OF, settings=SETTINGS)
    return plan.set_index("account_id")


@pytest.mark.parametrize(
    ("account", "qbr_date", "basis"),
    [
        ("Q", "2026-10-10", "cadence"),  # quarterly: last QBR + 3 months
        ("H", "2026-11-03", "cadence"),  # half-yearly: last QBR + 6 months
        ("R", "2026-09-10", "renewal"),  # renewal 10-25 before 12-01: 45 days before
        ("C", "2027-02-10", "cadence"),  # renewal 10-28 covered by the 08-10 QBR
        ("F", "2026-11-01", "first"),  # no QBR yet: kickoff + 6 months
        ("S", "2026-11-01", "first"),  # no QBR yet: kickoff + 3 months
        ("D", "2026-09-28", "held"),  # held 3 days ago: still the current QBR
    ],
)
def test_qbr_date_follows_cadence_renewal_and_history(account, qbr_date, basis):
    row = _plan().loc[account]
    assert row["qbr_date"] == pd.Timestamp(qbr_date)
    assert row["basis"] == basis


def test_churned_account_gets_no_qbr():
    assert "X" not in _plan().index


def test_timeline_dates_and_statuses():
    timeline = qbr.qbr_timeline(_tables(), as_of=AS_OF, settings=SETTINGS)
    quarterly = timeline[timeline["account_id"] == "Q"].set_index("step")
    assert list(quarterly["date"].dt.strftime("%m-%d")) == [
        "09-10",
        "10-03",
        "10-05",
        "10-10",
        "10-11",
    ]
    # The prep touchpoint of 09-12 records the prep; the rest is ahead.
    assert list(quarterly["status"]) == ["done"] + ["upcoming"] * 4
    assert quarterly.loc["prep", "done_on"] == pd.Timestamp("2026-09-12")

    held = timeline[timeline["account_id"] == "D"].set_index("step")["status"]
    assert held.to_dict() == {
        "prep": "done",
        "dry_run": "overdue",
        "agenda": "overdue",
        "session": "done",
        "recap": "overdue",
    }


def test_due_lists_the_step_to_act_on():
    due = qbr.due_qbrs(_tables(), as_of=AS_OF, settings=SETTINGS, within_days=30)
    due = due.set_index("account_id")
    assert set(due.index) == {"Q", "H", "R", "F", "S", "D"}
    assert due.loc["Q", "step"] == "dry_run"
    assert due.loc["Q", "step_date"] == pd.Timestamp("2026-10-03")
    assert due.loc["R", "step"] == "session"
    assert due.loc["R", "step_status"] == "overdue"
    assert due.loc["F", "step"] == "prep"  # 2026-10-02, inside the window
    assert due.loc["D", "step"] == "recap"
    assert due.loc["D", "overdue"] == "dry_run, agenda, recap"


def test_due_window_of_zero_days_keeps_only_overdue_steps():
    due = qbr.due_qbrs(_tables(), as_of=AS_OF, settings=SETTINGS, within_days=0)
    assert set(due["account_id"]) == {"R", "D"}
    assert set(due["step_status"]) == {"overdue"}


def test_without_touchpoints_every_account_is_a_first_qbr():
    tables = {"accounts": _tables()["accounts"]}
    plan = qbr.plan_qbrs(tables, as_of=AS_OF, settings=SETTINGS)
    assert set(plan["basis"]) <= {"first", "renewal"}


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("4w", 28), ("7", 7)])
def test_parse_days(text, days):
    assert qbr.parse_days(text) == days


def test_bad_window_is_refused():
    with pytest.raises(InvalidInputError, match="'a month' is not a number of days"):
        qbr.parse_days("a month")
    with pytest.raises(InvalidInputError, match="within_days is -1"):
        qbr.due_qbrs(_tables(), as_of=AS_OF, settings=SETTINGS, within_days=-1)


def test_missing_tier_is_named():
    tables = {"accounts": _tables()["accounts"].drop(columns=["tier"])}
    with pytest.raises(KeyError, match="tier"):
        qbr.plan_qbrs(tables, as_of=AS_OF, settings=SETTINGS)


def test_demo_due_list_pins_each_case(demo_workspace):
    due = qbr.load_due_qbrs(workspace=demo_workspace, within_days=30)
    due = due.set_index("account_id")
    day = lambda column, account: f"{due.loc[account, column]:%Y-%m-%d}"  # noqa: E731
    # Quarterly tier (premium): QBR 2026-07-10 + 3 months; dry run due.
    assert (day("qbr_date", "0039"), due.loc["0039", "step"]) == (
        "2026-10-10",
        "dry_run",
    )
    # Half-yearly tier (standard): QBR 2026-05-03 + 6 months; prep due.
    assert (day("qbr_date", "0042"), due.loc["0042", "step"]) == ("2026-11-03", "prep")
    # Renewal on 2026-10-28, inside the window: the 2026-08-10 QBR covers it.
    assert day("renewal_date", "0003") == "2026-10-28"
    assert (day("qbr_date", "0003"), day("step_date", "0003")) == (
        "2026-11-10",
        "2026-10-11",
    )
    # No QBR yet: kickoff 2026-03-02 + 6 months, missed.
    assert due.loc["0035", "basis"] == "first"
    assert (day("qbr_date", "0035"), due.loc["0035", "step_status"]) == (
        "2026-09-02",
        "overdue",
    )
    # Kickoff 2026-09-05: its first QBR is not due yet; churned accounts never.
    assert "0040" not in due.index and "0028" not in due.index


def test_cli_qbr_due_lists_accounts_and_steps(demo_workspace):
    done = subprocess.run(
        [sys.executable, "-m", "cskit", "qbr", "due", "--within", "30d"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "CSKIT_WORKSPACE": str(demo_workspace)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    assert "dry_run" in lines["0039"] and "2026-10-10" in lines["0039"]
    assert "prep" in lines["0042"] and "0040" not in lines


def test_batch_due_runs_only_the_due_accounts(demo_workspace, monkeypatch):
    from click.testing import CliRunner

    from cskit import cli, runner

    seen = {}

    def fake_run_batch(**options):
        seen.update(options)
        return runner.BatchResult(run_dir=Path("."), runs=[])

    monkeypatch.setattr(runner, "run_batch", fake_run_batch)
    result = CliRunner().invoke(
        cli.cli,
        ["batch", "--notebook", "qbr", "--due", "--workspace", str(demo_workspace)],
    )
    assert result.exit_code == 0, result.output
    with Workspace(demo_workspace) as ws:
        tables = {
            "accounts": ws.table("accounts"),
            "touchpoints": ws.table("touchpoints"),
        }
        as_of = ws.default_as_of()
    expected = qbr.due_qbrs(tables, as_of=as_of, settings=SETTINGS)["account_id"]
    assert seen["notebook"] == "qbr"
    assert seen["accounts"] == list(expected)


def test_qbr_report_sections_for_account_0007(demo_workspace):
    report = qbr.load_qbr_report(workspace=demo_workspace, account_id="0007")
    header = qbr.qbr_header(report)["value"]
    assert header["QBR date (T)"] == "2027-03-10"
    assert header["last QBR"] == "2026-09-10"
    kpis = qbr.value_table(report)
    # The KPIs recorded in params/accounts/0007.yaml join the table's.
    assert kpis.loc["Approval turnaround (days)", "source"] == "parameters"
    assert kpis.loc["Approval turnaround (days)", "progress_pct"] == pytest.approx(64.3)
    assert "60-minute business review on 2027-03-10" in qbr.agenda(report)
    recap = qbr.recap_email(report)
    assert "Action items:" in recap and "Exec sponsor call" in recap


def test_missed_qbr_is_rescheduled_in_the_workbook(demo_workspace):
    report = qbr.load_qbr_report(workspace=demo_workspace, account_id="0035")
    assert report.plan["qbr_date"] == pd.Timestamp("2026-10-15")
    assert report.plan["basis"] == "rescheduled (due 2026-09-02)"
