"""What the workbooks show: one account's report and the portfolio's.

The workbooks hold no logic of their own; each of their cells calls one
function here. Every function takes the :class:`AccountReport` (or the
portfolio table) built once at the top of the workbook, so a report is
computed from a single read of the workspace with one as-of date and one
set of parameters.

Limitations
-----------
The lifecycle phase follows the simple written rules of
:func:`lifecycle_phase`; the health score and risk flags are not part of
this report yet.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cskit import metrics
from cskit.params import Settings, config_hash, load_settings
from cskit.pulse import PulseScorer, account_pulse, portfolio_pulse, texts_from_tables
from cskit.themes import theme_summary
from cskit.workspace import Workspace, resolve_workspace

__all__ = [
    "AccountReport",
    "Note",
    "load_account_report",
    "account_header",
    "headline",
    "lifecycle_phase",
    "phase_summary",
    "plot_usage",
    "plot_revenue",
    "support_summary",
    "plot_tickets",
    "survey_summary",
    "recent_comments",
    "pulse_summary",
    "pulse_evidence",
    "feedback_themes",
    "portfolio_table",
    "portfolio_overview",
    "portfolio_accounts",
    "plot_portfolio",
    "index_page",
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


def load_account_report(
    *,
    workspace: str | Path | None = None,
    account_id: str | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
) -> AccountReport:
    """Read one account's data and compute its metrics.

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
    settings = load_settings(params_file, account_id=account_id)
    results = metrics.account_metrics(
        tables, as_of=as_of, settings=_metric_settings(settings)
    )
    themes_ready = texts is not None
    if texts is None:
        texts = PulseScorer().score_frame(texts_from_tables(tables))
    account = tables["accounts"].iloc[0]
    pulse = account_pulse(
        texts, as_of=_start_utc(as_of, account.get("timezone")), account_id=account_id,
        **settings.pulse.model_dump(exclude={"themes_window_days"}),
    )
    logger.info("account %s read as of %s", account_id, as_of)
    return AccountReport(
        account_id, as_of, account, tables, missing, settings,
        config_hash(settings), results, texts, themes_ready, pulse,
    )


def _start_utc(as_of: date, zone) -> pd.Timestamp:
    """Return the start of the as-of day in the account's timezone, in UTC."""
    zone = "UTC" if pd.isna(zone) else zone
    return pd.Timestamp(as_of).tz_localize(zone).tz_convert("UTC")


def _metric_settings(settings: Settings) -> metrics.MetricSettings:
    return metrics.MetricSettings(**settings.metrics.model_dump())


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
        _on_target(m, v, targets) for m, v in zip(table["metric"], table["value"])
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
    """Place the account in its lifecycle phase, with the rule that applied.

    The rules, first match wins: churned before as-of; **Onboarding** while
    no app is live and kickoff was less than ``onboarding_days`` ago;
    **Renewal** when the renewal date falls within ``renewal_window_days``;
    **Expansion** when seat utilisation is at or above its target;
    **Adoption** otherwise.

    Returns
    -------
    tuple of str
        The phase and the rule, in words.
    """
    account, rules = report.account, report.settings.lifecycle
    as_of = pd.Timestamp(report.as_of)
    churned = account.get("churned_at")
    if pd.notna(churned) and pd.Timestamp(churned) < as_of:
        return "Churned", f"churned on {_day(churned)}"
    live = report.metrics["live_apps"]
    kickoff = account.get("kickoff_date")
    if pd.notna(kickoff) and not (live.value or 0) > 0:
        if (as_of - pd.Timestamp(kickoff)).days < rules.onboarding_days:
            return "Onboarding", "no live app yet, kickoff under 90 days ago"
    renewal = account.get("renewal_date")
    window = timedelta(days=rules.renewal_window_days)
    if pd.notna(renewal) and as_of <= pd.Timestamp(renewal) < as_of + window:
        return "Renewal", f"renewal on {_day(renewal)}"
    seats = report.metrics["seat_utilisation"]
    if seats.status == "ok" and seats.value >= report.settings.targets.seat_utilisation_pct:
        return "Expansion", "seat utilisation at or above target"
    return "Adoption", "live, not renewing within the window"


def phase_summary(report: AccountReport) -> Note:
    """Return the lifecycle phase and the rule that placed the account there."""
    phase, rule = lifecycle_phase(report)
    return Note(f"{phase}: {rule}.")


def plot_usage(report: AccountReport):
    """Plot weekly product events and monthly active developers.

    Returns
    -------
    matplotlib.figure.Figure or str
        A sentence saying why, when there are no events to plot.
    """
    events = report.tables.get("events")
    if events is None:
        return _not_available("events", report)
    if events.empty:
        return Note("No product events recorded for this account.")
    start = pd.Timestamp(report.as_of, tz="UTC") - pd.Timedelta(weeks=26)
    window = events[(events["ts"] >= start) & (events["ts"] < _as_of_utc(report))]
    weekly = window.set_index("ts")["count"].astype(float).resample("W-MON").sum()
    fig = Figure(figsize=(9, 5.5))
    top, bottom = fig.subplots(2, 1)
    top.plot(weekly.index, weekly.values, color="#2f6db5")
    top.set_title("Product events per week (last 26 weeks)")
    top.set_ylabel("events")
    mad = metrics.mad_by_month(
        report.tables, as_of=report.as_of, timezone=_timezone(report)
    )
    bottom.bar(mad["month"].dt.strftime("%Y-%m"), mad["mad"], color="#5a9e6f")
    bottom.set_title("Monthly active developers")
    bottom.tick_params(axis="x", rotation=60, labelsize=7)
    fig.tight_layout()
    return fig


def _as_of_utc(report: AccountReport) -> pd.Timestamp:
    return _start_utc(report.as_of, report.account.get("timezone"))


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
    currency = shown["currency"].dropna().iloc[0] if shown["currency"].notna().any() else ""
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
    priority = lambda frame: frame["priority"].fillna("unknown")  # noqa: E731
    table = pd.DataFrame(
        {
            f"created, last {window.days} days": priority(recent).value_counts(),
            "open at as-of": priority(open_).value_counts(),
        }
    ).fillna(0).astype(int)
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
    seen = tickets[(tickets["created_at"] < as_of)
                   & (tickets["created_at"] >= as_of - pd.Timedelta(days=365))]
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
    return surveys[(surveys["submitted_at"] < as_of)
                   & (surveys["submitted_at"] >= as_of - window)]


def recent_comments(report: AccountReport, *, limit: int = 5) -> pd.DataFrame | str:
    """Return the latest survey comments, newest first, as evidence."""
    surveys = _recent_surveys(report)
    if isinstance(surveys, str):
        return surveys
    comments = surveys.dropna(subset=["comment"]).sort_values(
        ["submitted_at", "response_id"], ascending=[False, True]
    )
    comments = comments.head(limit).assign(
        date=lambda f: f["submitted_at"].dt.strftime("%Y-%m-%d")
    )
    return comments[["date", "kind", "score", "comment"]].reset_index(drop=True)


def pulse_summary(report: AccountReport) -> pd.DataFrame | Note:
    """Return the Engagement Pulse overall and by source, with trend and volume.

    The Pulse runs from -1 (negative) to +1 (positive); confidence grows
    with the number and recency of scored texts.
    """
    pulse = report.pulse
    if pulse.status != "ok":
        return Note(f"Engagement Pulse not available: {pulse.reason}")
    overall = pd.DataFrame(
        {"pulse": [pulse.pulse], "confidence": [pulse.confidence],
         "scored": [pulse.counts.get("scored", 0)]},
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
    return shown[["polarity", "score", "source", "date", "snippet"]].round(2)


def feedback_themes(report: AccountReport) -> pd.DataFrame | Note:
    """Return the account's feedback themes in the window, with Pulse and trend."""
    if not report.themes_ready:
        return Note("Feedback themes not computed for this workspace; run "
                    "`cskit ingest` (or `cskit enrich`) to compute them.")
    texts = report.texts[report.texts["theme"].notna()]
    summary = theme_summary(
        texts, as_of=_as_of_utc(report), by_account=False,
        window_days=report.settings.pulse.themes_window_days,
    )
    if summary.empty:
        return Note("No feedback in the themes window.")
    columns = ["theme_label", "count", "share", "pulse", "prior_count", "trend"]
    return summary[columns].set_index("theme_label").round(2)


def portfolio_table(
    *,
    workspace: str | Path | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
) -> pd.DataFrame:
    """Compute every account's metrics: the batch's portfolio table.

    Returns
    -------
    pandas.DataFrame
        One row per account: ``account_id``, name, segment, tier, csm, then
        per metric its value, ``<metric>_status`` and ``<metric>_reason``.
    """
    from cskit.runner import parse_as_of

    with Workspace(resolve_workspace(workspace)) as ws:
        as_of = parse_as_of(as_of) or ws.default_as_of()
        tables = ws.portfolio_tables()
        texts = ws.derived("text_analysis")
    settings = load_settings(params_file)
    table = metrics.portfolio_metrics(
        tables, as_of=as_of, settings=_metric_settings(settings)
    )
    if texts is None:
        texts = PulseScorer().score_frame(texts_from_tables(tables))
    pulse = _portfolio_pulse(texts, tables["accounts"], as_of, settings)
    identity = tables["accounts"][["account_id", "name", "segment", "tier", "csm"]]
    table = identity.merge(table, on="account_id", how="right")
    table = table.merge(pulse, on="account_id", how="left")
    return table.sort_values("account_id").reset_index(drop=True)


def _portfolio_pulse(texts, accounts, as_of: date, settings: Settings) -> pd.DataFrame:
    """Compute every account's Pulse as of the start of as-of in its timezone."""
    options = settings.pulse.model_dump(exclude={"themes_window_days", "evidence_n"})
    zones = accounts["timezone"].fillna("UTC")
    parts = []
    for zone, group in accounts.groupby(zones):
        chosen = texts[texts["account_id"].isin(group["account_id"])]
        parts.append(portfolio_pulse(
            chosen, as_of=_start_utc(as_of, zone), accounts=group["account_id"], **options
        ))
    columns = ["account_id", "pulse", "pulse_status", "pulse_reason",
               "pulse_confidence", "pulse_trend"]
    return pd.concat(parts)[columns]


def portfolio_overview(portfolio: pd.DataFrame) -> pd.DataFrame:
    """Summarise each metric over the portfolio: accounts with a value, median."""
    rows = []
    for metric in [*metrics.METRICS, "pulse"]:
        values = portfolio[metric]
        rows.append(
            {
                "metric": metric,
                "accounts with a value": int(values.notna().sum()),
                "not available": int((portfolio[f"{metric}_status"] == "not_available").sum()),
                "median": round(values.median(), 1) if values.notna().any() else None,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def portfolio_accounts(portfolio: pd.DataFrame) -> pd.DataFrame:
    """Return one display row per account: identity and every metric's value.

    A value that is not available or undefined shows as a dash.
    """
    columns = ["account_id", "name", "segment", "tier", *metrics.METRICS, "pulse"]
    table = portfolio[columns].set_index("account_id")
    return table.round(1).astype(object).where(table.notna(), "—")


def plot_portfolio(portfolio: pd.DataFrame, *, columns: tuple[str, ...] = (
    "mad", "seat_utilisation", "nps", "nrr", "pulse")):
    """Plot the distribution of a few metrics over the portfolio."""
    fig = Figure(figsize=(3 * len(columns), 2.8))
    axes = fig.subplots(1, len(columns))
    for axis, column in zip(axes, columns):
        values = portfolio[column].dropna()
        axis.hist(values, bins=15, color="#2f6db5")
        axis.set_title(column)
    fig.tight_layout()
    return fig


def index_page(portfolio: pd.DataFrame, runs, extra, *, run_dir: Path) -> str:
    """Return the batch's ``index.html``: every report with its status."""
    names = dict(zip(portfolio["account_id"], portfolio["name"]))
    rows = []
    for run in runs:
        link = _link(run.html, run_dir, run.account_id)
        error = html.escape(run.error)
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape(str(names.get(run.account_id, '')))}"
            f"</td><td>{run.status}</td><td>{error}</td></tr>"
        )
    pages = " · ".join(_link(r.html, run_dir, "portfolio report") for r in extra)
    failed = sum(run.status != "ok" for run in runs)
    return _INDEX.format(
        run=html.escape(run_dir.name),
        count=len(runs),
        failed=failed,
        pages=pages,
        rows="\n".join(rows),
    )


def _link(target: str, run_dir: Path, text: str) -> str:
    if not target:
        return html.escape(text)
    relative = Path(target).resolve().relative_to(run_dir.resolve())
    return f'<a href="{html.escape(relative.as_posix())}">{html.escape(text)}</a>'


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cskit run {run}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 10px}}
tr:nth-child(even){{background:#f3f3f3}}</style></head><body>
<h1>cskit run {run}</h1>
<p>{count} accounts, {failed} failed. {pages} ·
<a href="portfolio.csv">portfolio.csv</a> · <a href="run_log.csv">run log</a></p>
<table><thead><tr><th>account</th><th>name</th><th>status</th><th>error</th></tr>
</thead><tbody>
{rows}
</tbody></table></body></html>
"""
