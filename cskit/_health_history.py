"""Health history in the workspace: stored scores, trend and what moved.

Private helpers of :mod:`cskit.health`: scores are stored per as-of date in
the workspace table ``health_history`` and read back; :func:`health_trend`,
:func:`what_moved`, :func:`movers`, :func:`portfolio_bands` and
:func:`plot_health_history` explain how scores and bands changed.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cskit._health_scoring import HealthScores

__all__: list[str] = []

logger = logging.getLogger("cskit.health")


_HISTORY = "health_history"


_HISTORY_COLUMNS = {
    "as_of": "DATE",
    "account_id": "VARCHAR",
    "profile": "VARCHAR",
    "config_hash": "VARCHAR",
    "score": "DOUBLE",
    "band": "VARCHAR",
    "measure": "VARCHAR",
    "metric": "VARCHAR",
    "value": "DOUBLE",
    "points": "DOUBLE",
    "weight": "DOUBLE",
    "contribution": "DOUBLE",
}


def history_rows(scores: HealthScores, *, as_of: Any) -> pd.DataFrame:
    """Lay out scores as ``health_history`` rows: one per account and measure.

    Parameters
    ----------
    scores : HealthScores
    as_of : date-like
        The as-of date the scores were computed for.

    Returns
    -------
    pandas.DataFrame
        The columns of the ``health_history`` table (as_of, account_id,
        profile, config_hash, score, band, measure, metric, value, points,
        weight, contribution).
    """
    head = scores.scores[["account_id", "config_hash", "score", "band"]]
    rows = scores.details.merge(head, on="account_id", how="left")
    rows.insert(0, "as_of", pd.Timestamp(as_of).normalize().as_unit("us"))
    return rows[list(_HISTORY_COLUMNS)].reset_index(drop=True)


def write_health_history(connection: Any, rows: pd.DataFrame) -> int:
    """Store history rows, replacing rows of the same accounts and as-of dates.

    Parameters
    ----------
    connection : duckdb.DuckDBPyConnection
        A read-write connection (``Workspace(path, read_only=False)``).
    rows : pandas.DataFrame
        As returned by :func:`history_rows`.

    Returns
    -------
    int
        The number of rows written.
    """
    ddl = ", ".join(f"{name} {kind}" for name, kind in _HISTORY_COLUMNS.items())
    connection.execute(f"CREATE TABLE IF NOT EXISTS {_HISTORY} ({ddl})")
    frame = rows[list(_HISTORY_COLUMNS)]
    connection.register("_cskit_health_rows", frame)
    connection.execute(
        f"DELETE FROM {_HISTORY} WHERE (as_of, account_id) IN "
        "(SELECT DISTINCT CAST(as_of AS DATE), account_id FROM _cskit_health_rows)"
    )
    columns = ", ".join(f"CAST({c} AS {k})" for c, k in _HISTORY_COLUMNS.items())
    connection.execute(
        f"INSERT INTO {_HISTORY} SELECT {columns} FROM _cskit_health_rows"
    )
    connection.unregister("_cskit_health_rows")
    logger.info("%d health history rows written", len(frame))
    return len(frame)


def read_health_history(
    connection: Any, *, account_id: str | None = None
) -> pd.DataFrame:
    """Read the stored health history (empty when none was stored).

    Parameters
    ----------
    connection : duckdb.DuckDBPyConnection
    account_id : str, optional
        Keep this account only.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`history_rows`, sorted by as_of, account, measure.
    """
    tables = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name = ?",
        [_HISTORY],
    ).fetchall()
    if not tables:
        return _empty_history()
    where, params = (
        ("WHERE account_id = ?", [str(account_id)])
        if account_id
        else (
            "",
            [],
        )
    )
    frame = connection.execute(
        f"SELECT * FROM {_HISTORY} {where} ORDER BY as_of, account_id, measure",
        params,
    ).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
    for column in ("account_id", "profile", "config_hash", "band", "measure"):
        frame[column] = frame[column].astype("str")
    return frame


def _empty_history() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in _HISTORY_COLUMNS})
    frame["as_of"] = frame["as_of"].astype("datetime64[us]")
    for column in ("account_id", "profile", "config_hash", "band", "measure"):
        frame[column] = frame[column].astype("str")
    frame["metric"] = frame["metric"].astype("str")
    return frame


def _score_history(history: pd.DataFrame) -> pd.DataFrame:
    columns = ["as_of", "account_id", "config_hash", "score", "band"]
    return history[columns].drop_duplicates(["as_of", "account_id"])


def health_trend(
    history: pd.DataFrame, *, as_of: Any, days: int = 30, tolerance: float = 0.5
) -> pd.DataFrame:
    """Compare each account's score with its score ``days`` before.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    as_of : date-like
        The current date; its latest stored score at or before it is used.
    days : int
        How far back to look: the latest stored score at or before
        ``as_of - days`` is the previous one.
    tolerance : float
        A change within ``±tolerance`` points is ``same``.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``score``, ``previous_score``, ``previous_as_of``,
        ``change``, ``trend`` (``up``, ``down``, ``same`` or
        ``not_available``) and ``config_changed``.
    """
    day = pd.Timestamp(as_of)
    scores = _score_history(history)
    now = _latest_before(scores, day + pd.Timedelta(days=1))
    then = _latest_before(scores, day - pd.Timedelta(days=days - 1))
    table = now.merge(then, on="account_id", how="left", suffixes=("", "_previous"))
    stale = table["as_of_previous"] >= table["as_of"]
    for column in ("score_previous", "as_of_previous", "config_hash_previous"):
        table[column] = table[column].mask(stale)
    change = table["score"] - table["score_previous"]
    trend = np.select(
        [change.isna(), change > tolerance, change < -tolerance],
        ["not_available", "up", "down"],
        "same",
    )
    changed = table["config_hash_previous"].notna() & table["config_hash"].ne(
        table["config_hash_previous"]
    )
    return pd.DataFrame(
        {
            "account_id": table["account_id"],
            "score": table["score"],
            "previous_score": table["score_previous"],
            "previous_as_of": table["as_of_previous"],
            "change": change,
            "trend": trend,
            "config_changed": changed.astype(bool),
        }
    )


def _latest_before(scores: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Each account's latest stored row strictly before ``end``."""
    rows = scores[scores["as_of"] < end].sort_values("as_of")
    rows = rows.drop_duplicates("account_id", keep="last")
    return rows.sort_values("account_id", kind="stable")


def what_moved(
    history: pd.DataFrame, *, account_id: str, before: Any, after: Any
) -> pd.DataFrame:
    """Explain an account's score change between two stored dates.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    account_id : str
    before, after : date-like
        The latest stored scores at or before each date are compared.

    Returns
    -------
    pandas.DataFrame
        One row per measure, largest move first: ``measure``, ``metric``,
        ``value_before``, ``value_after``, ``points_before``,
        ``points_after``, ``weight_before``, ``weight_after``,
        ``contribution_change`` and ``config_changed`` (the configuration
        hash differs between the two dates). ``attrs`` holds both scores.
    """
    rows = history[history["account_id"] == str(account_id)]
    old = _rows_at(rows, before)
    new = _rows_at(rows, after)
    keep = ["measure", "metric", "value", "points", "weight", "contribution"]
    table = old[keep].merge(
        new[keep], on=["measure", "metric"], how="outer", suffixes=("_before", "_after")
    )
    table["contribution_change"] = table["contribution_after"].fillna(0) - table[
        "contribution_before"
    ].fillna(0)
    hashes = (_first(old, "config_hash"), _first(new, "config_hash"))
    table["config_changed"] = hashes[0] != hashes[1]
    table = table.sort_values(
        "contribution_change", key=lambda s: -s.abs(), kind="stable"
    ).drop(columns=["contribution_before", "contribution_after"])
    table.attrs.update(
        score_before=_first(old, "score"),
        score_after=_first(new, "score"),
        config_before=hashes[0],
        config_after=hashes[1],
    )
    return table.reset_index(drop=True)


def _rows_at(rows: pd.DataFrame, day: Any) -> pd.DataFrame:
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    dates = rows.loc[rows["as_of"] < end, "as_of"]
    if dates.empty:
        return rows.iloc[0:0]
    return rows[rows["as_of"] == dates.max()]


def _first(rows: pd.DataFrame, column: str) -> Any:
    return rows[column].iloc[0] if len(rows) else None


def plot_health_history(history: pd.DataFrame, *, account_id: str) -> Figure:
    """Plot an account's stored scores, marking configuration changes.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    account_id : str

    Returns
    -------
    matplotlib.figure.Figure
        The score per as-of date; a dashed line where the configuration
        hash changed.
    """
    rows = _score_history(history[history["account_id"] == str(account_id)])
    rows = rows.sort_values("as_of")
    fig = Figure(figsize=(9, 3))
    axis = fig.subplots()
    axis.plot(rows["as_of"], rows["score"], marker="o", color="#2f6db5")
    changed = (
        rows["config_hash"].ne(rows["config_hash"].shift())
        & rows["config_hash"].shift().notna()
    )
    marks = rows.loc[changed, ["as_of", "config_hash"]]
    for day, code in marks.itertuples(index=False):
        axis.axvline(day, color="#999999", linestyle="--", linewidth=1)
        axis.annotate(f"config {code[:6]}", (day, axis.get_ylim()[1]), fontsize=7)
    axis.set_title(f"Health score of account {account_id}")
    axis.set_ylabel("score")
    fig.tight_layout()
    return fig


def portfolio_bands(table: pd.DataFrame, *, column: str = "band") -> pd.DataFrame:
    """Count accounts per band (or risk level), in a fixed order.

    Parameters
    ----------
    table : pandas.DataFrame
        A column ``column`` of band names, e.g. ``HealthScores.scores`` or
        the output of :func:`cskit.risk.risk_score` with ``column="risk"``.
    column : str

    Returns
    -------
    pandas.DataFrame
        ``accounts`` and ``share`` (%) per band: Red, Yellow, Green first,
        then any other name in alphabetical order.
    """
    counts = table[column].astype("str").value_counts()
    first = [name for name in ("Red", "Yellow", "Green") if name in counts]
    order = first + sorted(set(counts.index) - set(first))
    counts = counts.reindex(order)
    share = (100 * counts / max(counts.sum(), 1)).round(1)
    return pd.DataFrame({"accounts": counts, "share": share}).rename_axis(column)


def movers(history: pd.DataFrame, *, as_of: Any, n: int = 10) -> pd.DataFrame:
    """Return the accounts whose score moved most since the previous run.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    as_of : date-like
        This run's date; the previous run is the latest stored date before it.
    n : int
        Accounts returned.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``score``, ``previous_score``, ``change``, ``band``,
        ``previous_band`` and ``config_changed``, largest absolute change
        first (ties by account id).
    """
    scores = _score_history(history)
    day = pd.Timestamp(as_of)
    earlier = scores.loc[scores["as_of"] < day, "as_of"]
    now = scores[scores["as_of"] == day]
    then = scores[scores["as_of"] == earlier.max()] if len(earlier) else now.iloc[0:0]
    table = now.merge(then, on="account_id", suffixes=("", "_previous"))
    table["change"] = table["score"] - table["score_previous"]
    table["config_changed"] = table["config_hash"] != table["config_hash_previous"]
    table = table.rename(
        columns={"score_previous": "previous_score", "band_previous": "previous_band"}
    )
    table["magnitude"] = -table["change"].abs()
    table = table.sort_values(["magnitude", "account_id"]).head(n)
    columns = ["account_id", "score", "previous_score", "change", "band"]
    return table[columns + ["previous_band", "config_changed"]].reset_index(drop=True)
