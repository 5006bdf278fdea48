"""The account report's sections on the demo workspace."""

import pandas as pd
import pytest

from cskit import reports


@pytest.fixture(scope="module")
def report(demo_workspace):
    return reports.load_account_report(workspace=demo_workspace, account_id="0007")


def test_weekly_events_plot_counts_every_event_of_the_26_weeks(report):
    figure = reports.plot_usage(report)
    weekly = figure.axes[0].get_lines()[0].get_ydata()
    end = reports._as_of_utc(report)
    events = report.tables["events"]
    seen = events[(events["ts"] >= end - pd.Timedelta(weeks=26)) & (events["ts"] < end)]
    assert len(weekly) == 26
    assert weekly.sum() == seen["count"].sum() > 0


def test_a_report_of_an_account_without_recent_events_says_so(demo_workspace):
    from datetime import date

    early = reports.load_account_report(
        workspace=demo_workspace, account_id="0007", as_of=date(2020, 1, 1)
    )
    assert isinstance(reports.plot_usage(early), reports.Note)


def test_headline_lists_every_metric_with_its_unit(report):
    from cskit import metrics

    table = reports.headline(report)
    assert list(table.index) == list(metrics.METRICS)
    assert (table["unit"] != "").all()


def test_health_summary_and_groups_match_the_analysis(report):
    summary = reports.health_summary(report)
    score = report.analysis.health.scores["score"].iloc[0]
    assert summary.loc["health score", "value"] == f"{score:.0f}"
    assert summary.loc["risk level", "value"] in {"Red", "Yellow", "Green"}
