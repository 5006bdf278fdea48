"""Tests for cskit.ingest: reading, mapping, validating and writing a workspace."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from cskit.exceptions import InvalidInputError, SchemaValidationError
from cskit.ingest import ingest
from cskit.workspace import Workspace

SHARED_DATA = Path(
    os.environ.get(
        "CSKIT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
RAVENSTACK = SHARED_DATA / "ravenstack-saas"


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def exports(tmp_path) -> Path:
    """A tiny canonical folder: two accounts, events, tickets and comments."""
    folder = tmp_path / "exports"
    folder.mkdir()
    _csv(
        folder,
        "accounts.csv",
        """
        account_id,name,timezone,seats_licensed,segment
        00123,Acme,Europe/Berlin,10,smb
        0042,Globex,,5,enterprise
        """,
    )
    _csv(
        folder,
        "events.csv",
        """
        ts,account_id,contact_id,event
        2024-03-01 10:00,00123,007,login
        2024-03-02T09:00:00Z,0042,c1,app_edit
        """,
    )
    _csv(
        folder,
        "tickets.csv",
        """
        ticket_id,account_id,created_at,priority,tags
        T1,00123,2024-03-01 12:00,high,slow;billing
        T2,0042,2024-03-03 08:00,low,
        """,
    )
    _csv(
        folder,
        "ticket_comments.csv",
        """
        ticket_id,created_at,author_side,body
        T1,2024-03-01 13:00,agent,hello
        T2,2024-03-03 09:00,customer,thanks
        """,
    )
    return folder


def test_canonical_round_trip(exports, tmp_path):
    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    assert report.tables == {
        "accounts": 2,
        "events": 2,
        "tickets": 2,
        "ticket_comments": 2,
    }
    assert report.warnings == []
    with Workspace(report.workspace) as ws:
        accounts = ws.table("accounts")
        tickets = ws.table("tickets")
    assert accounts["account_id"].tolist() == ["00123", "0042"]
    assert accounts["seats_licensed"].tolist() == [10, 5]
    assert str(accounts["seats_licensed"].dtype) == "Int64"
    assert tickets["tags"].tolist() == [["slow", "billing"], []]
    assert str(tickets["created_at"].dtype) == "datetime64[us, UTC]"


def test_leading_zeros_survive(exports, tmp_path):
    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    with Workspace(report.workspace) as ws:
        assert ws.account_ids() == ["00123", "0042"]
        events = ws.table("events", account_id="00123")
    assert events["contact_id"].tolist() == ["007"]
    assert events["account_id"].tolist() == ["00123"]


def test_naive_timestamps_are_read_in_the_account_timezone(exports, tmp_path):
    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    with Workspace(report.workspace) as ws:
        events = ws.table("events")
        comments = ws.table("ticket_comments")
    by_account = dict(zip(events["account_id"], events["ts"], strict=True))
    # Berlin is UTC+1 in March: 10:00 local is 09:00 UTC.
    assert by_account["00123"] == pd.Timestamp("2024-03-01 09:00", tz="UTC")
    # An explicit offset wins; Globex has no timezone, so UTC.
    assert by_account["0042"] == pd.Timestamp("2024-03-02 09:00", tz="UTC")
    # A child table gets the timezone through its ticket's account.
    by_ticket = dict(zip(comments["ticket_id"], comments["created_at"], strict=True))
    assert by_ticket["T1"] == pd.Timestamp("2024-03-01 12:00", tz="UTC")
    assert by_ticket["T2"] == pd.Timestamp("2024-03-03 09:00", tz="UTC")


def test_missing_tables_are_reported_with_a_reason(exports, tmp_path):
    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    assert "contacts" in report.missing
    assert "the source has no surveys file" in report.missing["surveys"]
    assert "surveys.*" in report.missing["surveys"]
    assert "needs the calls table" in report.missing["call_turns"]
    with Workspace(report.workspace) as ws:
        assert ws.missing_tables() == report.missing


def test_reingest_is_idempotent(exports, tmp_path):
    target = tmp_path / "ws.duckdb"
    first = ingest(exports, workspace=target)
    with Workspace(target) as ws:
        before = ws.portfolio_tables()

    second = ingest(exports, workspace=target)

    assert second.tables == first.tables
    assert second.fingerprint == first.fingerprint
    with Workspace(target) as ws:
        after = ws.portfolio_tables()
    assert list(after) == list(before)
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_fingerprint_changes_with_the_input(exports, tmp_path):
    first = ingest(exports, workspace=tmp_path / "a.duckdb")
    _csv(exports, "surveys.csv", "response_id,account_id,submitted_at,kind,score\n")

    second = ingest(exports, workspace=tmp_path / "b.duckdb")

    assert second.fingerprint != first.fingerprint
    assert second.tables["surveys"] == 0
    with Workspace(tmp_path / "b.duckdb") as ws:
        assert "surveys.csv" in ws.info()["inputs"]


def test_failed_ingest_leaves_the_previous_workspace(exports, tmp_path):
    target = tmp_path / "ws.duckdb"
    ingest(exports, workspace=target)
    _csv(exports, "accounts.csv", "account_id,contract_start\n00123,not a date\n")

    with pytest.raises(SchemaValidationError):
        ingest(exports, workspace=target)

    with Workspace(target) as ws:
        assert ws.account_ids() == ["00123", "0042"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failure_while_writing_leaves_the_previous_workspace(
    exports, tmp_path, monkeypatch
):
    target = tmp_path / "ws.duckdb"
    ingest(exports, workspace=target)

    def broken(self, name, frame):
        raise OSError("disk full")

    monkeypatch.setattr(Workspace, "_write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest(exports, workspace=target)

    monkeypatch.undo()
    with Workspace(target) as ws:
        assert ws.info()["tables"]["events"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "ws.duckdb"]


def test_workspace_file_is_private(exports, tmp_path):
    report = ingest(exports, workspace=tmp_path / "new" / "ws.duckdb")

    assert stat.S_IMODE(report.workspace.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.workspace.parent.stat().st_mode) & 0o077 == 0


def test_missing_required_column_names_file_and_column(exports, tmp_path):
    path = _csv(exports, "events.csv", "account_id,event\n00123,login\n")

    with pytest.raises(SchemaValidationError, match="required column") as error:
        ingest(exports, workspace=tmp_path / "ws.duckdb")

    problem = error.value.problems.iloc[0]
    assert problem["table"] == "events"
    assert problem["file"] == str(path)
    assert problem["column"] == "ts"
    assert problem["row"] is None


def test_duplicated_account_and_bad_date_are_listed_together(exports, tmp_path):
    accounts = _csv(
        exports,
        "accounts.csv",
        "account_id,name,contract_start\n00123,Acme,2024-01-01\n00123,Again,"
        "2024-02-01\n0042,Globex,31/31/2024\n",
    )
    tickets = _csv(exports, "tickets.csv", "ticket_id,account_id,created_at\nT1,0042,")

    with pytest.raises(SchemaValidationError) as error:
        ingest(exports, workspace=tmp_path / "ws.duckdb")

    problems = error.value.problems
    assert set(problems["table"]) == {"accounts", "tickets"}
    rows = problems.set_index(["file", "column", "row"])["value"].to_dict()
    assert rows[(str(accounts), "account_id", 3)] == "00123"
    assert rows[(str(accounts), "contract_start", 4)] == "31/31/2024"
    assert (str(tickets), "created_at", 2) in rows
    assert "accounts, tickets" in str(error.value)


def test_line_numbers_count_quoted_line_breaks(exports, tmp_path):
    path = _csv(
        exports,
        "tickets.csv",
        'ticket_id,account_id,created_at,description\nT1,0042,2024-03-01,"two\n'
        'lines"\n\nT2,0042,yesterday,x\n',
    )

    with pytest.raises(SchemaValidationError) as error:
        ingest(exports, workspace=tmp_path / "ws.duckdb")

    problem = error.value.problems.iloc[0]
    assert (problem["file"], problem["row"], problem["value"]) == (
        str(path),
        5,
        "yesterday",
    )


def test_rows_of_unknown_accounts_are_left_out_with_a_warning(exports, tmp_path):
    _csv(
        exports,
        "events.csv",
        "ts,account_id,event\n2024-03-01,00123,login\n2024-03-01,999,login\n"
        "2024-03-02,999,login\n2024-03-02,00123,login\n2024-03-03,00123,login\n",
    )

    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    assert report.tables["events"] == 3
    assert any("events: 2 rows" in w and "'999'" in w for w in report.warnings)
    with Workspace(report.workspace) as ws:
        assert ws.info()["warnings"] == report.warnings


def test_missing_source_and_missing_accounts(tmp_path):
    with pytest.raises(InvalidInputError, match="is not a folder"):
        ingest(tmp_path / "nowhere", workspace=tmp_path / "ws.duckdb")

    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="accounts table is required"):
        ingest(tmp_path / "empty", workspace=tmp_path / "ws.duckdb")


def test_parquet_source(exports, tmp_path):
    frame = pd.DataFrame({"account_id": ["00123", "0042"], "name": ["A", "B"]})
    (exports / "accounts.csv").unlink()
    frame.to_parquet(exports / "accounts.parquet")

    report = ingest(exports, workspace=tmp_path / "ws.duckdb")

    assert report.tables["accounts"] == 2


def _mapped_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir()
    _csv(folder, "clients.csv", "id,label\n01,One\n02,Two\n")
    _csv(
        folder,
        "subs.csv",
        """
        sub,acct,begin,finish,monthly
        s1,01,2024-01-15,2024-03-10,100
        s2,01,2024-02-01,,50
        s3,02,2024-04-20,,7.5
        """,
    )
    _csv(
        folder,
        "usage.csv",
        "sub,day,feature,n\ns1,2024-02-03,editor,4\ns3,2024-05-01,editor,\n"
        "s9,2024-05-01,editor,1\n",
    )
    _csv(
        folder,
        "help.csv",
        "id,acct,opened,minutes,prio\nH1,01,2024-02-01 08:00,90,Medium\n"
        "H2,02,2024-02-02 08:00,,urgent\n",
    )
    return folder


_MAPPING = """
name: crm
tables:
  accounts:
    file: clients.csv
    columns: {account_id: id, name: label, currency: {value: EUR}}
  revenue:
    derive:
      from_intervals:
        {file: subs.csv, account_id: acct, start: begin, end: finish,
         amount: monthly, currency: {value: EUR}}
  events:
    file: usage.csv
    join: [{file: subs.csv, on: sub, take: [acct]}]
    columns: {ts: day, event: feature, count: n, account_id: acct}
  tickets:
    file: help.*
    columns:
      ticket_id: id
      account_id: acct
      created_at: opened
      first_response_at: {start: opened, add: minutes, unit: minutes}
      priority: prio
    values: {priority: {medium: normal}}
"""


def test_mapping_with_join_offset_values_and_intervals(tmp_path):
    folder = _mapped_folder(tmp_path)
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(_MAPPING, encoding="utf-8")

    report = ingest(folder, workspace=tmp_path / "ws.duckdb", mapping=mapping)

    with Workspace(report.workspace) as ws:
        revenue = ws.table("revenue")
        events = ws.table("events")
        tickets = ws.table("tickets")
        assert ws.info()["mapping"] == "crm"
    months = revenue["month"].dt.strftime("%Y-%m").tolist()
    # s1 Jan..Mar 100, s2 Feb..Apr (open: the data ends in April) 50, s3 Apr 7.5.
    assert list(zip(revenue["account_id"], months, revenue["mrr"], strict=True)) == [
        ("01", "2024-01", 100.0),
        ("01", "2024-02", 150.0),
        ("01", "2024-03", 150.0),
        ("01", "2024-04", 50.0),
        ("02", "2024-04", 7.5),
    ]
    assert set(revenue["currency"]) == {"EUR"}
    assert events["account_id"].tolist() == ["01", "02"]
    assert events["count"].tolist() == [4, 1]
    assert any("events: 1 rows left out" in w and "'s9'" in w for w in report.warnings)
    assert tickets["priority"].tolist() == ["normal", "urgent"]
    assert tickets["first_response_at"].iloc[0] == pd.Timestamp(
        "2024-02-01 09:30", tz="UTC"
    )
    assert pd.isna(tickets["first_response_at"].iloc[1])


def test_intervals_until_and_problems(tmp_path):
    folder = _mapped_folder(tmp_path)
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        _MAPPING.replace(
            "currency: {value: EUR}}\n  events",
            "until: 2024-06-30,\n         currency: {value: EUR}}\n  events",
        ),
        encoding="utf-8",
    )

    report = ingest(folder, workspace=tmp_path / "ws.duckdb", mapping=mapping)
    with Workspace(report.workspace) as ws:
        revenue = ws.table("revenue")
    june = revenue[revenue["month"] == pd.Timestamp("2024-06-01")]
    # Account 01: January to June; account 02: April to June.
    assert report.tables["revenue"] == 6 + 3
    assert june["mrr"].tolist() == [50.0, 7.5]

    _csv(
        folder,
        "subs.csv",
        "sub,acct,begin,finish,monthly\ns1,01,2024-05-01,2024-04-01,x\n",
    )
    with pytest.raises(SchemaValidationError) as error:
        ingest(folder, workspace=tmp_path / "ws.duckdb", mapping=mapping)
    problems = error.value.problems
    assert set(problems["column"]) == {"finish", "monthly"}
    assert set(problems["row"]) == {2}


def test_mapped_column_absent_from_the_file(tmp_path):
    folder = _mapped_folder(tmp_path)
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(_MAPPING.replace("name: label", "name: lable"), encoding="utf-8")

    with pytest.raises(SchemaValidationError, match="'lable', which is not in"):
        ingest(folder, workspace=tmp_path / "ws.duckdb", mapping=mapping)


@pytest.mark.skipif(not RAVENSTACK.is_dir(), reason=f"{RAVENSTACK} is absent")
def test_ravenstack_ingests(tmp_path):
    report = ingest(RAVENSTACK, workspace=tmp_path / "ws.duckdb", mapping="ravenstack")

    assert report.tables["accounts"] == 500
    assert report.tables["tickets"] == 2000
    assert report.tables["revenue"] > 0
    assert report.tables["account_events"] == 599
    with Workspace(report.workspace) as ws:
        events = ws.table("events", columns=["account_id", "contact_id"])
        tickets = ws.table("tickets")
        kinds = set(ws.table("account_events")["kind"])
        assert ws.default_as_of().isoformat() == "2025-01-01"
    assert len(events) == 25000
    assert events["account_id"].notna().all()
    assert events["contact_id"].isna().all()
    assert set(tickets["priority"]) == {"low", "normal", "high", "urgent"}
    assert tickets["first_response_at"].notna().all()
    assert kinds == {"churned", "reactivated"}


def _canonical_folder(tmp_path, files):
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


ACCOUNTS_OK = "account_id,name,timezone\n0001,Acme,UTC\n0002,Beta,UTC\n"


def test_header_only_accounts_is_refused_and_the_old_workspace_kept(tmp_path):
    good = _canonical_folder(tmp_path, {"accounts.csv": ACCOUNTS_OK})
    workspace = tmp_path / "ws.duckdb"
    ingest(good, workspace=workspace)
    before = workspace.read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "accounts.csv").write_text("account_id,name,timezone\n")
    with pytest.raises(InvalidInputError, match="accounts table .* has no rows"):
        ingest(empty, workspace=workspace)
    assert workspace.read_bytes() == before


def test_zero_byte_file_is_named(tmp_path):
    folder = _canonical_folder(tmp_path, {"accounts.csv": ""})
    with pytest.raises(InvalidInputError, match=r"accounts.csv' is empty \(0 bytes\)"):
        ingest(folder, workspace=tmp_path / "ws.duckdb")


def test_semicolon_separated_file_is_read(tmp_path):
    folder = _canonical_folder(
        tmp_path, {"accounts.csv": "account_id;name;timezone\n0001;Acme;UTC\n"}
    )
    report = ingest(folder, workspace=tmp_path / "ws.duckdb")
    assert report.tables["accounts"] == 1


def test_ids_that_lost_their_zeros_are_refused_with_a_hint(tmp_path):
    folder = _canonical_folder(tmp_path, {
        "accounts.csv": ACCOUNTS_OK,
        "tickets.csv": "ticket_id,account_id,created_at\nT1,1,2026-01-02\n"
                       "T2,2,2026-01-03\nT3,0001,2026-01-04\n",
    })
    with pytest.raises(InvalidInputError, match="lost their leading zeros .'1' for "
                                                "'0001'"):
        ingest(folder, workspace=tmp_path / "ws.duckdb")


def test_a_few_orphans_are_left_out_with_a_count(tmp_path):
    folder = _canonical_folder(tmp_path, {
        "accounts.csv": ACCOUNTS_OK,
        "tickets.csv": "ticket_id,account_id,created_at\nT1,0001,2026-01-02\n"
                       "T2,0002,2026-01-03\nT3,0099,2026-01-04\n",
    })
    report = ingest(folder, workspace=tmp_path / "ws.duckdb")
    assert report.tables["tickets"] == 2
    assert any("1 rows left out" in w and "0099" in w for w in report.warnings)
