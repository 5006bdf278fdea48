"""Backtest of a health configuration against the churn that followed.

Private helpers of :mod:`cskit.health`: :func:`backtest` scores past as-of
dates, labels each account snapshot with churn within each horizon, and
reports ROC-AUC and top-decile lift of the score and the risk level with
bootstrap intervals over accounts, plus the early-warning share of churners
that were Red or Yellow ahead of their churn.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cskit._health_config import HealthConfig
from cskit._health_loading import load_health_config
from cskit._health_scoring import score_health
from cskit.exceptions import InvalidInputError

__all__: list[str] = []

logger = logging.getLogger("cskit.health")


_LEVEL_ORDER = {"Green": 0.0, "Yellow": 1.0, "Red": 2.0}


def churn_dates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the churn and reactivation events of every account.

    ``account_events`` rows of kind ``churned`` and ``reactivated`` are used
    where the table exists; otherwise ``accounts.churned_at``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``date`` (datetime64, midnight) and ``kind``
        (``churned`` or ``reactivated``), sorted by account and date.
    """
    events = tables.get("account_events")
    if events is not None and len(events):
        rows = events[events["kind"].isin(["churned", "reactivated"])]
        rows = rows[["account_id", "date", "kind"]]
    else:
        accounts = tables.get("accounts", pd.DataFrame(columns=["account_id"]))
        churned = accounts.get("churned_at", pd.Series(dtype="datetime64[us]"))
        rows = pd.DataFrame(
            {"account_id": accounts["account_id"], "date": churned, "kind": "churned"}
        ).dropna(subset=["date"])
    rows = rows.assign(date=pd.to_datetime(rows["date"]).astype("datetime64[us]"))
    return rows.sort_values(["account_id", "date"]).reset_index(drop=True)


def _active_and_labels(
    accounts: pd.DataFrame, events: pd.DataFrame, day: pd.Timestamp, horizons
) -> pd.DataFrame:
    """Accounts customers at ``day`` and whether they churn within each horizon."""
    table = pd.DataFrame({"account_id": accounts["account_id"].astype("str")})
    start = accounts.get("contract_start", pd.Series(pd.NaT, index=accounts.index))
    table["started"] = ~(pd.to_datetime(start) >= day).to_numpy()

    past = events[events["date"] < day].drop_duplicates("account_id", keep="last")
    last_kind = table["account_id"].map(past.set_index("account_id")["kind"])
    table = table[table["started"] & last_kind.ne("churned").to_numpy()].copy()

    future = events[(events["kind"] == "churned") & (events["date"] >= day)]
    first = future.drop_duplicates("account_id").set_index("account_id")["date"]
    churn_on = table["account_id"].map(first)
    table["churn_date"] = churn_on
    for h in horizons:
        table[f"churn_{h}d"] = (churn_on < day + pd.Timedelta(days=h)).fillna(False)
    return table.drop(columns="started")


def _auc(y: np.ndarray, risk: np.ndarray) -> float:
    """ROC-AUC of ``risk`` for the labels ``y`` (ties count half)."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = pd.Series(risk).rank(method="average").to_numpy()
    return float(
        (ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def _lift(y: np.ndarray, risk: np.ndarray, share: float = 0.1) -> float:
    """Churn rate of the riskiest ``share`` over the base rate.

    Rows tied at the cut count with their mean outcome, as if ties were
    broken at random.
    """
    if len(y) == 0 or y.mean() == 0:
        return float("nan")
    top = max(1, int(np.ceil(share * len(y))))
    cut = np.sort(risk)[::-1][top - 1]
    above = risk > cut
    tied = risk == cut
    churned = y[above].sum() + (top - above.sum()) * y[tied].mean()
    return float(churned / top / y.mean())


def _bootstrap(groups: np.ndarray, stat, n_boot: int, seed: int) -> tuple:
    """Percentile 95 % interval of ``stat(rows)`` resampling whole accounts."""
    codes, uniques = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    members = [order[bounds[i] : bounds[i + 1]] for i in range(len(uniques))]
    if not members:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        picked = rng.integers(0, len(uniques), len(uniques))
        values.append(stat(np.concatenate([members[i] for i in picked])))
    values = np.asarray(values, dtype="float64")
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` measured.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per score and horizon: ``score``, ``horizon_days``, ``rows``
        (account snapshots), ``churned``, ``auc`` with ``auc_low`` and
        ``auc_high`` (95 % bootstrap interval), ``lift_top_decile`` with
        ``lift_low`` and ``lift_high``.
    early_warning : pandas.DataFrame
        Per score: ``churners`` seen ``lead_days`` before their churn,
        ``share_red_or_yellow`` (%) with ``share_low`` and ``share_high``.
    snapshots : pandas.DataFrame
        One row per account and as-of date: score, band, risk, risk points
        and the churn labels.
    """

    summary: pd.DataFrame
    early_warning: pd.DataFrame
    snapshots: pd.DataFrame


def backtest(
    tables: dict[str, pd.DataFrame],
    *,
    as_of_dates: list,
    config: HealthConfig | None = None,
    metrics_fn=None,
    risk_rules: Any = None,
    horizons: tuple[int, ...] = (90, 180),
    lead_days: int = 90,
    n_boot: int = 200,
    seed: int = 0,
) -> Backtest:
    """Score past as-of dates and compare the scores with churn that followed.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The canonical tables of the whole portfolio, history included.
    as_of_dates : list of date-like
        Past dates to score (monthly dates work well). A horizon is measured
        only from dates whose whole horizon lies before the end of the data.
    config : HealthConfig, optional
        By default :func:`load_health_config`.
    metrics_fn : callable, optional
        ``metrics_fn(tables, as_of) -> DataFrame``, the metrics table of one
        date; default :func:`cskit.risk.signal_table`.
    risk_rules : cskit.risk.RiskRules, optional
        By default :func:`cskit.risk.load_risk_rules`.
    horizons : tuple of int
        Churn within these many days of the as-of date is the outcome.
    lead_days : int
        For the early warning: each churner's score from the last as-of date
        at least this many days before its churn.
    n_boot : int
        Bootstrap resamples of accounts for the intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    Backtest

    Raises
    ------
    InvalidInputError
        When ``as_of_dates`` is empty or ``accounts`` is absent.
    """
    from cskit import risk

    if not as_of_dates or "accounts" not in tables:
        raise InvalidInputError(
            "backtest needs the 'accounts' table and at least one date in "
            f"as_of_dates (received {as_of_dates!r})"
        )
    config = config or load_health_config()
    metrics_fn = metrics_fn or (lambda t, d: risk.signal_table(t, as_of=d))
    rules = risk_rules or risk.load_risk_rules()
    events = churn_dates(tables)
    parts = [
        _snapshot(tables, pd.Timestamp(d), config, metrics_fn, rules, events, horizons)
        for d in sorted(as_of_dates)
    ]
    snapshots = pd.concat(parts, ignore_index=True)
    end = _data_end(tables)
    summary = _summary(snapshots, horizons, end, n_boot, seed)
    warning = _early_warning(snapshots, events, lead_days, n_boot, seed)
    return Backtest(summary, warning, snapshots)


def _snapshot(tables, day, config, metrics_fn, rules, events, horizons):
    from cskit import risk

    table = metrics_fn(tables, day.date())
    health = score_health(table, config=config)
    flags = risk.evaluate_flags(
        table,
        tables=tables,
        as_of=day.date(),
        health=health,
        rules=rules,
        evidence=False,
    )
    levels = risk.risk_score(flags, health=health, rules=rules)
    labels = _active_and_labels(tables["accounts"], events, day, horizons)
    frame = labels.merge(
        health.scores[["account_id", "score", "band"]], on="account_id"
    )
    frame = frame.merge(levels[["account_id", "risk", "risk_points"]], on="account_id")
    frame.insert(0, "as_of", day)
    logger.info("backtest snapshot %s: %d accounts", day.date(), len(frame))
    return frame


def _data_end(tables: dict[str, pd.DataFrame]) -> pd.Timestamp:
    events = tables.get("events")
    if events is not None and len(events):
        last = events["ts"].max().tz_convert("UTC").tz_localize(None)
        return last.normalize() + pd.Timedelta(days=1)
    return pd.Timestamp.max.normalize()


def _risk_values(snapshots: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "health score": -snapshots["score"].to_numpy(dtype="float64"),
        "risk level": snapshots["risk"].map(_LEVEL_ORDER).to_numpy(dtype="float64"),
        "risk points": snapshots["risk_points"].to_numpy(dtype="float64"),
    }


def _summary(snapshots, horizons, end, n_boot, seed) -> pd.DataFrame:
    rows = []
    for h in horizons:
        seen = snapshots[snapshots["as_of"] + pd.Timedelta(days=h) <= end]
        for name, values in _risk_values(seen).items():
            keep = ~np.isnan(values)
            y = seen[f"churn_{h}d"].to_numpy(dtype=bool)[keep]
            risk, groups = values[keep], seen["account_id"].to_numpy()[keep]
            auc = _auc(y, risk)
            lift = _lift(y, risk)
            auc_ci = _bootstrap(
                groups, lambda i, y=y, r=risk: _auc(y[i], r[i]), n_boot, seed
            )
            lift_ci = _bootstrap(
                groups, lambda i, y=y, r=risk: _lift(y[i], r[i]), n_boot, seed
            )
            rows.append(
                {
                    "score": name,
                    "horizon_days": h,
                    "rows": int(keep.sum()),
                    "churned": int(y.sum()),
                    "auc": auc,
                    "auc_low": auc_ci[0],
                    "auc_high": auc_ci[1],
                    "lift_top_decile": lift,
                    "lift_low": lift_ci[0],
                    "lift_high": lift_ci[1],
                }
            )
    return pd.DataFrame(rows)


def _early_warning(snapshots, events, lead_days, n_boot, seed) -> pd.DataFrame:
    churns = events[events["kind"] == "churned"]
    dates = np.sort(snapshots["as_of"].unique())
    step = pd.Series(dates).diff().max() if len(dates) > 1 else pd.Timedelta(days=31)
    step = step if pd.notna(step) else pd.Timedelta(days=31)
    target = churns["date"] - pd.Timedelta(days=lead_days)
    picked = pd.merge_asof(
        churns.assign(target=target).sort_values("target"),
        pd.DataFrame({"as_of": dates}),
        left_on="target",
        right_on="as_of",
        direction="backward",
    )
    picked = picked[
        picked["as_of"].notna() & (picked["target"] - picked["as_of"] < step)
    ]
    seen = picked.merge(snapshots, on=["account_id", "as_of"])
    rows = []
    for name, column in (("health band", "band"), ("risk level", "risk")):
        flagged = seen[column].isin(["Red", "Yellow"]).to_numpy(dtype=float)
        groups = seen["account_id"].to_numpy()
        low, high = _bootstrap(
            groups, lambda i, f=flagged: 100 * f[i].mean(), n_boot, seed
        )
        rows.append(
            {
                "score": name,
                "lead_days": lead_days,
                "churners": len(seen),
                "share_red_or_yellow": 100 * flagged.mean() if len(seen) else np.nan,
                "share_low": low,
                "share_high": high,
            }
        )
    return pd.DataFrame(rows)
