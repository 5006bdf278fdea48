"""Success Tracker: progress to target, status, recorded KPIs and ROI."""

from datetime import date

import pandas as pd
import pytest

from cskit import success
from cskit.exceptions import MissingColumnError
from cskit.params import QbrKpi


def _kpis():
    return pd.DataFrame(
        {
            "account_id": ["1", "1", "1", "2"],
            "kpi": ["Hours", "Hours", "Apps", "Hours"],
            "measured_at": pd.to_datetime(
                ["2026-06-01", "2026-09-01", "2026-09-01", "2026-09-01"]
            ),
            "unit": ["hours", "hours", "count", "hours"],
            "direction": ["down", "down", "up", "down"],
            "baseline": [80.0, 80.0, 2.0, 10.0],
            "target": [20.0, 20.0, 12.0, 5.0],
            "current": [60.0, 35.0, 1.0, 4.0],
            "annual_value": [100_000.0, 100_000.0, None, None],
        }
    )


def test_tracker_takes_the_latest_measurement_and_its_progress():
    tracker = success.success_tracker(_kpis(), account_id="1", as_of=date(2026, 10, 1))
    tracker = tracker.set_index("kpi")
    # Hours fall from 80 towards 20: at 35, 45 of 60 hours are gone.
    assert tracker.loc["Hours", "current"] == 35
    assert tracker.loc["Hours", "progress_pct"] == 75.0
    assert tracker.loc["Hours", "status"] == "on track"
    assert tracker.loc["Hours", "value_realised"] == 75_000
    # Apps went from 2 to 1: worse than the baseline, no value.
    assert tracker.loc["Apps", "progress_pct"] == -10.0
    assert tracker.loc["Apps", "status"] == "worse than baseline"


def test_as_of_hides_later_measurements():
    tracker = success.success_tracker(_kpis(), account_id="1", as_of=date(2026, 7, 1))
    assert list(tracker["kpi"]) == ["Hours"]
    assert tracker.loc[0, "progress_pct"] == pytest.approx(33.3)


def test_recorded_kpis_fill_in_where_no_table_holds_them():
    recorded = [
        QbrKpi(kpi="Hours", baseline=1, target=2, current=2),
        QbrKpi(kpi="Teams", baseline=0, target=10, current=10, annual_value=5000),
    ]
    tracker = success.success_tracker(
        _kpis(), account_id="1", as_of=date(2026, 10, 1), recorded=recorded
    ).set_index("kpi")
    assert tracker.loc["Hours", "source"] == "kpis table"  # the table wins
    assert tracker.loc["Teams", "source"] == "parameters"
    assert tracker.loc["Teams", "status"] == "achieved"

    alone = success.success_tracker(
        None, account_id="1", as_of=date(2026, 10, 1), recorded=recorded
    )
    assert list(alone["kpi"]) == ["Hours", "Teams"]


def test_roi_compares_value_with_the_annual_cost():
    tracker = success.success_tracker(_kpis(), account_id="1", as_of=date(2026, 10, 1))
    roi = success.roi_summary(tracker, annual_cost=25_000)["value"]
    assert roi["value at target"] == 100_000 and roi["value realised"] == 75_000
    assert roi["ROI"] == pytest.approx(2.0)  # (75,000 - 25,000) / 25,000
    unknown = success.roi_summary(tracker, annual_cost=None)
    assert "annual cost is not known" in unknown.loc["ROI", "note"]


def test_target_equal_to_baseline_is_not_measured():
    kpis = _kpis().assign(target=80.0)
    tracker = success.success_tracker(kpis, account_id="1", as_of=date(2026, 10, 1))
    assert tracker.set_index("kpi").loc["Hours", "status"] == "not measured"


def test_missing_kpi_column_is_named():
    with pytest.raises(MissingColumnError, match="target"):
        success.success_tracker(
            _kpis().drop(columns=["target"]), account_id="1", as_of=date(2026, 10, 1)
        )
