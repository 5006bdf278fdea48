"""Ingest a folder of exports into a workspace.

:func:`ingest` reads the files a mapping names (CSV as text, so ids keep
their leading zeros; Parquet as stored), renames and derives the canonical
columns, validates every table against the contract, and writes a new
workspace file. The steps:

1. read and map every table the mapping provides (:mod:`cskit.mapping`);
2. validate ``accounts`` first, then the other tables, reading naive
   timestamps in each row's account timezone (child tables get theirs through
   their parent ticket or call);
3. collect the problems of **all** tables and raise one
   :class:`~cskit.exceptions.SchemaValidationError` listing them, each with
   its file, column, line and value;
4. leave out rows whose ``account_id`` is not in ``accounts`` (or whose
   parent ticket or call is absent), with a warning giving the count;
5. build the DuckDB file under a temporary name and move it over the old
   one, so a failed ingest leaves the previous workspace as it was.

Limitations
-----------
Line numbers assume one record per line unless the file has quoted line
breaks (then they are counted record by record, which is slower). For
Parquet the "line" is the record number plus one, as if a header came first.
Duplicated keys are detected on the values as written in the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, SchemaValidationError
from cskit.mapping import (
    CsvOptions,
    Intervals,
    Join,
    Mapping,
    TableMapping,
    apply_columns,
    expand_intervals,
    load_mapping,
    translate_values,
)
from cskit.schema import TABLES, validate_table
from cskit.workspace import Workspace

__all__ = ["IngestReport", "ingest"]

logger = logging.getLogger(__name__)

_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".parquet", ".pq")
_PROBLEM_COLUMNS = ["table", "file", "column", "row", "value", "problem"]


@dataclass
class IngestReport:
    """What an ingest wrote.

    Attributes
    ----------
    workspace : pathlib.Path
        The workspace file written.
    tables : dict of str to int
        Rows stored per canonical table.
    missing : dict of str to str
        Absent canonical tables and why they are absent.
    warnings : list of str
        Rows left out (unknown accounts, duplicated keys, failed lookups).
    fingerprint : str
        Hash of the mapping and the input files' contents.
    """

    workspace: Path
    tables: dict[str, int]
    missing: dict[str, str]
    warnings: list[str]
    fingerprint: str = ""


@dataclass
class _Loaded:
    """One table read and mapped, before validation."""

    name: str
    frame: pd.DataFrame
    origin: pd.DataFrame
    files: list[Path]
    sources: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)


def ingest(
    source: str | Path,
    *,
    workspace: str | Path,
    mapping: str | Path | None = None,
) -> IngestReport:
    """Load a folder of exports into a new workspace file.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder of CSV or Parquet files.
    workspace : str or pathlib.Path
        The DuckDB file to write; an existing one is replaced only when the
        whole ingest succeeded.
    mapping : str or pathlib.Path, optional
        A mapping file, or the name of a shipped one (``ravenstack``).
        Default: the canonical layout (``accounts.csv``, ``events.parquet``,
        ... with the contract's column names).

    Returns
    -------
    IngestReport
        Rows per table, missing tables with reasons, and warnings.

    Raises
    ------
    SchemaValidationError
        Listing the problems of every table (``.problems`` has the columns
        ``table``, ``file``, ``column``, ``row``, ``value``, ``problem``);
        nothing is written.
    InvalidInputError
        When the folder or its accounts file is missing, or a file cannot be
        read.
    ConfigurationError
        When the mapping file is not valid.

    Examples
    --------
    >>> report = ingest("exports/", workspace="cs.duckdb")  # doctest: +SKIP
    >>> report.tables["accounts"]  # doctest: +SKIP
    42
    """
    source = _check_source(source)
    spec = load_mapping(mapping if mapping is not None else "canonical")
    target = Path(workspace).expanduser()
    logger.info("ingesting %s with mapping %r into %s", source, spec.name, target)

    reader = _Reader(source, spec.csv)
    loaded, missing, warnings = _load_all(reader, spec)
    tables = _validate_all(loaded, source)
    _require_accounts(tables, source)
    warnings += _drop_orphans(tables)
    for message in warnings:
        logger.warning(message)

    fingerprint, inputs = _fingerprint(spec, reader)
    counts = {name: len(frame) for name, frame in tables.items()}
    meta = {
        "source": str(source),
        "mapping": spec.name,
        "mapping_path": str(spec.path),
        "fingerprint": fingerprint,
        "inputs": inputs,
        "tables": counts,
        "warnings": warnings,
    }
    _write_atomically(target, tables, meta, missing)
    logger.info("wrote %s: %s", target, counts)
    return IngestReport(target, counts, missing, warnings, fingerprint)


def _check_source(source: str | Path) -> Path:
    path = Path(source).expanduser().resolve()
    if not path.is_dir():
        raise InvalidInputError(
            f"source {str(source)!r} is not a folder; pass the folder that holds "
            "the exported CSV or Parquet files"
        )
    return path


class _Reader:
    """Finds and reads source files, once each, remembering which were used."""

    def __init__(self, source: Path, options: CsvOptions):
        self.source = source
        self.options = options
        self.used: dict[Path, None] = {}
        self._cache: dict[Path, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def match(self, patterns: list[str]) -> list[Path]:
        found: dict[Path, None] = {}
        for pattern in patterns:
            for path in sorted(self.source.glob(pattern)):
                readable = path.name.lower().endswith(_SUFFIXES)
                if path.is_file() and readable and not path.name.startswith("."):
                    found[path] = None
        return list(found)

    def read(self, files: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the rows of ``files`` stacked, and each row's file and line."""
        parts = [self._read_one(path) for path in files]
        frame = pd.concat([p[0] for p in parts], ignore_index=True)
        origin = pd.concat([p[1] for p in parts], ignore_index=True)
        return frame, origin

    def _read_one(self, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
        if path not in self._cache:
            self.used[path] = None
            if path.name.lower().endswith((".parquet", ".pq")):
                frame = pd.read_parquet(path)
                lines = np.arange(2, len(frame) + 2)
            else:
                frame, lines = _read_csv(path, self.options)

            origin = pd.DataFrame({"file": str(path), "line": lines})
            logger.info("read %s: %d rows", path, len(frame))
            self._cache[path] = (frame, origin)
        frame, origin = self._cache[path]
        return frame.copy(), origin.copy()


def _read_csv(path: Path, options: CsvOptions) -> tuple[pd.DataFrame, np.ndarray]:
    if path.stat().st_size == 0:
        raise InvalidInputError(
            f"{str(path)!r} is empty (0 bytes); export it again with at least its "
            "header line, or remove it if the table is not available"
        )
    sep = _separator(path, options)
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=sep, encoding=options.encoding
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InvalidInputError(
            f"cannot read {str(path)!r} as CSV: {error}. Check the separator and "
            "encoding (set 'csv: {sep: ..., encoding: ...}' in the mapping file)"
        ) from None

    frame.columns = [str(column).strip() for column in frame.columns]
    return frame, _line_numbers(path, options, sep, len(frame))


def _separator(path: Path, options: CsvOptions) -> str:
    """Return the field separator: the mapping's, or the one the header uses.

    A header without the mapping's separator but with exactly one of
    ``;``, tab or ``|`` is read with that one (exports from spreadsheets in
    many locales use ``;``).
    """
    if path.name.lower().endswith(".tsv"):
        return "\t"
    with open(path, encoding=options.encoding, errors="replace") as handle:
        header = handle.readline()
    if options.sep in header:
        return options.sep
    candidates = [sep for sep in (";", "\t", "|") if sep in header]
    if len(candidates) == 1:
        logger.info("%s: fields separated by %r", path, candidates[0])
        return candidates[0]
    return options.sep


def _line_numbers(path: Path, options: CsvOptions, sep: str, rows: int) -> np.ndarray:
    """Return the line on which each record starts (the header is line 1)."""
    if path.name.lower().endswith(".gz"):
        return np.arange(2, rows + 2)
    data = path.read_bytes()
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if physical == rows + 1:
        return np.arange(2, rows + 2)

    # Quoted line breaks or blank lines: count record by record.
    text = io.StringIO(data.decode(options.encoding), newline="")
    reader = csv.reader(text, delimiter=sep)
    starts, previous = [], 0
    for record in reader:
        if any(field.strip() for field in record):
            starts.append(previous + 1)
        previous = reader.line_num
    return np.array(starts[1 : rows + 1])


def _load_all(reader: _Reader, spec: Mapping):
    """Read and map every table; return them, the missing ones and warnings."""
    loaded: dict[str, _Loaded] = {}
    missing: dict[str, str] = {}
    warnings: list[str] = []
    for name, table in TABLES.items():
        rule = spec.tables.get(name)
        if rule is None:
            missing[name] = f"the mapping {spec.name!r} does not provide {name}"
        elif table.parent is not None and table.parent not in loaded:
            missing[name] = (
                f"{name} needs the {table.parent} table to know each row's "
                f"account, and {table.parent} is absent"
            )
        else:
            result = _load_table(reader, name, rule, warnings)
            if isinstance(result, str):
                missing[name] = result
            else:
                loaded[name] = result

    if "accounts" not in loaded:
        raise InvalidInputError(
            f"cannot ingest {str(reader.source)!r}: {missing['accounts']}. The "
            "accounts table is required; add an accounts file or map one in the "
            "mapping file (see docs/mapping.md)"
        )
    return loaded, missing, warnings


def _load_table(reader: _Reader, name: str, rule: TableMapping, warnings: list):
    """Return the mapped table, or the reason it is absent."""
    if rule.derive is not None:
        return _derive_intervals(reader, rule.derive.from_intervals, warnings)
    files = reader.match(rule.patterns)
    if not files:
        return (
            f"the source has no {name} file (no file in {str(reader.source)!r} "
            f"matches {rule.patterns})"
        )

    raw, origin = reader.read(files)
    for step in rule.join:
        raw, origin = _apply_join(reader, (name, files), raw, origin, step, warnings)
    frame, sources, problems = apply_columns(name, raw, rule, files=files)
    frame = translate_values(frame, rule.values)
    frame, origin = _drop_duplicates(name, frame, origin, rule.duplicates, warnings)

    formats = {c: f for c, f in rule.formats.items() if c in sources}
    loaded = _Loaded(name, frame, origin, files, sources, formats, problems)
    logger.info("mapped %s: %d rows from %s", name, len(frame), [str(f) for f in files])
    return loaded


def _apply_join(reader, table, raw, origin, step: Join, warnings):
    """Bring ``step.take`` columns from a lookup file, matched on a key."""
    name, own_files = table
    files = reader.match([step.file])
    right = step.lookup_on or step.on
    if not files:
        raise InvalidInputError(
            f"the mapping joins {name} to {step.file!r}, but no file in "
            f"{str(reader.source)!r} matches it; add the file or fix 'join: file:'"
        )
    lookup, _ = reader.read(files)
    _require_columns(raw, [step.on], files=own_files)
    _require_columns(lookup, [right, *step.take], files=files)

    keys = lookup[right].astype(str).str.strip()
    repeated = keys.duplicated()
    if repeated.any():
        warnings.append(
            f"{name}: {int(repeated.sum())} repeated {right!r} values in "
            f"{files[0].name}; the first row of each was used for the lookup"
        )
    table = lookup[~repeated].set_index(keys[~repeated])
    key = raw[step.on].astype(str).str.strip()
    for column in step.take:
        raw[column] = key.map(table[column])

    matched = key.isin(table.index)
    if not matched.all():
        warnings.append(
            f"{name}: {int((~matched).sum())} rows left out because their "
            f"{step.on!r} is not in {files[0].name} (for example "
            f"{sorted(key[~matched].unique())[:3]})"
        )
    keep = matched.to_numpy()
    return raw[keep].reset_index(drop=True), origin[keep].reset_index(drop=True)


def _require_columns(frame: pd.DataFrame, columns: list[str], *, files) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InvalidInputError(
                f"column {column!r} named in the mapping is not in "
                f"{[str(f) for f in files]}; the columns present are "
                f"{list(frame.columns)}. Fix the mapping file or the export"
            )


def _drop_duplicates(name, frame, origin, how: str, warnings):
    """Keep the first or last row of each duplicated key when asked to."""
    key = [column for column in TABLES[name].key if column in frame]
    if how == "error" or not key or not TABLES[name].unique_key:
        return frame, origin

    text = frame[key].astype(str).apply(lambda values: values.str.strip())
    repeated = text.duplicated(keep="first" if how == "first" else "last")
    if repeated.any():
        lines = [f"{Path(f).name}:{n}" for f, n in origin[repeated].to_numpy()[:5]]
        warnings.append(
            f"{name}: {int(repeated.sum())} rows with a duplicated key {key} left "
            f"out, keeping the {how} of each (lines {lines})"
        )

    keep = (~repeated).to_numpy()
    return frame[keep].reset_index(drop=True), origin[keep].reset_index(drop=True)


def _derive_intervals(reader: _Reader, spec: Intervals, warnings: list):
    """Expand subscription intervals to one revenue row per account and month."""
    files = reader.match([spec.file])
    if not files:
        return (
            f"the source has no subscriptions file for revenue (no file in "
            f"{str(reader.source)!r} matches {spec.file!r})"
        )
    raw, origin = reader.read(files)
    _require_columns(raw, _interval_columns(spec), files=files)

    frame, origin, problems = expand_intervals(raw, origin, spec)
    sources = {
        "account_id": spec.account_id,
        "month": spec.start,
        "mrr": spec.amount,
        "seats": spec.seats or "seats",
        "currency": spec.currency if isinstance(spec.currency, str) else "currency",
    }
    logger.info(
        "derived revenue: %d account-months from %d intervals", len(frame), len(raw)
    )
    return _Loaded("revenue", frame, origin, files, sources, {}, problems)


def _interval_columns(spec: Intervals) -> list[str]:
    columns = [spec.account_id, spec.start, spec.amount, spec.end, spec.seats]
    if isinstance(spec.currency, str):
        columns.append(spec.currency)
    return [column for column in columns if column]


def _validate_all(loaded: dict[str, _Loaded], source: Path) -> dict:
    """Validate accounts first, then the rest; raise one error for all."""
    valid: dict[str, pd.DataFrame] = {}
    failures: list[pd.DataFrame] = []
    for name, item in loaded.items():
        zones = None if name == "accounts" else _row_zones(item, valid, loaded)
        try:
            valid[name] = validate_table(
                name,
                item.frame,
                source=", ".join(str(f) for f in item.files),
                timezones=zones,
                formats=item.formats,
            )
        except SchemaValidationError as error:
            failures.append(_relocate(error.problems, item))
        if item.problems:
            failures.append(pd.DataFrame(item.problems))

    if failures:
        problems = pd.concat(failures, ignore_index=True)[_PROBLEM_COLUMNS]
        problems["row"] = [None if pd.isna(r) else int(r) for r in problems["row"]]
        tables = ", ".join(dict.fromkeys(problems["table"]))
        raise SchemaValidationError(tables, str(source), problems)
    return valid


def _row_zones(item: _Loaded, valid: dict, loaded: dict) -> pd.Series:
    """Return the IANA timezone of each row's account (NaN: read as UTC)."""
    accounts = valid.get("accounts")
    zone_of = pd.Series(dtype="str", index=pd.Index([], dtype="str"))
    if accounts is not None:
        zone_of = accounts.set_index("account_id")["timezone"]
    table = TABLES[item.name]
    unknown = pd.Series(np.nan, index=item.frame.index, dtype="str")
    if "account_id" in item.frame:
        return _strip(item.frame["account_id"]).map(zone_of).astype("str")
    if table.parent is None:
        return unknown

    key = TABLES[table.parent].key[0]
    parent = valid.get(table.parent, loaded[table.parent].frame)
    if "account_id" not in parent or key not in item.frame:
        return unknown
    account_of = parent.assign(**{key: _strip(parent[key])}).drop_duplicates(key)
    account_of = account_of.set_index(key)["account_id"].astype(str).str.strip()
    return _strip(item.frame[key]).map(account_of).map(zone_of).astype("str")


def _strip(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip()


def _relocate(problems: pd.DataFrame, item: _Loaded) -> pd.DataFrame:
    """Point each problem at the file and line the row came from."""
    problems = problems.copy()
    problems["table"] = item.name
    located = problems["row"].notna().to_numpy()
    positions = problems.loc[located, "row"].astype(int).to_numpy() - 2
    lines = item.origin["line"].to_numpy()[positions]
    rows = pd.Series(None, index=problems.index, dtype="object")
    rows[located] = [int(line) for line in lines]
    problems["row"] = rows
    problems["file"] = problems["file"].astype("object")
    problems.loc[located, "file"] = item.origin["file"].to_numpy()[positions]
    problems.loc[~located, "file"] = ", ".join(str(f) for f in item.files)

    # A missing column already reported by the mapping is not repeated.
    reported = {p["canonical"] for p in item.problems if "canonical" in p}
    problems = problems[located | ~problems["column"].isin(reported)]

    renamed = problems["column"].map(item.sources)
    differs = renamed.notna() & (renamed != problems["column"])
    problems.loc[differs, "problem"] = (
        "canonical column "
        + problems.loc[differs, "column"].map(repr)
        + ": "
        + problems.loc[differs, "problem"]
    )
    problems.loc[differs, "column"] = renamed[differs]
    return problems


def _require_accounts(tables: dict[str, pd.DataFrame], source: Path) -> None:
    if tables["accounts"].empty:
        raise InvalidInputError(
            f"the accounts table from {str(source)!r} has no rows; every other "
            "table hangs on it. Export the accounts again (a header line alone is "
            "not enough); the previous workspace is left as it was"
        )


# Above this share of unknown ids a table is refused rather than thinned out.
_ORPHAN_LIMIT = 0.5


def _drop_orphans(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Leave out rows whose account (or parent ticket or call) is unknown.

    Raises
    ------
    InvalidInputError
        When more than half of a table's rows refer to unknown ids: that is a
        broken export (ids that lost their leading zeros, another system's
        ids), not a few stray rows.
    """
    warnings = []
    known = {"accounts": set(tables["accounts"]["account_id"])}
    for name in list(tables):
        table, frame = TABLES[name], tables[name]
        if name == "accounts":
            continue
        if "account_id" in frame:
            column, ids, what = "account_id", known["accounts"], "accounts"
        elif table.parent is not None:
            column = TABLES[table.parent].key[0]
            ids, what = set(tables[table.parent][column]), table.parent
        else:
            continue

        unknown = ~frame[column].isin(ids)
        if len(frame) and unknown.mean() > _ORPHAN_LIMIT:
            raise InvalidInputError(
                _orphan_message(name, column, frame, unknown, ids, what)
            )
        if unknown.any():
            examples = sorted(frame.loc[unknown, column].unique())[:3]
            warnings.append(
                f"{name}: {int(unknown.sum())} rows left out because their "
                f"{column} is not in {what} (for example {examples})"
            )
            tables[name] = frame[~unknown].reset_index(drop=True)
    return warnings


def _orphan_message(name, column, frame, unknown, ids, what: str) -> str:
    examples = sorted(frame.loc[unknown, column].unique())[:3]
    stripped = {str(i).lstrip("0"): i for i in ids}
    padded = [stripped[e] for e in examples if e in stripped and e not in ids]
    hint = (
        f" They look like ids that lost their leading zeros ({examples[0]!r} for "
        f"{padded[0]!r}): export the column as text, not as a number."
        if padded else " Check that the file belongs to this export."
    )
    return (
        f"{name}: {int(unknown.sum())} of {len(frame)} rows have a {column} that "
        f"is not in {what} (for example {examples}); nothing was "
        f"written.{hint}"
    )


def _fingerprint(spec: Mapping, reader: _Reader) -> tuple[str, dict[str, str]]:
    """Hash the mapping and the contents of every file read."""
    digest = hashlib.sha256(spec.model_dump_json(exclude={"path"}).encode())

    inputs = {}
    for path in sorted(reader.used):
        file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        relative = path.relative_to(reader.source).as_posix()
        inputs[relative] = file_hash
        digest.update(f"{relative}\0{file_hash}\0".encode())
    return digest.hexdigest(), inputs


def _write_atomically(target: Path, tables: dict, meta: dict, missing: dict) -> None:
    """Build the workspace under a temporary name, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(temporary)

    try:
        with Workspace.create(temporary) as workspace:
            for name, frame in tables.items():
                workspace._write_table(name, frame)
            workspace._write_meta(meta, missing)
        os.chmod(temporary, 0o600)
        _remove(Path(f"{target}.wal"))
        os.replace(temporary, target)
    finally:
        _remove(temporary)
        _remove(Path(f"{temporary}.wal"))


def _remove(path: Path) -> None:
    if path.exists():
        path.unlink()
