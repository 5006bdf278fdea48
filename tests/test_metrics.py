"""Tests of cskit.metrics on small inputs whose values are computed by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cskit import metrics
from cskit.exceptions import InvalidInputError, MissingColumnError
from cskit.metrics import (
    METRICS,
    MetricResult,
    MetricSettings,
    account_metrics,
    activated_developers,
    as_table,
    csat,
    draft_apps,
    end_user_mau,
    live_apps,
    mad_by_month,
    monthly_active_developers,
    nps,
    open_tickets,
    portfolio_metrics,
    revenue_retention,
    seat_utilisation,
    tickets_created,
    time_to_value,
)
from cskit.schema import empty_table, validate_table

AS_OF = date(2024, 4, 15)


def make(name: str, **columns) -> pd.DataFrame:
    """Build a canonical table from column lists."""
    return validate_table(name, pd.DataFrame(columns))


def accounts(**columns) -> pd.DataFrame:
    """One account a1 in UTC unless columns say otherwise."""
    columns.setdefault("account_id", ["a1"])
    columns.setdefault("timezone", ["UTC"] * len(columns["account_id"]))
    return make("accounts", **columns)


# ---------------------------------------------------------------------------
# Developers: the window is [2024-03-16, 2024-04-15) in UTC.


@pytest.fixture
def developer_tables() -> dict[str, pd.DataFrame]:
    contacts = make(
        "contacts",
        contact_id=["d1", "d2", "d3", "d4", "d5", "x1"],
        account_id=["a1"] * 6,
        role=["developer"] * 5 + ["admin"],
    )
    events = make(
        "events",
        ts=[
            "2024-04-10 09:00",  # d1 builds: activated
            "2024-04-01 09:00",  # d2 only logs in: MAD, not activated
            "2024-04-15 00:00",  # d3 builds on the as-of day: invisible
            "2024-03-16 00:00",  # d4 builds at the window start: included
            "2024-03-15 23:59",  # d5 builds just before the window
            "2024-04-10 09:00",  # x1 is an admin, not a developer
            "2024-04-10 09:00",  # no contact_id: account-level usage
        ],
        account_id=["a1"] * 7,
        contact_id=["d1", "d2", "d3", "d4", "d5", "x1", None],
        event=["app_edit", "login", "app_create", "app_create", "app_create"]
        + ["app_create", "app_create"],
    )
    return {
        "accounts": accounts(seats_licensed=[10]),
        "contacts": contacts,
        "events": events,
    }


def test_activated_developers_counts_build_events_of_developers_in_window(
    developer_tables,
):
    result = activated_developers(developer_tables, as_of=AS_OF)

    assert result == MetricResult("activated_developers", 2.0, "ok", unit="count")


def test_mad_counts_any_event_of_developers_in_window(developer_tables):
    result = monthly_active_developers(developer_tables, as_of=AS_OF)

    assert (result.name, result.value, result.status) == ("mad", 3.0, "ok")


def test_developers_without_contacts_table_are_builders_with_a_warning(
    developer_tables,
):
    del developer_tables["contacts"]

    activated = activated_developers(developer_tables, as_of=AS_OF)
    mad = monthly_active_developers(developer_tables, as_of=AS_OF)

    # Builders before as_of: d1, d4, d5, x1; in the window: d1, d4, x1.
    assert (activated.value, mad.value) == (3.0, 3.0)
    assert "contacts" in activated.warning and "build event" in mad.warning


def test_developers_fall_back_to_builders_when_no_contact_has_a_role(
    developer_tables,
):
    developer_tables["contacts"] = make(
        "contacts", contact_id=["d1", "d2"], account_id=["a1", "a1"]
    )

    result = monthly_active_developers(developer_tables, as_of=AS_OF)

    assert result.value == 3.0
    assert "no contact of this account has a role" in result.warning


def test_developer_windows_are_cut_in_the_account_timezone():
    # as_of 2024-04-15 in Tokyo starts at 2024-04-14 15:00 UTC, and the
    # window starts 2024-03-16 00:00 JST = 2024-03-15 15:00 UTC.
    events = make(
        "events",
        ts=["2024-04-14 14:59Z", "2024-04-14 15:00Z"]
        + ["2024-03-15 15:00Z", "2024-03-15 14:59Z"],
        account_id=["a1"] * 4,
        contact_id=["d1", "d2", "d3", "d4"],
        event=["app_edit"] * 4,
    )
    tables = {"accounts": accounts(timezone=["Asia/Tokyo"]), "events": events}

    result = activated_developers(tables, as_of=AS_OF)

    assert result.value == 2.0  # d1 and d3


def test_developer_metrics_not_available_when_events_have_no_contact_id():
    events = make(
        "events",
        ts=["2024-04-10"],
        account_id=["a1"],
        contact_id=[None],
        event=["app_edit"],
    )
    tables = {"accounts": accounts(seats_licensed=[5]), "events": events}

    for function in (activated_developers, monthly_active_developers):
        result = function(tables, as_of=AS_OF)
        assert (result.value, result.status) == (None, "not_available")
        assert "contact_id" in result.reason
    assert seat_utilisation(tables, as_of=AS_OF).status == "not_available"
    assert mad_by_month(tables, as_of=AS_OF).attrs["reason"].startswith("events")


def test_events_with_zero_count_are_not_activity(developer_tables):
    events = developer_tables["events"]
    events.loc[events["contact_id"].eq("d2"), "count"] = 0

    result = monthly_active_developers(developer_tables, as_of=AS_OF)

    assert result.value == 2.0


def test_developer_count_is_zero_when_the_account_has_no_events():
    tables = {"accounts": accounts(), "events": empty_table("events")}

    result = activated_developers(tables, as_of=AS_OF)

    assert (result.value, result.status) == (0.0, "ok")


# ---------------------------------------------------------------------------
# MAD by month


@pytest.fixture
def month_tables() -> dict[str, pd.DataFrame]:
    events = make(
        "events",
        ts=[
            "2023-11-20 12:00Z",  # d2
            "2024-02-01 03:00Z",  # d1: Jan 31 22:00 in New York, February in UTC
            "2024-02-15 12:00Z",  # d2
            "2024-03-05 12:00Z",  # d1, in the incomplete month of as_of
        ],
        account_id=["a1"] * 4,
        contact_id=["d2", "d1", "d2", "d1"],
        event=["login"] * 4,
    )
    contacts = make(
        "contacts",
        contact_id=["d1", "d2"],
        account_id=["a1", "a1"],
        role=["developer", "developer"],
    )
    return {"accounts": accounts(), "events": events, "contacts": contacts}


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("America/New_York", [1, 0, 1, 1]),
        ("UTC", [1, 0, 0, 2]),
    ],
)
def test_mad_by_month_cuts_months_in_the_account_timezone(
    month_tables, timezone, expected
):
    frame = mad_by_month(month_tables, as_of=date(2024, 3, 15), timezone=timezone)

    months = pd.to_datetime(["2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01"])
    assert frame["month"].tolist() == list(months)
    assert frame["mad"].tolist() == expected
    assert str(frame["month"].dtype) == "datetime64[us]"


def test_mad_by_month_keeps_the_month_that_ends_at_as_of(month_tables):
    frame = mad_by_month(
        month_tables, as_of=date(2024, 3, 1), timezone="America/New_York"
    )

    assert frame["month"].iloc[-1] == pd.Timestamp("2024-02-01")
    assert frame["mad"].iloc[-1] == 1


def test_mad_by_month_is_empty_with_a_reason_without_events():
    frame = mad_by_month({"accounts": accounts()}, as_of=AS_OF)

    assert frame.empty and list(frame.columns) == ["month", "mad"]
    assert "events" in frame.attrs["reason"]


def test_mad_by_month_rejects_an_unknown_timezone(month_tables):
    with pytest.raises(InvalidInputError, match="'Mars/Olympus'.*IANA"):
        mad_by_month(month_tables, as_of=AS_OF, timezone="Mars/Olympus")


def test_an_unknown_account_timezone_is_rejected(month_tables):
    month_tables["accounts"]["timezone"] = "Nowhere/City"

    with pytest.raises(InvalidInputError, match="accounts.timezone is 'Nowhere/City'"):
        monthly_active_developers(month_tables, as_of=AS_OF)


# ---------------------------------------------------------------------------
# Apps and end users: the window is [2024-03-16, 2024-04-15).


@pytest.fixture
def app_tables() -> dict[str, pd.DataFrame]:
    apps = make(
        "apps",
        app_id=["A", "B", "C", "D", "E", "F", "G", "H"],
        account_id=["a1"] * 8,
        created_at=["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01"]
        + ["2024-03-01", "2024-04-15 08:00", None, "2024-01-01"],
        published_at=["2024-02-01", "2024-02-01", "2024-02-01", "2024-04-15 10:00"]
        + [None, None, None, None],
        archived_at=[None, None, "2024-04-01", None] + [None, None, None, "2024-03-01"],
    )
    usage = make(
        "app_usage",
        date=["2024-04-10", "2024-04-14", "2024-04-10", "2024-03-15"]
        + ["2024-04-14", "2024-04-15", "2024-03-16"],
        app_id=["A", "A", "C", "B", "D", "A", "A"],
        end_user_id=["u1", "u2", "u1", "u3", "u4", "u5", "u6"],
        account_id=["a1"] * 7,
    )
    return {"accounts": accounts(), "apps": apps, "app_usage": usage}


def test_live_apps_are_published_unarchived_and_used_in_window(app_tables):
    # A only: B was last used before the window, C is archived, D is
    # published on the as-of day.
    result = live_apps(app_tables, as_of=AS_OF)

    assert (result.value, result.status, result.unit) == (1.0, "ok", "count")


def test_draft_apps_are_created_and_neither_published_nor_archived(app_tables):
    # D (published on the as-of day) and E; F is created on the as-of day,
    # G has no created_at, H is archived.
    result = draft_apps(app_tables, as_of=AS_OF)

    assert (result.value, result.status) == (2.0, "ok")
    assert result.warning.startswith("1 unpublished app(s) without created_at")


def test_end_user_mau_counts_distinct_users_in_window(app_tables):
    # u1 (twice), u2, u4 and u6 at the window start; u3 before, u5 on as_of.
    result = end_user_mau(app_tables, as_of=AS_OF)

    assert result.value == 4.0


def test_live_apps_need_app_usage(app_tables):
    del app_tables["app_usage"]

    result = live_apps(app_tables, as_of=AS_OF)

    assert result.status == "not_available" and "'app_usage'" in result.reason
    assert draft_apps(app_tables, as_of=AS_OF).status == "ok"


# ---------------------------------------------------------------------------
# Revenue retention: as of 2024-04-15, M_end = 2024-03 and M_start = 2023-03.


def revenue(rows: list[tuple]) -> pd.DataFrame:
    account_id, month, mrr, currency = zip(*rows, strict=True)
    return make(
        "revenue", account_id=account_id, month=month, mrr=mrr, currency=currency
    )


@pytest.fixture
def revenue_tables() -> dict[str, pd.DataFrame]:
    rows = [
        ("a1", "2023-03-01", 100.0, "USD"),
        ("a1", "2023-09-01", 300.0, "USD"),
        ("a1", "2024-03-01", 120.0, "USD"),
        ("a2", "2023-03-01", 100.0, "USD"),
        ("a2", "2024-02-01", 90.0, "USD"),  # no row in 2024-03: churned
        ("a3", "2024-03-01", 50.0, "USD"),  # starts later: outside the cohort
    ]
    return {
        "accounts": accounts(account_id=["a1", "a2", "a3"]),
        "revenue": revenue(rows),
    }


def test_revenue_retention_of_a_cohort_counts_a_missing_month_as_zero(
    revenue_tables,
):
    nrr, grr = revenue_retention(revenue_tables, as_of=AS_OF)

    # NRR = (120 + 0) / (100 + 100); GRR = (min(120, 100) + 0) / 200.
    assert (nrr.name, nrr.value, nrr.status, nrr.unit) == ("nrr", 60.0, "ok", "%")
    assert (grr.name, grr.value, grr.status) == ("grr", 50.0, "ok")
    assert nrr.warning.startswith("1 of 2 account(s)")
    assert "2024-03" in nrr.warning


def test_revenue_retention_per_account_in_the_portfolio(revenue_tables):
    table = portfolio_metrics(revenue_tables, as_of=AS_OF).set_index("account_id")

    assert table["nrr"].tolist()[:2] == [120.0, 0.0]
    assert table["grr"].tolist()[:2] == [100.0, 0.0]
    assert table.loc["a3", "nrr_status"] == "undefined"
    assert np.isnan(table.loc["a3", "nrr"])
    assert "outside the retention cohort" in table.loc["a3", "grr_reason"]


def test_revenue_retention_with_zero_starting_revenue_is_undefined():
    tables = {"revenue": revenue([("a3", "2024-03-01", 50.0, "USD")])}

    nrr, grr = revenue_retention(tables, as_of=AS_OF)

    assert (nrr.value, nrr.status) == (None, "undefined")
    assert grr.status == "undefined"
    assert "2023-03" in nrr.reason


def test_grr_caps_each_account_at_its_starting_revenue():
    rows = [("a1", "2023-03-01", 100.0, "USD"), ("a1", "2024-03-01", 150.0, "USD")]
    tables = {"accounts": accounts(), "revenue": revenue(rows)}

    nrr, grr = revenue_retention(tables, as_of=AS_OF)

    assert (nrr.value, grr.value) == (150.0, 100.0)


def test_retention_period_ends_with_the_last_complete_month():
    # As of 2024-03-31 March is incomplete: M_end = 2024-02, M_start = 2023-02.
    rows = [
        ("a1", "2023-02-01", 100.0, "USD"),
        ("a1", "2024-02-01", 80.0, "USD"),
        ("a1", "2024-03-01", 500.0, "USD"),
    ]

    nrr, _ = revenue_retention({"revenue": revenue(rows)}, as_of=date(2024, 3, 31))

    assert nrr.value == 80.0


@pytest.fixture
def currency_tables() -> dict[str, pd.DataFrame]:
    rows = [
        ("a1", "2023-03-01", 100.0, "USD"),
        ("a1", "2024-03-01", 100.0, "USD"),
        ("a2", "2023-03-01", 100.0, "EUR"),
        ("a2", "2024-03-01", 100.0, "EUR"),
    ]
    fx = make(
        "fx_rates",
        currency=["EUR", "EUR"],
        month=["2023-03-01", "2024-03-01"],
        rate=[1.1, 1.2],
    )
    return {"revenue": revenue(rows), "fx_rates": fx}


def test_revenue_in_mixed_currencies_is_converted_with_each_months_rate(
    currency_tables,
):
    nrr, grr = revenue_retention(currency_tables, as_of=AS_OF)

    # a2: 110 USD at the start, 120 USD at the end (capped at 110 for GRR).
    assert nrr.value == pytest.approx(100 * 220 / 210)
    assert grr.value == pytest.approx(100.0)


def test_revenue_without_a_currency_uses_the_account_currency(currency_tables):
    rows = [("a2", "2023-03-01", 100.0, None), ("a2", "2024-03-01", 100.0, None)]
    tables = {
        "accounts": accounts(account_id=["a2"], currency=["EUR"]),
        "revenue": revenue(rows),
        "fx_rates": currency_tables["fx_rates"],
    }

    nrr, _ = revenue_retention(tables, as_of=AS_OF)

    assert nrr.value == pytest.approx(100 * 120 / 110)


def test_a_missing_exchange_rate_names_the_currency_and_month(currency_tables):
    fx = currency_tables["fx_rates"]
    currency_tables["fx_rates"] = fx[fx["month"] < "2024-01-01"]

    with pytest.raises(InvalidInputError, match=r"no rate for EUR in 2024-03.*'a2'"):
        revenue_retention(currency_tables, as_of=AS_OF)


def test_mixed_currencies_without_fx_table_raise(currency_tables):
    del currency_tables["fx_rates"]

    with pytest.raises(InvalidInputError, match="'fx_rates' is absent for EUR"):
        revenue_retention(currency_tables, as_of=AS_OF)


def test_a_single_currency_needs_no_fx_table():
    rows = [("a1", "2023-03-01", 80.0, "EUR"), ("a1", "2024-03-01", 100.0, "EUR")]
    settings = MetricSettings(base_currency="EUR")

    nrr, _ = revenue_retention(
        {"revenue": revenue(rows)}, as_of=AS_OF, settings=settings
    )

    assert nrr.value == 125.0


def test_negative_mrr_is_rejected():
    # validate_table refuses it too; a table built otherwise reaches the metric.
    table = revenue([("a1", "2023-03-01", 5.0, "USD")])
    table["mrr"] = -5.0

    with pytest.raises(InvalidInputError, match="mrr is -5.0 for account 'a1'"):
        revenue_retention({"revenue": table}, as_of=AS_OF)


# ---------------------------------------------------------------------------
# Surveys: the window is [2023-04-16, 2024-04-15) (365 days over a leap day).


def surveys(rows: list[tuple]) -> pd.DataFrame:
    response_id, contact_id, submitted_at, kind, score = zip(*rows, strict=True)
    return make(
        "surveys",
        response_id=response_id,
        account_id=["a1"] * len(rows),
        contact_id=contact_id,
        submitted_at=submitted_at,
        kind=kind,
        score=score,
    )


def test_nps_keeps_each_contacts_latest_answer():
    rows = [
        ("r1", "c1", "2024-01-01", "nps", 2),  # replaced by c1's later answer
        ("r2", "c1", "2024-03-01", "nps", 10),  # promoter
        ("r3", "c2", "2024-02-01", "nps", 6),  # detractor
        ("r4", "c2", "2024-03-10", "nps", None),  # unanswered: ignored
        ("r5", None, "2024-02-01", "nps", 9),  # promoter
        ("r6", None, "2024-02-02", "nps", 9),  # promoter
        ("r7", "c3", "2023-04-15 23:00", "nps", 0),  # before the window
        ("r8", "c4", "2024-04-15", "nps", 0),  # on the as-of day
        ("r9", "c5", "2024-03-01", "csat", 1),  # another kind
    ]

    result = nps({"surveys": surveys(rows)}, as_of=AS_OF)

    # 3 promoters, 1 detractor of 4: (3 - 1) / 4 = 50.
    assert (result.value, result.status, result.unit) == (50.0, "ok", "score")
    assert result.warning == "NPS from 4 response(s), fewer than 10"


def test_nps_of_passives_only_is_zero():
    rows = [("r1", "c1", "2024-03-01", "nps", 7), ("r2", "c2", "2024-03-01", "nps", 8)]
    settings = MetricSettings(nps_min_responses=2)

    result = nps({"surveys": surveys(rows)}, as_of=AS_OF, settings=settings)

    assert (result.value, result.status, result.warning) == (0.0, "ok", "")


@pytest.mark.parametrize("score", [11, -1, 7.5])
def test_nps_rejects_scores_outside_0_to_10_or_fractional(score):
    # validate_table refuses it too; a table built otherwise reaches the metric.
    rows = [
        ("r1", "c1", "2024-03-01", "nps", 7),
        ("r9", "c2", "2024-03-01", "nps", 7),
    ]
    table = surveys(rows)
    table.loc[1, "score"] = score

    with pytest.raises(InvalidInputError, match=f"response_id 'r9' has score {score}"):
        nps({"surveys": table}, as_of=AS_OF)


def test_nps_without_responses_is_undefined():
    rows = [("r1", "c1", "2024-03-01", "csat", 5)]

    result = nps({"surveys": surveys(rows)}, as_of=AS_OF)

    assert (result.value, result.status) == (None, "undefined")
    assert "no NPS response" in result.reason


def test_csat_is_the_share_of_4_and_5_among_answered_ratings():
    rows = [
        ("r1", "c1", "2024-03-01", "csat", 5),
        ("r2", "c1", "2024-03-02", "csat", 4),
        ("r3", "c2", "2024-03-03", "csat", 2),
        ("r4", "c3", "2024-03-04", "csat", None),
        ("r5", "c4", "2024-03-05", "csat", None),
    ]

    result = csat({"surveys": surveys(rows)}, as_of=AS_OF)

    assert result.value == pytest.approx(200 / 3)
    assert (result.status, result.unit) == ("ok", "%")


def test_csat_with_only_unanswered_surveys_is_undefined():
    rows = [("r1", "c1", "2024-03-01", "csat", None)]

    result = csat({"surveys": surveys(rows)}, as_of=AS_OF)

    assert result.status == "undefined" and "no answered CSAT" in result.reason


@pytest.mark.parametrize("score", [0, 6])
def test_csat_rejects_scores_outside_1_to_5(score):
    table = surveys([("r7", "c1", "2024-03-01", "csat", 3)])
    table.loc[0, "score"] = score

    with pytest.raises(InvalidInputError, match=f"CSAT.*'r7' has score {score}"):
        csat({"surveys": table}, as_of=AS_OF)


# ---------------------------------------------------------------------------
# Time to value


def ttv_tables(
    *, kickoff="2024-01-10", timezone="UTC", published="2024-01-20 10:00Z", days=()
) -> dict[str, pd.DataFrame]:
    apps = make(
        "apps",
        app_id=["A", "B"],
        account_id=["a1", "a1"],
        created_at=["2024-01-01", "2024-01-01"],
        published_at=[published, None],
    )
    usage = make(
        "app_usage",
        date=[*days, "2024-01-12"],
        app_id=["A"] * len(days) + ["B"],  # B is never published
        end_user_id=[f"u{i}" for i in range(len(days) + 1)],
        account_id=["a1"] * (len(days) + 1),
    )
    account = accounts(kickoff_date=[kickoff], timezone=[timezone])
    return {"accounts": account, "apps": apps, "app_usage": usage}


def test_ttv_counts_days_to_the_first_use_after_publishing():
    tables = ttv_tables(days=["2024-01-19", "2024-01-25"])

    result = time_to_value(tables, as_of=AS_OF)

    assert (result.name, result.value, result.unit) == ("ttv_days", 15.0, "days")


def test_ttv_publishing_date_is_taken_in_the_account_timezone():
    # Published 2024-01-20 23:30 UTC = 2024-01-21 08:30 in Tokyo.
    tables = ttv_tables(
        timezone="Asia/Tokyo",
        published="2024-01-20 23:30Z",
        days=["2024-01-20", "2024-01-21"],
    )

    assert time_to_value(tables, as_of=AS_OF).value == 11.0


def test_ttv_without_a_live_app_is_censored():
    tables = ttv_tables(days=["2024-04-15"])  # used only on the as-of day

    result = time_to_value(tables, as_of=AS_OF)

    assert (result.value, result.status) == (None, "undefined")
    assert result.reason == (
        "no live app yet (censored): 96 days since kickoff, target 30"
    )


def test_ttv_with_first_use_before_kickoff_is_undefined_not_zero():
    tables = ttv_tables(published="2024-01-01 09:00Z", days=["2024-01-05"])

    result = time_to_value(tables, as_of=AS_OF)

    assert (result.value, result.status) == (None, "undefined")
    assert "(2024-01-05) is before kickoff_date (2024-01-10)" in result.reason
    assert result.warning == result.reason


def test_ttv_without_kickoff_date_is_not_available():
    result = time_to_value(ttv_tables(kickoff=None), as_of=AS_OF)

    assert result.status == "not_available" and "kickoff_date" in result.reason


def test_ttv_with_kickoff_after_as_of_is_undefined():
    result = time_to_value(ttv_tables(kickoff="2024-05-01"), as_of=AS_OF)

    assert result.status == "undefined" and "after as_of" in result.reason


# ---------------------------------------------------------------------------
# Tickets: the window is [2024-01-16, 2024-04-15).


@pytest.fixture
def ticket_tables() -> dict[str, pd.DataFrame]:
    tickets = make(
        "tickets",
        ticket_id=["t1", "t2", "t3", "t4", "t5", "t6"],
        account_id=["a1"] * 6,
        created_at=["2024-01-01", "2024-04-05", "2024-04-05", "2024-04-15 08:00"]
        + ["2024-01-16", "2024-01-02"],
        solved_at=[None, "2024-04-10", "2024-04-15 09:00", None] + ["2024-01-20", None],
        status=["open", "solved", "solved", "new", "solved", "Solved"],
    )
    return {"accounts": accounts(), "tickets": tickets}


def test_tickets_created_in_window(ticket_tables):
    # t2, t3 and t5 (at the window start); t1 is older, t4 on the as-of day.
    assert tickets_created(ticket_tables, as_of=AS_OF).value == 3.0


def test_open_tickets_are_not_solved_before_as_of(ticket_tables):
    # t1 (never solved), t3 (solved on the as-of day), t6 (no solved_at).
    result = open_tickets(ticket_tables, as_of=AS_OF)

    assert result.value == 3.0
    assert result.warning.startswith("1 open ticket(s) have a closed status")


# ---------------------------------------------------------------------------
# Seat utilisation


def test_seat_utilisation_is_active_contacts_over_licensed_seats(developer_tables):
    # d1, d2, d4 and the admin x1 were active in the window: 4 of 10 seats.
    result = seat_utilisation(developer_tables, as_of=AS_OF)

    assert (result.value, result.status, result.unit) == (40.0, "ok", "%")


@pytest.mark.parametrize(
    ("seats", "status", "reason"),
    [
        (None, "not_available", "seats_licensed is empty"),
        (0, "undefined", "seats_licensed is 0"),
    ],
)
def test_seat_utilisation_without_seats(developer_tables, seats, status, reason):
    developer_tables["accounts"] = accounts(seats_licensed=[seats])

    result = seat_utilisation(developer_tables, as_of=AS_OF)

    assert (result.value, result.status) == (None, status)
    assert reason in result.reason


# ---------------------------------------------------------------------------
# Absent tables, missing columns and bad arguments


@pytest.mark.parametrize(
    ("function", "tables", "table"),
    [
        (activated_developers, {}, "events"),
        (monthly_active_developers, {}, "events"),
        (live_apps, {}, "apps"),
        (draft_apps, {}, "apps"),
        (end_user_mau, {}, "app_usage"),
        (nps, {}, "surveys"),
        (csat, {}, "surveys"),
        (time_to_value, {}, "apps"),
        (tickets_created, {}, "tickets"),
        (open_tickets, {}, "tickets"),
        (seat_utilisation, {}, "events"),
        (time_to_value, {"apps": None}, "accounts"),
        (seat_utilisation, {"events": None}, "accounts"),
    ],
)
def test_absent_tables_give_not_available_with_the_table_named(function, tables, table):
    if "apps" in tables or "events" in tables:
        tables = {}  # no accounts table either
    else:
        tables = {"accounts": accounts(kickoff_date=["2024-01-01"])}

    result = function(tables, as_of=AS_OF)

    assert (result.value, result.status) == (None, "not_available")
    assert f"table '{table}' is absent" in result.reason


def test_revenue_retention_without_revenue_is_not_available():
    nrr, grr = revenue_retention({"accounts": accounts()}, as_of=AS_OF)

    assert (nrr.status, grr.status) == ("not_available", "not_available")
    assert "'revenue'" in nrr.reason


@pytest.mark.parametrize(
    ("function", "table", "column"),
    [
        (activated_developers, "events", "contact_id"),
        (monthly_active_developers, "events", "ts"),
        (live_apps, "apps", "published_at"),
        (draft_apps, "apps", "created_at"),
        (end_user_mau, "app_usage", "end_user_id"),
        (nps, "surveys", "score"),
        (csat, "surveys", "kind"),
        (time_to_value, "accounts", "kickoff_date"),
        (tickets_created, "tickets", "created_at"),
        (open_tickets, "tickets", "solved_at"),
        (seat_utilisation, "accounts", "seats_licensed"),
        (revenue_retention, "revenue", "mrr"),
        (account_metrics, "contacts", "role"),
        (portfolio_metrics, "events", "event"),
        (mad_by_month, "events", "count"),
    ],
)
def test_a_missing_column_raises_missing_column_error(function, table, column):
    tables = {
        "accounts": accounts(kickoff_date=["2024-01-01"], seats_licensed=[3]),
        "events": make("events", ts=["2024-04-01"], account_id=["a1"], event=["x"]),
        "contacts": make("contacts", contact_id=["c1"], account_id=["a1"]),
        "apps": make("apps", app_id=["A"], account_id=["a1"]),
        "app_usage": make(
            "app_usage",
            date=["2024-04-01"],
            app_id=["A"],
            end_user_id=["u"],
            account_id=["a1"],
        ),
        "surveys": surveys([("r1", "c1", "2024-03-01", "nps", 9)]),
        "tickets": make(
            "tickets", ticket_id=["t"], account_id=["a1"], created_at=["2024-04-01"]
        ),
        "revenue": revenue([("a1", "2023-03-01", 1.0, "USD")]),
    }
    tables[table] = tables[table].drop(columns=[column])

    with pytest.raises(MissingColumnError, match=f"'{column}' is missing") as error:
        function(tables, as_of=AS_OF)
    assert error.value.column == column


def test_raw_columns_with_the_wrong_dtype_are_rejected():
    events = pd.DataFrame(
        {
            "ts": ["2024-04-01"],
            "account_id": ["a1"],
            "contact_id": ["c1"],
            "event": ["login"],
            "count": [1],
        }
    )

    with pytest.raises(InvalidInputError, match=r"events\.ts has dtype .*validate"):
        monthly_active_developers({"events": events}, as_of=AS_OF)


def test_one_account_functions_reject_several_accounts(revenue_tables):
    with pytest.raises(InvalidInputError, match="3 accounts.*portfolio_metrics"):
        account_metrics(revenue_tables, as_of=AS_OF)


def test_one_account_functions_reject_an_empty_accounts_table():
    empty = accounts().iloc[:0]

    with pytest.raises(InvalidInputError, match="accounts table has no rows"):
        nps({"accounts": empty}, as_of=AS_OF)


@pytest.mark.parametrize("as_of", ["2024-04-15 12:00", "not a date", None])
def test_as_of_must_be_a_date(as_of):
    with pytest.raises(InvalidInputError, match="as_of"):
        nps({}, as_of=as_of)


def test_settings_are_validated_and_accept_a_list_of_build_events():
    with pytest.raises(InvalidInputError, match=r"mad_window_days is 0.*defaults"):
        MetricSettings(mad_window_days=0)
    with pytest.raises(InvalidInputError, match="base_currency is 'usd'"):
        MetricSettings(base_currency="usd")
    with pytest.raises(InvalidInputError, match="build_events is"):
        MetricSettings(build_events=())
    with pytest.raises(InvalidInputError, match="settings is a dict"):
        nps({}, as_of=AS_OF, settings={})

    assert MetricSettings(build_events=["a", "b"]).build_events == ("a", "b")


# ---------------------------------------------------------------------------
# Account and portfolio tables


def _portfolio_people() -> dict[str, pd.DataFrame]:
    account = accounts(
        account_id=["a1", "a2", "a3"],
        timezone=["UTC", "America/New_York", "Asia/Tokyo"],
        currency=["USD", "USD", "JPY"],
        kickoff_date=["2024-01-10", None, "2024-03-01"],
        seats_licensed=[4, 0, None],
    )
    contacts = make(
        "contacts",
        contact_id=["c1", "c2", "c3", "c4", "c5"],
        account_id=["a1", "a1", "a2", "a3", "a3"],
        role=["developer", "admin", "developer", "developer", None],
    )
    events = make(
        "events",
        ts=["2024-04-14 23:00Z", "2024-04-10 00:00Z", "2024-04-15 03:00Z"]
        + ["2024-04-14 15:30Z", "2024-04-14 14:00Z", "2024-04-01 00:00Z"],
        account_id=["a1", "a1", "a2", "a3", "a3", "a3"],
        contact_id=["c1", "c2", "c3", "c4", "c5", None],
        event=["app_edit", "login", "app_create", "app_edit", "app_edit", "login"],
    )
    return {"accounts": account, "contacts": contacts, "events": events}


def _portfolio_apps() -> dict[str, pd.DataFrame]:
    apps = make(
        "apps",
        app_id=["A1", "A2", "A3", "A4"],
        account_id=["a1", "a1", "a2", "a3"],
        created_at=["2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01"],
        published_at=["2024-01-20 10:00Z", None, "2024-04-15 02:00Z"]
        + ["2024-03-20 16:00Z"],
    )
    usage = make(
        "app_usage",
        date=["2024-01-25", "2024-04-10", "2024-04-14", "2024-03-21"],
        app_id=["A1", "A1", "A3", "A4"],
        end_user_id=["u1", "u2", "u3", "u4"],
        account_id=["a1", "a1", "a2", "a3"],
    )
    return {"apps": apps, "app_usage": usage}


def _portfolio_revenue() -> dict[str, pd.DataFrame]:
    rows = [
        ("a1", "2023-03-01", 100.0, "USD"),
        ("a1", "2024-03-01", 110.0, "USD"),
        ("a2", "2024-03-01", 50.0, "USD"),
        ("a3", "2023-03-01", 10000.0, "JPY"),
        ("a3", "2024-03-01", 9000.0, "JPY"),
    ]
    fx = make(
        "fx_rates",
        currency=["JPY", "JPY"],
        month=["2023-03-01", "2024-03-01"],
        rate=[0.0075, 0.0067],
    )
    return {"revenue": revenue(rows), "fx_rates": fx}


def _portfolio_feedback() -> dict[str, pd.DataFrame]:
    survey = surveys(
        [
            ("r1", "c1", "2024-03-01", "nps", 10),
            ("r2", "c2", "2024-03-01", "csat", 3),
            ("r3", "c4", "2024-04-14 16:00Z", "nps", 3),
            ("r4", "c5", "2024-04-14 14:00Z", "nps", 9),
        ]
    )
    survey["account_id"] = ["a1", "a1", "a3", "a3"]
    tickets = make(
        "tickets",
        ticket_id=["t1", "t2", "t3"],
        account_id=["a1", "a2", "a3"],
        created_at=["2024-04-01 00:00Z", "2024-04-15 02:00Z", "2024-04-14 14:59Z"],
    )
    return {"surveys": survey, "tickets": tickets}


@pytest.fixture
def portfolio_tables() -> dict[str, pd.DataFrame]:
    """Three accounts in UTC, New York and Tokyo with data near day boundaries."""
    return {
        **_portfolio_people(),
        **_portfolio_apps(),
        **_portfolio_revenue(),
        **_portfolio_feedback(),
    }


def slice_of(tables: dict[str, pd.DataFrame], account_id: str) -> dict:
    """Return one account's slice, as the workspace hands it out."""
    return {
        name: table[table["account_id"] == account_id].reset_index(drop=True)
        if "account_id" in table
        else table
        for name, table in tables.items()
    }


def test_portfolio_metrics_has_one_row_per_account_and_three_columns_per_metric(
    portfolio_tables,
):
    table = portfolio_metrics(portfolio_tables, as_of=AS_OF)

    expected = ["account_id"]
    for name in METRICS:
        expected += [name, f"{name}_status", f"{name}_reason"]
    assert list(table.columns) == expected
    assert table["account_id"].tolist() == ["a1", "a2", "a3"]
    assert all(table[name].dtype == "float64" for name in METRICS)


def test_portfolio_metrics_equals_account_metrics_per_account(portfolio_tables):
    table = portfolio_metrics(portfolio_tables, as_of=AS_OF).set_index("account_id")

    for account_id in ["a1", "a2", "a3"]:
        results = account_metrics(slice_of(portfolio_tables, account_id), as_of=AS_OF)
        assert list(results) == list(METRICS)
        for name, result in results.items():
            row = table.loc[account_id]
            where = f"{account_id} {name}"
            assert row[f"{name}_status"] == result.status, where
            assert row[f"{name}_reason"] == result.reason, where
            if result.value is None:
                assert np.isnan(row[name]), where
            else:
                assert row[name] == pytest.approx(result.value), where


def test_portfolio_values_of_the_multi_timezone_fixture(portfolio_tables):
    table = portfolio_metrics(portfolio_tables, as_of=AS_OF).set_index("account_id")

    # a2 (New York): its 2024-04-15 03:00Z event is 2024-04-14 23:00 local.
    # a3 (Tokyo): as_of starts 2024-04-14 15:00Z: c4 edits too late and c5,
    # who edits in time, has no developer role.
    assert table["activated_developers"].tolist() == [1.0, 1.0, 0.0]
    assert table["mad"].tolist() == [1.0, 1.0, 0.0]
    assert table["seat_utilisation"].tolist()[0] == 50.0
    assert table["seat_utilisation_status"].tolist()[1:] == [
        "undefined",
        "not_available",
    ]
    assert table.loc["a2", "live_apps"] == 1.0  # published 2024-04-14 22:00 local
    assert table.loc["a1", "ttv_days"] == 15.0
    assert table.loc["a3", "ttv_days"] == 20.0  # published 2024-03-21 01:00 local
    assert table.loc["a2", "ttv_days_status"] == "not_available"
    assert table.loc["a1", "nrr"] == pytest.approx(110.0)
    assert table.loc["a3", "nrr"] == pytest.approx(100 * 9000 * 0.0067 / 75)
    assert table.loc["a2", "nrr_status"] == "undefined"
    assert table["nps"].tolist()[0] == 100.0 and np.isnan(table.loc["a2", "nps"])
    assert table.loc["a3", "nps"] == 100.0  # r3 is on the as-of day in Tokyo
    assert table["tickets_created"].tolist() == [1.0, 1.0, 1.0]


def test_portfolio_metrics_without_accounts_uses_the_accounts_in_the_data(
    revenue_tables,
):
    del revenue_tables["accounts"]

    table = portfolio_metrics(revenue_tables, as_of=AS_OF)

    assert table["account_id"].tolist() == ["a1", "a2", "a3"]
    assert set(table["ttv_days_status"]) == {"not_available"}


def test_account_metrics_of_one_account_matches_revenue_retention(revenue_tables):
    one = slice_of(revenue_tables, "a2")

    results = account_metrics(one, as_of=AS_OF)
    nrr, grr = revenue_retention(one, as_of=AS_OF)

    assert results["nrr"] == nrr and results["grr"] == grr


def test_as_table_lists_one_row_per_metric(developer_tables):
    results = account_metrics(developer_tables, as_of=AS_OF)

    table = as_table(results)

    assert list(table.columns) == [
        "metric",
        "value",
        "unit",
        "status",
        "reason",
        "warning",
    ]
    assert table["metric"].tolist() == list(METRICS)
    assert table["value"].dtype == "float64"
    row = table.set_index("metric").loc["live_apps"]
    assert np.isnan(row["value"]) and row["status"] == "not_available"
    assert table.set_index("metric").loc["mad", "value"] == 3.0


def test_metric_units_cover_every_metric():
    assert set(metrics._UNITS) == set(METRICS)


def test_metrics_leave_their_input_tables_unchanged(portfolio_tables):
    before = {name: table.copy(deep=True) for name, table in portfolio_tables.items()}

    portfolio_metrics(portfolio_tables, as_of=AS_OF)
    account_metrics(slice_of(portfolio_tables, "a1"), as_of=AS_OF)

    for name, table in portfolio_tables.items():
        pd.testing.assert_frame_equal(table, before[name])
