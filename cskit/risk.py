"""Risk flags and the Red / Yellow / Green risk score, each with evidence.

A flag is a named warning sign of the playbook. Each is read from the
metrics table (one row per account, as :func:`signal_table` builds it) and,
for its evidence, from the raw tables: the developers who went quiet, the
champion who left, the tickets tagged slow, the detractors' responses. The
thresholds and severities live in ``params/health.yaml`` under ``risk:``.

The risk score adds the severities of the raised flags and points for the
health band; at ``red_at`` points or with a flag listed in ``red_flags`` the
account is Red, at ``yellow_at`` Yellow, else Green.

Flags (``risk.flags.<name>`` in the YAML):

========================  ====================================================
inactive_developers       ``inactive_developer_share`` above ``threshold`` %
no_roadmap                ``has_roadmap`` is false
no_champion               no active champion (a champion who left counts)
slow_tickets              ``slow_tickets`` at or above ``threshold``
usage_drop                ``usage_drop`` at or below ``threshold`` %
silent_account            ``days_silent`` at or above ``threshold``
negative_pulse            Engagement Pulse below ``threshold``
nps_detractors            NPS below ``threshold`` (0: detractors outnumber
                          promoters)
low_day45_activation      ``day45_activation`` below ``threshold`` %
slow_ttv                  TTV above ``threshold`` days, or no live app yet
                          that many days after kickoff
renewal_at_risk           renewal within ``threshold`` days and a Red band
low_training_attendance   ``training_attendance`` below ``threshold`` %
========================  ====================================================

Limitations
-----------
The account signals (champions, roadmap) and the evidence windows use UTC
days, not the account's timezone. A flag whose metric is not ``ok`` is not
raised; its status says why.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from cskit import health as _health
from cskit import metrics as _metrics
from cskit.exceptions import MissingColumnError

__all__ = [
    "FLAGS",
    "FlagRule",
    "FlagRules",
    "RiskRules",
    "RiskFlags",
    "load_risk_rules",
    "account_signals",
    "signal_table",
    "evaluate_flags",
    "risk_score",
    "account_flags",
]

logger = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlagRule(_Strict):
    """One flag's switch, threshold, severity (points) and options."""

    enabled: bool = True
    threshold: float | None = None
    severity: float = 1.0
    window_days: int | None = None
    tag: str | None = None


class FlagRules(_Strict):
    """The rule of every flag; defaults are the playbook's."""

    inactive_developers: FlagRule = FlagRule(threshold=30, severity=2, window_days=14)
    no_roadmap: FlagRule = FlagRule(severity=1.5)
    no_champion: FlagRule = FlagRule(severity=2)
    slow_tickets: FlagRule = FlagRule(
        threshold=2, severity=1.5, tag="slow", window_days=90
    )
    usage_drop: FlagRule = FlagRule(threshold=-30, severity=2)
    silent_account: FlagRule = FlagRule(threshold=30, severity=1)
    negative_pulse: FlagRule = FlagRule(threshold=-0.1, severity=1.5)
    nps_detractors: FlagRule = FlagRule(threshold=0, severity=2, window_days=365)
    low_day45_activation: FlagRule = FlagRule(threshold=60, severity=1)
    slow_ttv: FlagRule = FlagRule(threshold=30, severity=1)
    renewal_at_risk: FlagRule = FlagRule(threshold=90, severity=3)
    low_training_attendance: FlagRule = FlagRule(threshold=70, severity=1)


FLAGS: tuple[str, ...] = tuple(FlagRules.model_fields)


class RiskRules(_Strict):
    """Flag rules and how flags and the health band make the risk score."""

    flags: FlagRules = FlagRules()
    red_at: float = 7.0
    yellow_at: float = 3.0
    band_points: dict[str, float] = {"Red": 3.0, "Yellow": 1.0}
    red_flags: tuple[str, ...] = ("renewal_at_risk",)
    red_bands: tuple[str, ...] = ("Red",)

    @model_validator(mode="after")
    def _check(self) -> RiskRules:
        if self.yellow_at > self.red_at:
            raise ValueError(
                f"yellow_at ({self.yellow_at}) is above red_at ({self.red_at}); "
                "Yellow must start at fewer points than Red"
            )
        for name in self.red_flags:
            if name not in FLAGS:
                raise ValueError(
                    f"red_flags names {name!r}, not a flag"
                    f"{_health._suggest(name, FLAGS)}"
                )
        return self


def load_risk_rules(path: str | Path | None = None) -> RiskRules:
    """Read the ``risk:`` section of a health file (default ``params/health.yaml``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML file; by default ``params/health.yaml`` found from the
        working folder upwards, else the packaged playbook preset.

    Returns
    -------
    RiskRules

    Raises
    ------
    ConfigurationError
        For an unknown flag or key (with the closest name) or a bad value.
    """
    return _health.load_section(path, "risk", RiskRules, preset="playbook")


# ---------------------------------------------------------------------------
# Account signals and the metrics table


def _utc_day(as_of: Any) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize().tz_localize("UTC")


def _champions(contacts: pd.DataFrame) -> pd.DataFrame:
    flag = contacts["is_champion"].fillna(False).astype(bool)
    return contacts[flag | contacts["role"].eq("champion").fillna(False)]


def account_signals(tables: Mapping[str, pd.DataFrame], *, as_of: Any) -> pd.DataFrame:
    """Compute the signals the flags need beyond the metrics.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``accounts`` (``account_id``, ``has_roadmap``) and ``contacts``
        (``account_id``, ``role``, ``is_champion``, ``created_at``,
        ``left_at``); either may be absent.
    as_of : date-like

    Returns
    -------
    pandas.DataFrame
        ``account_id``; ``active_champions`` (champions who joined before
        as-of and had not left), ``champions_left`` (champions who left
        before as-of) and ``has_roadmap`` (1 or 0), each with ``_status``
        and ``_reason``.
    """
    day = _utc_day(as_of)
    accounts = tables.get("accounts")
    ids = pd.Index(
        [] if accounts is None else accounts["account_id"].astype("str"), dtype="str"
    )
    table = pd.DataFrame(index=ids)
    contacts = tables.get("contacts")
    if contacts is None:
        for name in ("active_champions", "champions_left"):
            _fill(table, name, np.nan, "not_available", "table 'contacts' is absent")
    else:
        champs = _champions(contacts)
        joined = ~(champs["created_at"] >= day).fillna(False)
        left = (champs["left_at"] < day).fillna(False)
        active = champs[joined & ~left].groupby("account_id").size()
        gone = champs[left].groupby("account_id").size()
        _fill(table, "active_champions", active.reindex(ids, fill_value=0), "ok", "")
        _fill(table, "champions_left", gone.reindex(ids, fill_value=0), "ok", "")
    _roadmap(table, accounts)
    return table.rename_axis("account_id").reset_index()


def _fill(table: pd.DataFrame, name: str, values, status: str, reason) -> None:
    table[name] = (
        pd.Series(values, index=table.index, dtype="float64")
        if not (isinstance(values, pd.Series))
        else values.astype("float64")
    )
    table[f"{name}_status"] = status
    table[f"{name}_reason"] = reason


def _roadmap(table: pd.DataFrame, accounts: pd.DataFrame | None) -> None:
    if accounts is None or "has_roadmap" not in accounts:
        _fill(table, "has_roadmap", np.nan, "not_available", "no accounts.has_roadmap")
        return
    values = accounts.set_index(accounts["account_id"].astype("str"))["has_roadmap"]
    known = values.notna()
    _fill(table, "has_roadmap", values.astype("float64"), "ok", "")
    table.loc[~known.to_numpy(), "has_roadmap_status"] = "not_available"
    table.loc[~known.to_numpy(), "has_roadmap_reason"] = (
        "accounts.has_roadmap is empty for this account"
    )


def signal_table(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: Any,
    settings: _metrics.MetricSettings | None = None,
    pulse: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build the metrics table the health score and the flags read.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The portfolio's canonical tables.
    as_of : date-like
    settings : cskit.metrics.MetricSettings, optional
    pulse : pandas.DataFrame, optional
        :func:`cskit.pulse.portfolio_pulse` output; adds ``pulse`` and
        ``pulse_trend``.

    Returns
    -------
    pandas.DataFrame
        :func:`cskit.metrics.portfolio_metrics`, then
        :func:`account_signals`, the Pulse columns and ``segment``.
    """
    options = {} if settings is None else {"settings": settings}
    table = _metrics.portfolio_metrics(tables, as_of=as_of, **options)
    table = table.merge(
        account_signals(tables, as_of=as_of), on="account_id", how="left"
    )
    if pulse is not None:
        keep = ["account_id", "pulse", "pulse_status", "pulse_reason", "pulse_trend"]
        table = table.merge(pulse[keep], on="account_id", how="left")
    accounts = tables.get("accounts")
    if accounts is not None and "segment" in accounts:
        segments = accounts.set_index("account_id")["segment"]
        table["segment"] = table["account_id"].map(segments)
    return table


# ---------------------------------------------------------------------------
# Flags


@dataclass(frozen=True)
class RiskFlags:
    """Every flag of every account, and the evidence of the raised ones.

    Attributes
    ----------
    flags : pandas.DataFrame
        One row per account and enabled flag: ``account_id``, ``flag``,
        ``raised`` (bool), ``status`` (``ok`` or ``not_available``),
        ``value``, ``threshold``, ``severity`` and ``detail`` (the reading
        in words, or why it could not be read).
    evidence : pandas.DataFrame
        One row per piece of evidence of a raised flag: ``account_id``,
        ``flag``, ``source`` (table), ``ref`` (row id), ``when`` and
        ``detail``.
    """

    flags: pd.DataFrame
    evidence: pd.DataFrame


@dataclass(frozen=True)
class _Ctx:
    table: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    day: pd.Timestamp
    bands: pd.Series
    rules: RiskRules


_EVIDENCE_COLUMNS = ["account_id", "flag", "source", "ref", "when", "detail"]


def _metric(ctx: _Ctx, name: str) -> tuple[pd.Series, pd.Series]:
    """Return a metric's values and a reason per account ('' when ok)."""
    index = ctx.table.index
    if name not in ctx.table:
        return pd.Series(np.nan, index=index), pd.Series(
            f"metric {name!r} is not in the metrics table", index=index
        )
    value = pd.to_numeric(ctx.table[name], errors="coerce").astype("float64")
    status = ctx.table.get(f"{name}_status", pd.Series("ok", index=index)).fillna("ok")
    value = value.where(status.eq("ok"))
    given = ctx.table.get(f"{name}_reason", pd.Series("", index=index)).fillna("")
    reason = given.where(given.ne(""), f"{name} is not available")
    return value, reason.where(value.isna(), "")


def _compare(
    ctx: _Ctx, flag: str, metric: str, op: str, unit: str = ""
) -> pd.DataFrame:
    rule = getattr(ctx.rules.flags, flag)
    value, reason = _metric(ctx, metric)
    ops = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
    raised = ops[op](value, rule.threshold).fillna(False) & value.notna()
    detail = value.map(lambda v: f"{metric} = {v:.4g}{unit}") + (
        f" (flag when {op} {rule.threshold:g}{unit})"
    )
    return _frame(value, raised, detail.where(value.notna(), reason), rule.threshold)


def _frame(value, raised, detail, threshold) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": value.astype("float64"),
            "raised": raised.astype(bool),
            "status": np.where(value.notna(), "ok", "not_available"),
            "threshold": threshold,
            "detail": detail.astype("str"),
        }
    )


def _flag_inactive_developers(ctx):
    return _compare(ctx, "inactive_developers", "inactive_developer_share", ">", " %")


def _flag_no_roadmap(ctx):
    value, reason = _metric(ctx, "has_roadmap")
    detail = pd.Series("accounts.has_roadmap is false", index=value.index)
    detail = detail.where(value.eq(0), "the account has a roadmap").where(
        value.notna(), reason
    )
    return _frame(value, value.eq(0), detail, np.nan)


def _flag_no_champion(ctx):
    value, reason = _metric(ctx, "active_champions")
    left, _ = _metric(ctx, "champions_left")
    text = (
        value.map("{:.0f} active champion(s)".format)
        + ", "
        + left.fillna(0).map("{:.0f} left".format)
    )
    return _frame(value, value.eq(0), text.where(value.notna(), reason), 0.0)


def _flag_slow_tickets(ctx):
    return _compare(ctx, "slow_tickets", "slow_tickets", ">=")


def _flag_usage_drop(ctx):
    return _compare(ctx, "usage_drop", "usage_drop", "<=", " %")


def _flag_silent_account(ctx):
    return _compare(ctx, "silent_account", "days_silent", ">=", " days")


def _flag_negative_pulse(ctx):
    return _compare(ctx, "negative_pulse", "pulse", "<")


def _flag_nps_detractors(ctx):
    return _compare(ctx, "nps_detractors", "nps", "<")


def _flag_low_day45_activation(ctx):
    return _compare(ctx, "low_day45_activation", "day45_activation", "<", " %")


def _flag_low_training_attendance(ctx):
    return _compare(ctx, "low_training_attendance", "training_attendance", "<", " %")


def _flag_slow_ttv(ctx):
    frame = _compare(ctx, "slow_ttv", "ttv_days", ">", " days")
    threshold = ctx.rules.flags.slow_ttv.threshold
    kickoff = _account_column(ctx, "kickoff_date")
    waited = (ctx.day.tz_localize(None) - kickoff).dt.days
    reason = ctx.table.get("ttv_days_reason", pd.Series("", index=ctx.table.index))
    open_ = reason.fillna("").str.contains("no live app").astype(bool)
    late = open_ & (waited > threshold).fillna(False)
    frame.loc[late, "raised"] = True
    frame.loc[late, "status"] = "ok"
    frame.loc[late, "value"] = waited[late].astype("float64")
    frame.loc[late, "detail"] = waited[late].map(
        lambda d: f"no live app yet {d:.0f} days after kickoff (target {threshold:g})"
    )
    return frame


def _flag_renewal_at_risk(ctx):
    rule = ctx.rules.flags.renewal_at_risk
    renewal = _account_column(ctx, "renewal_date")
    days = (renewal - ctx.day.tz_localize(None)).dt.days.astype("float64")
    soon = (days >= 0) & (days < rule.threshold)
    band = ctx.bands.reindex(ctx.table.index)
    red = band.isin(ctx.rules.red_bands)
    detail = (
        "renewal in "
        + days.map("{:.0f}".format)
        + " days, health band "
        + (band.fillna("unknown").astype("str"))
    )
    detail = detail.where(days.notna(), "accounts.renewal_date is empty")
    return _frame(days, (soon & red).fillna(False), detail, rule.threshold)


def _account_column(ctx: _Ctx, column: str) -> pd.Series:
    accounts = ctx.tables.get("accounts")
    if accounts is None or column not in accounts:
        return pd.Series(pd.NaT, index=ctx.table.index, dtype="datetime64[us]")
    values = accounts.set_index(accounts["account_id"].astype("str"))[column]
    values = values[~values.index.duplicated()]
    return pd.to_datetime(values.reindex(ctx.table.index)).astype("datetime64[us]")


_FLAG_FUNCTIONS: dict[str, Callable[[_Ctx], pd.DataFrame]] = {
    name: globals()[f"_flag_{name}"] for name in FLAGS
}


# ---------------------------------------------------------------------------
# Evidence from the raw tables


def _ev(frame: pd.DataFrame, flag: str, source: str, ref: str, when: str, detail):
    out = pd.DataFrame(
        {
            "account_id": frame["account_id"].astype("str"),
            "flag": flag,
            "source": source,
            "ref": frame[ref].astype("str"),
            "when": frame[when] if when in frame else pd.NaT,
            "detail": detail,
        }
    )
    return out[_EVIDENCE_COLUMNS]


def _evidence_inactive_developers(ctx, ids):
    contacts, events = ctx.tables.get("contacts"), ctx.tables.get("events")
    if contacts is None or events is None:
        return None
    devs = contacts[contacts["account_id"].isin(ids) & contacts["role"].eq("developer")]
    devs = devs[~(devs["left_at"] < ctx.day).fillna(False)]
    seen = events[events["account_id"].isin(ids) & (events["ts"] < ctx.day)]
    last = seen.groupby("contact_id")["ts"].max().rename("last_event")
    # A merge, not Series.map: map cannot fill unseen developers with NaT.
    devs = devs.merge(last, left_on="contact_id", right_index=True, how="left")
    days = ctx.rules.flags.inactive_developers.window_days or 14
    quiet = devs[~(devs["last_event"] >= ctx.day - pd.Timedelta(days=days))]
    detail = (
        "developer "
        + quiet["name"].fillna(quiet["contact_id"]).astype("str")
        + (
            ": last product event "
            + quiet["last_event"].dt.strftime("%Y-%m-%d").fillna("never")
        )
    )
    return _ev(
        quiet, "inactive_developers", "contacts", "contact_id", "last_event", detail
    )


def _evidence_no_champion(ctx, ids):
    contacts = ctx.tables.get("contacts")
    if contacts is None:
        return None
    champs = _champions(contacts[contacts["account_id"].isin(ids)])
    gone = champs[(champs["left_at"] < ctx.day).fillna(False)]
    detail = (
        "champion "
        + gone["name"].fillna(gone["contact_id"]).astype("str")
        + (" left on " + gone["left_at"].dt.strftime("%Y-%m-%d"))
    )
    return _ev(gone, "no_champion", "contacts", "contact_id", "left_at", detail)


def _evidence_slow_tickets(ctx, ids):
    tickets = ctx.tables.get("tickets")
    rule = ctx.rules.flags.slow_tickets
    if tickets is None:
        return None
    start = ctx.day - pd.Timedelta(days=rule.window_days or 90)
    rows = tickets[tickets["account_id"].isin(ids)]
    rows = rows[(rows["created_at"] >= start) & (rows["created_at"] < ctx.day)]
    tag = (rule.tag or "slow").lower()
    tagged = rows["tags"].map(lambda t: tag in [str(x).lower() for x in (t or [])])
    rows = rows[tagged.astype(bool)]
    detail = f"ticket tagged {tag!r}: " + rows["subject"].fillna("").astype("str")
    return _ev(rows, "slow_tickets", "tickets", "ticket_id", "created_at", detail)


def _evidence_nps_detractors(ctx, ids):
    surveys = ctx.tables.get("surveys")
    if surveys is None:
        return None
    start = ctx.day - pd.Timedelta(
        days=ctx.rules.flags.nps_detractors.window_days or 365
    )
    rows = surveys[surveys["account_id"].isin(ids) & surveys["kind"].eq("nps")]
    rows = rows[(rows["submitted_at"] >= start) & (rows["submitted_at"] < ctx.day)]
    rows = rows[rows["score"] <= 6]
    detail = (
        "detractor, score "
        + rows["score"].map("{:.0f}".format)
        + (
            ": "
            + rows["comment"].fillna("(no comment)").astype("str").str.slice(0, 160)
        )
    )
    return _ev(rows, "nps_detractors", "surveys", "response_id", "submitted_at", detail)


def _evidence_low_training_attendance(ctx, ids):
    points = ctx.tables.get("touchpoints")
    if points is None:
        return None
    rows = points[points["account_id"].isin(ids) & points["kind"].eq("training")]
    rows = rows[rows["ts"] < ctx.day]
    detail = (
        "training: "
        + rows["attended"].astype("str")
        + " of "
        + (rows["invited"].astype("str") + " invited attended")
    )
    return _ev(
        rows, "low_training_attendance", "touchpoints", "touchpoint_id", "ts", detail
    )


def _evidence_renewal_at_risk(ctx, ids):
    accounts = ctx.tables.get("accounts")
    if accounts is None:
        return None
    rows = accounts[accounts["account_id"].isin(ids)]
    detail = "renewal on " + rows["renewal_date"].dt.strftime("%Y-%m-%d")
    return _ev(
        rows, "renewal_at_risk", "accounts", "account_id", "renewal_date", detail
    )


_EVIDENCE_FUNCTIONS = {
    name: globals()[f"_evidence_{name}"]
    for name in FLAGS
    if f"_evidence_{name}" in globals()
}


def _evidence(ctx: _Ctx, flags: pd.DataFrame) -> pd.DataFrame:
    raised = flags[flags["raised"]]
    readings = pd.DataFrame(
        {
            "account_id": raised["account_id"],
            "flag": raised["flag"],
            "source": "metrics",
            "ref": raised["flag"],
            "when": pd.NaT,
            "detail": raised["detail"],
        }
    )
    parts = [readings]
    for flag, function in _EVIDENCE_FUNCTIONS.items():
        ids = raised.loc[raised["flag"] == flag, "account_id"].unique()
        if len(ids):
            parts.append(function(ctx, ids))
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame(columns=_EVIDENCE_COLUMNS)
    frame = pd.concat([p.astype({"when": "object"}) for p in parts], ignore_index=True)
    return frame.sort_values(
        ["account_id", "flag", "source", "ref"], kind="stable"
    ).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Public entry points


def evaluate_flags(
    table: pd.DataFrame,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    as_of: Any,
    health: _health.HealthScores | pd.DataFrame | None = None,
    rules: RiskRules | None = None,
    evidence: bool = True,
) -> RiskFlags:
    """Evaluate every enabled flag for every account of a metrics table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per account: ``account_id`` and the metric columns
        (``<metric>``, ``<metric>_status``, ``<metric>_reason``) of
        :func:`signal_table`; flags whose metric is absent are
        ``not_available``.
    tables : dict of str to pandas.DataFrame, optional
        Raw tables for evidence and dates (``accounts``, ``contacts``,
        ``events``, ``tickets``, ``surveys``, ``touchpoints``).
    as_of : date-like
    health : HealthScores or pandas.DataFrame, optional
        Health scores (``account_id``, ``band``) for ``renewal_at_risk``.
    rules : RiskRules, optional
        By default :func:`load_risk_rules`.
    evidence : bool
        Collect evidence rows (off in backtests, for speed).

    Returns
    -------
    RiskFlags

    Raises
    ------
    MissingColumnError
        When ``table`` has no ``account_id``.
    """
    if "account_id" not in table:
        raise MissingColumnError(
            "account_id", frame="the metrics table", found=list(table)
        )
    ctx = _context(table, tables or {}, as_of, health, rules or load_risk_rules())
    parts = []
    for name, function in _FLAG_FUNCTIONS.items():
        rule = getattr(ctx.rules.flags, name)
        if rule.enabled:
            frame = function(ctx).assign(flag=name, severity=rule.severity)
            parts.append(frame.rename_axis("account_id").reset_index())
    columns = ["account_id", "flag", "raised", "status", "value", "threshold"]
    flags = pd.concat(parts, ignore_index=True)[columns + ["severity", "detail"]]
    found = (
        _evidence(ctx, flags) if evidence else pd.DataFrame(columns=_EVIDENCE_COLUMNS)
    )
    logger.info("%d flags raised over %d accounts", flags["raised"].sum(), len(table))
    return RiskFlags(flags, found)


def _context(table, tables, as_of, health, rules) -> _Ctx:
    indexed = table.set_index(table["account_id"].astype("str"))
    if isinstance(health, _health.HealthScores):
        health = health.scores
    bands = pd.Series(dtype="str")
    if health is not None:
        bands = health.set_index(health["account_id"].astype("str"))["band"]
    return _Ctx(indexed, tables, _utc_day(as_of), bands, rules)


def risk_score(
    flags: RiskFlags,
    *,
    health: _health.HealthScores | pd.DataFrame | None = None,
    rules: RiskRules | None = None,
) -> pd.DataFrame:
    """Turn raised flags and the health band into Red / Yellow / Green.

    Parameters
    ----------
    flags : RiskFlags
    health : HealthScores or pandas.DataFrame, optional
        Adds ``band_points[band]`` to each account's points.
    rules : RiskRules, optional

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``risk``, ``risk_points``, ``health_band``,
        ``flags_raised`` (count) and ``flags`` (raised names, by severity),
        one row per account in the flags' order.
    """
    rules = rules or load_risk_rules()
    table = flags.flags
    raised = table[table["raised"]].sort_values(
        ["severity", "flag"], ascending=[False, True]
    )
    ids = pd.Index(table["account_id"].unique(), dtype="str")
    points = raised.groupby("account_id")["severity"].sum().reindex(ids, fill_value=0)
    names = raised.groupby("account_id")["flag"].agg(", ".join).reindex(ids)
    if isinstance(health, _health.HealthScores):
        health = health.scores
    band = pd.Series(pd.NA, index=ids, dtype="object")
    if health is not None:
        band = health.set_index(health["account_id"].astype("str"))["band"].reindex(ids)
    points = points + band.map(rules.band_points).fillna(0).astype("float64")
    forced = ids.isin(raised.loc[raised["flag"].isin(rules.red_flags), "account_id"])
    level = np.select(
        [forced | (points >= rules.red_at), points >= rules.yellow_at],
        ["Red", "Yellow"],
        "Green",
    )
    return pd.DataFrame(
        {
            "account_id": ids,
            "risk": level,
            "risk_points": points.to_numpy(),
            "health_band": band.to_numpy(),
            "flags_raised": raised.groupby("account_id")
            .size()
            .reindex(ids, fill_value=0)
            .to_numpy(),
            "flags": names.fillna("").to_numpy(),
        }
    )


def account_flags(
    flags: RiskFlags, account_id: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return one account's raised flags and their evidence, for its report.

    Parameters
    ----------
    flags : RiskFlags
    account_id : str

    Returns
    -------
    tuple of pandas.DataFrame
        The raised flags (``flag``, ``severity``, ``detail``), most severe
        first, and their evidence rows (``flag``, ``source``, ``ref``,
        ``when``, ``detail``).
    """
    rows = flags.flags[
        (flags.flags["account_id"] == str(account_id)) & flags.flags["raised"]
    ]
    rows = rows.sort_values(["severity", "flag"], ascending=[False, True])
    evidence = flags.evidence[flags.evidence["account_id"] == str(account_id)]
    return (
        rows[["flag", "severity", "detail"]].reset_index(drop=True),
        evidence[["flag", "source", "ref", "when", "detail"]].reset_index(drop=True),
    )
