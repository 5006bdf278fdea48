"""One account's or the whole portfolio's health, risk and plays, in one pass.

:func:`analyse` chains the analytics the reports show, in the order the
playbook reads them: the metrics table (every metric, the champion and
roadmap signals, the Engagement Pulse), the lifecycle phase, the health
score, the risk flags with their evidence, the Red / Yellow / Green risk
level and the open plays. The same function serves one account's slice of
the workspace and the whole portfolio, so a batch and a single report give
the same numbers.

A batch analyses the whole portfolio once and saves the result
(:func:`save_analysis`); each account's workbook reads its own rows
(:func:`load_analysis`) instead of computing them again.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from cskit import health, lifecycle, plays, risk
from cskit import metrics as _metrics
from cskit.params import Settings, find_params_dir
from cskit.pulse import portfolio_pulse

__all__ = [
    "Analysis",
    "analyse",
    "save_analysis",
    "load_analysis",
    "pulse_table",
    "metric_settings",
    "earlier_history",
    "start_utc",
]

logger = logging.getLogger(__name__)


@dataclass
class Analysis:
    """Health, risk and plays of a set of accounts.

    Attributes
    ----------
    signals : pandas.DataFrame
        One row per account: every metric (value, ``_status``, ``_reason``),
        the account signals, the Pulse, ``segment`` and ``phase``.
    phases : pandas.DataFrame
        ``account_id``, ``phase`` and the ``rule`` that placed it.
    health : cskit.health.HealthScores
    flags : cskit.risk.RiskFlags
    risk : pandas.DataFrame
        The risk level of each account, with its points.
    plays : pandas.DataFrame
        The open plays, with owner and due date.
    """

    signals: pd.DataFrame
    phases: pd.DataFrame
    health: health.HealthScores
    flags: risk.RiskFlags
    risk: pd.DataFrame
    plays: pd.DataFrame


def earlier_history(history: pd.DataFrame | None, as_of: date) -> pd.DataFrame | None:
    """Keep the stored health scores dated before ``as_of``; None if there are none.

    A report never reads a score stored for its own as-of date (a batch may
    have stored one already), so re-running a report gives the same output.
    """
    if history is None:
        return None
    earlier = history[pd.to_datetime(history["as_of"]) < pd.Timestamp(as_of)]
    return None if earlier.empty else earlier.reset_index(drop=True)


def metric_settings(settings: Settings) -> _metrics.MetricSettings:
    """Return the metric settings of a run's settings."""
    return _metrics.MetricSettings(**settings.metrics.model_dump())


def start_utc(as_of: date, zone) -> pd.Timestamp:
    """Return the start of the as-of day in timezone ``zone``, in UTC."""
    zone = "UTC" if pd.isna(zone) else zone
    return pd.Timestamp(as_of).tz_localize(zone).tz_convert("UTC")


def pulse_table(
    texts: pd.DataFrame, accounts: pd.DataFrame, as_of: date, settings: Settings
) -> pd.DataFrame:
    """Compute every account's Pulse as of the start of as-of in its timezone.

    Parameters
    ----------
    texts : pandas.DataFrame
        Scored texts (:meth:`cskit.pulse.PulseScorer.score_frame` output).
    accounts : pandas.DataFrame
        The ``accounts`` table; its ``timezone`` picks each account's day.
    """
    options = settings.pulse.model_dump(exclude={"themes_window_days", "evidence_n"})
    zones = accounts["timezone"].fillna("UTC")
    parts = []
    for zone, group in accounts.groupby(zones):
        chosen = texts[texts["account_id"].isin(group["account_id"])]
        parts.append(
            portfolio_pulse(
                chosen,
                as_of=start_utc(as_of, zone),
                accounts=group["account_id"],
                **options,
            )
        )
    return pd.concat(parts, ignore_index=True)


def _health_file() -> tuple[Path | None, float]:
    folder = find_params_dir()
    path = None if folder is None else folder / "health.yaml"
    if path is None or not path.is_file():
        return None, 0.0
    return path, path.stat().st_mtime


@functools.lru_cache(maxsize=4)
def _configuration(path: Path | None, mtime: float):
    """Read the health profile, risk rules and plays once per file version.

    A batch analyses thousands of accounts with the same files; parsing the
    YAML for each would cost more than the scoring itself.
    """
    return (
        health.load_health_config(path),
        risk.load_risk_rules(path),
        plays.load_plays(path),
    )


def analyse(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: date,
    settings: Settings,
    texts: pd.DataFrame,
    signals: pd.DataFrame | None = None,
) -> Analysis:
    """Compute metrics, phase, health, flags, risk level and plays.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables: one account's slice, or the portfolio.
    as_of : datetime.date
    settings : Settings
    texts : pandas.DataFrame
        The accounts' scored texts, for the Pulse.
    signals : pandas.DataFrame, optional
        The metrics table already computed (by a batch) for these accounts;
        computed here when not given.

    Returns
    -------
    Analysis
    """
    if signals is None:
        pulse = pulse_table(texts, tables["accounts"], as_of, settings)
        signals = risk.signal_table(
            tables, as_of=as_of, settings=metric_settings(settings), pulse=pulse
        )
    signals = signals.drop(columns=["phase"], errors="ignore")
    phases = lifecycle.lifecycle_phase(
        signals, tables=tables, as_of=as_of, rules=settings.lifecycle
    )
    signals = signals.merge(
        phases[["account_id", "phase"]], on="account_id", how="left"
    )

    config, rules, playbook = _configuration(*_health_file())
    scores = health.score_health(signals, config=config)
    flags = risk.evaluate_flags(
        signals, tables=tables, as_of=as_of, health=scores, rules=rules
    )
    levels = risk.risk_score(flags, health=scores, rules=rules)
    open_plays = plays.open_plays(
        flags, as_of=as_of, accounts=tables["accounts"], playbook=playbook
    )
    logger.info("analysed %d account(s) as of %s", len(signals), as_of)
    return Analysis(signals, phases, scores, flags, levels, open_plays)


_FRAMES = {
    "signals": lambda a: a.signals,
    "phases": lambda a: a.phases,
    "health_scores": lambda a: a.health.scores,
    "health_details": lambda a: a.health.details,
    "flags": lambda a: a.flags.flags,
    "evidence": lambda a: a.flags.evidence,
    "risk": lambda a: a.risk,
    "plays": lambda a: a.plays,
}


def save_analysis(analysis: Analysis, folder: str | Path) -> Path:
    """Write an analysis as Parquet files, one per table, for the workbooks.

    Each file is written under a temporary name and renamed when complete.
    """
    import os

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o750)
    for name, frame_of in _FRAMES.items():
        partial = folder / f".{name}.partial.parquet"
        frame_of(analysis).to_parquet(partial, index=False)
        os.chmod(partial, 0o640)
        os.replace(partial, folder / f"{name}.parquet")
    return folder


def load_analysis(folder: str | Path, *, account_id: str) -> Analysis | None:
    """Read one account's rows of an analysis :func:`save_analysis` wrote.

    Returns None when the folder does not hold the account.
    """
    folder = Path(folder)
    frames = {
        name: pd.read_parquet(
            folder / f"{name}.parquet", filters=[("account_id", "==", account_id)]
        )
        for name in _FRAMES
    }
    if len(frames["signals"]) != 1:
        return None
    return Analysis(
        frames["signals"],
        frames["phases"],
        health.HealthScores(frames["health_scores"], frames["health_details"]),
        risk.RiskFlags(frames["flags"], frames["evidence"]),
        frames["risk"],
        frames["plays"],
    )
