"""The workspace: one DuckDB file holding the canonical tables of a portfolio.

``cskit ingest`` (see :mod:`cskit.ingest`) builds it from a folder of
exports; analyses read it through :class:`Workspace`, which hands out one
account's slice or the whole portfolio as pandas DataFrames with the
canonical dtypes of :mod:`cskit.schema`. Filtering by account happens inside
DuckDB, so a slice never loads the other accounts' rows.

Readers open the file read-only (kernels and cluster workers may do so at
the same time); only one process writes it. Timestamps are read in a UTC
session, so they come back as ``datetime64[us, UTC]``.

Which workspace to use is decided by :func:`resolve_workspace`: an explicit
path, else the ``CSKIT_WORKSPACE`` environment variable, else the path named
in a ``.cskit-workspace`` pointer file in the current folder or a parent.

Limitations
-----------
``fx_rates`` belongs to no account: an account slice holds the whole table.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cskit.exceptions import MissingColumnError, WorkspaceError
from cskit.schema import TABLES, empty_table

__all__ = [
    "POINTER_FILE",
    "ENV_VAR",
    "DERIVED_TABLES",
    "Workspace",
    "resolve_workspace",
    "set_default_workspace",
]

logger = logging.getLogger(__name__)

POINTER_FILE = ".cskit-workspace"
ENV_VAR = "CSKIT_WORKSPACE"
# Tables computed from the canonical ones and stored beside them.
DERIVED_TABLES = ("pulse_cache", "text_analysis", "themes", "health_history")
_META = "_cskit_meta"
_MISSING = "_cskit_missing"
_HOW_TO_GET_ONE = (
    "build one with `make demo` (the demo company) or `cskit ingest SOURCE "
    "--workspace PATH` (your own exports)"
)
_SQL_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "timezone": "VARCHAR",
    "currency": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "list": "VARCHAR[]",
}


class Workspace:
    """An open workspace file.

    Parameters
    ----------
    path : str or pathlib.Path
        The DuckDB file written by ``cskit ingest`` or ``make demo``.
    read_only : bool
        Open for reading only (the default). Several readers may share a
        file; a writer needs it to itself.

    Raises
    ------
    WorkspaceError
        When the file does not exist, cannot be opened (for instance while
        another process writes it) or is not a cskit workspace.

    Examples
    --------
    >>> with Workspace(resolve_workspace()) as ws:  # doctest: +SKIP
    ...     tickets = ws.table("tickets", account_id="00123")
    """

    def __init__(self, path: str | Path, *, read_only: bool = True):
        self.path = Path(path).expanduser()
        self.read_only = read_only
        if not self.path.is_file():
            raise WorkspaceError(
                f"workspace {str(self.path)!r} does not exist; {_HOW_TO_GET_ONE}, "
                f"or point to another with --workspace or ${ENV_VAR}"
            )

        self._con = _connect(self.path, read_only=read_only)
        if _META not in self._stored_tables():
            self.close()
            raise WorkspaceError(
                f"{str(self.path)!r} is a DuckDB file but not a cskit workspace "
                f"(no {_META} table); {_HOW_TO_GET_ONE}"
            )

    @classmethod
    def create(cls, path: str | Path) -> Workspace:
        """Create an empty workspace file and open it for writing.

        Parameters
        ----------
        path : str or pathlib.Path
            Where to create it; the folder is created (owner-only) if needed.

        Returns
        -------
        Workspace
            Open read-write, with the metadata tables and no canonical table.

        Raises
        ------
        WorkspaceError
            When a file already exists at ``path``.
        """
        path = Path(path).expanduser()
        if path.exists():
            raise WorkspaceError(
                f"cannot create workspace {str(path)!r}: the file exists; open it "
                "with Workspace(path, read_only=False) or remove it first"
            )
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

        con = _connect(path, read_only=False)
        con.execute(f"CREATE TABLE {_META} (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute(f"CREATE TABLE {_MISSING} (table_name VARCHAR, reason VARCHAR)")
        con.close()
        os.chmod(path, 0o600)
        return cls(path, read_only=False)

    def close(self) -> None:
        """Close the DuckDB connection; the object is unusable afterwards."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Workspace({str(self.path)!r}, {mode})"

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection, for portfolio-wide SQL aggregation."""
        if self._con is None:
            raise WorkspaceError(
                f"workspace {str(self.path)!r} is closed; open it again with "
                "Workspace(path)"
            )
        return self._con

    def tables(self) -> list[str]:
        """Return the canonical tables present, in contract order."""
        stored = self._stored_tables()
        return [name for name in TABLES if name in stored]

    def missing_tables(self) -> dict[str, str]:
        """Return each absent canonical table with the reason it is absent.

        Returns
        -------
        dict of str to str
            Table name to reason (for instance ``"no file in '/data' matches
            'tickets.*'"``), in contract order.
        """
        rows = self.connection.execute(
            f"SELECT table_name, reason FROM {_MISSING}"
        ).fetchall()

        reasons = dict(rows)
        present = set(self.tables())
        return {
            name: reasons.get(name, "the table is not in the workspace")
            for name in TABLES
            if name not in present
        }

    def table(
        self,
        name: str,
        *,
        account_id: str | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Return a canonical table, whole or for one account.

        Parameters
        ----------
        name : str
            Canonical table name.
        account_id : str, optional
            Keep only this account's rows (filtered in DuckDB). Child tables
            (``ticket_comments``, ``call_turns``) are filtered through their
            parent; ``fx_rates`` is returned whole.
        columns : list of str, optional
            Canonical columns to return (default: all, in contract order).

        Returns
        -------
        pandas.DataFrame
            Canonical dtypes, rows sorted by the table's key.

        Raises
        ------
        WorkspaceError
            When the table is not in the workspace (the message lists the
            tables that are, and why this one is absent).
        MissingColumnError
            When a requested column is not a canonical column of the table.
        """
        self._require(name)
        wanted = _columns(name, columns)
        where, params = _account_filter(name, account_id)
        select = ", ".join(f'"{column}"' for column in wanted)
        order = ", ".join(f'"{column}"' for column in TABLES[name].key)
        sql = f'SELECT {select} FROM "{name}" {where} ORDER BY {order}'

        frame = self.connection.execute(sql, params).df()
        return _normalise(name, frame, wanted)

    def account_tables(self, account_id: str) -> dict[str, pd.DataFrame]:
        """Return every present table, sliced to one account.

        Parameters
        ----------
        account_id : str
            The account (text; leading zeros matter).

        Returns
        -------
        dict of str to pandas.DataFrame
            One entry per present table; absent tables are not keys.
        """
        return {name: self.table(name, account_id=account_id) for name in self.tables()}

    def portfolio_tables(self) -> dict[str, pd.DataFrame]:
        """Return every present table, whole.

        Returns
        -------
        dict of str to pandas.DataFrame
            One entry per present table; absent tables are not keys.
        """
        return {name: self.table(name) for name in self.tables()}

    def account_ids(self) -> list[str]:
        """Return the account ids, sorted as text."""
        self._require("accounts")
        rows = self.connection.execute(
            "SELECT account_id FROM accounts ORDER BY account_id"
        ).fetchall()
        return [row[0] for row in rows]

    def default_as_of(self) -> datetime.date:
        """Return the default as-of date: the day after the last event.

        The last event is the latest ``events.ts`` as a UTC date. Without
        events, it is the latest date or timestamp found in any table. The
        machine's clock is never used, so reports are reproducible.

        Returns
        -------
        datetime.date

        Raises
        ------
        WorkspaceError
            When the workspace holds no date at all; pass ``as_of`` then.
        """
        latest = self._latest("events", "ts") if "events" in self.tables() else None
        if latest is None:
            candidates = [
                self._latest(name, column.name)
                for name in self.tables()
                for column in TABLES[name].columns
                if column.kind in ("date", "timestamp")
            ]
            latest = max((c for c in candidates if c is not None), default=None)

        if latest is None:
            raise WorkspaceError(
                f"workspace {str(self.path)!r} holds no dates, so there is no "
                "default as-of date; pass as_of explicitly"
            )
        return latest + datetime.timedelta(days=1)

    def info(self) -> dict:
        """Describe the workspace: where it came from and what it holds.

        Returns
        -------
        dict
            ``path``, ``source`` (the ingested folder), ``mapping`` (its name),
            ``mapping_path``, ``fingerprint`` (a hash of the mapping and the
            input files), ``inputs`` (file -> sha256), ``tables`` (rows per
            present table), ``missing`` (absent table -> reason) and
            ``warnings`` recorded at ingest.
        """
        meta = self._meta()
        tables = {
            name: self.connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[
                0
            ]
            for name in self.tables()
        }

        return {
            "path": str(self.path),
            "source": meta.get("source"),
            "mapping": meta.get("mapping"),
            "mapping_path": meta.get("mapping_path"),
            "fingerprint": meta.get("fingerprint"),
            "inputs": meta.get("inputs", {}),
            "tables": tables,
            "missing": self.missing_tables(),
            "warnings": meta.get("warnings", []),
        }

    def derived(
        self, name: str, *, account_id: str | None = None
    ) -> pd.DataFrame | None:
        """Return a derived table (scores, themes, history), or None if absent.

        Derived tables are computed from the canonical ones and stored with
        :meth:`write_derived`; they keep the dtypes they were written with.

        Parameters
        ----------
        name : str
            One of :data:`DERIVED_TABLES`.
        account_id : str, optional
            Keep only this account's rows (filtered in DuckDB).
        """
        _check_derived(name)
        if name not in self._stored_tables():
            return None
        where, parameters = (
            ("WHERE account_id = ?", [account_id]) if account_id else ("", [])
        )
        return self.connection.execute(
            f'SELECT * FROM "{name}" {where}', parameters
        ).df()

    def write_derived(self, name: str, frame: pd.DataFrame) -> None:
        """Replace the derived table ``name`` with ``frame``.

        Raises
        ------
        WorkspaceError
            When the workspace is open read-only.
        """
        _check_derived(name)
        if self.read_only:
            raise WorkspaceError(
                f"cannot write {name!r}: workspace {str(self.path)!r} is open "
                "read-only; open it with Workspace(path, read_only=False)"
            )
        con = self.connection
        con.register("_cskit_derived", frame)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _cskit_derived')
        con.unregister("_cskit_derived")

    def _latest(self, name: str, column: str) -> datetime.date | None:
        value = self.connection.execute(f'SELECT max("{column}") FROM "{name}"')
        value = value.fetchone()[0]

        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return (
                value.astimezone(datetime.UTC).date() if value.tzinfo else value.date()
            )
        return value

    def _meta(self) -> dict:
        rows = self.connection.execute(f"SELECT key, value FROM {_META}").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def _stored_tables(self) -> set[str]:
        # A read-only workspace cannot change under us: ask DuckDB once.
        if self.read_only and getattr(self, "_stored", None) is not None:
            return self._stored
        rows = self.connection.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main'"
        ).fetchall()
        self._stored = {row[0] for row in rows}
        return self._stored

    def _require(self, name: str) -> None:
        if name not in TABLES:
            raise WorkspaceError(
                f"{name!r} is not a canonical table; the canonical tables are "
                f"{list(TABLES)}"
            )

        if name not in self._stored_tables():
            reason = self.missing_tables().get(name, "the table is not stored")
            raise WorkspaceError(
                f"table {name!r} is not in workspace {str(self.path)!r} ({reason}); "
                f"the tables present are {self.tables()}. Check "
                "Workspace.missing_tables() before asking for it, or add the file "
                "and run `cskit ingest` again"
            )

    def _write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Create canonical table ``name`` from a validated frame (ingest only)."""
        columns = TABLES[name].columns
        ddl = ", ".join(f'"{c.name}" {_SQL_TYPES[c.kind]}' for c in columns)
        casts = ", ".join(f'CAST("{c.name}" AS {_SQL_TYPES[c.kind]})' for c in columns)
        con = self.connection
        con.execute(f'CREATE TABLE "{name}" ({ddl})')

        con.register("_cskit_frame", frame[[c.name for c in columns]])
        con.execute(f'INSERT INTO "{name}" SELECT {casts} FROM _cskit_frame')
        con.unregister("_cskit_frame")

    def _write_meta(self, meta: dict, missing: dict[str, str]) -> None:
        """Store ingest metadata and the reasons of absent tables (ingest only)."""
        con = self.connection
        for key, value in meta.items():
            con.execute(
                f"INSERT OR REPLACE INTO {_META} VALUES (?, ?)",
                [key, json.dumps(value, sort_keys=True, default=str)],
            )
        con.execute(f"DELETE FROM {_MISSING}")
        for name, reason in missing.items():
            con.execute(f"INSERT INTO {_MISSING} VALUES (?, ?)", [name, reason])


def _check_derived(name: str) -> None:
    if name not in DERIVED_TABLES:
        raise WorkspaceError(
            f"{name!r} is not a derived table; the derived tables are "
            f"{list(DERIVED_TABLES)}"
        )


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        raise WorkspaceError(
            f"cannot open workspace {str(path)!r}: {error}. If another process "
            "is writing it (an ingest), wait for it to finish; if the file is "
            f"damaged, {_HOW_TO_GET_ONE}"
        ) from None

    con.execute("SET TimeZone = 'UTC'")
    return con


def _columns(name: str, columns: list[str] | None) -> list[str]:
    canonical = TABLES[name].column_names
    if columns is None:
        return canonical

    for column in columns:
        if column not in canonical:
            raise MissingColumnError(
                column,
                frame=f"table {name!r}",
                found=canonical,
                hint="Ask for canonical column names only.",
            )
    return list(columns)


def _account_filter(name: str, account_id: str | None) -> tuple[str, list]:
    """Return the SQL WHERE clause and parameters that keep one account."""
    if account_id is None:
        return "", []

    table = TABLES[name]
    if "account_id" in table.column_names:
        return "WHERE account_id = ?", [str(account_id)]
    if table.parent is not None:
        key = TABLES[table.parent].key[0]
        return (
            f'WHERE "{key}" IN (SELECT "{key}" FROM "{table.parent}" '
            "WHERE account_id = ?)",
            [str(account_id)],
        )
    return "", []


@functools.cache
def _template(name: str) -> pd.DataFrame:
    """The canonical empty table, built once per process (read, never changed)."""
    return empty_table(name)


def _normalise(name: str, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Give the columns DuckDB returned the canonical in-memory dtypes."""
    template = _template(name)

    result = {}
    for column in columns:
        kind = TABLES[name].column(column).kind
        values = frame[column]
        if kind == "list":
            result[column] = pd.Series(
                [_as_list(v) for v in values], index=frame.index, dtype="object"
            )
        elif kind == "bool":
            result[column] = values.astype("object").astype("boolean")
        else:
            result[column] = values.astype(template[column].dtype)
    return pd.DataFrame(result, index=frame.index, columns=columns)


def _as_list(value) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(item) for item in value]
    return []


def resolve_workspace(
    path: str | Path | None = None, *, start: Path | None = None
) -> Path:
    """Find the workspace file to use.

    The order is: ``path`` when given, else the ``CSKIT_WORKSPACE``
    environment variable, else the path written in a ``.cskit-workspace``
    pointer file found in ``start`` or one of its parents (a relative path in
    it is taken from the pointer's folder).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        An explicit workspace path (``--workspace``).
    start : pathlib.Path, optional
        Where to look for the pointer file (default: the current folder).

    Returns
    -------
    pathlib.Path
        The workspace path; whether it exists is checked when it is opened.

    Raises
    ------
    WorkspaceError
        When none of the three names a workspace, or a pointer file is empty.
    """
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()

    start = Path.cwd() if start is None else Path(start)
    for folder in [start.resolve(), *start.resolve().parents]:
        pointer = folder / POINTER_FILE
        if pointer.is_file():
            return _read_pointer(pointer)
    raise WorkspaceError(
        f"no workspace given: pass --workspace PATH, set ${ENV_VAR}, or "
        f"{_HOW_TO_GET_ONE} (`make demo` also writes a {POINTER_FILE} pointer "
        f"file; none was found in {str(start)!r} or its parents)"
    )


def _read_pointer(pointer: Path) -> Path:
    lines = pointer.read_text(encoding="utf-8").splitlines()
    paths = [
        line.strip() for line in lines if line.strip() and not line.startswith("#")
    ]
    if not paths:
        raise WorkspaceError(
            f"pointer file {str(pointer)!r} names no workspace; write the workspace "
            f"path in it, or delete it and {_HOW_TO_GET_ONE}"
        )

    target = Path(paths[0]).expanduser()
    logger.debug("workspace pointer %s names %s", pointer, target)
    return target if target.is_absolute() else pointer.parent / target


def set_default_workspace(path: str | Path, *, root: Path) -> Path:
    """Write the pointer file that makes ``path`` the default workspace.

    Parameters
    ----------
    path : str or pathlib.Path
        The workspace file. Inside ``root`` it is written relative to it, so
        the project folder can move.
    root : pathlib.Path
        The folder that gets the ``.cskit-workspace`` file (the repository or
        project root).

    Returns
    -------
    pathlib.Path
        The pointer file written.
    """
    root = Path(root)
    target = Path(path).expanduser().resolve()
    try:
        written = target.relative_to(root.resolve())
    except ValueError:
        written = target

    pointer = root / POINTER_FILE
    pointer.write_text(
        "# The default cskit workspace (relative paths start at this folder).\n"
        f"{written.as_posix()}\n",
        encoding="utf-8",
    )
    logger.info("default workspace set to %s in %s", target, pointer)
    return pointer
