"""Shared plumbing of the demo generator (:mod:`cskit.demo`).

The end date, the contact role codes, the history calendar, the option
checks, and the helpers that turn planned arrays into typed canonical
frames: ids, lookups, and local-time stamps stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from cskit.exceptions import InvalidInputError
from cskit.schema import TABLES

__all__: list[str] = []


DEMO_END = date(2026, 9, 30)
_CUTOFF = np.datetime64(DEMO_END + timedelta(days=1), "us")
_NEVER = 10**6
_CHUNK = 2000


_ROLES = np.array(
    [
        "developer",
        "end_user",
        "admin",
        "champion",
        "exec_sponsor",
        "economic_buyer",
        "other",
    ]
)


_DEV, _END_USER, _ADMIN, _CHAMPION, _EXEC, _BUYER, _OTHER = range(7)


@dataclass(frozen=True)
class _Calendar:
    """The history: day 0 is ``start``; day ``n_days - 1`` is :data:`DEMO_END`."""

    start: np.datetime64
    n_days: int
    month_starts: np.ndarray

    def dates(self, day: np.ndarray) -> np.ndarray:
        """Return calendar dates of day indexes, NaT for ``_NEVER``."""
        day = np.asarray(day)
        out = self.start + np.where(day >= _NEVER, 0, day).astype("timedelta64[D]")

        return np.where(day >= _NEVER, np.datetime64("NaT"), out).astype("M8[D]")

    def add_months(self, day: np.ndarray, months: np.ndarray | int) -> np.ndarray:
        """Return the same day of month ``months`` later (day of month <= 28)."""
        when = self.dates(day)
        month = when.astype("M8[M]")
        dom = (when - month.astype("M8[D]")).astype(int)
        moved = (month + np.asarray(months)).astype("M8[D]") + dom

        return (moved - self.start).astype(int)


def _calendar(months: int) -> _Calendar:
    end = np.datetime64(DEMO_END, "D")
    start = (end.astype("M8[M]") - (months - 1)).astype("M8[D]")
    firsts = np.arange(start.astype("M8[M]"), end.astype("M8[M]") + 1)
    offsets = (firsts.astype("M8[D]") - start).astype(int)

    return _Calendar(start, int((end - start).astype(int)) + 1, offsets)


def _check_options(accounts: int, seed: int, months: int) -> None:
    checks = [
        ("accounts", accounts, 1, 100_000),
        ("seed", seed, 0, 2**63 - 1),
        ("months", months, 6, 120),
    ]
    for name, value, low, high in checks:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidInputError(
                f"{name}={value!r} is not a whole number; pass an int between "
                f"{low} and {high}"
            )
        if not low <= value <= high:
            raise InvalidInputError(
                f"{name}={value} is out of range; pass a value between {low} and {high}"
            )


def _stamp(cal: _Calendar, day, secs, acc: dict, account) -> np.ndarray:
    """Return UTC instants (naive, microseconds) of local day + seconds.

    ``account`` gives the row's account, whose timezone the day is read in.

    The offset is the zone's at local noon of the day: right for every time
    after the small hours, which is all the generator produces.
    """
    day = np.asarray(day)
    valid = day < _NEVER
    out = np.full(day.size, np.datetime64("NaT"), dtype="M8[us]")

    if not valid.any():
        return out

    names, zone = np.unique(acc["timezone"], return_inverse=True)
    which = zone[np.asarray(account)]
    low = int(day[valid].min())
    offsets = _utc_offsets(cal, names, np.arange(low, int(day[valid].max()) + 1))
    seconds = day[valid].astype(np.int64) * 86400 + np.asarray(secs)[valid]
    seconds -= offsets[which[valid], day[valid] - low]
    out[valid] = cal.start.astype("M8[s]") + seconds.astype("m8[s]")

    return out


def _utc_offsets(cal: _Calendar, names: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Return each zone's UTC offset in seconds at local noon of each day."""
    noon = (cal.start + days.astype("m8[D]")).astype("M8[s]") + np.timedelta64(12, "h")
    rows = []

    for name in names:
        local = pd.DatetimeIndex(noon).tz_localize(str(name))
        shift = local.tz_localize(None) - local.tz_convert(None)
        rows.append(shift.total_seconds().to_numpy().astype(np.int64))

    return np.array(rows)


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    width = max(width, len(str(count)))
    return np.array(
        [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)], dtype=object
    )


def _lookup(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    index = np.asarray(index, dtype=int)
    picked = np.asarray(values, dtype=object)[np.maximum(index, 0)]

    return np.where(index >= 0, picked, None)


def _objects(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)

    for i, value in enumerate(values):
        out[i] = value

    return out


_TEXT_KINDS = frozenset({"id", "text", "enum", "timezone", "currency"})


class _Coded(NamedTuple):
    """A large text column as codes into ``labels`` (-1: missing)."""

    codes: np.ndarray
    labels: np.ndarray

    def series(self) -> pd.Series:
        """Decode through Arrow, much faster than from Python strings."""
        labels = [str(label) for label in self.labels]
        codes = np.asarray(self.codes, dtype=np.int32)
        longest = max(map(len, labels), default=0)
        kind = pa.string() if longest * codes.size < 2**31 else pa.large_string()
        labels = pa.array(labels, kind)
        indices = pa.array(codes, mask=(codes < 0) if (codes < 0).any() else None)
        decoded = pa.DictionaryArray.from_arrays(indices, labels).dictionary_decode()

        return pd.Series(pd.array(decoded, dtype="str"))


def _frame(name: str, data: dict) -> pd.DataFrame:
    """Build a canonical table with the in-memory dtypes of the contract."""
    first = next(iter(data.values()))
    size = len(first.codes if isinstance(first, _Coded) else first)
    columns = {
        column.name: _column(column.kind, data.get(column.name), size)
        for column in TABLES[name].columns
    }

    return pd.DataFrame(columns)


def _column(kind: str, values, size: int) -> pd.Series:
    if values is None:
        values = [[] for _ in range(size)] if kind == "list" else [None] * size

    if isinstance(values, _Coded):
        return values.series()

    if kind in _TEXT_KINDS:
        return pd.Series(np.asarray(values, dtype=object), dtype="str")

    if kind == "timestamp":
        stamps = np.asarray(values, dtype="M8[s]").astype("M8[us]")
        return pd.Series(stamps).dt.tz_localize("UTC")

    if kind == "date":
        return pd.Series(np.asarray(values, dtype="M8[D]").astype("M8[us]"))

    if kind == "int":
        return pd.Series(pd.array(np.asarray(values, dtype=float), dtype="Int64"))

    if kind == "float":
        return pd.Series(np.asarray(values, dtype=float))

    if kind == "bool":
        return pd.Series(pd.array(np.asarray(values, dtype=object), dtype="boolean"))

    return pd.Series(_objects(values), dtype=object)
