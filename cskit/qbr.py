"""QBR planning and the QBR workbook: when each review is due, and what it shows.

The playbook holds a Quarterly Business Review per account, every
``cadence_months`` of its tier (``params/defaults.yaml``, section ``qbr``),
on a fixed timeline dated from the session day T: prep at T−30, internal
dry run at T−7, agenda sent at T−5, the session at T, the recap email at
T+1. :func:`plan_qbrs` dates each account's next (or current) QBR,
:func:`qbr_timeline` dates its steps and marks them done (a touchpoint of the
step's kind), overdue or upcoming, and :func:`due_qbrs` lists the accounts
with a step to act on within a window: ``cskit qbr due --within 30d``.

How the QBR date is chosen, per account (the ``basis`` column):

- ``held``: a QBR touchpoint within the last ``close_days``; that QBR is
  still the current one, so its recap is tracked.
- ``cadence``: the last QBR plus the tier's cadence.
- ``first``: no QBR yet; the kickoff date (else the contract start) plus
  the tier's cadence.
- ``renewal``: the renewal date falls before the cadence date; the QBR is
  brought forward to ``renewal_lead_days`` before it, unless that is sooner
  than ``min_gap_days`` after the last QBR.

A planned date already past is kept: the QBR is overdue, not moved.
Churned accounts (``accounts.churned_at`` before the as-of date) get no QBR.

The workbook's cells are the ``QbrReport`` functions further down; they
reuse the health report (:mod:`cskit.reports`) and add the Success Tracker
(:mod:`cskit.success`), the Account Mapper and the Stakeholder Connector
(:mod:`cskit.stakeholders`).

Limitations
-----------
Dates are calendar days in the account's timezone; a step is not moved off
a weekend or holiday. Only the touchpoint kinds named in the steps mark a
step done; the demo data records the sessions (kind ``qbr``) but no prep,
dry run, agenda or recap, so those show as overdue once their day passes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from cskit import reports, stakeholders, success
from cskit.analysis import start_utc
from cskit.exceptions import InvalidInputError, MissingColumnError
from cskit.params import QbrParams, load_settings
from cskit.reports import AccountReport, Note, load_account_report
from cskit.workspace import Workspace, resolve_workspace

__all__ = [
    "plan_qbrs",
    "qbr_timeline",
    "due_qbrs",
    "load_due_qbrs",
    "parse_days",
    "PasteText",
    "QbrReport",
    "load_qbr_report",
    "qbr_header",
    "timeline_table",
    "metric_table",
    "usage_table",
    "roadmap_table",
    "value_table",
    "roi_table",
    "plot_kpis",
    "risks_and_mitigations",
    "stakeholder_table",
    "plot_stakeholders",
    "new_influencers",
    "agenda",
    "action_items",
    "recap_email",
]

logger = logging.getLogger(__name__)

_PLAN_COLUMNS = [
    "account_id",
    "name",
    "tier",
    "csm",
    "cadence_months",
    "last_qbr",
    "qbr_date",
    "basis",
    "renewal_date",
]


def parse_days(value: str | int) -> int:
    """Return a window such as ``30d``, ``4w`` or ``30`` as a number of days.

    Raises
    ------
    InvalidInputError
        For text that is not a whole number followed by ``d`` or ``w``.

    Examples
    --------
    >>> parse_days("30d"), parse_days("2w"), parse_days(7)
    (30, 14, 7)
    """
    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(value).lower())
    if match is None:
        raise InvalidInputError(
            f"window {value!r} is not a number of days; write it as 30d, 4w or 30"
        )
    days = int(match.group(1))
    return days * 7 if match.group(2) == "w" else days


def _local_days(stamps: pd.Series, zones: pd.Series) -> pd.Series:
    """Return each UTC timestamp's calendar day in its row's timezone."""
    days = pd.Series(pd.NaT, index=stamps.index, dtype="datetime64[us]")
    for zone, index in stamps.groupby(zones.fillna("UTC")).groups.items():
        local = stamps.loc[index].dt.tz_convert(zone).dt.tz_localize(None)
        days.loc[index] = local.dt.normalize().astype("datetime64[us]")
    return days


def _touchpoint_days(tables: dict, as_of: date) -> pd.DataFrame:
    """Return the touchpoints before as-of with their local day."""
    touchpoints = tables.get("touchpoints")
    columns = ["account_id", "kind", "day"]
    if touchpoints is None or touchpoints.empty:
        return pd.DataFrame(columns=columns)

    zones = tables["accounts"].set_index("account_id")["timezone"]
    zone = touchpoints["account_id"].map(zones).fillna("UTC")
    frame = touchpoints.assign(day=_local_days(touchpoints["ts"], zone))
    return frame.loc[frame["day"] < pd.Timestamp(as_of), columns]


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(column, frame=name, found=list(frame.columns))


def plan_qbrs(
    tables: dict[str, pd.DataFrame], *, as_of: date, settings: QbrParams
) -> pd.DataFrame:
    """Date every active account's next (or current) QBR.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``accounts`` (``account_id``, ``tier``; ``renewal_date``,
        ``kickoff_date``, ``contract_start``, ``churned_at`` and
        ``timezone`` when present) and, optionally, ``touchpoints``
        (``account_id``, ``ts``, ``kind``).
    as_of : datetime.date
        Touchpoints on or after this day are not seen.
    settings : cskit.params.QbrParams

    Returns
    -------
    pandas.DataFrame
        One row per account not churned: ``account_id``, ``name``,
        ``tier``, ``csm``, ``cadence_months``, ``last_qbr``, ``qbr_date``,
        ``basis`` (held, cadence, first, renewal) and ``renewal_date``.

    Raises
    ------
    MissingColumnError
        When ``accounts`` lacks ``account_id`` or ``tier``.
    """
    accounts = tables["accounts"]
    _require(accounts, ["account_id", "tier"], "accounts")
    accounts = _active(accounts, as_of)
    session = _session_kind(settings)
    held = _touchpoint_days(tables, as_of)
    last = held[held["kind"] == session].groupby("account_id")["day"].max()
    rows = [
        _plan_row(account, last.get(account["account_id"]), as_of, settings)
        for _, account in accounts.iterrows()
    ]
    plan = pd.DataFrame(rows, columns=_PLAN_COLUMNS)
    for column in ["last_qbr", "qbr_date", "renewal_date"]:
        plan[column] = pd.to_datetime(plan[column]).astype("datetime64[us]")
    logger.info("planned the QBRs of %d accounts as of %s", len(plan), as_of)
    return plan


def _active(accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    if "churned_at" not in accounts.columns:
        return accounts
    churned = pd.to_datetime(accounts["churned_at"]) < pd.Timestamp(as_of)
    return accounts[~churned.fillna(False).astype(bool)]


def _session_kind(settings: QbrParams) -> str:
    kinds = [step.kind for step in settings.steps if step.offset_days == 0]
    return kinds[0] if kinds else "qbr"


def _value(account: pd.Series, column: str):
    value = account.get(column)
    return None if value is None or pd.isna(value) else value


def _plan_row(account: pd.Series, last, as_of: date, settings: QbrParams) -> list:
    """Return one account's plan row, choosing the QBR date by the rules."""
    tier = _value(account, "tier")
    cadence = settings.cadence_months.get(tier, settings.default_cadence_months)
    renewal = _value(account, "renewal_date")
    today = pd.Timestamp(as_of)

    if last is not None and (today - last).days <= settings.close_days:
        qbr_date, basis = last, "held"
    else:
        start = last if last is not None else _anchor(account, today)
        qbr_date = start + pd.DateOffset(months=cadence)
        basis = "cadence" if last is not None else "first"
        qbr_date, basis = _before_renewal(
            qbr_date, basis, last, renewal, today, settings
        )

    fields = [account["account_id"], _value(account, "name"), tier]
    return [*fields, _value(account, "csm"), cadence, last, qbr_date, basis, renewal]


def _anchor(account: pd.Series, today: pd.Timestamp) -> pd.Timestamp:
    """Return the day a first QBR's cadence counts from."""
    for column in ("kickoff_date", "contract_start"):
        value = _value(account, column)
        if value is not None:
            return pd.Timestamp(value).normalize()
    return today


def _before_renewal(qbr_date, basis, last, renewal, today, settings: QbrParams):
    """Bring the QBR forward when the renewal falls before it."""
    if renewal is None:
        return qbr_date, basis
    renewal = pd.Timestamp(renewal)
    if renewal < today or renewal > qbr_date:
        return qbr_date, basis

    moved = renewal - pd.Timedelta(days=settings.renewal_lead_days)
    if last is not None and moved < last + pd.Timedelta(days=settings.min_gap_days):
        return qbr_date, basis
    return min(moved, qbr_date), "renewal"


def qbr_timeline(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: date,
    settings: QbrParams,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Date the timeline steps of each planned QBR and mark their status.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`plan_qbrs`.
    as_of : datetime.date
    settings : cskit.params.QbrParams
    plan : pandas.DataFrame, optional
        :func:`plan_qbrs` output, possibly with a ``qbr_date`` of one's own;
        computed when not given.

    Returns
    -------
    pandas.DataFrame
        One row per account and step: ``account_id``, ``qbr_date``,
        ``step``, ``title``, ``kind``, ``offset_days``, ``date``, ``status``
        (done, overdue, upcoming) and ``done_on``. A step is done when a
        touchpoint of its kind falls between the prep day and
        ``close_days`` after T (before the as-of date).
    """
    if plan is None:
        plan = plan_qbrs(tables, as_of=as_of, settings=settings)
    steps = pd.DataFrame([step.model_dump() for step in settings.steps])
    rows = plan[["account_id", "qbr_date"]].merge(steps, how="cross")
    rows["qbr_date"] = pd.to_datetime(rows["qbr_date"]).astype("datetime64[us]")
    rows["date"] = rows["qbr_date"] + pd.to_timedelta(rows["offset_days"], unit="D")
    rows["done_on"] = _done_on(rows, _touchpoint_days(tables, as_of), settings)

    today = pd.Timestamp(as_of)
    rows["status"] = "upcoming"
    rows.loc[rows["date"] < today, "status"] = "overdue"
    rows.loc[rows["done_on"].notna(), "status"] = "done"
    columns = ["account_id", "qbr_date", "step", "title", "kind", "offset_days"]
    return rows[[*columns, "date", "status", "done_on"]].reset_index(drop=True)


def _done_on(rows: pd.DataFrame, held: pd.DataFrame, settings: QbrParams) -> pd.Series:
    """Return the day of the touchpoint that records each step, if any."""
    first = min(step.offset_days for step in settings.steps)
    start = rows["qbr_date"] + pd.Timedelta(days=first)
    end = rows["qbr_date"] + pd.Timedelta(days=settings.close_days)
    keyed = rows.assign(row=range(len(rows)), start=start, end=end)
    matched = keyed.merge(held, on=["account_id", "kind"], how="inner")
    matched = matched[
        (matched["day"] >= matched["start"]) & (matched["day"] <= matched["end"])
    ]
    latest = matched.groupby("row")["day"].max()
    return pd.Series(latest.reindex(range(len(rows))).to_numpy(), index=rows.index)


def due_qbrs(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: date,
    settings: QbrParams,
    within_days: int | None = None,
) -> pd.DataFrame:
    """List the accounts with a QBR step to act on within a window.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`plan_qbrs`.
    as_of : datetime.date
    settings : cskit.params.QbrParams
    within_days : int, optional
        The window ``[as_of, as_of + within_days)``; by default
        ``settings.due_within_days``. Overdue steps are always listed.

    Returns
    -------
    pandas.DataFrame
        One row per account with a step not done dated before the window's
        end, sorted by that step's date: ``account_id``, ``name``,
        ``tier``, ``qbr_date``, ``basis``, ``renewal_date``, ``step`` (the
        next step to do in the window, else the missed session, else the
        last step missed), ``step_date``,
        ``step_status`` and ``overdue`` (the missed steps, comma-separated).

    Raises
    ------
    InvalidInputError
        When ``within_days`` is negative.
    """
    within = settings.due_within_days if within_days is None else within_days
    if within < 0:
        raise InvalidInputError(
            f"within_days is {within}; pass 0 or a positive number of days"
        )
    plan = plan_qbrs(tables, as_of=as_of, settings=settings)
    timeline = qbr_timeline(tables, as_of=as_of, settings=settings, plan=plan)
    end = pd.Timestamp(as_of) + pd.Timedelta(days=within)
    open_ = timeline[(timeline["status"] != "done") & (timeline["date"] < end)]
    rows = [_due_row(steps) for _, steps in open_.groupby("account_id", sort=False)]
    columns = ["account_id", "step", "step_date", "step_status", "overdue"]
    due = pd.DataFrame(rows, columns=columns)
    keep = ["account_id", "name", "tier", "qbr_date", "basis", "renewal_date"]
    due = plan[keep].merge(due, on="account_id", how="inner")
    return due.sort_values(["step_date", "account_id"]).reset_index(drop=True)


def _due_row(steps: pd.DataFrame) -> list:
    """Return the step to act on: the next upcoming, else the missed session."""
    upcoming = steps[steps["status"] == "upcoming"]
    missed = steps[steps["status"] == "overdue"]
    if not upcoming.empty:
        chosen = upcoming.iloc[0]
    elif (missed["offset_days"] == 0).any():
        chosen = missed[missed["offset_days"] == 0].iloc[0]
    else:
        chosen = missed.iloc[-1]
    overdue = ", ".join(missed["step"])
    return [
        chosen["account_id"],
        chosen["step"],
        chosen["date"],
        chosen["status"],
        overdue,
    ]


def load_due_qbrs(
    *,
    workspace: str | Path | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
    within_days: int | None = None,
) -> pd.DataFrame:
    """Read the workspace and list the accounts with a QBR step due.

    Parameters
    ----------
    workspace : str or pathlib.Path, optional
        By default the workspace :func:`cskit.workspace.resolve_workspace`
        finds.
    as_of : str or datetime.date, optional
        By default the workspace's as-of date.
    params_file : str or pathlib.Path, optional
        By default ``params/defaults.yaml``; each account's own file in
        ``params/accounts/`` is not read (one cadence for the portfolio).
    within_days : int, optional
        By default the parameter file's ``qbr.due_within_days``.

    Returns
    -------
    pandas.DataFrame
        :func:`due_qbrs` output.
    """
    from cskit.runner import parse_as_of

    with Workspace(resolve_workspace(workspace)) as ws:
        as_of = parse_as_of(as_of) or ws.default_as_of()
        tables = {"accounts": ws.table("accounts")}
        if "touchpoints" in ws.tables():
            tables["touchpoints"] = ws.table("touchpoints")
    settings = load_settings(params_file).qbr
    due = due_qbrs(tables, as_of=as_of, settings=settings, within_days=within_days)
    logger.info("%d account(s) with a QBR step due as of %s", len(due), as_of)
    return due


# The QBR workbook: one function per cell.

_USAGE = [
    "mad",
    "activated_developers",
    "inactive_developers",
    "live_apps",
    "live_app_growth",
    "draft_apps",
    "end_user_mau",
    "end_user_growth",
    "training_attendance",
    "usage_drop",
]
_ROADMAP = [
    "seat_utilisation",
    "seat_growth",
    "module_growth",
    "nrr",
    "grr",
    "on_time_renewal",
    "live_app_growth",
    "end_user_growth",
]


class PasteText(str):
    """Text a CSM copies into an e-mail or a calendar invite, shown as is."""

    def _repr_markdown_(self) -> str:
        return f"```text\n{self}\n```"


@dataclass
class QbrReport:
    """Everything one account's QBR is drawn from.

    Attributes
    ----------
    account : cskit.reports.AccountReport
        The health report of the same account, as-of date and parameters.
    plan : pandas.Series
        The account's row of :func:`plan_qbrs`, with the ``qbr_date`` used.
    timeline : pandas.DataFrame
        :func:`qbr_timeline` for that date.
    kpis : pandas.DataFrame
        :func:`cskit.success.success_tracker` output.
    chart : pandas.DataFrame
        :func:`cskit.stakeholders.org_chart` output.
    candidates : pandas.DataFrame
        :func:`cskit.stakeholders.connect_stakeholders` output.
    """

    account: AccountReport
    plan: pd.Series
    timeline: pd.DataFrame
    kpis: pd.DataFrame
    chart: pd.DataFrame
    candidates: pd.DataFrame


def load_qbr_report(
    *,
    workspace: str | Path | None = None,
    account_id: str | None = None,
    qbr_date: str | date | None = None,
    as_of: str | date | None = None,
    params_file: str | Path | None = None,
    analysis_dir: str | Path | None = None,
) -> QbrReport:
    """Read one account and compute everything its QBR shows.

    Parameters
    ----------
    workspace, account_id, as_of, params_file, analysis_dir
        As for :func:`cskit.reports.load_account_report`.
    qbr_date : str or datetime.date, optional
        The session day T; by default the planned one (:func:`plan_qbrs`).
        A planned date already missed is moved to ``reschedule_days`` after
        the as-of date.

    Returns
    -------
    QbrReport
    """
    from cskit.runner import parse_as_of

    account = load_account_report(
        workspace=workspace,
        account_id=account_id,
        as_of=as_of,
        params_file=params_file,
        analysis_dir=analysis_dir,
    )
    settings = account.settings.qbr
    plan = _account_plan(account, parse_as_of(qbr_date), settings)
    timeline = qbr_timeline(
        account.tables, as_of=account.as_of, settings=settings, plan=plan.to_frame().T
    )
    return QbrReport(
        account,
        plan,
        timeline,
        success.success_tracker(
            account.tables.get("kpis"),
            account_id=account.account_id,
            as_of=account.as_of,
            recorded=settings.kpis,
        ),
        *_people(account, plan),
    )


def _account_plan(account: AccountReport, qbr_date, settings: QbrParams) -> pd.Series:
    plan = plan_qbrs(account.tables, as_of=account.as_of, settings=settings)
    if plan.empty:
        plan = pd.DataFrame([_plan_row(account.account, None, account.as_of, settings)])
        plan.columns = _PLAN_COLUMNS
        plan["basis"] = "churned"
    row = plan.iloc[0].copy()
    today = pd.Timestamp(account.as_of)
    if qbr_date is not None:
        row["qbr_date"], row["basis"] = pd.Timestamp(qbr_date), "given"
    elif row["basis"] != "held" and row["qbr_date"] < today:
        row["planned_date"] = row["qbr_date"]
        row["qbr_date"] = today + pd.Timedelta(days=settings.reschedule_days)
        row["basis"] = f"rescheduled (due {row['planned_date']:%Y-%m-%d})"
    return row


def _people(account: AccountReport, plan: pd.Series) -> tuple:
    as_of = start_utc(account.as_of, account.account.get("timezone"))
    chart = stakeholders.org_chart(account.tables, as_of=as_of, texts=account.texts)
    last = plan.get("last_qbr")
    last = (
        None
        if pd.isna(last)
        else start_utc(last.date(), account.account.get("timezone"))
    )
    candidates = stakeholders.connect_stakeholders(
        account.tables, as_of=as_of, last_qbr=last
    )
    return chart, candidates


def qbr_header(report: QbrReport) -> pd.DataFrame:
    """Return the account, the QBR date and why, the last QBR and the renewal."""
    plan, account = report.plan, report.account.account
    fields = {
        "account": account.get("name"),
        "account_id": report.account.account_id,
        "tier": plan["tier"],
        "cadence": f"every {plan['cadence_months']} months",
        "QBR date (T)": _day(plan["qbr_date"]),
        "date chosen by": plan["basis"],
        "last QBR": _day(plan["last_qbr"]) or "none recorded",
        "renewal date": _day(account.get("renewal_date")) or "—",
        "CSM": account.get("csm"),
        "session": f"{report.account.settings.qbr.session_minutes} minutes",
        "data as of": report.account.as_of.isoformat(),
        "configuration": report.account.config_hash,
    }
    values = ["—" if v is None or pd.isna(v) else str(v) for v in fields.values()]
    return pd.DataFrame({"": list(fields), "value": values}).set_index("")


def _day(value) -> str | None:
    return (
        None if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"
    )


def timeline_table(report: QbrReport) -> pd.DataFrame:
    """Return the QBR's dated steps with their status."""
    shown = report.timeline.assign(
        date=report.timeline["date"].dt.strftime("%Y-%m-%d"),
        done_on=report.timeline["done_on"].dt.strftime("%Y-%m-%d").fillna(""),
        when=[f"T{d:+d}" if d else "T" for d in report.timeline["offset_days"]],
    )
    return shown[["when", "date", "title", "status", "done_on"]].set_index("when")


def metric_table(report: QbrReport, names: list[str]) -> pd.DataFrame:
    """Return the named metrics with unit, status and why one is missing."""
    table = reports.headline(report.account)
    return table.loc[[n for n in names if n in table.index]]


def usage_table(report: QbrReport) -> pd.DataFrame:
    """Return the usage and adoption metrics."""
    return metric_table(report, _USAGE)


def roadmap_table(report: QbrReport) -> pd.DataFrame:
    """Return seat utilisation, module adoption, NRR and the growth signals."""
    return metric_table(report, _ROADMAP)


def value_table(report: QbrReport) -> pd.DataFrame | Note:
    """Return the Success Tracker: each KPI's baseline, target, current, status."""
    if report.kpis.empty:
        return Note(
            "No customer KPI recorded: add them to the kpis table, or under "
            f"'qbr: kpis:' in params/accounts/{report.account.account_id}.yaml."
        )
    shown = report.kpis.assign(
        measured_at=report.kpis["measured_at"].dt.strftime("%Y-%m-%d")
    )
    return shown.drop(columns=["direction"]).set_index("kpi")


def roi_table(report: QbrReport) -> pd.DataFrame:
    """Return the value realised against what the account pays a year."""
    return success.roi_summary(report.kpis, annual_cost=_annual_cost(report)).round(2)


def _annual_cost(report: QbrReport) -> float | None:
    revenue = report.account.tables.get("revenue")
    if revenue is None or revenue.empty:
        return None
    seen = revenue[revenue["month"] < pd.Timestamp(report.account.as_of)]
    return None if seen.empty else float(seen.sort_values("month")["mrr"].iloc[-1] * 12)


def plot_kpis(report: QbrReport):
    """Plot the customer KPIs' progress to target over time."""
    figure = success.plot_kpi_progress(
        report.account.tables.get("kpis"),
        account_id=report.account.account_id,
        as_of=report.account.as_of,
    )
    return figure if figure is not None else Note("No KPI measurement history to plot.")


def risks_and_mitigations(report: QbrReport) -> pd.DataFrame | Note:
    """Return each raised risk flag with the plays proposed to mitigate it."""
    flags = reports.risk_flags(report.account)
    if isinstance(flags, Note):
        return flags
    plays = report.account.analysis.plays
    rows = []
    for flag, row in flags.iterrows():
        chosen = plays[plays["flags"].astype(str).str.contains(flag, regex=False)]
        mitigation = "; ".join(
            f"{p.title} ({p.owner}, by {pd.Timestamp(p.due):%Y-%m-%d})"
            for p in chosen.itertuples()
        )
        rows.append([flag, row["severity"], row["detail"], mitigation or "—"])
    columns = ["risk", "severity", "reading", "proposed mitigation"]
    return pd.DataFrame(rows, columns=columns).set_index("risk")


def stakeholder_table(report: QbrReport) -> pd.DataFrame:
    """Return the org chart as a table, stakeholders and leavers marked."""
    chart = report.chart.drop(columns=["manager_id"])
    return chart.sort_values(["left", "reports"], ascending=[True, False]).set_index(
        "contact_id"
    )


def plot_stakeholders(report: QbrReport):
    """Draw the Account Mapper's org chart."""
    name = report.account.account.get("name") or report.account.account_id
    return stakeholders.plot_org_chart(report.chart, title=f"{name}: org chart")


def new_influencers(report: QbrReport, *, limit: int = 8) -> pd.DataFrame | Note:
    """Return the Stakeholder Connector's ranking, new influencers first."""
    ranked = report.candidates
    if ranked.empty:
        return Note("No contact outside the mapped stakeholders.")
    shown = ranked.sort_values(["influencer", "score"], ascending=False).head(limit)
    shown = shown.assign(
        mark=[
            "NEW influencer" if n else ("influencer" if i else "")
            for n, i in zip(shown["new"], shown["influencer"], strict=True)
        ]
    )
    return shown[["name", "title", "role", "score", "mark", "reasons"]].set_index(
        "name"
    )


def agenda(report: QbrReport) -> PasteText:
    """Return the agenda to send at T−5, as text to paste into an e-mail."""
    account, plan = report.account, report.plan
    name = account.account.get("name") or account.account_id
    minutes = account.settings.qbr.session_minutes
    items = [
        ("Welcome, goals for the session", 5),
        ("Health summary and adoption since the last review", 10),
        ("Your KPIs: progress to target and the value delivered", 10),
        ("Your feedback and the product inputs we take back", 10),
        ("Open risks and the plan to address them", 10),
        ("Roadmap: expansion and renewal", 10),
        ("Next steps and owners", 5),
    ]
    scale = minutes / sum(m for _, m in items)
    lines = [
        f"Subject: {name} – Quarterly Business Review on {_day(plan['qbr_date'])}",
        "",
        f"Hello {_sponsor_names(report)},",
        "",
        f"Ahead of our {minutes}-minute business review on "
        f"{_day(plan['qbr_date'])}, here is the agenda:",
        "",
    ]
    lines += [
        f"{i}. {text} ({round(m * scale)} min)" for i, (text, m) in enumerate(items, 1)
    ]
    lines += [
        "",
        "Please tell us of any topic you would like to add.",
        "",
        _signature(report),
    ]
    return PasteText("\n".join(lines))


def _sponsor_names(report: QbrReport) -> str:
    chart = report.chart[~report.chart["left"]]
    mapped = chart[chart["champion"] | chart["exec_sponsor"]]
    names = [str(n).split()[0] for n in mapped["name"].head(3)]
    return ", ".join(names) if names else "all"


def _signature(report: QbrReport) -> str:
    csm = report.account.account.get("csm")
    signer = csm if isinstance(csm, str) else "Your Customer Success team"
    return f"Best regards,\n{signer}"


def action_items(report: QbrReport) -> pd.DataFrame:
    """Return the action items of the recap: plays, KPIs behind, new contacts."""
    items = []
    for play in report.account.analysis.plays.itertuples():
        items.append([play.title, play.owner, f"{pd.Timestamp(play.due):%Y-%m-%d}"])
    behind = report.kpis[report.kpis["status"].isin(["behind", "worse than baseline"])]
    for kpi in behind["kpi"]:
        items.append([f"Agree a plan to move '{kpi}' towards target", "csm", ""])
    new = report.candidates[report.candidates["new"]]
    for person in new["name"].head(3):
        items.append([f"Meet {person} (new influencer) and map their role", "csm", ""])
    return pd.DataFrame(items, columns=["action", "owner", "due"])


def recap_email(report: QbrReport) -> PasteText:
    """Return the recap e-mail for T+1 with its action items, to paste."""
    account, plan = report.account, report.plan
    name = account.account.get("name") or account.account_id
    score = account.analysis.health.scores.iloc[0]
    band = reports.health_summary(account).loc["health band", "value"]
    phase = reports.lifecycle_phase(account)[0]
    achieved = report.kpis[report.kpis["status"] == "achieved"]["kpi"].tolist()
    lines = [
        f"Subject: {name} – QBR recap and next steps ({_day(plan['qbr_date'])})",
        "",
        f"Hello {_sponsor_names(report)},",
        "",
        "Thank you for your time at yesterday's business review. In short:",
        "",
        f"- Health: {band} (score {score['score']:.0f} of 100), phase {phase}.",
        f"- KPIs: {len(report.kpis)} tracked, {len(achieved)} at target"
        + (f" ({', '.join(achieved)})." if achieved else "."),
        f"- Renewal: {_day(account.account.get('renewal_date')) or 'not dated'}.",
        "",
        "Action items:",
    ]
    items = action_items(report)
    lines += [
        f"- {row.action} — owner: {row.owner}" + (f", by {row.due}" if row.due else "")
        for row in items.itertuples()
    ] or ["- none"]
    lines += [
        "",
        "We will follow up on each item before our next review.",
        "",
        _signature(report),
    ]
    return PasteText("\n".join(lines))
