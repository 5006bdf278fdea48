"""The data contract: coercion rules and validation that lists every problem."""

import pandas as pd
import pytest

from cskit.exceptions import SchemaValidationError
from cskit.schema import TABLES, empty_table, validate_table


def test_ids_keep_leading_zeros_and_numeric_ids_read_back_as_text():
    frame = validate_table("accounts", pd.DataFrame({"account_id": ["00123", 42.0]}))
    assert frame["account_id"].tolist() == ["00123", "42"]


def test_naive_timestamps_are_read_in_the_account_timezone():
    events = pd.DataFrame(
        {
            "ts": ["2024-01-15 09:00", "2024-07-15 09:00", "2024-07-15T09:00:00+00:00"],
            "account_id": ["1"] * 3,
            "event": ["login"] * 3,
        }
    )
    zones = pd.Series(["Europe/Berlin"] * 3)
    ts = validate_table("events", events, timezones=zones)["ts"]
    assert [t.isoformat() for t in ts] == [
        "2024-01-15T08:00:00+00:00",  # CET, UTC+1
        "2024-07-15T07:00:00+00:00",  # CEST, UTC+2
        "2024-07-15T09:00:00+00:00",  # an explicit offset wins
    ]


def test_daylight_saving_gaps_and_repeats():
    events = pd.DataFrame(
        {
            "ts": ["2024-03-31 02:30", "2024-10-27 02:30"],
            "account_id": ["1", "1"],
            "event": ["login", "login"],
        }
    )
    ts = validate_table("events", events, timezones=pd.Series(["Europe/Berlin"] * 2))
    # 02:30 does not exist on 31 March: moved forward to 03:00 CEST = 01:00 UTC;
    # on 27 October it happens twice: the first (CEST) is taken, 00:30 UTC.
    assert [t.strftime("%H:%M") for t in ts["ts"]] == ["01:00", "00:30"]


def test_dates_are_calendar_days_of_the_account():
    accounts = pd.DataFrame(
        {
            "account_id": ["1"],
            "timezone": ["Asia/Tokyo"],
            "renewal_date": ["2024-12-31T20:00:00+00:00"],
        }
    )
    frame = validate_table("accounts", accounts)
    assert frame["renewal_date"].iloc[0] == pd.Timestamp("2025-01-01")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("N", False),
        ("1", True),
        ("false", False),
        ("", None),
    ],
)
def test_booleans_are_normalised(raw, expected):
    frame = validate_table(
        "accounts", pd.DataFrame({"account_id": ["1"], "has_roadmap": [raw]})
    )
    value = frame["has_roadmap"].iloc[0]
    assert (value is pd.NA) if expected is None else (value == expected)


def test_enumerations_and_lists_are_normalised():
    tickets = pd.DataFrame(
        {
            "ticket_id": ["T1"],
            "account_id": ["1"],
            "created_at": ["2024-01-01"],
            "priority": [" High "],
            "tags": ["slow; billing,ui"],
        }
    )
    frame = validate_table("tickets", tickets)
    assert frame["priority"].iloc[0] == "high"
    assert frame["tags"].iloc[0] == ["slow", "billing", "ui"]


def test_placeholders_are_missing_values():
    contacts = pd.DataFrame(
        {"contact_id": ["C1", "C2"], "account_id": ["1", "1"], "email": ["N/A", "-"]}
    )
    assert validate_table("contacts", contacts)["email"].isna().all()


def test_every_problem_of_a_file_is_listed_with_row_and_value():
    accounts = pd.DataFrame(
        {
            "account_id": ["0001", "0002", "0002", None],
            "segment": ["smb", "SMB", "giant", "smb"],
            "kickoff_date": ["2024-01-05", "2024-02-30", "", ""],
        }
    )
    with pytest.raises(SchemaValidationError) as caught:
        validate_table("accounts", accounts, source="accounts.csv")
    problems = caught.value.problems
    found = set(
        zip(problems["column"], problems["row"], problems["value"], strict=True)
    )
    assert ("kickoff_date", 3, "2024-02-30") in found
    assert ("segment", 4, "giant") in found
    assert ("account_id", 3, "0002") in found and ("account_id", 4, "0002") in found
    assert (problems["file"] == "accounts.csv").all()
    assert "accounts.csv, column 'kickoff_date', row 3" in str(caught.value)


def test_a_missing_required_column_names_the_columns_present():
    with pytest.raises(SchemaValidationError, match=r"columns present are \['name'\]"):
        validate_table("accounts", pd.DataFrame({"name": ["Acme"]}), source="a.csv")


@pytest.mark.parametrize(
    ("kind", "score"),
    [
        ("nps", "11"),
        ("nps", "7.5"),
        ("nps", "-1"),
        ("csat", "0"),
        ("ces", "8"),
    ],
)
def test_survey_scores_outside_their_scale_are_refused(kind, score):
    surveys = pd.DataFrame(
        {
            "response_id": ["R1"],
            "account_id": ["1"],
            "submitted_at": ["2024-01-01"],
            "kind": [kind],
            "score": [score],
        }
    )
    with pytest.raises(SchemaValidationError, match=f"a {kind} score must be a whole"):
        validate_table("surveys", surveys, source="surveys.csv")


def test_negative_mrr_is_refused():
    revenue = pd.DataFrame(
        {"account_id": ["1"], "month": ["2024-01-01"], "mrr": ["-5"]}
    )
    with pytest.raises(SchemaValidationError, match="must not be negative"):
        validate_table("revenue", revenue, source="revenue.csv")


def test_event_count_defaults_to_one():
    events = pd.DataFrame({"ts": ["2024-01-01"], "account_id": ["1"], "event": ["x"]})
    assert validate_table("events", events)["count"].tolist() == [1]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_empty_table_has_the_contract_columns(name):
    assert list(empty_table(name).columns) == TABLES[name].column_names
