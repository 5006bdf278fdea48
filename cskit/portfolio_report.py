"""What the portfolio workbook and a batch's index show.

:func:`load_portfolio` reads the workspace once and runs
:func:`cskit.analysis.analyse` over every account; the other functions lay
out its results: the portfolio table (one row per account, the batch's
``portfolio.csv``), the Red / Yellow / Green overview, the movers since the
previous run, the accounts by lifecycle phase, and the batch's index page.
The portfolio table holds no e-mail address or contact name.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cskit import health, lifecycle, metrics
from cskit.analysis import Analysis, analyse, earlier_history
from cskit.params import Settings, load_settings
from cskit.pulse import PulseScorer, texts_from_tables
from cskit.workspace import Workspace, resolve_workspace

__all__ = [
    "PortfolioReport",
    "load_portfolio",
    "portfolio_table",
    "risk_overview",
    "movers",
    "accounts_by_phase",
    "portfolio_overview",
    "portfolio_accounts",
    "plot_portfolio",
    "index_page",
]

logger = logging.getLogger(__name__)

# The metrics of the every-account table; portfolio.csv holds them all.
_SHOWN = [
    "mad",
    "activated_developers",
    "live_apps",
    "end_user_mau",
    "nrr",
    "nps",
    "csat",
    "seat_utilisation",
    "open_tickets",
    "usage_drop",
    "days_silent",
]
_IDENTITY = ["account_id", "name", "segment", "tier", "plan", "csm", "renewal_date"]


@dataclass
class PortfolioReport:
    """Every account's analysis as of one date.

    Attributes
    ----------
    as_of : datetime.date
    settings : Settings
    accounts : pandas.DataFrame
        The ``accounts`` table.
    analysis : cskit.analysis.Analysis
    history : pandas.DataFrame or None
        Health scores stored by earlier runs.
    """

    as_of: date
    settings: Settings
    accounts: pd.DataFrame
    analysis: Analysis
    history: pd.DataFrame | None


def load_portfolio(
    *,
    workspace: str | Path | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
    analysis_dir: str | Path | None = None,
) -> PortfolioReport:
    """Read the workspace and analyse every account.

    Parameters
    ----------
    workspace, as_of, params_file
        As for :func:`cskit.reports.load_account_report`.
    analysis_dir : str or pathlib.Path, optional
        A batch's saved analysis for the same as-of date and parameters;
        computed here when not given.

    Returns
    -------
    PortfolioReport
    """
    from cskit.runner import parse_as_of

    with Workspace(resolve_workspace(workspace)) as ws:
        as_of = parse_as_of(as_of) or ws.default_as_of()
        tables = ws.portfolio_tables()
        texts = ws.derived("text_analysis")
        history = earlier_history(ws.derived("health_history"), as_of)
    settings = load_settings(params_file)
    if texts is None:
        texts = PulseScorer().score_frame(texts_from_tables(tables))
    signals = None
    if analysis_dir is not None:
        signals = pd.read_parquet(Path(analysis_dir) / "signals.parquet")
    result = analyse(
        tables, as_of=as_of, settings=settings, texts=texts, signals=signals
    )
    return PortfolioReport(as_of, settings, tables["accounts"], result, history)


def portfolio_table(report: PortfolioReport) -> pd.DataFrame:
    """Return one row per account: identity, health, risk, phase and metrics.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, name, segment, tier, plan, csm, renewal date,
        ``health_score``, ``health_band``, ``risk``, ``flags``, ``phase``,
        then every metric with ``_status`` and ``_reason``, and the Pulse.
    """
    analysis = report.analysis
    identity = report.accounts[[c for c in _IDENTITY if c in report.accounts]]
    scores = analysis.health.scores[["account_id", "score", "band"]].rename(
        columns={"score": "health_score", "band": "health_band"}
    )
    levels = analysis.risk[["account_id", "risk", "risk_points", "flags"]]
    table = (
        identity.merge(scores, on="account_id", how="left")
        .merge(levels, on="account_id", how="left")
        .merge(analysis.signals, on="account_id", how="left", suffixes=("", "_signal"))
    )
    table = table.drop(columns=[c for c in table if c.endswith("_signal")])
    return table.sort_values("account_id").reset_index(drop=True)


def risk_overview(report: PortfolioReport) -> pd.DataFrame:
    """Count accounts per health band and per risk level."""
    bands = health.portfolio_bands(report.analysis.health.scores)["accounts"]
    levels = health.portfolio_bands(report.analysis.risk, column="risk")["accounts"]
    table = pd.concat({"health band": bands, "risk level": levels}, axis=1)
    return table.fillna(0).astype(int).rename_axis("")


def movers(report: PortfolioReport, *, n: int = 10) -> pd.DataFrame | str:
    """Return the accounts whose health score moved most since the last run."""
    from cskit.reports import Note

    if report.history is None:
        return Note("No earlier run stored: movers appear from the second batch on.")
    current = health.history_rows(report.analysis.health, as_of=report.as_of)
    moved = health.movers(pd.concat([report.history, current]), as_of=report.as_of, n=n)
    if moved.empty:
        return Note("No account's score moved since the previous run.")
    return moved.round(1).reset_index(drop=True)


def accounts_by_phase(report: PortfolioReport) -> pd.DataFrame:
    """Count accounts per lifecycle phase."""
    return lifecycle.phase_counts(report.analysis.phases)


def portfolio_overview(portfolio: pd.DataFrame) -> pd.DataFrame:
    """Summarise each metric over the portfolio: accounts with a value, median."""
    rows = []
    for metric in [*metrics.METRICS, "pulse"]:
        if metric not in portfolio:
            continue
        values = portfolio[metric]
        rows.append(
            {
                "metric": metric,
                "accounts with a value": int(values.notna().sum()),
                "not available": int(
                    (portfolio[f"{metric}_status"] == "not_available").sum()
                ),
                "median": round(values.median(), 1) if values.notna().any() else None,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def portfolio_accounts(portfolio: pd.DataFrame) -> pd.DataFrame:
    """Return one display row per account: identity and every metric's value.

    A value that is not available or undefined shows as a dash.
    """
    columns = [
        "account_id",
        "name",
        "health_score",
        "health_band",
        "risk",
        "phase",
        *metrics.METRICS,
        "pulse",
    ]
    table = portfolio[[c for c in columns if c in portfolio]].set_index("account_id")
    return table.round(1).astype(object).where(table.notna(), "—")


def plot_portfolio(
    portfolio: pd.DataFrame,
    *,
    columns: tuple[str, ...] = (
        "health_score",
        "mad",
        "seat_utilisation",
        "nps",
        "pulse",
    ),
):
    """Plot the distribution of a few metrics over the portfolio."""
    fig = Figure(figsize=(3 * len(columns), 2.8))
    axes = fig.subplots(1, len(columns))
    for axis, column in zip(axes, columns, strict=True):
        values = portfolio[column].dropna()
        axis.hist(values, bins=15, color="#2f6db5")
        axis.set_title(column)
    fig.tight_layout()
    return fig


def index_page(portfolio: pd.DataFrame, runs, extra, *, run_dir: Path) -> str:
    """Return the batch's ``index.html``: every report with its status."""
    names = dict(zip(portfolio["account_id"], portfolio["name"], strict=True))
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
