"""The account x month grid the churn feature families read.

Private helpers of :mod:`cskit.churn`: every source table is bucketed into
calendar months of the account's timezone and laid out as an account x
month NumPy array; :class:`Window` sums the months strictly before each
as-of month through cumulative sums, and :class:`Context` carries the grid,
the as-of columns and the settings every feature family needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, MissingColumnError

__all__: list[str] = []


@dataclass
class _Grid:
    """The months of the grid and the accounts' rows in it."""

    accounts: pd.DataFrame
    first: int
    n_months: int
    zones: pd.Series

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.accounts), self.n_months

    def row(self, frame: pd.DataFrame) -> np.ndarray:
        """Return the grid row of each row of a :func:`localise` d frame."""
        return frame["_row"].to_numpy()

    def counts(self, frame: pd.DataFrame, month: np.ndarray, weight=None):
        """Sum ``weight`` (default 1) per account and month into a grid."""
        grid = np.zeros(self.shape)
        rows = self.row(frame)
        cols = np.clip(month - self.first, 0, None)
        keep = (rows >= 0) & (cols < self.n_months) & (month > -(10**8))
        values = np.ones(len(frame)) if weight is None else np.asarray(weight, float)
        np.add.at(grid, (rows[keep], cols[keep]), np.nan_to_num(values[keep]))
        return grid


def month_index(values: pd.Series) -> np.ndarray:
    """Return year * 12 + month - 1 of dates (a large negative for missing)."""
    values = pd.to_datetime(values)
    index = (values.dt.year * 12 + values.dt.month - 1).astype("float64")
    return index.fillna(-(10**9)).to_numpy().astype(np.int64)


def local_times(stamps: pd.Series, zone_of_row: np.ndarray) -> pd.Series:
    """Return naive local wall-clock times of UTC timestamps, one zone per row."""
    stamps = pd.to_datetime(stamps, utc=True)
    result = np.full(len(stamps), np.datetime64("NaT"), dtype="datetime64[us]")
    for name in pd.unique(zone_of_row):
        mask = zone_of_row == name
        local = stamps[mask].dt.tz_convert(str(name)).dt.tz_localize(None)
        result[mask] = local.to_numpy().astype("datetime64[us]")
    return pd.Series(result, index=stamps.index)


def localise(tables: dict, grid: _Grid) -> dict:
    """Add each row's grid row (``_row``); turn UTC timestamps into local times.

    Done once per table, so every feature family reads plain local dates.
    """
    zones = grid.zones.to_numpy().astype("str")
    out = {}
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame) or "account_id" not in frame:
            out[name] = frame
            continue
        frame = frame.copy(deep=False)
        rows = pd.Index(grid.accounts["account_id"].astype("str")).get_indexer(
            frame["account_id"].astype("str")
        )
        frame["_row"] = rows
        zone = np.where(rows >= 0, zones[np.clip(rows, 0, None)], "UTC")
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = local_times(frame[column], zone)
        out[name] = frame
    return out


def require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Raise MissingColumnError for the first missing column of ``frame``."""
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(
                column,
                frame=f"table {name!r}",
                found=list(frame.columns),
                hint="The churn snapshots need it; rename or map the column.",
            )


def cumulative(grid: np.ndarray) -> np.ndarray:
    """Return C with C[:, j] = sum of grid columns < j (C has one more column)."""
    zeros = np.zeros((grid.shape[0], 1))
    return np.concatenate([zeros, np.cumsum(grid, axis=1)], axis=1)


class Window:
    """Sums of a grid over the k months before each as-of column."""

    def __init__(self, grid: np.ndarray, cols: np.ndarray):
        self.total = cumulative(grid)
        self.cols = cols

    def last(self, months: int, *, skip: int = 0) -> np.ndarray:
        """Sum over months [j - skip - months, j - skip) for every as-of j."""
        end = np.clip(self.cols - skip, 0, None)
        start = np.clip(end - months, 0, None)
        return self.total[:, end] - self.total[:, start]

    def before(self) -> np.ndarray:
        """Sum over every month before each as-of column (a running state)."""
        return self.total[:, self.cols]


def latest_before(grid: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return the running maximum of grid columns < j (NaN when none)."""
    filled = np.where(np.isnan(grid), -np.inf, grid)
    running = np.maximum.accumulate(filled, axis=1)
    running = np.concatenate([np.full((grid.shape[0], 1), -np.inf), running], axis=1)
    picked = running[:, cols]
    return np.where(np.isinf(picked), np.nan, picked)


def last_value_grid(grid_shape, rows, cols, values) -> np.ndarray:
    """Grid holding a value in its month (NaN elsewhere); later rows win."""
    grid = np.full(grid_shape, np.nan)
    keep = (rows >= 0) & (cols >= 0) & (cols < grid_shape[1])
    grid[rows[keep], cols[keep]] = values[keep]
    return grid


def carry_forward(grid: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return the last non-missing value in grid columns < j for every as-of j."""
    frame = pd.DataFrame(grid.T).ffill().T.to_numpy()
    padded = np.concatenate([np.full((grid.shape[0], 1), np.nan), frame], axis=1)
    return padded[:, cols]


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Divide, giving NaN where the denominator is zero or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(np.isfinite(out), out, np.nan)


def log_trend(recent: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Return log((recent + 1) / (baseline + 1)): 0 is flat, below 0 a drop."""
    return np.log1p(np.clip(recent, 0, None)) - np.log1p(np.clip(baseline, 0, None))


def check_dates(first, last) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last as-of months as month-start timestamps."""
    first = pd.Timestamp(first).to_period("M").to_timestamp()
    last = pd.Timestamp(last).to_period("M").to_timestamp()
    if first > last:
        raise InvalidInputError(
            f"first_as_of={first.date()} is after last_as_of={last.date()}; "
            "pass a first as-of date on or before the last one"
        )
    return first, last


@dataclass
class Context:
    """What every feature family needs: the grid, the as-of columns, settings."""

    grid: _Grid
    cols: np.ndarray
    as_of: pd.DatetimeIndex
    build_events: tuple[str, ...]
    sla_hours: dict[str, float]

    @property
    def as_of_days(self) -> np.ndarray:
        return self.as_of.to_numpy().astype("datetime64[D]").astype(np.int64)

    def nan(self) -> np.ndarray:
        return np.full((self.grid.shape[0], len(self.cols)), np.nan)

    def months_of(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """Month index of a (local) date or time column."""
        return month_index(frame[column])

    def window(self, frame: pd.DataFrame, column: str, weight=None) -> Window:
        """Window sums of rows (or ``weight``) bucketed by ``column``'s month."""
        if column not in frame:
            return Window(np.zeros(self.grid.shape), self.cols)
        grid = self.grid.counts(frame, self.months_of(frame, column), weight)
        return Window(grid, self.cols)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    """True where a timestamp column holds a value (False when absent)."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].notna()
