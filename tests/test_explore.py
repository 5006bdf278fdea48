"""The explore dashboard without a browser: controls, redraws, comparisons, lab."""

import datetime
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

from cskit import explore  # noqa: E402
from cskit.exceptions import InvalidInputError  # noqa: E402
from cskit.reports import load_account_report  # noqa: E402


@pytest.fixture(scope="module")
def session(demo_workspace):
    return explore.ExploreSession(workspace=demo_workspace)


@pytest.fixture
def explorer(session):
    return explore.Explorer(session, account_id="0001")


def _text(output) -> str:
    return "\n".join(o["data"]["text/plain"] for o in output.outputs)


def _summary(explorer) -> str:
    return _text(explorer.sections["summary"][0])


def _name(session, account_id: str) -> str:
    accounts = session.accounts.set_index("account_id")
    return accounts.loc[account_id, "name"]


@pytest.mark.slow
def test_controls_exist_and_start_on_the_first_account(session, explorer):
    controls = explorer.controls
    assert set(controls) == {
        "search",
        "account",
        "as_of",
        "metric",
        "window",
        "mode",
        "account_b",
        "as_of_b",
    }
    assert len(controls["account"].options) == len(session.accounts)
    assert controls["account"].value == "0001"
    assert controls["as_of"].value == session.as_of
    assert [v for _, v in controls["metric"].options] == list(explore.TREND_METRICS)
    assert controls["mode"].value == "one"
    assert _name(session, "0001") in _summary(explorer)
    assert explorer.timings[0]["change"] == "opened"


@pytest.mark.slow
def test_changing_the_account_redraws_with_its_summary(session, explorer):
    before = _summary(explorer)

    explorer.controls["account"].value = "0007"

    after = _summary(explorer)
    assert after != before
    assert _name(session, "0007") in after and "0007" in after
    assert _name(session, "0001") not in after
    assert explorer.timings[-1]["account"] == "0007"
    assert explorer.timings[-1]["change"] == "Account"
    assert "0007" in explorer.status.value
    assert explorer.sections["trend"][0].outputs[0]["data"]["image/png"]
    assert explorer.sections["mapper"][0].outputs[0]["data"]["image/png"]


@pytest.mark.slow
def test_session_report_equals_the_workbooks_report(session, demo_workspace):
    cached = session.report("0007")
    fresh = load_account_report(workspace=demo_workspace, account_id="0007")

    for name in ("health_summary", "headline", "risk_flags", "pulse_summary"):
        got = getattr(explore.reports, name)(cached)
        expected = getattr(explore.reports, name)(fresh)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.slow
def test_compare_two_accounts_shows_both_sides(session, explorer):
    explorer.controls["account_b"].value = "0007"
    explorer.controls["mode"].value = "accounts"

    table = explore.summary_table(explorer.sides())
    assert [c[:2] for c in table.columns] == ["A:", "B:"]
    assert table.loc["account_id"].tolist() == ["0001", "0007"]
    pulse_b = explorer.sections["pulse"][1]
    assert pulse_b.layout.display is None
    assert _name(session, "0007") in _text(pulse_b)
    assert explorer._compare.children == (explorer.controls["account_b"],)

    explorer.controls["mode"].value = "one"
    assert pulse_b.layout.display == "none" and not pulse_b.outputs


@pytest.mark.slow
def test_compare_two_dates_analyses_the_second_date(session, explorer):
    earlier = session.as_of - datetime.timedelta(days=90)
    explorer.controls["as_of_b"].value = earlier
    explorer.controls["mode"].value = "dates"

    table = explore.summary_table(explorer.sides())
    assert table.loc["as of"].tolist() == [
        session.as_of.isoformat(),
        earlier.isoformat(),
    ]
    assert table.loc["account_id"].tolist() == ["0001", "0001"]


@pytest.mark.slow
def test_search_narrows_the_picker(explorer):
    explorer.controls["search"].value = "0007"

    assert [v for _, v in explorer.controls["account"].options] == ["0007"]
    assert explorer.controls["account"].value == "0007"
    assert "0007" in _summary(explorer)


@pytest.mark.slow
def test_a_failed_redraw_is_shown_in_the_status(session, explorer, monkeypatch):
    def broken(account_id, *, as_of=None):
        raise InvalidInputError("no such thing")

    monkeypatch.setattr(session, "report", broken)
    explorer.controls["account"].value = "0002"

    assert "Could not redraw" in explorer.status.value
    assert "no such thing" in explorer.status.value


@pytest.mark.slow
def test_unknown_account_is_refused(session):
    with pytest.raises(InvalidInputError, match="account_id 'nope' is not in"):
        session.report("nope")


def _report(events: pd.DataFrame, as_of: datetime.date):
    return SimpleNamespace(
        tables={"events": events},
        account=pd.Series({"timezone": "UTC"}),
        as_of=as_of,
        missing={},
    )


def test_events_trend_sums_weeks_of_the_window_only():
    events = pd.DataFrame(
        {
            "ts": pd.to_datetime(
                [
                    "2024-01-01 10:00",  # before the window
                    "2024-01-16 09:00",
                    "2024-01-17 09:00",
                    "2024-01-24 09:00",
                    "2024-01-31 00:00",  # the as-of day: unseen
                ],
                utc=True,
            ),
            "count": [100, 2, 3, 4, 50],
        }
    )
    report = _report(events, datetime.date(2024, 1, 31))

    weekly = explore._TRENDS["events"](report, 21)

    # Window [2024-01-10, 2024-01-31); weeks end on Mondays.
    assert weekly.tolist() == [5.0, 4.0]
    assert [d.date().isoformat() for d in weekly.index] == ["2024-01-22", "2024-01-29"]


def test_trend_of_an_absent_table_says_why():
    report = _report(None, datetime.date(2024, 1, 31))
    report.tables = {}
    report.missing = {"events": "no file matches 'events.*'"}

    note = explore.trend_figure([report], metric="events", window_days=30)

    assert "not available (no file matches 'events.*')" in note


def test_unknown_trend_metric_is_refused():
    with pytest.raises(InvalidInputError, match="metric 'nps' is not a trend"):
        explore.trend_figure([], metric="nps")


def test_account_mapper_without_stakeholders_says_it_is_not_available_yet(
    monkeypatch,
):
    real = explore.importlib.util.find_spec
    monkeypatch.setattr(
        explore.importlib.util,
        "find_spec",
        lambda name: None if name == "cskit.stakeholders" else real(name),
    )

    (note,) = explore.account_mapper(None)

    assert "not available yet" in note


@pytest.mark.slow
def test_account_mapper_draws_the_org_chart(session):
    figure, leaders = explore.account_mapper(session.report("0007"))

    assert figure.get_axes()
    assert "influence" in leaders.columns and len(leaders) <= 8


def test_lab_command_runs_this_pythons_jupyterlab_in_notebooks():
    command = explore.lab_command(port=8899, open_browser=False)

    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    root = Path(command[3].split("=", 1)[1])
    assert root.name == "notebooks" and (root / "explore.ipynb").is_file()
    assert "--ServerApp.port=8899" in command and "--no-browser" in command


def test_launch_lab_exports_the_workspace(tmp_path, monkeypatch):
    workspace = tmp_path / "ws.duckdb"
    started = {}

    class FakeLab:
        def __init__(self, command, *, env, cwd):
            started.update(command=command, env=env, cwd=cwd)

        def wait(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeLab)

    assert explore.launch_lab(workspace=workspace, open_browser=False) == 0
    assert started["env"]["CSKIT_WORKSPACE"] == str(workspace.resolve())
    assert Path(started["cwd"]).name == "notebooks"
    assert "--no-browser" in started["command"]
