"""Tests for cskit.workspace: opening, slicing, defaults and resolution."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from cskit.exceptions import MissingColumnError, WorkspaceError
from cskit.ingest import ingest
from cskit.schema import empty_table
from cskit.workspace import (
    POINTER_FILE,
    Workspace,
    resolve_workspace,
    set_default_workspace,
)


def _csv(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Two accounts with calls, call turns and tickets; built once."""
    folder = tmp_path_factory.mktemp("exports")
    _csv(folder, "accounts.csv", "account_id,timezone\nA1,UTC\nB2,Asia/Tokyo\n")
    _csv(
        folder,
        "calls.csv",
        "call_id,account_id,started_at,kind\nC1,A1,2024-05-01 10:00,qbr\n"
        "C2,B2,2024-05-02 10:00,kickoff\n",
    )
    _csv(
        folder,
        "call_turns.csv",
        "call_id,seq,side,text\nC1,1,vendor,hi\nC1,2,customer,yo\nC2,1,vendor,hey\n",
    )
    _csv(
        folder,
        "revenue.csv",
        "account_id,month,mrr,modules\nA1,2024-04-01,10,crm;erp\nB2,2024-04-01,5,\n",
    )
    return ingest(folder, workspace=folder / "ws.duckdb").workspace


class _RecordingConnection:
    """Wraps a DuckDB connection and records the SQL it is given."""

    def __init__(self, connection):
        self.connection = connection
        self.sql: list[tuple[str, list]] = []

    def execute(self, sql, params=None):
        self.sql.append((sql, params))
        return self.connection.execute(sql, params)

    def close(self):
        self.connection.close()


def test_account_slice_is_filtered_in_duckdb(workspace):
    with Workspace(workspace) as ws:
        recorder = _RecordingConnection(ws._con)
        ws._con = recorder
        calls = ws.table("calls", account_id="B2")
        turns = ws.table("call_turns", account_id="A1")

    assert calls["call_id"].tolist() == ["C2"]
    assert turns["seq"].tolist() == [1, 2]
    assert set(turns["call_id"]) == {"C1"}
    sql, params = recorder.sql[-1]
    assert 'WHERE "call_id" IN (SELECT "call_id" FROM "calls"' in sql
    assert params == ["A1"]


def test_account_tables_hold_present_tables_only(workspace):
    with Workspace(workspace) as ws:
        tables = ws.account_tables("A1")
        portfolio = ws.portfolio_tables()

    assert list(tables) == ["accounts", "calls", "call_turns", "revenue"]
    assert tables["accounts"]["account_id"].tolist() == ["A1"]
    assert tables["revenue"]["modules"].tolist() == [["crm", "erp"]]
    assert len(portfolio["call_turns"]) == 3


def test_tables_have_canonical_dtypes_even_when_empty(workspace):
    with Workspace(workspace) as ws:
        empty = ws.table("calls", account_id="nobody")
        revenue = ws.table("revenue")

    expected = empty_table("calls").dtypes
    pd.testing.assert_series_equal(empty.dtypes, expected)
    pd.testing.assert_series_equal(revenue.dtypes, empty_table("revenue").dtypes)
    assert revenue["modules"].tolist() == [["crm", "erp"], []]


def test_columns_option(workspace):
    with Workspace(workspace) as ws:
        calls = ws.table("calls", columns=["call_id", "kind"])
        with pytest.raises(MissingColumnError, match="'kindd' is missing"):
            ws.table("calls", columns=["kindd"])

    assert list(calls.columns) == ["call_id", "kind"]


def test_absent_table_names_the_tables_present(workspace):
    with Workspace(workspace) as ws:
        with pytest.raises(WorkspaceError, match=r"'tickets' is not in .*no tickets"):
            ws.table("tickets")
        with pytest.raises(WorkspaceError, match=r"tables present are \['accounts'"):
            ws.table("tickets")
        with pytest.raises(WorkspaceError, match="not a canonical table"):
            ws.table("ticket")
        assert "no tickets file" in ws.missing_tables()["tickets"]


def test_default_as_of_without_events_uses_latest_date(workspace):
    with Workspace(workspace) as ws:
        # The latest timestamp is call C2, 2024-05-02 10:00 Tokyo = 01:00 UTC.
        assert ws.default_as_of() == datetime.date(2024, 5, 3)


def test_default_as_of_is_the_day_after_the_last_event(tmp_path):
    _csv(tmp_path, "accounts.csv", "account_id,timezone\nA1,America/New_York\n")
    _csv(tmp_path, "events.csv", "ts,account_id,event\n2024-06-30 22:00,A1,login\n")
    _csv(tmp_path, "kpis.csv", "account_id,kpi,measured_at\nA1,hours,2024-09-01\n")
    report = ingest(tmp_path, workspace=tmp_path / "ws.duckdb")

    with Workspace(report.workspace) as ws:
        # 22:00 in New York is 02:00 UTC on 1 July; later kpis do not count.
        assert ws.default_as_of() == datetime.date(2024, 7, 2)


def test_info(workspace):
    with Workspace(workspace) as ws:
        info = ws.info()

    assert info["mapping"] == "canonical"
    assert info["tables"] == {
        "accounts": 2,
        "calls": 2,
        "call_turns": 3,
        "revenue": 2,
    }
    assert len(info["fingerprint"]) == 64
    assert set(info["inputs"]) == {
        "accounts.csv",
        "calls.csv",
        "call_turns.csv",
        "revenue.csv",
    }
    assert info["source"] == str(workspace.parent)
    assert "contacts" in info["missing"]


def test_missing_workspace_says_how_to_get_one(tmp_path):
    with pytest.raises(
        WorkspaceError, match=r"does not exist.*make demo.*cskit ingest"
    ):
        Workspace(tmp_path / "none.duckdb")


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "ws.duckdb"
    Workspace.create(path).close()

    with pytest.raises(WorkspaceError, match="the file exists"):
        Workspace.create(path)
    with Workspace(path) as ws:
        assert ws.tables() == []


def test_non_workspace_file_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    import duckdb

    duckdb.connect(str(path)).close()
    with pytest.raises(WorkspaceError, match="not a cskit workspace"):
        Workspace(path)


def test_readers_share_the_file(workspace):
    with Workspace(workspace) as first, Workspace(workspace) as second:
        assert first.account_ids() == second.account_ids() == ["A1", "B2"]


def test_resolve_prefers_explicit_path(tmp_path, monkeypatch):
    monkeypatch.setenv("CSKIT_WORKSPACE", str(tmp_path / "env.duckdb"))

    assert resolve_workspace(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"
    assert resolve_workspace(start=tmp_path) == tmp_path / "env.duckdb"


def test_resolve_finds_pointer_in_a_parent(tmp_path, monkeypatch):
    monkeypatch.delenv("CSKIT_WORKSPACE", raising=False)
    (tmp_path / "data").mkdir()
    pointer = set_default_workspace(tmp_path / "data" / "ws.duckdb", root=tmp_path)
    deep = tmp_path / "notebooks" / "drafts"
    deep.mkdir(parents=True)

    assert pointer == tmp_path / POINTER_FILE
    assert "data/ws.duckdb" in pointer.read_text()
    found = resolve_workspace(start=deep)
    assert found.resolve() == (tmp_path / "data" / "ws.duckdb").resolve()


def test_pointer_outside_root_is_absolute(tmp_path, monkeypatch):
    monkeypatch.delenv("CSKIT_WORKSPACE", raising=False)
    root = tmp_path / "project"
    root.mkdir()
    set_default_workspace(tmp_path / "elsewhere.duckdb", root=root)

    assert resolve_workspace(start=root) == (tmp_path / "elsewhere.duckdb").resolve()


def test_resolve_without_any_source_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("CSKIT_WORKSPACE", raising=False)

    with pytest.raises(
        WorkspaceError, match=r"--workspace.*CSKIT_WORKSPACE.*make demo"
    ):
        resolve_workspace(start=tmp_path)


def test_empty_pointer_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CSKIT_WORKSPACE", raising=False)
    (tmp_path / POINTER_FILE).write_text("# nothing\n")

    with pytest.raises(WorkspaceError, match="names no workspace"):
        resolve_workspace(start=tmp_path)
