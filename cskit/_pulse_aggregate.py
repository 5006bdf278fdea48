"""The per-account Engagement Pulse from scored texts.

Private helpers of :mod:`cskit.pulse`: :class:`PulseResult`,
:func:`account_pulse` and :func:`portfolio_pulse`, with time decay,
confidence, trend, counts and evidence snippets in a half-open window before
the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cskit._pulse_scoring import SOURCES, STATUSES, _require_columns
from cskit.exceptions import InvalidInputError

__all__: list[str] = []


_SCORED_COLUMNS = ("account_id", "source", "ts", "score", "status")


@dataclass
class PulseResult:
    """The Engagement Pulse of one account as of a date.

    Attributes
    ----------
    account_id : str
        The account.
    pulse : float
        Decay-weighted mean text score (-1..1) in the window; NaN unless
        ``status`` is ``ok``.
    status, reason : str
        ``ok`` or ``not_available`` and why.
    confidence : float
        0..1, grows with the decay-weighted number of scored texts.
    trend : float
        Pulse minus the prior window's Pulse; NaN unless ``trend_status`` is ok.
    trend_status : str
        ``ok`` or ``not_available``.
    by_source : pandas.DataFrame
        One row per source: pulse, status, confidence, scored, unscored.
    counts : dict
        Texts in the window: scored, no_text, unscored_language, total.
    evidence : pandas.DataFrame
        The most negative and most positive cleaned texts: polarity, score,
        source, ts, ref, snippet.
    """

    account_id: str
    pulse: float
    status: str
    reason: str
    confidence: float
    trend: float
    trend_status: str
    by_source: pd.DataFrame
    counts: dict[str, int]
    evidence: pd.DataFrame = field(repr=False)

    def to_row(self) -> dict[str, Any]:
        """Return the result as one portfolio row (see :func:`portfolio_pulse`)."""
        row: dict[str, Any] = {
            "account_id": self.account_id,
            "pulse": self.pulse,
            "pulse_status": self.status,
            "pulse_reason": self.reason,
            "pulse_confidence": self.confidence,
            "pulse_trend": self.trend,
            "pulse_trend_status": self.trend_status,
        }
        by_source = self.by_source.set_index("source")
        for source in SOURCES:
            row[f"pulse_{source}"] = by_source.loc[source, "pulse"]
        row.update({f"texts_{key}": value for key, value in self.counts.items()})
        return row


def _as_of_timestamp(as_of: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(as_of)
    if stamp is pd.NaT:
        raise InvalidInputError(
            f"as_of={as_of!r} is not a date; pass e.g. '2024-06-30'."
        )
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_window(half_life_days: float, window_days: int, confidence_k: float) -> None:
    for name, value in (
        ("half_life_days", half_life_days),
        ("window_days", window_days),
        ("confidence_k", confidence_k),
    ):
        if not value > 0:
            raise InvalidInputError(
                f"{name}={value!r} must be a positive number of days (or texts); "
                f"pass e.g. {name}=30."
            )


def _weighted_pulse(
    scored: pd.DataFrame, end: pd.Timestamp, half_life_days: float, confidence_k: float
) -> tuple[float, float]:
    if scored.empty:
        return float("nan"), 0.0
    age_days = (end - scored["ts"]).dt.total_seconds().to_numpy() / 86_400
    weights = 0.5 ** (age_days / half_life_days)
    pulse = float(np.average(scored["score"].to_numpy(dtype=float), weights=weights))
    weight = float(weights.sum())
    return pulse, weight / (weight + confidence_k)


def _window(
    texts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    return texts[(texts["ts"] >= start) & (texts["ts"] < end)]


def _source_rows(current, as_of, half_life_days, confidence_k) -> pd.DataFrame:
    rows = []
    for source in SOURCES:
        part = current[current["source"] == source]
        scored = part[part["status"] == "scored"]
        pulse, confidence = _weighted_pulse(scored, as_of, half_life_days, confidence_k)
        rows.append(
            {
                "source": source,
                "pulse": pulse,
                "status": "ok" if len(scored) else "not_available",
                "confidence": confidence,
                "scored": len(scored),
                "unscored": len(part) - len(scored),
            }
        )
    return pd.DataFrame(rows)


def _evidence(current: pd.DataFrame, n: int, width: int = 240) -> pd.DataFrame:
    scored = current[current["status"] == "scored"].sort_values("score", kind="stable")
    negative = scored[scored["score"] < 0].head(n).assign(polarity="negative")
    positive = (
        scored[scored["score"] > 0].iloc[::-1].head(n).assign(polarity="positive")
    )
    evidence = pd.concat([negative, positive], ignore_index=True)
    cleaned = evidence.get("cleaned", pd.Series([""] * len(evidence), dtype="str"))
    snippet = cleaned.fillna("").str.replace("\n", " ").str.slice(0, width)
    columns = ["polarity", "score", "source", "ts"]
    out = evidence[columns].copy()
    out["ref"] = evidence["ref"] if "ref" in evidence else pd.NA
    out["snippet"] = snippet.to_numpy()
    return out.reset_index(drop=True)


def _counts(current: pd.DataFrame) -> dict[str, int]:
    counts = {status: int((current["status"] == status).sum()) for status in STATUSES}
    counts["total"] = len(current)
    return counts


def account_pulse(
    texts_scored: pd.DataFrame,
    *,
    as_of: Any,
    half_life_days: float = 30,
    window_days: int = 90,
    confidence_k: float = 5.0,
    evidence_n: int = 3,
    account_id: str | None = None,
) -> PulseResult:
    """Compute one account's Engagement Pulse as of a date.

    Texts in ``[as_of - window_days, as_of)`` count, each weighted by
    ``0.5 ** (age_days / half_life_days)``. The confidence is
    ``w / (w + confidence_k)`` with ``w`` the summed weights of scored texts;
    the trend compares with the prior window of the same length.

    Parameters
    ----------
    texts_scored : pandas.DataFrame
        Output of :meth:`PulseScorer.score_frame`: ``account_id`` (str),
        ``source`` (str), ``ts`` (datetime64 UTC), ``score`` (float),
        ``status`` (str); optional ``cleaned`` and ``ref`` for the evidence.
    as_of : date-like
        Start of the as-of day (UTC when naive); later texts are invisible.
    half_life_days, window_days, confidence_k : float
        Decay half-life, window length and confidence scale.
    evidence_n : int
        Snippets kept for each polarity.
    account_id : str, optional
        Keep only this account's rows (default: all rows, one account).

    Returns
    -------
    PulseResult

    Raises
    ------
    MissingColumnError
        If a required column is missing.
    InvalidInputError
        If ``as_of`` or a window parameter is not valid.
    """
    _require_columns(texts_scored, _SCORED_COLUMNS, frame_name="texts_scored")
    _check_window(half_life_days, window_days, confidence_k)
    end = _as_of_timestamp(as_of)
    texts = texts_scored
    if account_id is not None:
        texts = texts[texts["account_id"].astype(str) == str(account_id)]
    texts = texts.assign(ts=pd.to_datetime(texts["ts"], utc=True))

    window = pd.Timedelta(days=window_days)
    current = _window(texts, end - window, end)
    prior = _window(texts, end - 2 * window, end - window)
    pulse, confidence = _weighted_pulse(
        current[current["status"] == "scored"], end, half_life_days, confidence_k
    )
    before, _ = _weighted_pulse(
        prior[prior["status"] == "scored"], end - window, half_life_days, confidence_k
    )

    status, reason = _pulse_status(current, window_days)
    trend = pulse - before
    return PulseResult(
        account_id=_account_name(texts, account_id),
        pulse=pulse if status == "ok" else float("nan"),
        status=status,
        reason=reason,
        confidence=confidence,
        trend=trend,
        trend_status="ok" if trend == trend else "not_available",
        by_source=_source_rows(current, end, half_life_days, confidence_k),
        counts=_counts(current),
        evidence=_evidence(current, evidence_n),
    )


def _account_name(texts: pd.DataFrame, account_id: str | None) -> str:
    if account_id is not None:
        return str(account_id)
    names = texts["account_id"].dropna().astype(str).unique()
    return names[0] if len(names) == 1 else ""


def _pulse_status(current: pd.DataFrame, window_days: int) -> tuple[str, str]:
    if current.empty:
        return (
            "not_available",
            f"no ticket, survey or call text in the last {window_days} days",
        )
    scored = int((current["status"] == "scored").sum())
    if scored == 0:
        counts = _counts(current)
        return "not_available", (
            f"{counts['total']} texts in the last {window_days} days, none scored "
            f"({counts['no_text']} without text, {counts['unscored_language']} "
            "not in English)"
        )
    return "ok", ""


def portfolio_pulse(
    texts_scored: pd.DataFrame,
    *,
    as_of: Any,
    accounts: Iterable[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compute the Engagement Pulse of every account, one row per account.

    Parameters
    ----------
    texts_scored : pandas.DataFrame
        As for :func:`account_pulse`, many accounts.
    as_of : date-like
        The as-of date.
    accounts : iterable of str, optional
        Accounts to report (those without texts get ``not_available``);
        default the accounts present in ``texts_scored``.
    **options
        ``half_life_days``, ``window_days``, ``confidence_k``, ``evidence_n``.

    Returns
    -------
    pandas.DataFrame
        Columns account_id, pulse, pulse_status, pulse_reason,
        pulse_confidence, pulse_trend, pulse_trend_status, pulse_tickets,
        pulse_surveys, pulse_calls, texts_scored, texts_no_text,
        texts_unscored_language, texts_total.
    """
    _require_columns(texts_scored, _SCORED_COLUMNS, frame_name="texts_scored")
    if accounts is None:
        accounts = sorted(texts_scored["account_id"].dropna().astype(str).unique())
    groups = {str(key): part for key, part in texts_scored.groupby("account_id")}
    empty = texts_scored.iloc[0:0]

    rows = [
        account_pulse(
            groups.get(str(account), empty),
            as_of=as_of,
            account_id=str(account),
            **options,
        ).to_row()
        for account in accounts
    ]
    if not rows:
        return pd.DataFrame(columns=_portfolio_columns())
    return pd.DataFrame(rows, columns=_portfolio_columns())


def _portfolio_columns() -> list[str]:
    return [
        "account_id",
        "pulse",
        "pulse_status",
        "pulse_reason",
        "pulse_confidence",
        "pulse_trend",
        "pulse_trend_status",
        *[f"pulse_{source}" for source in SOURCES],
        *[f"texts_{status}" for status in STATUSES],
        "texts_total",
    ]
