"""What the account health workbook shows, one function per cell.

The workbooks hold no logic of their own; each of their cells calls one
function here. Every function takes the :class:`AccountReport` (or the
portfolio table) built once at the top of the workbook, so a report is
computed from a single read of the workspace with one as-of date and one
set of parameters.

The portfolio's workbook draws on :mod:`cskit.portfolio_report`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cskit import health, metrics
from cskit.analysis import (
    Analysis,
    analyse,
    earlier_history,
    load_analysis,
    start_utc,
)
from cskit.params import Settings, config_hash, load_settings
from cskit.pulse import PulseScorer, account_pulse, texts_from_tables
from cskit.themes import theme_summary
from cskit.workspace import Workspace, resolve_workspace

__all__ = [
    "AccountReport",
    "metric_results",
    "Note",
    "load_account_report",
    "account_header",
    "headline",
    "lifecycle_phase",
    "phase_summary",
    "health_summary",
    "health_groups",
    "health_drivers",
    "risk_flags",
    "flag_evidence",
    "open_plays",
    "plot_health_history",
    "plot_usage",
    "plot_developers",
    "plot_revenue",
    "support_summary",
    "plot_tickets",
    "survey_summary",
    "recent_comments",
    "pulse_summary",
    "pulse_evidence",
    "feedback_themes",
]

logger = logging.getLogger(__name__)

_TARGETS = {
    "nrr": ("nrr_pct", ">="),
    "grr": ("grr_pct", ">="),
    "nps": ("nps", ">="),
    "csat": ("csat_pct", ">="),
    "ttv_days": ("ttv_days", "<="),
    "seat_utilisation": ("seat_utilisation_pct", ">="),
}


class Note(str):
    """A sentence a report shows as text, in place of a table or a plot."""

    def _repr_markdown_(self) -> str:
        return f"*{self}*"


@dataclass
class AccountReport:
    """Everything one account's report is drawn from.

    Attributes
    ----------
    account_id : str
    as_of : datetime.date
        Data at or after the start of this day is not seen.
    account : pandas.Series
        The account's row of the ``accounts`` table.
    tables : dict of str to pandas.DataFrame
        The account's slice of every table the workspace has.
    missing : dict of str to str
        Tables the workspace lacks, with the reason.
    settings : Settings
    config_hash : str
    metrics : dict of str to MetricResult
    texts : pandas.DataFrame
        The account's texts, cleaned and scored (and with their feedback
        theme when the workspace has been enriched).
    themes_ready : bool
        Whether the workspace holds feedback themes.
    pulse : cskit.pulse.PulseResult
        The account's Engagement Pulse.
    analysis : cskit.analysis.Analysis
        Phase, health score, risk flags and level, open plays.
    history : pandas.DataFrame or None
        The account's stored health scores of earlier runs.
    """

    account_id: str
    as_of: date
    account: pd.Series
    tables: dict
    missing: dict
    settings: Settings
    config_hash: str
    metrics: dict
    texts: pd.DataFrame
    themes_ready: bool
    pulse: object
    analysis: Analysis
    history: pd.DataFrame | None


def load_account_report(
    *,
    workspace: str | Path | None = None,
    account_id: str | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
    analysis_dir: str | Path | None = None,
) -> AccountReport:
    """Read one account's data and compute everything its report shows.

    Parameters
    ----------
    workspace : str or pathlib.Path, optional
        By default the workspace :func:`cskit.workspace.resolve_workspace`
        finds.
    account_id : str, optional
        By default the workspace's first account.
    as_of : str or datetime.date, optional
        By default the workspace's as-of date (the day after its last event).
    params_file : str or pathlib.Path, optional
        By default ``params/defaults.yaml``.
    analysis_dir : str or pathlib.Path, optional
        A batch's saved analysis (:func:`cskit.analysis.save_analysis`) for
        the same as-of date and parameters; computed here when not given.

    Returns
    -------
    AccountReport
    """
    from cskit.runner import parse_as_of

    with Workspace(resolve_workspace(workspace)) as ws:
        account_id = account_id or ws.account_ids()[0]
        as_of = parse_as_of(as_of) or ws.default_as_of()
        tables = ws.account_tables(account_id)
        missing = ws.missing_tables()
        texts = ws.derived("text_analysis", account_id=account_id)
        history = earlier_history(
            ws.derived("health_history", account_id=account_id), as_of
        )
    settings = load_settings(params_file, account_id=account_id)
    themes_ready = texts is not None
    if texts is None:
        texts = PulseScorer().score_frame(texts_from_tables(tables))
    result = None
    if analysis_dir is not None:
        result = load_analysis(analysis_dir, account_id=account_id)
    if result is None:
        result = analyse(tables, as_of=as_of, settings=settings, texts=texts)
    account = tables["accounts"].iloc[0]
    pulse = account_pulse(
        texts,
        as_of=start_utc(as_of, account.get("timezone")),
        account_id=account_id,
        **settings.pulse.model_dump(exclude={"themes_window_days"}),
    )
    logger.info("account %s read as of %s", account_id, as_of)
    return AccountReport(
        account_id,
        as_of,
        account,
        tables,
        missing,
        settings,
        config_hash(settings),
        metric_results(result.signals.iloc[0]),
        texts,
        themes_ready,
        pulse,
        result,
        history,
    )


def metric_results(row: pd.Series) -> dict:
    """Return the metrics of one metrics-table row as MetricResults.

    The metrics table is :func:`cskit.analysis.analyse`'s ``signals``.
    """
    results = {}
    for name in metrics.METRICS:
        status = row[f"{name}_status"]
        value = row[name] if status == "ok" else None
        results[name] = metrics.MetricResult(
            name=name,
            value=None if value is None else float(value),
            status=status,
            reason=row[f"{name}_reason"] or "",
            unit=metrics.UNITS[name],
            warning=row.get(f"{name}_warning", "") or "",
        )
    return results


def account_header(report: AccountReport) -> pd.DataFrame:
    """Return the account's identity, contract and the report's provenance."""
    account = report.account
    fields = {
        "account": account.get("name"),
        "account_id": report.account_id,
        "segment": account.get("segment"),
        "tier": account.get("tier"),
        "plan": account.get("plan"),
        "CSM": account.get("csm"),
        "timezone": account.get("timezone"),
        "renewal date": _day(account.get("renewal_date")),
        "lifecycle phase": lifecycle_phase(report)[0],
        "as of": report.as_of.isoformat(),
        "configuration": report.config_hash,
    }
    values = ["—" if pd.isna(v) else str(v) for v in fields.values()]
    return pd.DataFrame({"": list(fields), "value": values}).set_index("")


def _day(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def headline(report: AccountReport) -> pd.DataFrame:
    """Return the headline KPIs against the playbook's targets.

    Returns
    -------
    pandas.DataFrame
        One row per metric: value, unit, target, whether it is met, status
        and a note: why the value is missing, or why it is suspect.
    """
    table = metrics.as_table(report.metrics)
    targets = report.settings.targets
    table["target"] = [_target_text(m, targets) for m in table["metric"]]
    table["on target"] = [
        _on_target(m, v, targets)
        for m, v in zip(table["metric"], table["value"], strict=True)
    ]
    table["value"] = table["value"].round(1)
    table["note"] = table["reason"].where(table["reason"] != "", table["warning"])
    columns = ["metric", "value", "unit", "target", "on target", "status", "note"]
    return table[columns].set_index("metric")


def _target_text(metric: str, targets) -> str:
    if metric not in _TARGETS:
        return ""
    name, sense = _TARGETS[metric]
    return f"{sense} {getattr(targets, name):g}"


def _on_target(metric: str, value, targets) -> str:
    if metric not in _TARGETS or pd.isna(value):
        return ""
    name, sense = _TARGETS[metric]
    goal = getattr(targets, name)
    met = value >= goal if sense == ">=" else value <= goal
    return "yes" if met else "no"


def lifecycle_phase(report: AccountReport) -> tuple[str, str]:
    """Return the account's lifecycle phase and the rule that placed it there.

    The rules are :func:`cskit.lifecycle.lifecycle_phase`'s.
    """
    row = report.analysis.phases.iloc[0]
    return row["phase"], row["rule"]


def phase_summary(report: AccountReport) -> Note:
    """Return the lifecycle phase and the rule that placed the account there."""
    phase, rule = lifecycle_phase(report)
    return Note(f"{phase}: {rule}.")


def health_summary(report: AccountReport) -> pd.DataFrame:
    """Return the health score, band and trend, risk level and phase.

    The trend compares with the account's stored score 30 days or more
    before (from earlier batch runs); without one it is not available.
    """
    scores = report.analysis.health.scores.iloc[0]
    level = report.analysis.risk.iloc[0]
    trend = _trend(report, scores["score"])
    fields = {
        "health score": _number(scores["score"]),
        "health band": scores["band"],
        "trend": trend,
        "risk level": level["risk"],
        "risk flags raised": int(level["flags_raised"]),
        "lifecycle phase": lifecycle_phase(report)[0],
        "health profile": scores["profile"],
        "health configuration": scores["config_hash"],
    }
    return pd.DataFrame(
        {"": list(fields), "value": list(map(str, fields.values()))}
    ).set_index("")


def _number(value) -> str:
    return "—" if pd.isna(value) else f"{value:.0f}"


def _trend(report: AccountReport, score) -> str:
    if report.history is None:
        return "not available (no earlier score stored)"
    current = health.history_rows(report.analysis.health, as_of=report.as_of)
    combined = pd.concat([report.history, current])
    trend = health.health_trend(combined, as_of=report.as_of)
    if trend.empty or trend.iloc[0]["trend"] == "not_available":
        return "not available (no score 30 days before)"
    row = trend.iloc[0]
    return f"{row['trend']} ({row['change']:+.0f} since {_day(row['previous_as_of'])})"


def health_groups(report: AccountReport) -> pd.DataFrame:
    """Return the score of each group of measures (0–100)."""
    scores = report.analysis.health.scores
    details = report.analysis.health.details
    # The account's own profile decides its groups, whatever other accounts use.
    names = details.loc[details["account_id"] == report.account_id, "group"].unique()
    values = scores.iloc[0][[f"group_{name}" for name in names]].astype(float)
    return pd.DataFrame(
        {"group": list(names), "score": values.round(0).to_numpy()}
    ).set_index("group")


def health_drivers(report: AccountReport) -> pd.DataFrame | Note:
    """Return the measures that pull the score down most and lift it most."""
    drivers = health.health_drivers(report.analysis.health, report.account_id)
    if drivers.empty:
        return Note("No measure could be scored for this account.")
    columns = ["direction", "measure", "value", "points", "weight", "reason"]
    return drivers[columns].round(2).set_index("measure")


def risk_flags(report: AccountReport) -> pd.DataFrame | Note:
    """Return the raised risk flags with their reading and severity."""
    flags = report.analysis.flags.flags
    raised = flags[(flags["account_id"] == report.account_id) & flags["raised"]]
    if raised.empty:
        return Note("No risk flag raised.")
    return raised[["flag", "severity", "detail"]].set_index("flag")


def flag_evidence(report: AccountReport, *, limit: int = 15) -> pd.DataFrame | Note:
    """Return the rows of data behind the raised flags."""
    evidence = report.analysis.flags.evidence
    mine = evidence[evidence["account_id"] == report.account_id]
    if mine.empty:
        return Note("No evidence rows: no flag raised.")
    shown = mine.assign(when=pd.to_datetime(mine["when"]).dt.strftime("%Y-%m-%d"))
    columns = ["flag", "source", "ref", "when", "detail"]
    return shown[columns].head(limit).fillna("").set_index("flag")


def open_plays(report: AccountReport) -> pd.DataFrame | Note:
    """Return the plays the flags call for, with owner and due date."""
    plays = report.analysis.plays
    mine = plays[plays["account_id"] == report.account_id]
    if mine.empty:
        return Note("No open play.")
    shown = mine.assign(due=pd.to_datetime(mine["due"]).dt.strftime("%Y-%m-%d"))
    return shown[["title", "owner", "due", "flags", "why"]].set_index("title")


def plot_health_history(report: AccountReport):
    """Plot the stored health scores and this one, marking configuration changes."""
    if report.history is None:
        return Note(
            "No earlier health score stored: batch runs store one per as-of date."
        )
    current = health.history_rows(report.analysis.health, as_of=report.as_of)
    combined = pd.concat([report.history, current], ignore_index=True)
    return health.plot_health_history(combined, account_id=report.account_id)


def plot_usage(report: AccountReport):
    """Plot weekly product events over the last 26 weeks, silent weeks as zero.

    Returns
    -------
    matplotlib.figure.Figure or Note
        A sentence saying why, when there are no events to plot.
    """
    events = report.tables.get("events")
    if events is None:
        return _not_available("events", report)
    end = _as_of_utc(report)
    weeks = pd.date_range(end=end, periods=27, freq="7D")
    window = events[(events["ts"] >= weeks[0]) & (events["ts"] < end)]
    if window.empty:
        return Note("No product event in the last 26 weeks.")
    weekly = (
        window["count"]
        .astype(float)
        .groupby(pd.cut(window["ts"], weeks, right=False), observed=False)
        .sum()
    )
    fig = Figure(figsize=(9, 3))
    axis = fig.subplots()
    axis.plot(weeks[:-1], weekly.to_numpy(), color="#2f6db5", marker=".")
    axis.set_title("Product events per week (last 26 weeks)")
    axis.set_ylabel("events")
    axis.set_ylim(bottom=0)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_developers(report: AccountReport):
    """Plot monthly active developers per calendar month of the account.

    Returns
    -------
    matplotlib.figure.Figure or Note
        A sentence saying why, when developer activity cannot be counted.
    """
    mad = metrics.mad_by_month(
        report.tables, as_of=report.as_of, timezone=_timezone(report)
    )
    if mad.empty:
        reason = mad.attrs.get("reason", "no developer activity recorded")
        return Note(f"Monthly active developers not available: {reason}.")
    fig = Figure(figsize=(9, 2.8))
    axis = fig.subplots()
    axis.bar(mad["month"].dt.strftime("%Y-%m"), mad["mad"], color="#5a9e6f")
    axis.set_title("Monthly active developers")
    axis.tick_params(axis="x", rotation=60, labelsize=7)
    fig.tight_layout()
    return fig


def _as_of_utc(report: AccountReport) -> pd.Timestamp:
    return start_utc(report.as_of, report.account.get("timezone"))


def _timezone(report: AccountReport) -> str:
    zone = report.account.get("timezone")
    return "UTC" if pd.isna(zone) else zone


def plot_revenue(report: AccountReport):
    """Plot monthly recurring revenue, in the account's currency.

    Returns
    -------
    matplotlib.figure.Figure or str
        A sentence saying why, when there is no revenue to plot.
    """
    revenue = report.tables.get("revenue")
    if revenue is None:
        return _not_available("revenue", report)
    if revenue.empty:
        return Note("No revenue recorded for this account.")
    shown = revenue[revenue["month"] < pd.Timestamp(report.as_of)].sort_values("month")
    currency = (
        shown["currency"].dropna().iloc[0] if shown["currency"].notna().any() else ""
    )
    fig = Figure(figsize=(9, 3))
    axis = fig.subplots()
    axis.step(shown["month"], shown["mrr"], where="post", color="#7a4fb5")
    axis.set_title(f"MRR per month {currency}".strip())
    axis.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def support_summary(report: AccountReport) -> pd.DataFrame | str:
    """Count tickets per priority: created in the window, and still open.

    Returns
    -------
    pandas.DataFrame or str
        A sentence saying why, when there is no ``tickets`` table.
    """
    tickets = report.tables.get("tickets")
    if tickets is None:
        return _not_available("tickets", report)
    as_of = _as_of_utc(report)
    window = pd.Timedelta(days=report.settings.metrics.ticket_window_days)
    seen = tickets[tickets["created_at"] < as_of]
    recent = seen[seen["created_at"] >= as_of - window]
    open_ = seen[seen["solved_at"].isna() | (seen["solved_at"] >= as_of)]
    if recent.empty and open_.empty:
        return Note(f"No ticket created in the last {window.days} days, none open.")
    priority = lambda frame: frame["priority"].fillna("unknown")  # noqa: E731
    table = (
        pd.DataFrame(
            {
                f"created, last {window.days} days": priority(recent).value_counts(),
                "open at as-of": priority(open_).value_counts(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    return table.sort_index()


def _not_available(table: str, report: AccountReport) -> Note:
    reason = report.missing.get(table, f"the workspace has no {table} table")
    return Note(f"Not available: {reason.rstrip('.')}.")


def plot_tickets(report: AccountReport):
    """Plot tickets created per month over the last 12 months."""
    tickets = report.tables.get("tickets")
    if tickets is None:
        return _not_available("tickets", report)
    as_of = _as_of_utc(report)
    seen = tickets[
        (tickets["created_at"] < as_of)
        & (tickets["created_at"] >= as_of - pd.Timedelta(days=365))
    ]
    if seen.empty:
        return Note("No tickets created in the last 12 months.")
    months = seen["created_at"].dt.tz_convert(_timezone(report)).dt.strftime("%Y-%m")
    counts = months.value_counts().sort_index()
    fig = Figure(figsize=(9, 2.8))
    axis = fig.subplots()
    axis.bar(counts.index, counts.values, color="#c0504d")
    axis.set_title("Tickets created per month")
    axis.tick_params(axis="x", rotation=60, labelsize=7)
    fig.tight_layout()
    return fig


def survey_summary(report: AccountReport) -> pd.DataFrame | str:
    """Summarise survey responses per kind within the survey window."""
    surveys = _recent_surveys(report)
    if isinstance(surveys, str):
        return surveys
    table = surveys.groupby("kind")["score"].agg(["count", "mean", "min", "max"])
    return table.round(2)


def _recent_surveys(report: AccountReport):
    surveys = report.tables.get("surveys")
    if surveys is None:
        return _not_available("surveys", report)
    as_of = _as_of_utc(report)
    window = pd.Timedelta(days=report.settings.metrics.survey_window_days)
    return surveys[
        (surveys["submitted_at"] < as_of) & (surveys["submitted_at"] >= as_of - window)
    ]


def recent_comments(report: AccountReport, *, limit: int = 5) -> pd.DataFrame | None:
    """Return the latest survey comments, newest first, as evidence.

    Returns None (nothing shown) when there is no ``surveys`` table: the
    survey summary above already says so.
    """
    surveys = _recent_surveys(report)
    if isinstance(surveys, str):
        return None
    comments = surveys.dropna(subset=["comment"]).sort_values(
        ["submitted_at", "response_id"], ascending=[False, True]
    )
    comments = comments.head(limit).assign(
        date=lambda f: f["submitted_at"].dt.strftime("%Y-%m-%d")
    )
    return comments[["date", "kind", "score", "comment"]].set_index("date")


def pulse_summary(report: AccountReport) -> pd.DataFrame | Note:
    """Return the Engagement Pulse overall and by source, with trend and volume.

    The Pulse runs from -1 (negative) to +1 (positive); confidence grows
    with the number and recency of scored texts.
    """
    pulse = report.pulse
    if pulse.status != "ok":
        return Note(f"Engagement Pulse not available: {pulse.reason}")
    overall = pd.DataFrame(
        {
            "pulse": [pulse.pulse],
            "confidence": [pulse.confidence],
            "scored": [pulse.counts.get("scored", 0)],
        },
        index=pd.Index(["overall"], name="source"),
    )
    by_source = pulse.by_source.set_index("source")[["pulse", "confidence", "scored"]]
    table = pd.concat([overall, by_source])
    table["trend"] = [pulse.trend, *[None] * len(by_source)]
    return table.round(2)


def pulse_evidence(report: AccountReport) -> pd.DataFrame | Note:
    """Return the most negative and most positive snippets behind the Pulse."""
    evidence = report.pulse.evidence
    if evidence is None or evidence.empty:
        return Note("No scored text in the Pulse window.")
    shown = evidence.assign(date=evidence["ts"].dt.strftime("%Y-%m-%d"))
    columns = ["polarity", "score", "source", "date", "snippet"]
    return shown[columns].round(2).set_index("polarity")


def feedback_themes(report: AccountReport) -> pd.DataFrame | Note:
    """Return the account's feedback themes in the window, with Pulse and trend."""
    if not report.themes_ready:
        return Note(
            "Feedback themes not computed for this workspace; run "
            "`cskit ingest` (or `cskit enrich`) to compute them."
        )
    texts = report.texts[report.texts["theme"].notna()]
    summary = theme_summary(
        texts,
        as_of=_as_of_utc(report),
        by_account=False,
        window_days=report.settings.pulse.themes_window_days,
    )
    if summary.empty:
        return Note("No feedback in the themes window.")
    columns = ["theme_label", "count", "share", "pulse", "prior_count", "trend"]
    return summary[columns].set_index("theme_label").round(2)
