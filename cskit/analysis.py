"""One account's or the whole portfolio's health, risk and plays, in one pass.

:func:`analyse` chains the analytics the reports show, in the order the
playbook reads them: the metrics table (every metric, the champion and
roadmap signals, the Engagement Pulse), the lifecycle phase, the health
score, the risk flags with their evidence, the Red / Yellow / Green risk
level and the open plays. The same function serves one account's slice of
the workspace and the whole portfolio, so a batch and a single report give
the same numbers.

A batch computes the portfolio's metrics table once and hands each
account's workbook its row (``signals=``), instead of every workbook
computing the metrics again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cskit import health, lifecycle, plays, risk
from cskit import metrics as _metrics
from cskit.params import Settings
from cskit.pulse import portfolio_pulse

__all__ = ["Analysis", "analyse", "pulse_table", "metric_settings", "start_utc"]

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


def metric_settings(settings: Settings) -> _metrics.MetricSettings:
    """Return the metric settings of a run's settings."""
    return _metrics.MetricSettings(**settings.metrics.model_dump())


def start_utc(as_of: date, zone) -> pd.Timestamp:
    """Return the start of the as-of day in timezone ``zone``, in UTC."""
    zone = "UTC" if pd.isna(zone) else zone
    return pd.Timestamp(as_of).tz_localize(zone).tz_convert("UTC")


def pulse_table(texts: pd.DataFrame, accounts: pd.DataFrame, as_of: date,
                settings: Settings) -> pd.DataFrame:
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
        parts.append(portfolio_pulse(
            chosen, as_of=start_utc(as_of, zone), accounts=group["account_id"],
            **options,
        ))
    return pd.concat(parts, ignore_index=True)


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
    signals = signals.merge(phases[["account_id", "phase"]], on="account_id", how="left")

    scores = health.score_health(signals)
    flags = risk.evaluate_flags(signals, tables=tables, as_of=as_of, health=scores)
    levels = risk.risk_score(flags, health=scores)
    open_plays = plays.open_plays(flags, as_of=as_of, accounts=tables["accounts"])
    logger.info("analysed %d account(s) as of %s", len(signals), as_of)
    return Analysis(signals, phases, scores, flags, levels, open_plays)
