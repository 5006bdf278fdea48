"""The analyst's dashboard in JupyterLab, and ``cskit lab`` that opens it.

:class:`ExploreSession` reads the workspace once: every canonical table of
the portfolio, the scored texts, the stored health history, and the
analysis of every account (health, flags, plays) at the session's as-of
date. :class:`Explorer` lays ipywidgets controls over it (an account
picker with search, the as-of date, the trend's metric and window, and a
comparison of two accounts or two dates) and redraws its sections (health
summary, trend, Engagement Pulse evidence, risk flags, Account Mapper)
with the :mod:`cskit.reports` functions. A change of account slices the
cached frames instead of reading and analysing again, so it redraws in a
fraction of a second on the demo company.

:func:`launch_lab` starts JupyterLab from the project's environment in the
``notebooks/`` folder, with the workspace exported in ``CSKIT_WORKSPACE``.

Limitations
-----------
Only the session's as-of date is analysed for every account up front. Another
date is analysed for the chosen account alone the first time it is shown
(about two seconds on the demo company), then cached for the session.
The Account Mapper is drawn once per account and date (the org chart takes
the longest of the sections); without :mod:`cskit.stakeholders` its section
says it is not available.
The trends are drawn from the raw tables in the window; the health score's
trend needs scores stored by earlier batch runs.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from cskit import reports
from cskit.analysis import Analysis, analyse, earlier_history, start_utc
from cskit.exceptions import ConfigurationError, InvalidInputError
from cskit.health import HealthScores
from cskit.params import config_hash, load_settings
from cskit.pulse import PulseScorer, account_pulse, texts_from_tables
from cskit.reports import AccountReport, Note
from cskit.risk import RiskFlags
from cskit.schema import TABLES
from cskit.workspace import ENV_VAR, Workspace, resolve_workspace

__all__ = [
    "TREND_METRICS",
    "WINDOWS",
    "MODES",
    "ExploreSession",
    "Explorer",
    "explore",
    "summary_table",
    "headline_table",
    "trend_figure",
    "account_mapper",
    "lab_command",
    "lab_environment",
    "launch_lab",
]

logger = logging.getLogger(__name__)

TREND_METRICS = {
    "events": "Product events per week",
    "mad": "Monthly active developers",
    "tickets": "Tickets created per week",
    "sentiment": "Mean sentiment of scored texts per month",
    "mrr": "MRR per month",
    "health": "Health score stored by batch runs",
}
WINDOWS = {"3 months": 91, "6 months": 182, "12 months": 365, "18 months": 548}
MODES = {
    "one account": "one",
    "compare two accounts": "accounts",
    "compare two dates": "dates",
}
_SECTIONS = {
    "summary": "Health summary",
    "trend": "Trend",
    "pulse": "Engagement Pulse and its evidence",
    "flags": "Risk flags, evidence and open plays",
    "kpis": "Headline KPIs",
    "mapper": "Account Mapper",
}
_SUMMARY_ROWS = ["account", "account_id", "segment", "CSM", "renewal date", "as of"]
_INSTALL_LAB = "pip install 'jupyterlab>=4,<5' ipywidgets"


class ExploreSession:
    """A workspace read once, with the analyses the dashboard has computed.

    Parameters
    ----------
    workspace : str or pathlib.Path, optional
        By default the workspace :func:`cskit.workspace.resolve_workspace`
        finds.
    as_of : str or datetime.date, optional
        The date analysed for every account up front; by default the
        workspace's as-of date (the day after its last event).
    params_file : str or pathlib.Path, optional
        By default ``params/defaults.yaml``.

    Attributes
    ----------
    path : pathlib.Path
    as_of : datetime.date
    tables : dict of str to pandas.DataFrame
        Every canonical table of the portfolio.
    accounts : pandas.DataFrame
        The ``accounts`` table.
    load_seconds : float
        Time taken to read the workspace and analyse the portfolio.
    """

    def __init__(
        self,
        *,
        workspace: str | Path | None = None,
        as_of: str | date | None = None,
        params_file: str | Path | None = None,
    ) -> None:
        from cskit.runner import parse_as_of

        start = time.perf_counter()
        self.path = resolve_workspace(workspace)
        self.params_file = params_file
        with Workspace(self.path) as ws:
            self.as_of = parse_as_of(as_of) or ws.default_as_of()
            self.tables = ws.portfolio_tables()
            self.missing = ws.missing_tables()
            texts = ws.derived("text_analysis")
            self.history = ws.derived("health_history")
        self.accounts = self.tables["accounts"]
        self.themes_ready = texts is not None
        if texts is None:
            texts = PulseScorer().score_frame(texts_from_tables(self.tables))
        self.texts = texts

        self._slices: dict[str, tuple[dict, pd.DataFrame]] = {}
        self._analyses: dict[tuple[str, date], Analysis] = {}
        self._reports: dict[tuple[str, date], AccountReport] = {}
        self._portfolio = analyse(
            self.tables,
            as_of=self.as_of,
            settings=load_settings(params_file),
            texts=texts,
        )
        self.load_seconds = time.perf_counter() - start
        logger.info(
            "explore session: %d accounts analysed as of %s in %.1f s",
            len(self.accounts),
            self.as_of,
            self.load_seconds,
        )

    def __repr__(self) -> str:
        return (
            f"ExploreSession({str(self.path)!r}, {len(self.accounts)} accounts, "
            f"as of {self.as_of})"
        )

    def overview(self) -> pd.DataFrame:
        """Return the session's workspace, accounts, as-of date and load time."""
        fields = {
            "workspace": str(self.path),
            "accounts": len(self.accounts),
            "analysed as of": self.as_of.isoformat(),
            "tables absent": ", ".join(self.missing) or "none",
            "read and analysed in": f"{self.load_seconds:.1f} s",
        }
        values = list(map(str, fields.values()))
        return pd.DataFrame({"": list(fields), "value": values}).set_index("")

    def choices(self, search: str = "") -> list[tuple[str, str]]:
        """Return the (label, account_id) pairs whose name or id holds ``search``.

        The match ignores case; an empty ``search`` returns every account.
        """
        ids = self.accounts["account_id"]
        names = self.accounts["name"].fillna("")
        labels = names + " (" + ids + ")"
        keep = labels.str.contains(search.strip(), case=False, regex=False)
        return list(zip(labels[keep], ids[keep], strict=True))

    def report(self, account_id: str, *, as_of: date | None = None) -> AccountReport:
        """Return one account's report, from the session's cached data.

        Parameters
        ----------
        account_id : str
        as_of : datetime.date, optional
            By default the session's as-of date. Another date is analysed
            for this account alone, once.

        Returns
        -------
        cskit.reports.AccountReport
            The same report :func:`cskit.reports.load_account_report` builds.

        Raises
        ------
        InvalidInputError
            When the workspace has no such account.
        """
        as_of = as_of or self.as_of
        key = (account_id, as_of)
        if key not in self._reports:
            tables, texts = self._slice(account_id)
            settings = load_settings(self.params_file, account_id=account_id)
            analysis = self._analysis(key, tables, texts, settings)
            self._reports[key] = self._assemble(key, tables, texts, settings, analysis)
        return self._reports[key]

    def _slice(self, account_id: str) -> dict:
        if account_id not in self._slices:
            if not (self.accounts["account_id"] == account_id).any():
                raise InvalidInputError(
                    f"account_id {account_id!r} is not in workspace "
                    f"{str(self.path)!r}; pick one of "
                    f"{', '.join(self.accounts['account_id'].head(5))}, ... "
                    "(ExploreSession.choices() lists them)"
                )
            texts = self.texts[self.texts["account_id"] == account_id]
            self._slices[account_id] = (
                _account_slice(self.tables, account_id),
                texts.reset_index(drop=True),
            )
        return self._slices[account_id]

    def _analysis(self, key, tables, texts, settings) -> Analysis:
        account_id, as_of = key
        if as_of == self.as_of:
            return _analysis_rows(self._portfolio, account_id)
        if key not in self._analyses:
            # A date not analysed up front: this account alone, once.
            logger.info("analysing account %s as of %s", account_id, as_of)
            self._analyses[key] = analyse(
                tables, as_of=as_of, settings=settings, texts=texts
            )
        return self._analyses[key]

    def _assemble(self, key, tables, texts, settings, analysis) -> AccountReport:
        account_id, as_of = key
        account = tables["accounts"].iloc[0]
        pulse = account_pulse(
            texts,
            as_of=start_utc(as_of, account.get("timezone")),
            account_id=account_id,
            **settings.pulse.model_dump(exclude={"themes_window_days"}),
        )
        history = None
        if self.history is not None:
            mine = self.history[self.history["account_id"] == account_id]
            history = earlier_history(mine, as_of)
        return AccountReport(
            account_id,
            as_of,
            account,
            tables,
            self.missing,
            settings,
            config_hash(settings),
            reports.metric_results(analysis.signals.iloc[0]),
            texts,
            self.themes_ready,
            pulse,
            analysis,
            history,
        )


def _account_slice(tables: dict, account_id: str) -> dict:
    """Return one account's rows of every table, as the workspace would."""
    sliced = {}
    for name, frame in tables.items():
        spec = TABLES[name]
        if "account_id" in frame.columns:
            sliced[name] = frame[frame["account_id"] == account_id]
        elif spec.parent is not None:
            key = TABLES[spec.parent].key[0]
            parent = sliced.get(spec.parent, pd.DataFrame({key: []}))
            sliced[name] = frame[frame[key].isin(parent[key])]
        else:
            sliced[name] = frame
    sliced = {name: frame.reset_index(drop=True) for name, frame in sliced.items()}
    return sliced


def _analysis_rows(analysis: Analysis, account_id: str) -> Analysis:
    """Return one account's rows of a portfolio analysis."""

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["account_id"] == account_id].reset_index(drop=True)

    return Analysis(
        mine(analysis.signals),
        mine(analysis.phases),
        HealthScores(mine(analysis.health.scores), mine(analysis.health.details)),
        RiskFlags(mine(analysis.flags.flags), mine(analysis.flags.evidence)),
        mine(analysis.risk),
        mine(analysis.plays),
    )


def summary_table(sides: list[AccountReport]) -> pd.DataFrame:
    """Return the identity and health summary of each report, one column each.

    Parameters
    ----------
    sides : list of cskit.reports.AccountReport
        One report, or two to compare.

    Returns
    -------
    pandas.DataFrame
        Rows: account, id, segment, CSM, renewal date, as-of date, then the
        rows of :func:`cskit.reports.health_summary`; one column per report.
    """
    columns = {}
    for label, report in zip(_labels(sides), sides, strict=True):
        header = reports.account_header(report).loc[_SUMMARY_ROWS, "value"]
        health = reports.health_summary(report)["value"]
        columns[label] = pd.concat([header, health])
    return pd.DataFrame(columns).rename_axis("")


def headline_table(sides: list[AccountReport]) -> pd.DataFrame:
    """Return the headline KPIs of each report, one value column each."""
    first = reports.headline(sides[0])
    table = first[["unit", "target"]].copy()
    for label, report in zip(_labels(sides), sides, strict=True):
        kpis = reports.headline(report)
        shown = kpis["value"].map(lambda v: "—" if pd.isna(v) else f"{v:g}")
        table[label] = shown.where(kpis["status"] == "ok", kpis["status"])
    return table


def _labels(sides: list[AccountReport]) -> list[str]:
    if len(sides) == 1:
        return ["value"]
    return [
        f"{key}: {_name(report)}, as of {report.as_of.isoformat()}"
        for key, report in zip("AB", sides, strict=False)
    ]


def _caption(sides: list[AccountReport], index: int) -> Note:
    return Note(_labels(sides)[index])


def _name(report: AccountReport) -> str:
    name = report.account.get("name")
    return report.account_id if pd.isna(name) else f"{name} ({report.account_id})"


def trend_figure(
    sides: list[AccountReport], *, metric: str = "events", window_days: int = 182
) -> Figure | Note:
    """Plot one metric over the window ending at each report's as-of date.

    Parameters
    ----------
    sides : list of cskit.reports.AccountReport
        One report, or two to compare (drawn as two lines).
    metric : str
        A key of :data:`TREND_METRICS`.
    window_days : int
        Days before the as-of date; the window is ``[as_of - days, as_of)``.

    Returns
    -------
    matplotlib.figure.Figure or cskit.reports.Note
        A sentence saying why, when no report has data to plot.

    Raises
    ------
    InvalidInputError
        When ``metric`` is not a key of :data:`TREND_METRICS`.
    """
    if metric not in TREND_METRICS:
        raise InvalidInputError(
            f"metric {metric!r} is not a trend metric; use one of "
            f"{', '.join(TREND_METRICS)}"
        )
    series = [_TRENDS[metric](report, window_days) for report in sides]
    return _trend_plot(series, _labels(sides), metric=metric, window_days=window_days)


def _trend_plot(series: list, labels: list, *, metric: str, window_days: int):
    drawn = [(v, label) for v, label in zip(series, labels, strict=True) if len(v)]
    if not drawn:
        reason = series[0].attrs.get("reason", "no data in the window")
        return Note(f"{TREND_METRICS[metric]}: {reason}.")

    fig = Figure(figsize=(10, 3.2))
    axis = fig.subplots()
    for values, label in drawn:
        axis.plot(values.index, values.to_numpy(), marker=".", label=label)
    axis.set_title(f"{TREND_METRICS[metric]}, last {window_days} days")
    axis.set_ylim(bottom=min(0, min(float(v.min()) for v, _ in drawn)))
    if len(labels) > 1:
        axis.legend(fontsize=7)
    dates = AutoDateLocator()
    axis.xaxis.set_major_locator(dates)
    axis.xaxis.set_major_formatter(ConciseDateFormatter(dates))
    fig.tight_layout()
    return fig


def _window(report: AccountReport, days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = start_utc(report.as_of, report.account.get("timezone"))
    return end - pd.Timedelta(days=days), end


def _absent(report: AccountReport, table: str) -> pd.Series:
    reason = report.missing.get(table, f"the workspace has no {table} table")
    empty = pd.Series(dtype=float)
    empty.attrs["reason"] = f"not available ({reason.rstrip('.')})"
    return empty


def _trend_events(report: AccountReport, days: int) -> pd.Series:
    events = report.tables.get("events")
    if events is None:
        return _absent(report, "events")
    start, end = _window(report, days)
    seen = events[(events["ts"] >= start) & (events["ts"] < end)]
    return seen.set_index("ts")["count"].astype(float).resample("W-MON").sum()


def _trend_tickets(report: AccountReport, days: int) -> pd.Series:
    tickets = report.tables.get("tickets")
    if tickets is None:
        return _absent(report, "tickets")
    start, end = _window(report, days)
    seen = tickets[(tickets["created_at"] >= start) & (tickets["created_at"] < end)]
    return seen.set_index("created_at")["ticket_id"].resample("W-MON").count()


def _trend_mad(report: AccountReport, days: int) -> pd.Series:
    from cskit import metrics

    if report.tables.get("events") is None:
        return _absent(report, "events")
    zone = report.account.get("timezone")
    mad = metrics.mad_by_month(
        report.tables, as_of=report.as_of, timezone="UTC" if pd.isna(zone) else zone
    )
    start = pd.Timestamp(report.as_of) - pd.Timedelta(days=days)
    values = mad[mad["month"] >= start].set_index("month")["mad"].astype(float)
    values.attrs["reason"] = mad.attrs.get("reason", "no complete month in window")
    return values


def _trend_sentiment(report: AccountReport, days: int) -> pd.Series:
    start, end = _window(report, days)
    texts = report.texts
    seen = texts[(texts["ts"] >= start) & (texts["ts"] < end) & texts["score"].notna()]
    values = seen.set_index("ts")["score"].resample("MS").mean().dropna()
    values.attrs["reason"] = "no scored text in the window"
    return values


def _trend_mrr(report: AccountReport, days: int) -> pd.Series:
    revenue = report.tables.get("revenue")
    if revenue is None:
        return _absent(report, "revenue")
    end = pd.Timestamp(report.as_of)
    months = revenue["month"]
    seen = revenue[(months >= end - pd.Timedelta(days=days)) & (months < end)]
    return seen.sort_values("month").set_index("month")["mrr"].astype(float)


def _trend_health(report: AccountReport, days: int) -> pd.Series:
    history = report.history
    if history is None or history.empty:
        empty = pd.Series(dtype=float)
        empty.attrs["reason"] = "no score stored yet (batch runs store one)"
        return empty
    when = pd.to_datetime(history["as_of"])
    end = pd.Timestamp(report.as_of)
    seen = history[(when >= end - pd.Timedelta(days=days)) & (when <= end)]
    values = seen.assign(as_of=pd.to_datetime(seen["as_of"])).set_index("as_of")
    return values["score"].astype(float).sort_index()


_TRENDS = {
    "events": _trend_events,
    "mad": _trend_mad,
    "tickets": _trend_tickets,
    "sentiment": _trend_sentiment,
    "mrr": _trend_mrr,
    "health": _trend_health,
}


def account_mapper(report: AccountReport, *, window_days: int = 365) -> list:
    """Return the Account Mapper of the account: its org chart and who leads.

    Parameters
    ----------
    report : cskit.reports.AccountReport
    window_days : int
        Days of usage and Pulse the overlays count.

    Returns
    -------
    list
        The org chart figure (:func:`cskit.stakeholders.plot_org_chart`) and
        the most influential people, or a note saying why it is not shown
        (no ``contacts`` table, or no stakeholder map in this cskit).
    """
    if importlib.util.find_spec("cskit.stakeholders") is None:
        return [
            Note(
                "Account Mapper: not available yet. The org chart of the "
                "account's contacts with usage and influence overlays needs "
                "cskit's stakeholder map (cskit.stakeholders), which this "
                "version does not have."
            )
        ]
    from cskit import stakeholders

    contacts = report.tables.get("contacts")
    if contacts is None:
        reason = report.missing.get("contacts", "the workspace has no contacts")
        return [Note(f"Account Mapper not available: {reason.rstrip('.')}.")]
    if contacts.empty:
        return [Note("Account Mapper: no contact recorded for this account.")]
    as_of = start_utc(report.as_of, report.account.get("timezone"))
    chart = stakeholders.org_chart(
        report.tables, as_of=as_of, texts=report.texts, window_days=window_days
    )
    figure = stakeholders.plot_org_chart(chart, title=f"{_name(report)}: org chart")
    leaders = chart[~chart["left"]].sort_values("influence", ascending=False)
    columns = ["name", "title", "role", "reports", "events", "pulse", "influence"]
    return [figure, leaders[columns].head(8).round(2).set_index("name")]


class Explorer:
    """The dashboard: controls over an :class:`ExploreSession`, and its sections.

    Parameters
    ----------
    session : ExploreSession
    account_id : str, optional
        The account shown first; by default the workspace's first account.
    as_of : str or datetime.date, optional
        The date shown first; by default the session's as-of date.

    Attributes
    ----------
    controls : dict of str to ipywidgets.Widget
        ``search``, ``account``, ``as_of``, ``metric``, ``window``, ``mode``,
        ``account_b`` and ``as_of_b`` (the second side of a comparison).
    sections : dict of str to tuple of ipywidgets.Output
        Each section's left and right output (the right one is shown when
        comparing).
    status : ipywidgets.HTML
        What is shown, and how long the last redraw took.
    timings : list of dict
        One row per redraw: what changed, account, as-of date, mode, seconds.
    widget : ipywidgets.VBox
        The whole dashboard; the Explorer displays as this widget.
    """

    def __init__(
        self,
        session: ExploreSession,
        *,
        account_id: str | None = None,
        as_of: str | date | None = None,
    ) -> None:
        from cskit.runner import parse_as_of

        self.session = session
        self.timings: list[dict] = []
        self._series: dict[tuple, pd.Series] = {}
        self._drawn: dict[tuple, dict] = {}
        self._maps: dict[tuple, list] = {}
        account_id = account_id or session.accounts["account_id"].iloc[0]
        session.report(account_id)
        as_of = parse_as_of(as_of) or session.as_of
        self.controls = _controls(session, account_id=account_id, as_of=as_of)
        self.sections = _sections()
        self.status = _widgets().HTML()
        self.status.add_class("cskit-status")
        self._compare = _widgets().HBox([])
        self.widget = self._layout()

        for name in ("account", "as_of", "metric", "window", "account_b", "as_of_b"):
            self.controls[name].observe(self._changed, names="value")
        self.controls["mode"].observe(self._mode_changed, names="value")
        self.controls["search"].observe(self._searched, names="value")
        self.redraw(change="opened")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def sides(self) -> list[AccountReport]:
        """Return the reports shown: one, or the two sides of a comparison."""
        values = {name: widget.value for name, widget in self.controls.items()}
        first = self.session.report(values["account"], as_of=values["as_of"])
        mode = values["mode"]
        if mode == "accounts":
            return [first, self.session.report(values["account_b"], as_of=first.as_of)]
        if mode == "dates":
            second = values["as_of_b"] or first.as_of
            return [first, self.session.report(first.account_id, as_of=second)]
        return [first]

    def redraw(self, *, change: str = "redraw") -> float:
        """Redraw every section for the current controls.

        The sections appear in order; the Account Mapper, the slowest to
        draw, comes last (once per account and date), after a note saying
        it is being drawn, so the rest is readable meanwhile.

        Parameters
        ----------
        change : str
            What triggered it, recorded in :attr:`timings`.

        Returns
        -------
        float
            Seconds until every section but the Account Mapper was redrawn
            (reports included); the total is in :attr:`timings`.
        """
        start = time.perf_counter()
        sides = self.sides()
        metric = self.controls["metric"].value
        window = self.controls["window"].value
        _show(self.sections["summary"][0], summary_table(sides))
        _show(self.sections["kpis"][0], headline_table(sides))
        _show(self.sections["trend"][0], self._trend(sides, metric, window))
        for index in range(len(sides)):
            self._draw_side(sides, index)
        for _, right in self.sections.values():
            right.layout.display = "none" if len(sides) == 1 else None
            if len(sides) == 1:
                _show(right)
        seconds = time.perf_counter() - start
        self.status.value = f"{_shown(sides)} — redrawn in {seconds:.2f} s; " + (
            "drawing the Account Mapper…"
        )

        for index, report in enumerate(sides):
            title = [_caption(sides, index)] if len(sides) > 1 else []
            _show(self.sections["mapper"][index], *title, *self._mapper(report))
        self._record(change, sides, seconds, time.perf_counter() - start)
        return seconds

    def _trend(self, sides: list, metric: str, window: int) -> dict:
        """Return the trend's display message, drawn once per combination."""
        key = (tuple((r.account_id, r.as_of) for r in sides), metric, window)
        if key not in self._drawn:
            series = []
            for report in sides:
                part = (report.account_id, report.as_of, metric, window)
                if part not in self._series:
                    self._series[part] = _TRENDS[metric](report, window)
                series.append(self._series[part])
            plot = _trend_plot(
                series, _labels(sides), metric=metric, window_days=window
            )
            self._drawn[key] = _bundle(plot)
        return self._drawn[key]

    def _mapper(self, report: AccountReport) -> list:
        """Return the Account Mapper's display messages, drawn once per side."""
        key = (report.account_id, report.as_of)
        if key not in self._maps:
            # The org chart's small labels need more pixels than the trend.
            self._maps[key] = [
                _bundle(item, dpi=110) for item in account_mapper(report)
            ]
        return self._maps[key]

    def _draw_side(self, sides: list[AccountReport], index: int) -> None:
        report = sides[index]
        title = [_caption(sides, index)] if len(sides) > 1 else []
        _show(
            self.sections["pulse"][index],
            *title,
            reports.pulse_summary(report),
            reports.pulse_evidence(report),
        )
        _show(
            self.sections["flags"][index],
            *title,
            reports.risk_flags(report),
            reports.flag_evidence(report),
            reports.open_plays(report),
        )
        mapper = self._maps.get((report.account_id, report.as_of))
        drawing = [Note(f"Drawing the Account Mapper of {_name(report)}…")]
        _show(self.sections["mapper"][index], *title, *(mapper or drawing))

    def _record(self, change: str, sides: list, seconds: float, total: float):
        mode = self.controls["mode"].value
        self.timings.append(
            {
                "change": change,
                "account": sides[0].account_id,
                "as_of": sides[0].as_of,
                "mode": mode,
                "seconds": round(seconds, 3),
                "with_mapper_seconds": round(total, 3),
            }
        )
        self.status.value = (
            f"{_shown(sides)} — redrawn in {seconds:.2f} s "
            f"({total:.2f} s with the Account Mapper)"
        )
        logger.info("redrawn (%s) in %.3f s, %.3f s in all", change, seconds, total)

    def timing_table(self) -> pd.DataFrame:
        """Return :attr:`timings` as a table, one row per redraw."""
        return pd.DataFrame(
            self.timings,
            columns=[
                "change",
                "account",
                "as_of",
                "mode",
                "seconds",
                "with_mapper_seconds",
            ],
        )

    def _changed(self, change) -> None:
        """Redraw after a control changed; show the error instead of raising."""
        if change["new"] is None:
            return
        try:
            self.redraw(change=f"{change['owner'].description or 'control'}")
        except Exception as error:  # shown to the analyst, who cannot see logs
            logger.exception("redraw failed")
            self.status.value = f"<b>Could not redraw:</b> {_escape(str(error))}"

    def _mode_changed(self, change) -> None:
        self._compare.children = _compare_children(self.controls, change["new"])
        self._changed(change)

    def _searched(self, change) -> None:
        """Narrow the account picker to the accounts matching the search."""
        picker = self.controls["account"]
        current = picker.value
        options = self.session.choices(change["new"])
        if not options:
            self.status.value = f"No account matches {_escape(change['new'])!r}."
            return
        ids = [value for _, value in options]
        with picker.hold_trait_notifications():
            picker.options = options
            picker.value = current if current in ids else ids[0]

    def _layout(self):
        widgets = _widgets()
        c = self.controls
        rows = [
            widgets.HBox([c["search"], c["account"], c["as_of"]]),
            widgets.HBox([c["metric"], c["window"]]),
            c["mode"],
            self._compare,
            self.status,
        ]
        for name, title in _SECTIONS.items():
            left, right = self.sections[name]
            rows.append(widgets.HTML(f"<h3>{title}</h3>"))
            rows.append(widgets.HBox([left, right]))
        box = widgets.VBox(rows)
        box.add_class("cskit-explorer")
        return box


def _widgets():
    try:
        import ipywidgets
    except ImportError as error:
        raise ConfigurationError(
            f"the dashboard needs ipywidgets, which is not installed in "
            f"{sys.prefix!r}; install it with `{_INSTALL_LAB}`"
        ) from error
    return ipywidgets


def _controls(session: ExploreSession, *, account_id: str, as_of: date) -> dict:
    """Build the dashboard's controls, set to the first account and date."""
    widgets = _widgets()
    wide = widgets.Layout(width="340px")
    choices = session.choices()
    controls = {
        "search": widgets.Text(
            description="Search", placeholder="name or id", layout=wide
        ),
        "account": widgets.Dropdown(
            description="Account", options=choices, value=account_id, layout=wide
        ),
        "as_of": widgets.DatePicker(description="As of", value=as_of),
        "metric": widgets.Dropdown(
            description="Trend",
            options=[(label, key) for key, label in TREND_METRICS.items()],
            layout=wide,
        ),
        "window": widgets.Dropdown(
            description="Window", options=list(WINDOWS.items()), value=182
        ),
        "mode": widgets.ToggleButtons(
            description="Show",
            options=list(MODES.items()),
            style={"button_width": "170px"},
        ),
        "account_b": widgets.Dropdown(
            description="Account B", options=choices, layout=wide
        ),
        "as_of_b": widgets.DatePicker(description="As of B", value=as_of),
    }
    for name, widget in controls.items():
        widget.add_class(f"cskit-{name.replace('_', '-')}")
    return controls


def _compare_children(controls: dict, mode: str) -> tuple:
    if mode == "accounts":
        return (controls["account_b"],)
    if mode == "dates":
        return (controls["as_of_b"],)
    return ()


def _sections() -> dict:
    widgets = _widgets()
    sections = {}
    for name in _SECTIONS:
        left = widgets.Output(layout=widgets.Layout(flex="1 1 0%"))
        right = widgets.Output(layout=widgets.Layout(flex="1 1 0%", display="none"))
        left.add_class(f"cskit-{name}")
        right.add_class(f"cskit-{name}-b")
        sections[name] = (left, right)
    return sections


def _show(output, *objects) -> None:
    """Replace an output's content with the rich display of ``objects``.

    An object may already be a display message (a dict from :func:`_bundle`).
    """
    output.outputs = tuple(
        item if isinstance(item, dict) else _bundle(item) for item in objects
    )


def _bundle(item, *, dpi: int = 72) -> dict:
    """Return the display message of a table, figure, note or text."""
    data = {"text/plain": str(item)}
    if isinstance(item, Figure):
        buffer = io.BytesIO()
        item.savefig(buffer, format="png", dpi=dpi)
        data = {
            "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "text/plain": "<Figure>",
        }
    elif isinstance(item, Note):
        data["text/markdown"] = item._repr_markdown_()
    elif hasattr(item, "_repr_html_"):
        data["text/html"] = item._repr_html_()
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _shown(sides: list[AccountReport]) -> str:
    """Return the status line's opening: what the dashboard shows."""
    if len(sides) > 1:
        return f"<b>{_escape(' vs '.join(_labels(sides)))}</b>"
    return f"<b>{_escape(_name(sides[0]))}</b> as of {sides[0].as_of.isoformat()}"


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def explore(
    *,
    workspace: str | Path | None = None,
    account_id: str | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
) -> Explorer:
    """Read the workspace once and return the dashboard over it.

    Parameters
    ----------
    workspace, as_of, params_file
        As for :class:`ExploreSession`; ``as_of`` is analysed for every
        account up front.
    account_id : str, optional
        The account shown first; by default the workspace's first account.

    Returns
    -------
    Explorer
        Displays as the dashboard in JupyterLab.
    """
    session = ExploreSession(workspace=workspace, as_of=as_of, params_file=params_file)
    return Explorer(session, account_id=account_id)


def lab_command(
    *,
    port: int | None = None,
    open_browser: bool = True,
    root_dir: str | Path | None = None,
    extra_args=(),
) -> list[str]:
    """Return the command that starts JupyterLab in the ``notebooks/`` folder.

    It runs JupyterLab with this environment's Python, so the kernel it
    starts (``python3``) is the project's. Run as root (in a container),
    it adds ``--allow-root``.

    Parameters
    ----------
    port : int, optional
        By default JupyterLab's own (8888, or the next free one).
    open_browser : bool
        Open the default web browser on JupyterLab.
    root_dir : str or pathlib.Path, optional
        The folder JupyterLab serves; by default the workbooks' folder
        (:func:`cskit.runner.notebooks_dir`).
    extra_args : sequence of str
        More ``jupyter lab`` options (for instance ``--IdentityProvider.token``).

    Returns
    -------
    list of str
    """
    from cskit.runner import notebooks_dir

    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root_dir or notebooks_dir()}",
    ]
    if port is not None:
        command.append(f"--ServerApp.port={int(port)}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers often run as root, which JupyterLab refuses by default.
        command.append("--allow-root")
    return [*command, *extra_args]


def lab_environment(workspace: str | Path | None = None) -> dict[str, str]:
    """Return the environment JupyterLab runs in: this one, with the workspace.

    Raises
    ------
    WorkspaceError
        When no workspace is given or found.
    """
    path = resolve_workspace(workspace)
    return {**os.environ, ENV_VAR: str(Path(path).resolve())}


def launch_lab(
    *,
    workspace: str | Path | None = None,
    port: int | None = None,
    open_browser: bool = True,
) -> int:
    """Start JupyterLab on the workbooks, with the workspace ready; wait for it.

    JupyterLab runs from the project's environment, in the ``notebooks/``
    folder, with ``CSKIT_WORKSPACE`` naming the workspace, so every workbook
    (``explore.ipynb`` included) opens it without editing a parameter.
    Ctrl-C stops JupyterLab the way it does when started by hand.

    Parameters
    ----------
    workspace : str or pathlib.Path, optional
        By default the one :func:`cskit.workspace.resolve_workspace` finds.
    port : int, optional
        By default JupyterLab's own (8888, or the next free one).
    open_browser : bool
        Open the default web browser on JupyterLab.

    Returns
    -------
    int
        JupyterLab's exit code.

    Raises
    ------
    ConfigurationError
        When JupyterLab or ipywidgets is not installed in this environment.
    WorkspaceError
        When no workspace is given or found.
    """
    for package in ("jupyterlab", "ipywidgets"):
        if importlib.util.find_spec(package) is None:
            raise ConfigurationError(
                f"`cskit lab` needs {package}, which is not installed in "
                f"{sys.prefix!r}; install it with `{_INSTALL_LAB}`"
            )
    environment = lab_environment(workspace)
    command = lab_command(port=port, open_browser=open_browser)
    logger.info("starting JupyterLab on workspace %s", environment[ENV_VAR])
    process = subprocess.Popen(command, env=environment, cwd=command[3].split("=")[1])
    return _wait(process)


def _wait(process: subprocess.Popen) -> int:
    """Wait for JupyterLab, leaving Ctrl-C to it (it asks before stopping)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return process.wait()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
