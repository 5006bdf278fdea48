"""Tests of the playbook metrics added to cskit.metrics, values by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cskit import metrics
from cskit.exceptions import InvalidInputError, MissingColumnError
from cskit.metrics import MetricSettings
from cskit.schema import empty_table
from tests.test_metrics import accounts, make, revenue, slice_of, surveys

AS_OF = date(2024, 4, 15)


# ---------------------------------------------------------------------------
# Inactive developers: inactivity window [2024-04-01, 2024-04-15) in UTC.


@pytest.fixture
def team() -> dict[str, pd.DataFrame]:
    contacts = make(
        "contacts",
        contact_id=["d1", "d2", "d3", "d4", "d5", "x1"],
        account_id=["a1"] * 6,
        role=["developer"] * 5 + ["admin"],
        created_at=[None, None, None, "2023-01-01", "2024-04-20", None],
        left_at=[None, None, None, "2024-03-01", None, None],
    )
    events = make(
        "events",
        ts=["2024-04-10", "2024-03-20", "2024-02-01", "2024-04-02"],
        account_id=["a1"] * 4,
        contact_id=["d1", "d2", "d4", "x1"],
        event=["login", "app_edit", "app_edit", "login"],
    )
    return {"accounts": accounts(), "contacts": contacts, "events": events}


def test_inactive_developers_are_seated_developers_without_recent_events(team):
    # Seated: d1, d2, d3 (d4 left before as_of, d5 joins later); d2's last
    # event is older than 14 days and d3 has none.
    count = metrics.inactive_developers(team, as_of=AS_OF)
    share = metrics.inactive_developer_share(team, as_of=AS_OF)

    assert (count.value, count.status, count.unit) == (2.0, "ok", "count")
    assert share.value == pytest.approx(200 / 3)


def test_inactive_share_without_seated_developers_is_undefined(team):
    team["contacts"] = team["contacts"][team["contacts"]["role"].eq("admin")]

    result = metrics.inactive_developer_share(team, as_of=AS_OF)

    assert (result.value, result.status) == (None, "undefined")
    assert metrics.inactive_developers(team, as_of=AS_OF).value == 0.0


# ---------------------------------------------------------------------------
# Day-45 activation: kickoff 2024-02-01 in Berlin, window ends at
# 2024-03-17 00:00 CET = 2024-03-16 23:00Z.


@pytest.fixture
def onboarding() -> dict[str, pd.DataFrame]:
    contacts = make(
        "contacts",
        contact_id=["d1", "d2", "d3", "d4", "d5", "d6"],
        account_id=["a1"] * 6,
        role=["developer"] * 6,
        created_at=[None, None, None, "2024-03-20", None, None],
        left_at=[None, None, None, None, "2024-01-15", None],
    )
    events = make(
        "events",
        ts=["2024-02-10 12:00Z", "2024-03-16 23:00Z", "2024-02-05 12:00Z"]
        + ["2024-03-25 12:00Z"]
        + ["2024-01-10 12:00Z", "2024-03-16 22:59Z"],
        account_id=["a1"] * 6,
        contact_id=["d1", "d2", "d3", "d4", "d5", "d6"],
        event=["app_create", "app_edit", "login", "app_edit", "app_edit", "app_edit"],
    )
    account = accounts(timezone=["Europe/Berlin"], kickoff_date=["2024-02-01"])
    return {"accounts": account, "contacts": contacts, "events": events}


def test_day45_activation_counts_builders_among_developers_seated_by_then(
    onboarding,
):
    # Seated: d1, d2, d3, d6 (d4 joins after the window, d5 left before
    # kickoff). d1 and d6 built in time; d2 built at the window's end.
    result = metrics.day45_activation(onboarding, as_of=AS_OF)

    assert (result.value, result.status, result.unit) == (50.0, "ok", "%")


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"as_of": date(2024, 3, 10)}, "undefined", "ends 2024-03-17, after as_of"),
        ({"kickoff_date": [None]}, "not_available", "kickoff_date is empty"),
        ({"kickoff_date": ["2023-06-01"]}, "not_available", "does not cover"),
    ],
)
def test_day45_activation_edge_cases(onboarding, change, status, reason):
    as_of = change.pop("as_of", AS_OF)
    if change:
        onboarding["accounts"] = accounts(timezone=["Europe/Berlin"], **change)

    result = metrics.day45_activation(onboarding, as_of=as_of)

    assert (result.value, result.status) == (None, status)
    assert reason in result.reason


# ---------------------------------------------------------------------------
# Growth: this window [2024-03-16, 2024-04-15), the one before
# [2024-02-15, 2024-03-16).


@pytest.fixture
def growth_tables() -> dict[str, pd.DataFrame]:
    apps = make(
        "apps",
        app_id=["A", "B"],
        account_id=["a1", "a1"],
        created_at=["2024-01-01", "2024-01-01"],
        published_at=["2024-01-01", "2024-01-01"],
    )
    usage = make(
        "app_usage",
        date=["2024-04-01", "2024-04-02", "2024-03-16", "2024-03-15", "2024-02-15"],
        app_id=["A", "B", "A", "A", "A"],
        end_user_id=["u1", "u2", "u3", "u1", "u4"],
        account_id=["a1"] * 5,
    )
    return {"accounts": accounts(), "apps": apps, "app_usage": usage}


def test_growth_compares_with_the_window_before(growth_tables):
    users = metrics.end_user_growth(growth_tables, as_of=AS_OF)
    apps = metrics.live_app_growth(growth_tables, as_of=AS_OF)

    # MAU 3 (u1, u2, u3) against 2 (u1, u4); live apps 2 against 1 (A).
    assert (users.value, users.unit) == (50.0, "%")
    assert apps.value == 100.0


def test_growth_from_nothing_is_undefined(growth_tables):
    usage = growth_tables["app_usage"]
    growth_tables["app_usage"] = usage[usage["date"] >= "2024-03-16"]

    result = metrics.end_user_growth(growth_tables, as_of=AS_OF)

    assert result.status == "undefined" and "growth from 0" in result.reason


# ---------------------------------------------------------------------------
# Revenue: as of 2024-04-15, M_start = 2023-03 and M_end = 2024-03.


@pytest.fixture
def contract_tables() -> dict[str, pd.DataFrame]:
    rows = make(
        "revenue",
        account_id=["a1", "a1", "a2", "a3"],
        month=["2023-03-01", "2024-03-01", "2023-03-01", "2024-03-01"],
        mrr=[100.0, 150.0, 80.0, 50.0],
        currency=["USD"] * 4,
        seats=[10, 15, 4, 2],
        modules=[["core"], ["core", "workflows", "ai"], ["core"], ["core"]],
    )
    return {"accounts": accounts(account_id=["a1", "a2", "a3"]), "revenue": rows}


def test_logo_churn_seat_and_module_growth_per_account(contract_tables):
    table = metrics.portfolio_metrics(contract_tables, as_of=AS_OF)
    table = table.set_index("account_id")

    # a2 has no row in M_end (churned); a3 starts later (outside the cohort).
    assert table["logo_churned"].tolist()[:2] == [0.0, 1.0]
    assert table["seat_growth"].tolist()[:2] == [50.0, -100.0]
    assert table["module_growth"].tolist()[:2] == [2.0, 0.0]
    for name in ("logo_churned", "seat_growth", "module_growth"):
        assert table.loc["a3", f"{name}_status"] == "undefined"


def test_seat_growth_without_seats_is_not_available(contract_tables):
    contract_tables["revenue"]["seats"] = pd.array([None] * 4, dtype="Int64")
    one = slice_of(contract_tables, "a1")

    result = metrics.seat_growth(one, as_of=AS_OF)

    assert result.status == "not_available" and "seats is empty" in result.reason


@pytest.fixture
def renewal_tables() -> dict[str, pd.DataFrame]:
    account = accounts(
        account_id=["a1", "a2", "a3"],
        contract_start=["2022-05-10", "2021-06-30", "2024-01-01"],
    )
    events = make(
        "account_events",
        account_id=["a1", "a2", "a2"],
        date=["2023-05-01", "2022-06-20", "2023-07-15"],
        kind=["renewed", "renewed", "renewed"],
    )
    return {"accounts": account, "account_events": events}


@pytest.mark.parametrize(("grace", "late"), [(0, 0.0), (30, 100.0)])
def test_on_time_renewal_of_the_renewals_due_in_the_period(renewal_tables, grace, late):
    # Due in [2023-04-01, as_of): a1 on 2023-05-10 (renewed 2023-05-01),
    # a2 on 2023-06-30 (renewed 15 days late); a3 has none due yet.
    settings = MetricSettings(renewal_grace_days=grace)

    table = metrics.portfolio_metrics(renewal_tables, as_of=AS_OF, settings=settings)

    assert table["on_time_renewal"].tolist()[:2] == [100.0, late]
    assert table["on_time_renewal_status"].tolist()[2] == "undefined"


def test_on_time_renewal_needs_account_events(renewal_tables):
    one = slice_of(renewal_tables, "a1")
    del one["account_events"]

    result = metrics.on_time_renewal(one, as_of=AS_OF)

    assert "'account_events' is absent" in result.reason


# ---------------------------------------------------------------------------
# Portfolio revenue: months 2024-01 .. 2024-04, as of 2024-05-10.


@pytest.fixture
def movement_tables() -> dict[str, pd.DataFrame]:
    rows = [
        ("a1", "2024-01-01", 100.0, "USD"),
        ("a1", "2024-02-01", 120.0, "USD"),
        ("a1", "2024-03-01", 90.0, "USD"),
        ("a1", "2024-04-01", 90.0, "USD"),
        ("a2", "2024-01-01", 50.0, "USD"),  # no row in February: churned
        ("a2", "2024-03-01", 60.0, "USD"),  # reactivated
        ("a2", "2024-04-01", 60.0, "USD"),
        ("a3", "2024-03-01", 30.0, "EUR"),  # new, in euros
        ("a3", "2024-04-01", 30.0, "EUR"),
        ("a4", "2024-04-01", 40.0, "USD"),  # new
        ("a4", "2024-05-01", 99.0, "USD"),  # the incomplete month of as_of
    ]
    fx = make(
        "fx_rates",
        currency=["EUR", "EUR"],
        month=["2024-03-01", "2024-04-01"],
        rate=[1.1, 1.2],
    )
    return {"revenue": revenue(rows), "fx_rates": fx}


def test_mrr_movements_split_each_months_change(movement_tables):
    table = metrics.mrr_movements(movement_tables, as_of=date(2024, 5, 10))

    expected = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01"]),
            "mrr_start": [150.0, 120.0, 183.0],
            "new": [0.0, 33.0, 40.0],
            "expansion": [20.0, 0.0, 3.0],  # April: a3's euro got dearer
            "contraction": [0.0, -30.0, 0.0],
            "churn": [-50.0, 0.0, 0.0],
            "reactivation": [0.0, 60.0, 0.0],
            "mrr_end": [120.0, 183.0, 226.0],
        }
    )
    expected["month"] = expected["month"].astype("datetime64[us]")
    pd.testing.assert_frame_equal(table, expected, atol=1e-9)


def test_mrr_movements_without_a_rate_name_the_currency_and_month(movement_tables):
    fx = movement_tables["fx_rates"]
    movement_tables["fx_rates"] = fx[fx["month"] < "2024-04-01"]

    with pytest.raises(InvalidInputError, match=r"no rate for EUR in 2024-04.*'a3'"):
        metrics.mrr_movements(movement_tables, as_of=date(2024, 5, 10))


@pytest.mark.parametrize(
    ("end", "nrr", "grr", "logos", "revenue_churn"),
    [
        ("2024-02-01", 80.0, 200 / 3, 50.0, 100 / 3),
        ("2024-04-15", 100.0, 280 / 3, 0.0, 20 / 3),
    ],
)
def test_retention_and_churn_over_any_period(
    movement_tables, end, nrr, grr, logos, revenue_churn
):
    # Cohort of 2024-01: a1 (100) and a2 (50); a3 and a4 start later.
    period = {"start": "2024-01-01", "end": end}

    got_nrr, got_grr = metrics.retention(movement_tables, **period)
    logo = metrics.logo_churn_rate(movement_tables, **period)
    lost = metrics.revenue_churn_rate(movement_tables, **period)

    assert (got_nrr.value, got_grr.value) == pytest.approx((nrr, grr))
    assert (logo.value, lost.value) == pytest.approx((logos, revenue_churn))


def test_retention_of_an_empty_cohort_is_undefined(movement_tables):
    result = metrics.logo_churn_rate(movement_tables, start="2023-12", end="2024-04")

    assert result.status == "undefined" and "2023-12" in result.reason


def test_retention_needs_a_start_before_the_end(movement_tables):
    with pytest.raises(InvalidInputError, match="start month 2024-04 is not before"):
        metrics.retention(movement_tables, start="2024-04-01", end="2024-01-01")


# ---------------------------------------------------------------------------
# Surveys


def test_nps_interval_of_passives_only_is_adjusted_wald():
    # n' = 5, p = d = 0.75 / 5: bounds 0 -+ 1.96 * sqrt(0.3 / 5) * 100.
    rows = [("r1", "c1", "2024-03-01", "nps", 7), ("r2", "c2", "2024-03-01", "nps", 8)]
    tables = {"surveys": surveys(rows)}

    low = metrics.nps_low(tables, as_of=AS_OF)
    high = metrics.nps_high(tables, as_of=AS_OF)

    assert low.value == pytest.approx(-48.0088, abs=1e-3)
    assert high.value == pytest.approx(48.0088, abs=1e-3)
    assert low.warning == "NPS from 2 response(s), fewer than 10"


def test_nps_interval_follows_the_confidence_level():
    rows = [(f"r{i}", f"c{i}", "2024-03-01", "nps", 10) for i in range(3)]
    settings = MetricSettings(nps_confidence=0.8)

    high = metrics.nps_high({"surveys": surveys(rows)}, as_of=AS_OF, settings=settings)
    low = metrics.nps_low({"surveys": surveys(rows)}, as_of=AS_OF, settings=settings)

    # n' = 6, p = 3.75 / 6, d = 0.75 / 6: centre 50, z(80 %) = 1.2816.
    spread = 1.281552 * np.sqrt((0.75 - 0.25) / 6) * 100
    assert low.value == pytest.approx(50 - spread, abs=1e-3)
    assert high.value == pytest.approx(50 + spread, abs=1e-3)


def test_nps_interval_is_clipped_at_100():
    # n' = 13, p = 10.75 / 13, d = 0.75 / 13: 76.9 + 29.4 is above 100.
    rows = [(f"r{i}", f"c{i}", "2024-03-01", "nps", 10) for i in range(10)]

    high = metrics.nps_high({"surveys": surveys(rows)}, as_of=AS_OF)

    assert high.value == 100.0


def test_csat_good_bad_leaves_unrated_tickets_out():
    tickets = make(
        "tickets",
        ticket_id=["t1", "t2", "t3", "t4", "t5", "t6"],
        account_id=["a1"] * 6,
        created_at=["2024-03-01"] * 6,
        solved_at=["2024-03-02"] * 5 + ["2024-04-15 10:00"],
        satisfaction=["good", "Good", "bad", None, "offered", "good"],
    )

    result = metrics.csat_good_bad({"tickets": tickets}, as_of=AS_OF)

    # t4 and t5 are unrated; t6 is solved on the as-of day.
    assert (result.value, result.unit) == (pytest.approx(200 / 3), "%")


def test_csat_good_bad_without_ratings_is_undefined():
    tickets = make(
        "tickets", ticket_id=["t1"], account_id=["a1"], created_at=["2024-03-01"]
    )

    result = metrics.csat_good_bad({"tickets": tickets}, as_of=AS_OF)

    assert result.status == "undefined"


def test_ces_is_the_mean_on_the_configured_scale():
    rows = [
        ("r1", "c1", "2024-03-01", "ces", 5),
        ("r2", "c2", "2024-03-01", "ces", 6),
        ("r3", "c3", "2024-03-01", "ces", 7),
        ("r4", "c4", "2024-03-01", "ces", None),
    ]

    result = metrics.ces({"surveys": surveys(rows)}, as_of=AS_OF)

    assert (result.value, result.unit) == (6.0, "score")
    with pytest.raises(InvalidInputError, match="'r2' has score 6.0.*1 to 5"):
        metrics.ces(
            {"surveys": surveys(rows)},
            as_of=AS_OF,
            settings=MetricSettings(ces_scale_max=5),
        )
    fractional = surveys(rows)
    fractional.loc[0, "score"] = 5.5
    with pytest.raises(InvalidInputError, match="'r1' has score 5.5"):
        metrics.ces({"surveys": fractional}, as_of=AS_OF)


# ---------------------------------------------------------------------------
# Onboarding


def test_training_attendance_sums_attendees_over_invitees():
    touchpoints = make(
        "touchpoints",
        touchpoint_id=["p1", "p2", "p3", "p4", "p5"],
        account_id=["a1"] * 5,
        ts=["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2023-01-01"],
        kind=["training", "training", "webinar", "training", "training"],
        invited=[10, 5, 100, None, 4],
        attended=[8, 2, 1, 3, 4],
    )

    result = metrics.training_attendance({"touchpoints": touchpoints}, as_of=AS_OF)

    # p3 is a webinar, p4 has no invitees, p5 is outside the 365 days.
    assert (result.value, result.unit) == (pytest.approx(200 / 3), "%")


@pytest.fixture
def ttv_tables() -> dict[str, pd.DataFrame]:
    ids = ["A", "B", "C", "D", "E", "F", "G"]
    account = accounts(
        account_id=ids,
        kickoff_date=["2024-01-01", "2024-01-01", "2024-03-31", "2024-03-16"]
        + ["2024-01-01", "2024-01-01", None],
    )
    apps = make(
        "apps",
        app_id=["xA", "xB", "xE", "xF"],
        account_id=["A", "B", "E", "F"],
        published_at=["2024-01-01", "2024-01-01", "2024-01-01", "2023-12-01"],
    )
    usage = make(
        "app_usage",
        date=["2024-01-11", "2024-01-21", "2024-02-10", "2023-12-15"],
        app_id=["xA", "xB", "xE", "xF"],
        end_user_id=["u"] * 4,
        account_id=["A", "B", "E", "F"],
    )
    return {"accounts": account, "apps": apps, "app_usage": usage}


def test_ttv_median_treats_accounts_not_live_as_censored(ttv_tables):
    # Live after 10, 20 and 40 days; C and D wait 15 and 30 days (censored).
    # S(10) = 4/5, S(20) = 4/5 * 2/3 = 0.53, S(40) = 0: the median is 40,
    # where the median of the live accounts alone would be 20.
    result = metrics.ttv_median(ttv_tables, as_of=AS_OF)

    assert (result.value, result.status, result.unit) == (40.0, "ok", "days")
    assert result.warning.startswith("1 account(s) with a first live use before")
    table = metrics.portfolio_metrics(ttv_tables, as_of=AS_OF)
    assert table["ttv_days_status"].tolist()[5] == "undefined"  # F


def test_ttv_median_not_reached_is_undefined(ttv_tables):
    ttv_tables["app_usage"] = ttv_tables["app_usage"].iloc[:1]

    result = metrics.ttv_median(ttv_tables, as_of=AS_OF)

    assert result.status == "undefined" and "median is not reached" in result.reason


def test_ttv_median_without_apps_is_not_available(ttv_tables):
    del ttv_tables["apps"]

    result = metrics.ttv_median(ttv_tables, as_of=AS_OF)

    assert result.status == "not_available" and "'apps'" in result.reason


# ---------------------------------------------------------------------------
# Support: business hours 9-17 on weekdays in New York, as of 2024-06-01.


def ny(text: str) -> pd.Timestamp:
    """Return a New York wall-clock time as a UTC instant."""
    return pd.Timestamp(text, tz="America/New_York").tz_convert("UTC")


@pytest.fixture
def sla_tables() -> dict[str, pd.DataFrame]:
    tickets = make(
        "tickets",
        ticket_id=["t1", "t2", "t3", "t4"],
        account_id=["a1"] * 4,
        created_at=[ny("2024-05-24 18:00"), ny("2024-05-29 10:00")]
        + [ny("2024-05-31 16:00"), ny("2024-05-20 09:00")],
        first_response_at=[ny("2024-05-28 12:00"), ny("2024-05-29 10:30"), None, None],
        solved_at=[ny("2024-05-29 12:00"), ny("2024-06-03 10:00"), None, None],
        priority=["high", "urgent", "normal", "low"],
        tags=[["slow"], ["Slow", "bug"], ["bug"], None],
    )
    return {"accounts": accounts(timezone=["America/New_York"]), "tickets": tickets}


SLA_AS_OF = date(2024, 6, 1)


@pytest.mark.parametrize(("country", "expected"), [("US", 200 / 3), (None, 100 / 3)])
def test_first_response_sla_in_business_hours_with_holidays(
    sla_tables, country, expected
):
    # t1, high (4 h), created Friday 18:00 before Memorial Day, answered
    # Tuesday 12:00: 3 business hours, or 11 when Monday is a working day.
    # t2 urgent (1 h) answered in 0.5 h; t3 (normal, 8 h) is pending with 1 h
    # so far; t4 (low, 24 h) has waited 72 or 80 business hours: breached.
    settings = MetricSettings(holiday_country=country)

    result = metrics.first_response_sla(sla_tables, as_of=SLA_AS_OF, settings=settings)

    assert (result.value, result.unit) == (pytest.approx(expected), "%")


def test_resolution_sla_excludes_pending_tickets_until_they_breach(sla_tables):
    # t1 (high, 24 h) solved after 11 business hours: met. t2 (urgent, 8 h)
    # is solved after as_of and has used 23 h: breached. t3 (normal, 40 h,
    # 1 h used) and t4 (low, 80 h, 72 h used) are pending: left out.
    settings = MetricSettings(holiday_country="US")

    result = metrics.resolution_sla(sla_tables, as_of=SLA_AS_OF, settings=settings)

    assert result.value == 50.0


def test_sla_counts_real_hours_across_a_daylight_saving_night():
    # Saturday 23:30 EST to Sunday 03:15 EDT: 3 h 45 on the wall clock, 2 h
    # 45 of real time. With round-the-clock hours and a 3 h target: met.
    tickets = make(
        "tickets",
        ticket_id=["t1"],
        account_id=["a1"],
        created_at=[ny("2024-03-09 23:30")],
        first_response_at=[ny("2024-03-10 03:15")],
        priority=["urgent"],
    )
    tables = {"accounts": accounts(timezone=["America/New_York"]), "tickets": tickets}
    targets = {"urgent": 3.0, "high": 4.0, "normal": 8.0, "low": 24.0}
    settings = MetricSettings(
        business_days=metrics._settings.WEEKDAYS,
        business_hours=("00:00", "24:00"),
        sla_first_response_hours=targets,
    )

    met = metrics.first_response_sla(tables, as_of=AS_OF, settings=settings)
    tighter = {**targets, "urgent": 2.7}
    missed = metrics.first_response_sla(
        tables,
        as_of=AS_OF,
        settings=MetricSettings(
            business_days=metrics._settings.WEEKDAYS,
            business_hours=("00:00", "24:00"),
            sla_first_response_hours=tighter,
        ),
    )

    assert (met.value, missed.value) == (100.0, 0.0)


def test_sla_with_a_team_timezone_and_extra_holidays(sla_tables):
    # In Berlin t1 is created Saturday 00:00 and answered Tuesday 18:00,
    # after closing: Monday and Tuesday give 16 business hours (breached),
    # none when both are extra holidays (met).
    sla_tables["tickets"] = sla_tables["tickets"].iloc[:1]
    team = {"sla_timezone": "Europe/Berlin"}
    days_off = MetricSettings(**team, extra_holidays=["2024-05-27", "2024-05-28"])

    working = metrics.first_response_sla(
        sla_tables, as_of=SLA_AS_OF, settings=MetricSettings(**team)
    )
    off = metrics.first_response_sla(sla_tables, as_of=SLA_AS_OF, settings=days_off)

    assert (working.value, off.value) == (0.0, 100.0)


def test_sla_by_priority_tabulates_outcomes(sla_tables):
    settings = MetricSettings(holiday_country="US")

    table = metrics.sla_by_priority(sla_tables, as_of=SLA_AS_OF, settings=settings)

    table = table.set_index("priority")
    assert table["tickets"].tolist() == [1, 1, 1, 1]
    assert table["first_response_pending"].tolist() == [0, 1, 0, 0]
    assert table.loc["high", "first_response_sla"] == 100.0
    assert table.loc["low", "first_response_breached"] == 1
    assert np.isnan(table.loc["normal", "first_response_sla"])


def test_slow_tickets_and_open_ticket_age(sla_tables):
    # Tags compared without case: t1 and t2. Open at as_of: t2 (solved after
    # as_of; 2 days 14 h old), t3 (8 h) and t4 (11 days 15 h).
    slow = metrics.slow_tickets(sla_tables, as_of=SLA_AS_OF)
    age = metrics.open_ticket_age_days(sla_tables, as_of=SLA_AS_OF)

    assert slow.value == 2.0
    assert (age.value, age.unit) == (pytest.approx(2 + 14 / 24), "days")


def test_sla_settings_are_checked():
    with pytest.raises(InvalidInputError, match="sla_resolution_hours.*missing"):
        MetricSettings(sla_resolution_hours={"urgent": 1.0})
    with pytest.raises(InvalidInputError, match="business_days has \\['monday'\\]"):
        MetricSettings(business_days=["monday"])
    with pytest.raises(InvalidInputError, match="business_hours.*before the closing"):
        MetricSettings(business_hours=("18:00", "09:00"))
    with pytest.raises(InvalidInputError, match="extra_holidays has 'soon'"):
        MetricSettings(extra_holidays=["soon"])
    with pytest.raises(InvalidInputError, match="nps_confidence is 95"):
        MetricSettings(nps_confidence=95)


def test_settings_are_hashable_and_equal_by_value():
    targets = {"urgent": 2, "high": 4, "normal": 8, "low": 24}

    one = MetricSettings(sla_first_response_hours=targets)
    two = MetricSettings(sla_first_response_hours=dict(reversed(targets.items())))

    assert one == two and hash(one) == hash(two)
    assert one.sla_first_response_hours["urgent"] == 2.0


def test_an_unknown_holiday_country_is_rejected(sla_tables):
    settings = MetricSettings(holiday_country="XX")

    with pytest.raises(InvalidInputError, match="holiday_country is 'XX'"):
        metrics.first_response_sla(sla_tables, as_of=SLA_AS_OF, settings=settings)


# ---------------------------------------------------------------------------
# Warning signs


def test_usage_drop_compares_weekly_averages():
    # Recent: [2024-03-18, 2024-04-15), 4 weeks; baseline: the 8 weeks before.
    events = make(
        "events",
        ts=["2024-02-01", "2024-03-20", "2024-03-21", "2024-01-21"],
        account_id=["a1"] * 4,
        contact_id=[None, "c1", "c1", "c1"],
        event=["login"] * 4,
        count=[16, 4, 0, 50],
    )

    result = metrics.usage_drop({"events": events}, as_of=AS_OF)

    # Weekly: 4 / 4 = 1 against 16 / 8 = 2 (the zero count and the event
    # before the baseline do not count): -50 %.
    assert (result.value, result.unit) == (-50.0, "%")


def test_usage_drop_without_baseline_is_undefined():
    events = make(
        "events", ts=["2024-04-01"], account_id=["a1"], contact_id=["c"], event=["x"]
    )

    result = metrics.usage_drop({"events": events}, as_of=AS_OF)

    assert result.status == "undefined" and "no baseline" in result.reason


def test_days_silent_counts_local_days_since_any_activity():
    # In Tokyo as_of starts 2024-04-14 15:00Z: the 15:00Z event is
    # invisible, the 14:59Z one is the evening of April 14: 1 day.
    events = make(
        "events",
        ts=["2024-04-14 15:00Z", "2024-04-14 14:59Z"],
        account_id=["a1", "a1"],
        event=["login", "login"],
    )
    calls = make("calls", call_id=["k1"], account_id=["a1"], started_at=["2024-04-01"])
    tables = {"accounts": accounts(timezone=["Asia/Tokyo"]), "calls": calls}

    quiet = metrics.days_silent(tables, as_of=AS_OF)
    busy = metrics.days_silent({**tables, "events": events}, as_of=AS_OF)

    # The call starts 2024-04-01 00:00Z = 09:00 in Tokyo: 14 days.
    assert (quiet.value, busy.value, busy.unit) == (14.0, 1.0, "days")


def test_days_silent_without_any_table_or_activity():
    absent = metrics.days_silent({"accounts": accounts()}, as_of=AS_OF)
    empty = metrics.days_silent(
        {"accounts": accounts(), "calls": empty_table("calls")},
        as_of=AS_OF,
    )

    assert absent.status == "not_available" and "none of the tables" in absent.reason
    assert empty.status == "undefined" and "no activity" in empty.reason


# ---------------------------------------------------------------------------
# Missing columns and the registry


@pytest.mark.parametrize(
    ("function", "table", "column"),
    [
        (metrics.inactive_developers, "contacts", "role"),
        (metrics.day45_activation, "accounts", "kickoff_date"),
        (metrics.seat_growth, "revenue", "seats"),
        (metrics.module_growth, "revenue", "modules"),
        (metrics.on_time_renewal, "accounts", "contract_start"),
        (metrics.csat_good_bad, "tickets", "satisfaction"),
        (metrics.training_attendance, "touchpoints", "invited"),
        (metrics.first_response_sla, "tickets", "priority"),
        (metrics.slow_tickets, "tickets", "tags"),
        (metrics.days_silent, "calls", "started_at"),
        (metrics.usage_drop, "events", "count"),
    ],
)
def test_new_metrics_name_a_missing_column(function, table, column):
    tables = {
        "accounts": accounts(
            kickoff_date=["2024-01-01"], contract_start=["2023-01-01"]
        ),
        "contacts": make("contacts", contact_id=["c1"], account_id=["a1"]),
        "events": make("events", ts=["2024-04-01"], account_id=["a1"], event=["x"]),
        "revenue": revenue([("a1", "2023-03-01", 1.0, "USD")]),
        "tickets": make(
            "tickets", ticket_id=["t"], account_id=["a1"], created_at=["2024-04-01"]
        ),
        "touchpoints": make(
            "touchpoints", touchpoint_id=["p"], account_id=["a1"], ts=["2024-04-01"]
        ),
        "calls": make(
            "calls", call_id=["k"], account_id=["a1"], started_at=["2024-04-01"]
        ),
        "account_events": make(
            "account_events", account_id=["a1"], date=["2024-01-01"], kind=["renewed"]
        ),
    }
    tables[table] = tables[table].drop(columns=[column])

    with pytest.raises(MissingColumnError, match=f"'{column}' is missing"):
        function(tables, as_of=AS_OF)


def test_every_metric_has_a_unit_and_a_public_function():
    assert set(metrics.METRICS) <= set(metrics._UNITS)
    renamed = {"mad": "monthly_active_developers", "ttv_days": "time_to_value"}
    grouped = {"nrr", "grr"}
    for name in set(metrics.METRICS) - grouped:
        assert callable(getattr(metrics, renamed.get(name, name)))


# ---------------------------------------------------------------------------
# The demo company: the portfolio equals the per-account functions.


@pytest.fixture(scope="module")
def demo(demo_workspace):
    from cskit.workspace import Workspace

    with Workspace(demo_workspace) as workspace:
        as_of = workspace.default_as_of()
        tables = workspace.portfolio_tables()
        ids = workspace.account_ids()
    return tables, as_of, ids


def test_portfolio_metrics_equal_the_per_account_functions_on_the_demo(demo):
    tables, as_of, ids = demo
    settings = MetricSettings(holiday_country="US")
    table = metrics.portfolio_metrics(tables, as_of=as_of, settings=settings)
    table = table.set_index("account_id")

    for account_id in ids[::10]:
        one = slice_of(tables, account_id)
        results = metrics.account_metrics(one, as_of=as_of, settings=settings)
        row = table.loc[account_id]
        for name, result in results.items():
            where = f"{account_id} {name}"
            assert row[f"{name}_status"] == result.status, where
            assert row[f"{name}_reason"] == result.reason, where
            if result.value is None:
                assert np.isnan(row[name]), where
            else:
                assert row[name] == pytest.approx(result.value), where
    assert table["mad_status"].eq("ok").all()


def _ttv_tables(first_use: str) -> dict:
    import pandas as pd

    from cskit.schema import validate_table

    return {
        "accounts": validate_table(
            "accounts",
            pd.DataFrame({"account_id": ["A"], "kickoff_date": ["2022-01-10"]}),
        ),
        "apps": validate_table(
            "apps",
            pd.DataFrame(
                {
                    "app_id": ["P1"],
                    "account_id": ["A"],
                    "created_at": ["2022-01-20"],
                    "published_at": ["2022-02-01T12:00:00Z"],
                }
            ),
        ),
        "app_usage": validate_table(
            "app_usage",
            pd.DataFrame(
                {
                    "date": [first_use, "2025-05-01"],
                    "app_id": ["P1", "P1"],
                    "end_user_id": ["U1", "U1"],
                    "account_id": ["A", "A"],
                }
            ),
        ),
    }


def test_ttv_counts_days_from_kickoff_to_first_live_use():
    from datetime import date

    from cskit.metrics import time_to_value

    result = time_to_value(_ttv_tables("2022-02-16"), as_of=date(2025, 6, 1))
    assert (result.status, result.value) == ("ok", 37.0)


def test_ttv_is_not_available_when_usage_history_starts_long_after_going_live():
    from datetime import date

    from cskit.metrics import time_to_value

    result = time_to_value(_ttv_tables("2025-04-01"), as_of=date(2025, 6, 1))
    assert result.status == "not_available"
    assert "starts on 2025-04-01" in result.reason and "2022-02-01" in result.reason


def test_on_time_renewal_is_not_available_when_renewals_are_not_exported():
    from datetime import date

    import pandas as pd

    from cskit.metrics import on_time_renewal
    from cskit.schema import validate_table

    accounts = validate_table(
        "accounts",
        pd.DataFrame(
            {"account_id": ["A", "B"], "contract_start": ["2023-01-01", "2023-01-01"]}
        ),
    )
    events = validate_table(
        "account_events",
        pd.DataFrame(
            {"account_id": ["B"], "date": ["2024-06-01"], "kind": ["upgraded"]}
        ),
    )
    slices = {
        name: {
            "accounts": accounts[accounts.account_id == name],
            "account_events": events[events.account_id == name],
        }
        for name in ("A", "B")
    }
    result = on_time_renewal(slices["B"], as_of=date(2024, 12, 1))
    assert result.status == "not_available"
    assert "neither a renewal nor a churn" in result.reason
