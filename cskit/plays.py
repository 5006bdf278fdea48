"""Plays: what the CS team does about each raised risk flag.

``params/health.yaml`` (section ``plays:``) holds the playbook's catalogue
of plays (title, owner role, days until due) and which flags trigger which
plays. :func:`open_plays` lists, per account, the plays its raised flags
call for, each with its owner and a due date counted from the as-of date.
A play triggered by several flags is listed once, with every flag behind it.

Limitations
-----------
Plays are derived from the flags of one as-of date; whether a play was
already run (a logged touchpoint) is not checked.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from cskit import health as _health
from cskit.risk import FLAGS, RiskFlags

__all__ = ["Play", "PlayBook", "load_plays", "open_plays"]

logger = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Play(_Strict):
    """One play of the catalogue."""

    title: str
    owner: str = "csm"
    due_days: int = 7
    description: str = ""


_CATALOG = {
    "csm_touch": Play(title="CSM re-engagement touch", owner="csm", due_days=5),
    "exec_sponsor_call": Play(
        title="Exec sponsor call", owner="cs_leader", due_days=14
    ),
    "competitive_intel": Play(
        title="Competitive intelligence share", owner="csm", due_days=10
    ),
    "onboarding_reminders": Play(
        title="Auto-reminders and async onboarding material",
        owner="cs_ops",
        due_days=2,
    ),
    "dev_on_demand": Play(
        title="Dev-on-Demand session", owner="solutions_engineer", due_days=10
    ),
    "office_hours": Play(
        title="Office hours invitation", owner="solutions_engineer", due_days=7
    ),
    "champion_kit": Play(title="Champion enablement kit", owner="csm", due_days=14),
}
_TRIGGERS = {
    "inactive_developers": ("dev_on_demand", "office_hours"),
    "no_roadmap": ("exec_sponsor_call",),
    "no_champion": ("champion_kit", "exec_sponsor_call"),
    "slow_tickets": ("dev_on_demand",),
    "usage_drop": ("csm_touch", "competitive_intel"),
    "silent_account": ("csm_touch",),
    "negative_pulse": ("csm_touch", "exec_sponsor_call"),
    "nps_detractors": ("csm_touch", "competitive_intel"),
    "low_day45_activation": ("onboarding_reminders", "office_hours"),
    "slow_ttv": ("onboarding_reminders", "dev_on_demand"),
    "renewal_at_risk": ("exec_sponsor_call", "competitive_intel"),
    "low_training_attendance": ("onboarding_reminders",),
}


class PlayBook(_Strict):
    """The catalogue of plays and the plays each flag triggers."""

    catalog: dict[str, Play] = _CATALOG
    triggers: dict[str, tuple[str, ...]] = _TRIGGERS

    @model_validator(mode="after")
    def _check(self) -> PlayBook:
        for flag, plays in self.triggers.items():
            if flag not in FLAGS:
                raise ValueError(
                    f"triggers names flag {flag!r}, which does not exist"
                    f"{_health._suggest(flag, FLAGS)}"
                )
            for play in plays:
                if play not in self.catalog:
                    raise ValueError(
                        f"flag {flag!r} triggers play {play!r}, which is not in "
                        f"the catalog{_health._suggest(play, list(self.catalog))}"
                    )
        return self


def load_plays(path: str | Path | None = None) -> PlayBook:
    """Read the ``plays:`` section (default ``params/health.yaml``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML file; by default ``params/health.yaml`` found from the
        working folder upwards, else the packaged playbook.

    Returns
    -------
    PlayBook

    Raises
    ------
    ConfigurationError
        For an unknown flag or play (with the closest name) or key.
    """
    return _health.load_section(path, "plays", PlayBook, preset="playbook")


def open_plays(
    flags: RiskFlags,
    *,
    as_of: Any,
    playbook: PlayBook | None = None,
    accounts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """List the plays the raised flags call for, with owner and due date.

    Parameters
    ----------
    flags : RiskFlags
        As returned by :func:`cskit.risk.evaluate_flags`.
    as_of : date-like
        Due dates count from this day.
    playbook : PlayBook, optional
        By default :func:`load_plays`.
    accounts : pandas.DataFrame, optional
        ``account_id`` and ``csm``: the ``csm`` owner role is then shown
        with the CSM's name.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``play``, ``title``, ``owner``, ``due`` (date),
        ``flags`` (the flags behind it) and ``why`` (their readings), by
        account, then due date, then play.
    """
    playbook = playbook or load_plays()
    raised = flags.flags[flags.flags["raised"]]
    rows = [
        (account, play, flag, detail)
        for account, flag, detail in raised[
            ["account_id", "flag", "detail"]
        ].itertuples(index=False)
        for play in playbook.triggers.get(flag, ())
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "play", "flag", "detail"])
    grouped = frame.groupby(["account_id", "play"], sort=True).agg(
        flags=("flag", ", ".join), why=("detail", "; ".join)
    )
    table = grouped.reset_index()
    day = pd.Timestamp(as_of).normalize()
    catalog = playbook.catalog
    table["title"] = table["play"].map(lambda p: catalog[p].title)
    table["owner"] = table["play"].map(lambda p: catalog[p].owner)
    days = table["play"].map(lambda p: catalog[p].due_days).astype("int64")
    table["due"] = (day + pd.to_timedelta(days, unit="D")).dt.date
    table["owner"] = _owner_names(table, accounts)
    table = table.sort_values(["account_id", "due", "play"], kind="stable")
    columns = ["account_id", "play", "title", "owner", "due", "flags", "why"]
    logger.info("%d open plays", len(table))
    return table[columns].reset_index(drop=True)


def _owner_names(table: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.Series:
    if accounts is None or "csm" not in accounts or table.empty:
        return table["owner"]
    names = accounts.set_index(accounts["account_id"].astype("str"))["csm"]
    csm = table["account_id"].map(names)
    named = table["owner"].eq("csm") & csm.notna()
    return table["owner"].mask(named, "csm " + csm.astype("str"))
