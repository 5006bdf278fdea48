"""A deterministic synthetic demo company in canonical form.

:func:`make_demo_company` builds every canonical table of the data contract
(:data:`cskit.schema.TABLES`) for a made-up portfolio of accounts of a
low-code platform vendor, plus a ``ground_truth`` table recording what was
planted: each account's latent churn propensity, whether and when it churned,
the churn drivers that shaped its data, and the hidden influencers and decoys
among its contacts. :func:`write_demo_company` writes the same tables as CSV.

The history covers ``months`` calendar months ending at :data:`DEMO_END`;
nothing is dated on or after the following day (timestamps are tz-aware UTC
and stay before midnight UTC). Every random choice comes from one
``numpy.random.default_rng(seed)``, so the same options give identical frames.
See ``docs/demo-data.md`` for the planted signals.

Limitations
-----------
Events are daily aggregates per contact and event type (a ``count`` column),
not single clicks. Calendar arithmetic assumes the day of month of contract
dates is at most 28. With fewer than three accounts the guaranteed cases
(a churned, a reactivated and an onboarding account) cannot all be present.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from cskit import _demo_text as txt
from cskit.exceptions import InvalidInputError
from cskit.schema import TABLES

__all__ = ["DEMO_END", "make_demo_company", "write_demo_company"]

logger = logging.getLogger(__name__)

DEMO_END = date(2026, 9, 30)

_CUTOFF = np.datetime64(DEMO_END + timedelta(days=1), "us")
_NEVER = 10**6
_CHUNK = 2000
_ROLES = np.array(
    [
        "developer",
        "end_user",
        "admin",
        "champion",
        "exec_sponsor",
        "economic_buyer",
        "other",
    ]
)
_DEV, _END_USER, _ADMIN, _CHAMPION, _EXEC, _BUYER, _OTHER = range(7)
_DRIVERS = (
    "usage_decay",
    "champion_left",
    "no_roadmap",
    "negative_tickets",
    "slow_performance",
    "low_nps",
    "low_engagement",
)
_ZONES = (
    "America/New_York",
    "America/Chicago",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Singapore",
)
_ZONE_P = (0.28, 0.12, 0.18, 0.1, 0.07, 0.1, 0.08, 0.07)
_LOCAL_CURRENCY = {
    "Europe/Berlin": ("EUR", 0.85),
    "Europe/London": ("GBP", 0.85),
    "Australia/Sydney": ("AUD", 0.5),
}
_FX_BASE = {"EUR": 1.09, "GBP": 1.27, "AUD": 0.66}
_SEAT_PRICE = {"team": 25.0, "business": 45.0, "enterprise": 70.0}
_MODULE_PRICE = {
    "workflows": 400.0,
    "ai_assist": 600.0,
    "sso": 250.0,
    "audit_log": 150.0,
    "premium_support": 800.0,
}
_LIST_SEP = ";"


@dataclass(frozen=True)
class _Calendar:
    """The history: day 0 is ``start``; day ``n_days - 1`` is :data:`DEMO_END`."""

    start: np.datetime64
    n_days: int
    month_starts: np.ndarray

    def dates(self, day: np.ndarray) -> np.ndarray:
        """Return calendar dates of day indexes, NaT for ``_NEVER``."""
        day = np.asarray(day)
        out = self.start + np.where(day >= _NEVER, 0, day).astype("timedelta64[D]")

        return np.where(day >= _NEVER, np.datetime64("NaT"), out).astype("M8[D]")

    def add_months(self, day: np.ndarray, months: np.ndarray | int) -> np.ndarray:
        """Return the same day of month ``months`` later (day of month <= 28)."""
        when = self.dates(day)
        month = when.astype("M8[M]")
        dom = (when - month.astype("M8[D]")).astype(int)
        moved = (month + np.asarray(months)).astype("M8[D]") + dom

        return (moved - self.start).astype(int)


def _calendar(months: int) -> _Calendar:
    end = np.datetime64(DEMO_END, "D")
    start = (end.astype("M8[M]") - (months - 1)).astype("M8[D]")
    firsts = np.arange(start.astype("M8[M]"), end.astype("M8[M]") + 1)
    offsets = (firsts.astype("M8[D]") - start).astype(int)

    return _Calendar(start, int((end - start).astype(int)) + 1, offsets)


def _check_options(accounts: int, seed: int, months: int) -> None:
    checks = [
        ("accounts", accounts, 1, 100_000),
        ("seed", seed, 0, 2**63 - 1),
        ("months", months, 6, 120),
    ]
    for name, value, low, high in checks:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidInputError(
                f"{name}={value!r} is not a whole number; pass an int between "
                f"{low} and {high}"
            )
        if not low <= value <= high:
            raise InvalidInputError(
                f"{name}={value} is out of range; pass a value between {low} and {high}"
            )


# --------------------------------------------------------------------------
# Accounts: the latent plan every other table follows.
# --------------------------------------------------------------------------


def _plan_accounts(rng, n: int, cal: _Calendar) -> dict:
    """Draw each account's latent state: propensity, drivers, size and dates."""
    acc = {"n": n, "p": 1 / (1 + np.exp(-rng.normal(-1.3, 1.5, n)))}
    acc["drivers"] = {
        name: rng.random(n) < np.clip(1.15 * acc["p"] - 0.08, 0.02, 0.95)
        for name in _DRIVERS
    }
    _plan_firmographics(rng, acc)
    _plan_contract_dates(rng, acc, cal)
    _plan_outcomes(rng, acc, cal)
    _plan_trajectories(rng, acc, cal)

    return acc


def _plan_firmographics(rng, acc: dict) -> None:
    n = acc["n"]
    acc["segment"] = rng.choice(
        ["smb", "mid_market", "enterprise"], n, p=[0.5, 0.35, 0.15]
    )
    median = np.select(
        [acc["segment"] == "smb", acc["segment"] == "mid_market"], [9, 25], 70
    )
    size = np.clip(np.round(median * rng.lognormal(0, 0.6, n)), 5, 400).astype(int)
    biggest = int(np.argmax(size))
    size[biggest] = max(size[biggest], 160 + int(rng.integers(0, 60)))
    acc["n_contacts"] = size

    tier_draw = rng.random(n)
    acc["tier"] = np.select(
        [acc["segment"] == "smb", acc["segment"] == "mid_market"],
        [
            np.where(tier_draw < 0.8, "standard", "premium"),
            np.where(
                tier_draw < 0.35,
                "standard",
                np.where(tier_draw < 0.9, "premium", "strategic"),
            ),
        ],
        np.where(tier_draw < 0.4, "premium", "strategic"),
    )
    acc["plan"] = np.select(
        [acc["segment"] == "smb", acc["segment"] == "mid_market"],
        [np.where(rng.random(n) < 0.6, "team", "business"), "business"],
        "enterprise",
    )
    acc["csm"] = rng.choice(np.array(txt.CSM_NAMES), n)
    _plan_locale(rng, acc)


def _plan_locale(rng, acc: dict) -> None:
    n = acc["n"]
    zone = rng.choice(np.array(_ZONES), n, p=_ZONE_P)
    currency = np.full(n, "USD", dtype=object)
    draw = rng.random(n)

    for name, (code, share) in _LOCAL_CURRENCY.items():
        currency[(zone == name) & (draw < share)] = code

    if (currency == "USD").all():
        zone[0], currency[0] = "Europe/Berlin", "EUR"

    acc["timezone"], acc["currency"] = zone, currency.astype(str)


def _plan_contract_dates(rng, acc: dict, cal: _Calendar) -> None:
    n, span = acc["n"], cal.n_days
    kind = rng.choice(np.array(["established", "new"]), n, p=[0.75, 0.25])
    start = np.where(
        kind == "established",
        -rng.integers(30, 1000, n),
        rng.integers(0, max(1, span - 90), n),
    )
    onboarding = np.zeros(n, dtype=bool)
    onboarding[rng.choice(n, max(1, round(0.04 * n)), replace=False)] = True
    start = np.where(onboarding, span - rng.integers(20, 62, n), start)
    acc["onboarding"] = onboarding
    acc["contract_start"] = _clamp_day_of_month(start, cal)
    acc["kickoff"] = acc["contract_start"] + rng.integers(2, 15, n)


def _clamp_day_of_month(day: np.ndarray, cal: _Calendar) -> np.ndarray:
    when = cal.dates(day)
    month = when.astype("M8[M]").astype("M8[D]")
    dom = np.minimum((when - month).astype(int), 27)

    return (month + dom - cal.start).astype(int)


def _last_anniversary(acc: dict, cal: _Calendar) -> np.ndarray:
    """Return the last contract anniversary on or before DEMO_END (or _NEVER)."""
    start = cal.dates(acc["contract_start"]).astype("M8[M]")
    end = np.datetime64(DEMO_END, "M")
    years = (end - start).astype(int) // 12
    day = cal.add_months(acc["contract_start"], 12 * years)

    return np.where(years >= 1, day, _NEVER)


def _plan_outcomes(rng, acc: dict, cal: _Calendar) -> None:
    """Decide churn (at a renewal in the history) and plant the fixed cases."""
    n = acc["n"]
    renewal = _last_anniversary(acc, cal)
    eligible = (renewal >= 45) & (renewal < cal.n_days) & ~acc["onboarding"]
    churned = eligible & (rng.random(n) < acc["p"])
    react = np.full(n, _NEVER)

    others = np.flatnonzero(~acc["onboarding"])
    if others.size >= 2:
        first, second = rng.choice(others, 2, replace=False)
        _force_churn(rng, acc, cal, renewal, churned, first, 0.3)
        react[first] = renewal[first] + round(0.25 * cal.n_days) + rng.integers(0, 20)
        if not np.delete(churned, first).any():
            _force_churn(rng, acc, cal, renewal, churned, second, 0.6)

    acc["churned"], acc["reactivated"] = churned, react
    acc["churn_day"] = np.where(churned, renewal, _NEVER)
    acc["renewal_seen"] = np.where(eligible | churned, renewal, _NEVER)


def _force_churn(rng, acc, cal, renewal, churned, i: int, share: float) -> None:
    """Move account ``i``'s renewal to ``share`` of the history and churn it."""
    day = int(share * cal.n_days) + int(rng.integers(0, 20))
    day = int(_clamp_day_of_month(np.array([day]), cal)[0])
    acc["contract_start"][i] = int(cal.add_months(np.array([day]), -12)[0])
    acc["kickoff"][i] = acc["contract_start"][i] + int(rng.integers(2, 15))
    acc["p"][i] = max(acc["p"][i], 0.6)
    renewal[i], churned[i] = day, True


def _plan_trajectories(rng, acc: dict, cal: _Calendar) -> None:
    """Activity window, growth and pre-churn decay of each account."""
    n, p = acc["n"], acc["p"]
    acc["act_start"] = np.maximum(acc["kickoff"], 0)
    final_churn = acc["churned"] & (acc["reactivated"] >= _NEVER)
    acc["act_end"] = np.where(final_churn, acc["churn_day"], cal.n_days)
    acc["gap"] = (
        np.where(acc["reactivated"] < _NEVER, acc["churn_day"], _NEVER),
        acc["reactivated"],
    )
    acc["horizon"] = np.where(acc["churned"], acc["churn_day"], cal.n_days)
    acc["growth"] = 0.7 * (1 - p) * rng.random(n)
    strong = acc["drivers"]["usage_decay"] | (acc["churned"] & (rng.random(n) < 0.5))
    acc["decay_amp"] = np.where(
        strong, rng.uniform(0.55, 0.9, n), 0.3 * p * rng.random(n)
    )
    acc["decay_len"] = rng.integers(90, 170, n)
    acc["level"] = np.where(acc["onboarding"], 0.5, rng.lognormal(0, 0.3, n))
    roadmap = ~acc["drivers"]["no_roadmap"] & (rng.random(n) > 0.1)
    acc["has_roadmap"] = roadmap & ~acc["onboarding"]


def _intensity(acc: dict, cal: _Calendar) -> np.ndarray:
    """Return the account x day usage multiplier (0 outside the active window)."""
    day = np.arange(cal.n_days)[None, :]
    col = {
        key: acc[key][:, None]
        for key in (
            "act_start",
            "act_end",
            "growth",
            "horizon",
            "decay_amp",
            "decay_len",
            "kickoff",
            "level",
        )
    }
    gap_start, gap_end = (g[:, None] for g in acc["gap"])
    alive = (day >= col["act_start"]) & (day < col["act_end"])
    alive &= ~((day >= gap_start) & (day < gap_end))

    growth = 1 + col["growth"] * (day - col["act_start"]) / 365
    onset = col["horizon"] - col["decay_len"]
    decay = 1 - col["decay_amp"] * np.clip((day - onset) / col["decay_len"], 0, 1)
    ramp = np.clip((day - col["kickoff"]) / 60, 0.15, 1)
    return (alive * growth * decay * ramp * col["level"]).astype(np.float32)


def _weekday_factor(cal: _Calendar) -> np.ndarray:
    weekday = (cal.dates(np.arange(cal.n_days)).astype(int) + 3) % 7
    return np.array([1.0, 1.0, 1.0, 0.95, 0.8, 0.1, 0.07])[weekday]


# --------------------------------------------------------------------------
# Contacts: org charts, leavers, planted influencers and decoys.
# --------------------------------------------------------------------------

# Weight of each role (in _ROLES order) as the source of each signal.
_WEIGHTS = {
    "tickets": (1.0, 0.25, 1.5, 1.2, 0.05, 0.2, 0.3),
    "calls": (1.0, 0.1, 0.5, 3.0, 1.0, 0.5, 0.3),
    "surveys": (1.0, 0.6, 1.0, 1.0, 0.6, 0.6, 0.6),
    "apps": (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}


def _plan_contacts(rng, acc: dict, cal: _Calendar) -> dict:
    """Draw contacts, sorted by account; rank 0 is the exec at the top."""
    counts = acc["n_contacts"]
    account = np.repeat(np.arange(acc["n"]), counts)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(account.size) - first[account]
    ppl = {"account": account, "rank": rank, "first": first, "count": counts}

    fixed = np.array([_EXEC, _CHAMPION, _DEV, _BUYER])
    drawn = rng.choice(
        [_DEV, _END_USER, _ADMIN, _OTHER], rank.size, p=[0.3, 0.52, 0.04, 0.14]
    )
    ppl["role"] = np.where(rank < 4, fixed[np.minimum(rank, 3)], drawn)
    parent = np.floor(rng.random(rank.size) * np.ceil(rank / 3)).astype(int)
    ppl["manager"] = np.where(rank == 0, -1, first[account] + parent)

    _contact_dates(rng, acc, ppl, cal)
    _plant_people(rng, acc, ppl)
    _signal_weights(ppl)
    return ppl


def _contact_dates(rng, acc: dict, ppl: dict, cal: _Calendar) -> None:
    a, size = ppl["account"], ppl["account"].size
    start = acc["contract_start"][a]
    last = np.minimum(acc["act_end"][a], cal.n_days) - 1
    spread = np.floor(rng.random(size) ** 1.6 * np.maximum(last - start, 0))
    created = np.where(
        ppl["rank"] < 4, start - rng.integers(0, 20, size), start + spread.astype(int)
    )

    room = np.maximum(last - created - 10, 0)
    left = created + 10 + np.floor(rng.random(size) * room).astype(int)
    leaves = (rng.random(size) < 0.06) & (ppl["rank"] >= 2)
    left = np.where(leaves, left, _NEVER)

    champion = (ppl["role"] == _CHAMPION) & acc["drivers"]["champion_left"][a]
    champion_left = acc["horizon"][a] - rng.integers(45, 150, size)
    left = np.where(champion, np.maximum(champion_left, created + 10), left)
    ppl["created"] = created
    ppl["left"] = np.where(left >= cal.n_days, _NEVER, left)


def _one_per_group(rng, group: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Return one random row index per group among the rows where ``mask``."""
    rows = np.flatnonzero(mask)
    rows = rows[np.lexsort((rng.random(rows.size), group[rows]))]
    _, first = np.unique(group[rows], return_index=True)

    return rows[first]


def _plant_people(rng, acc: dict, ppl: dict) -> None:
    """Plant influencers (busy on several signals) and decoys (on one)."""
    a, role, rank = ppl["account"], ppl["role"], ppl["rank"]
    influencer = np.zeros(a.size, dtype=bool)
    for share, min_size in ((0.45, 8), (0.5, 40)):
        wanted = (acc["n_contacts"] >= min_size) & (rng.random(acc["n"]) < share)
        candidates = (role == _DEV) & (rank >= 4) & wanted[a] & ~influencer
        influencer[_one_per_group(rng, a, candidates)] = True

    wanted = (acc["n_contacts"] >= 8) & (rng.random(acc["n"]) < 0.4)
    candidates = np.isin(role, [_END_USER, _OTHER]) & (rank >= 4) & wanted[a]
    decoys = _one_per_group(rng, a, candidates)
    decoy = np.full(a.size, "", dtype=object)
    decoy[decoys] = rng.choice(np.array(["tickets", "calls", "surveys"]), decoys.size)

    planted = influencer | (decoy != "")
    ppl["created"] = np.where(planted, acc["contract_start"][a], ppl["created"])
    ppl["left"] = np.where(planted, _NEVER, ppl["left"])
    ppl["influencer"], ppl["decoy"] = influencer, decoy


def _signal_weights(ppl: dict) -> None:
    decoy = ppl["decoy"]
    boost = np.where(ppl["influencer"], 8.0, 1.0)

    for signal, by_role in _WEIGHTS.items():
        weight = np.array(by_role)[ppl["role"]] * boost
        own = np.where(decoy == signal, 8.0, 0.0)
        ppl["w_" + signal] = np.where(decoy != "", own, weight)


def _pick_contacts(
    rng,
    ppl: dict,
    account: np.ndarray,
    day: np.ndarray,
    weight: np.ndarray,
    *,
    tries: int = 6,
) -> np.ndarray:
    """Pick a contact per request, weighted within its account, active that day.

    Returns the contact row, or -1 where no active contact was found.
    """
    cum = np.concatenate(([0.0], np.cumsum(weight)))
    low = cum[ppl["first"][account]]
    high = cum[ppl["first"][account] + ppl["count"][account]]
    picked = np.full(account.size, -1)
    todo = np.flatnonzero(high > low)

    for _ in range(tries):
        target = low[todo] + rng.random(todo.size) * (high[todo] - low[todo])
        row = np.searchsorted(cum, target, side="right") - 1
        ok = (ppl["created"][row] <= day[todo]) & (day[todo] < ppl["left"][row])
        picked[todo[ok]] = row[ok]
        todo = todo[~ok]

    return picked


def _coprime_step(size: int, near: int) -> int:
    step = near

    while np.gcd(step, size) != 1:
        step += 1

    return step


def _account_names(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    words, suffixes = txt.COMPANY_WORDS, txt.COMPANY_SUFFIXES
    size = len(words) * len(suffixes)
    step = _coprime_step(size, 97)
    combo = (int(rng.integers(0, size)) + np.arange(n) * step) % size
    word = np.array(words)[combo % len(words)]
    suffix = np.array(suffixes)[combo // len(words)]
    repeat = np.arange(n) // size
    tail = np.where(repeat > 0, " " + (repeat + 1).astype(str), "")
    names = np.char.add(np.char.add(np.char.add(word, " "), suffix), tail)
    domains = np.char.add(
        np.char.lower(
            np.char.add(np.char.add(word, suffix), np.char.replace(tail, " ", ""))
        ),
        ".com",
    )

    return names.astype(object), domains.astype(object)


def _contact_names(rng, acc: dict, ppl: dict, domains: np.ndarray) -> None:
    """Names unique within an account; e-mails at the account's domain."""
    first, last = np.array(txt.FIRST_NAMES), np.array(txt.LAST_NAMES)
    size = first.size * last.size
    offset = rng.integers(0, size, acc["n"])
    combo = (offset[ppl["account"]] + ppl["rank"] * _coprime_step(size, 1571)) % size
    given, family = first[combo % first.size], last[combo // first.size]
    ppl["name"] = np.char.add(np.char.add(given, " "), family).astype(object)
    local = np.char.lower(np.char.add(np.char.add(given, "."), family))
    ppl["email"] = np.char.add(
        np.char.add(local, "@"), domains[ppl["account"]].astype(str)
    ).astype(object)
    ppl["given"] = given.astype(object)


def _contact_titles(rng, ppl: dict) -> tuple[np.ndarray, np.ndarray]:
    role, size = ppl["role"], ppl["role"].size
    draw = rng.random((size, 2))
    titles = np.empty(size, dtype=object)

    for code, name in enumerate(_ROLES):
        rows = role == code
        options = np.array(txt.TITLES[name], dtype=object)
        titles[rows] = options[(draw[rows, 0] * options.size).astype(int)]

    departments = np.array(txt.DEPARTMENTS, dtype=object)
    department = departments[(draw[:, 1] * departments.size).astype(int)]
    department = np.where(
        role == _DEV, np.where(draw[:, 1] < 0.6, "Engineering", "IT"), department
    )
    department = np.where(role == _EXEC, "Executive", department)
    department = np.where(role == _BUYER, "Finance", department)

    return titles, department


# --------------------------------------------------------------------------
# Apps, product events and app usage.
# --------------------------------------------------------------------------


def _plan_apps(rng, acc: dict, ppl: dict, cal: _Calendar) -> dict:
    """Draw apps sorted by account and creation day; the first is the TTV app."""
    p, n = acc["p"], acc["n"]
    developers = np.bincount(ppl["account"][ppl["role"] == _DEV], minlength=n)
    count = 1 + rng.poisson(
        np.where(acc["onboarding"], 0.6, 0.5 * developers * (1.1 - p))
    )
    account = np.repeat(np.arange(n), np.minimum(count, 80))
    first = np.concatenate(([0], np.cumsum(np.bincount(account, minlength=n))[:-1]))
    rank = np.arange(account.size) - first[account]

    kickoff, end = acc["kickoff"][account], acc["act_end"][account]
    spread = np.floor(rng.random(account.size) ** 0.9 * np.maximum(end - kickoff, 1))
    created = np.where(
        rank == 0,
        kickoff + rng.integers(1, 8, account.size),
        kickoff + spread.astype(int),
    )
    gap_start, gap_end = (g[account] for g in acc["gap"])
    created = np.where((created >= gap_start) & (created < gap_end), gap_end, created)
    created = np.minimum(created, cal.n_days - 1)
    order = np.lexsort((created, account))
    apps = {"account": account[order], "created": created[order], "first": first}
    apps["count"] = np.bincount(account, minlength=n)
    _app_lifecycle(rng, acc, apps, cal)
    apps["owner"] = _pick_contacts(
        rng, ppl, apps["account"], apps["created"], ppl["w_apps"]
    )
    return apps


def _app_lifecycle(rng, acc: dict, apps: dict, cal: _Calendar) -> None:
    a, created, size = apps["account"], apps["created"], apps["account"].size
    is_first = np.arange(size) == apps["first"][a]
    ttv = 5 + rng.gamma(2.0, 6 + 25 * acc["p"][a])
    published = np.where(
        is_first, acc["kickoff"][a] + ttv, created + 2 + rng.exponential(20, size)
    ).astype(int)
    published = np.maximum(published, created + 1)
    keep = (is_first | (rng.random(size) < 0.65)) & ~acc["onboarding"][a]
    keep &= published < acc["act_end"][a]
    apps["published"] = np.where(keep, published, _NEVER)

    archived = apps["published"] + rng.integers(30, 300, size)
    archive = keep & (rng.random(size) < 0.1) & (archived < cal.n_days)
    apps["archived"] = np.where(archive, archived, _NEVER)
    apps["name"] = _app_names(rng, size)
    apps["created_secs"] = rng.integers(8 * 3600, 19 * 3600, size)
    apps["published_secs"] = rng.integers(8 * 3600, 19 * 3600, size)


def _app_names(rng, size: int) -> np.ndarray:
    prefix = np.array(txt.APP_PREFIXES)[rng.integers(0, len(txt.APP_PREFIXES), size)]
    noun = np.array(txt.APP_NOUNS)[rng.integers(0, len(txt.APP_NOUNS), size)]

    return np.char.add(np.char.add(prefix, " "), noun).astype(object)


def _apps_at(rng, apps: dict, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Pick a random app of each account created on or before ``day`` (-1: none)."""
    shift = np.int64(10**7)
    keys = apps["account"] * shift + apps["created"] + shift // 2
    query = account.astype(np.int64) * shift + day + shift // 2
    known = np.searchsorted(keys, query, side="right")
    known -= apps["first"][account]
    pick = apps["first"][account] + np.floor(rng.random(account.size) * known)

    return np.where(known > 0, pick.astype(int), -1)


def _daily_activity(
    rng,
    intensity: np.ndarray,
    weekday: np.ndarray,
    account: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, day) of the active days of each actor, in chunks of rows.

    An actor is active on a day with probability ``rate * intensity[account,
    day] * weekday[day]`` inside its own window ``[low, high)``.
    """
    days = np.arange(weekday.size)
    rows, hits = [], []

    for begin in range(0, account.size, _CHUNK):
        part = slice(begin, begin + _CHUNK)
        prob = intensity[account[part]] * (rate[part][:, None] * weekday[None, :])
        outside = (days < low[part, None]) | (days >= high[part, None])
        prob[outside] = 0
        row, day = np.nonzero(rng.random(prob.shape, dtype=np.float32) < prob)
        rows.append((row + begin).astype(np.int32))
        hits.append(day.astype(np.int32))

    return np.concatenate(rows), np.concatenate(hits)


# event: (probability on an active developer-day, mean extra count, needs an app)
_EVENTS = {
    "login": (1.0, 0.6, False),
    "app_edit": (0.55, 4.0, True),
    "query_run": (0.5, 6.0, True),
    "app_preview": (0.3, 2.0, True),
    "component_create": (0.08, 1.0, True),
    "workflow_edit": (0.12, 1.0, True),
    "data_source_connect": (0.02, 0.0, False),
}


def _developer_days(rng, acc, ppl, intensity, cal) -> tuple[np.ndarray, np.ndarray]:
    """Active days of every developer; some go dormant (more in risky accounts)."""
    dev = np.flatnonzero(ppl["role"] == _DEV)
    p = acc["p"][ppl["account"][dev]]
    low, high = ppl["created"][dev], np.minimum(ppl["left"][dev], cal.n_days)
    dormant = rng.random(dev.size) < 0.1 + 0.35 * p
    stop = low + np.floor(rng.random(dev.size) * np.maximum(high - low, 1))
    high = np.where(dormant & ~ppl["influencer"][dev], stop.astype(int), high)
    rate = 0.42 * rng.lognormal(0, 0.5, dev.size)
    rate = np.where(ppl["influencer"][dev], 0.9, rate)
    row, day = _daily_activity(
        rng, intensity, _weekday_factor(cal), ppl["account"][dev], low, high, rate
    )

    return dev[row], day


def _make_events(rng, acc, ppl, apps, intensity, cal, ids) -> pd.DataFrame:
    contact, day = _developer_days(rng, acc, ppl, intensity, cal)
    account = ppl["account"][contact].astype(np.int32)
    parts = []
    for code, (share, extra, needs_app) in enumerate(_EVENTS.values()):
        take = np.flatnonzero(rng.random(contact.size, dtype=np.float32) < share)
        app = np.full(take.size, -1, dtype=np.int32)
        if needs_app:
            app = _apps_at(rng, apps, account[take], day[take]).astype(np.int32)
            take, app = take[app >= 0], app[app >= 0]
        secs = rng.integers(8 * 3600, 19 * 3600, take.size, dtype=np.int32)
        parts.append(
            (
                contact[take],
                account[take],
                day[take],
                np.full(take.size, code, dtype=np.int8),
                app,
                1 + rng.poisson(extra, take.size).astype(np.int32),
                secs,
            )
        )
    parts.extend(_app_milestone_events(apps, cal))
    contact, account, day, event, app, count, secs = (
        np.concatenate(x) for x in zip(*parts, strict=True)
    )
    del parts

    ts = _stamp(cal, day, secs, acc, account)
    order = np.argsort(ts)
    names = np.array([*_EVENTS, "app_create", "app_publish"], dtype=object)
    return _frame(
        "events",
        {
            "ts": ts[order],
            "account_id": _Coded(account[order], ids["account"]),
            "contact_id": _Coded(contact[order], ids["contact"]),
            "event": _Coded(event[order], names),
            "app_id": _Coded(app[order], ids["app"]),
            "count": count[order],
        },
    )


def _app_milestone_events(apps: dict, cal: _Calendar) -> list[tuple]:
    """One app_create and one app_publish event per app, by its owner."""
    parts = []
    columns = (("created", "created_secs"), ("published", "published_secs"))

    for code, (column, secs) in enumerate(columns, start=len(_EVENTS)):
        rows = np.flatnonzero((apps[column] >= 0) & (apps[column] < cal.n_days))
        parts.append(
            (
                apps["owner"][rows].astype(np.int32),
                apps["account"][rows].astype(np.int32),
                apps[column][rows].astype(np.int32),
                np.full(rows.size, code, dtype=np.int8),
                rows.astype(np.int32),
                np.ones(rows.size, dtype=np.int32),
                apps[secs][rows].astype(np.int32),
            )
        )

    return parts


def _make_app_usage(rng, acc, ppl, apps, intensity, cal, ids) -> pd.DataFrame:
    """One row per end user per day of use; at most 40 sampled users per account."""
    users = np.flatnonzero(ppl["role"] == _END_USER)
    a = ppl["account"][users]
    rank = np.arange(users.size) - np.searchsorted(a, a)
    users, a = users[rank < 40], a[rank < 40]

    live = np.flatnonzero(apps["published"] < _NEVER)
    live_first = np.searchsorted(apps["account"][live], np.arange(acc["n"]))
    live_count = np.bincount(apps["account"][live], minlength=acc["n"])
    k = live_count[a]
    users, a, k = users[k > 0], a[k > 0], k[k > 0]
    one = np.floor(rng.random(users.size) * k).astype(int)
    two = (one + 1 + np.floor(rng.random(users.size) * (k - 1))).astype(int) % k
    second = (rng.random(users.size) < 0.4) & (k > 1)
    user = np.concatenate([users, users[second]])
    app = live[
        live_first[np.concatenate([a, a[second]])] + np.concatenate([one, two[second]])
    ]

    low = np.maximum(ppl["created"][user], apps["published"][app])
    high = np.minimum(np.minimum(ppl["left"][user], apps["archived"][app]), cal.n_days)
    rate = 0.3 * rng.lognormal(0, 0.6, user.size)
    row, day = _daily_activity(
        rng, intensity, _weekday_factor(cal), apps["account"][app], low, high, rate
    )
    order = np.lexsort((row, day))
    row, day = row[order], day[order]
    return _frame(
        "app_usage",
        {
            "date": cal.dates(day),
            "app_id": _Coded(app[row], ids["app"]),
            "end_user_id": _Coded(user[row], ids["contact"]),
            "account_id": _Coded(apps["account"][app[row]], ids["account"]),
        },
    )


# --------------------------------------------------------------------------
# Tickets and their comments.
# --------------------------------------------------------------------------

_THEMES = tuple(txt.TICKET_THEMES)
_THEME_BASE = {
    "bug": 3.0,
    "slowness": 1.2,
    "outage": 0.4,
    "how_to": 4.0,
    "feature_request": 2.0,
    "billing": 0.6,
    "access": 1.2,
    "praise": 1.0,
}
_SOLVE_DAYS = {
    "bug": 4.0,
    "slowness": 6.0,
    "outage": 0.4,
    "how_to": 1.5,
    "feature_request": 12.0,
    "billing": 3.0,
    "access": 1.0,
    "praise": 0.5,
}
_RESPONSE_HOURS = {"low": 16.0, "normal": 6.0, "high": 2.0, "urgent": 0.5}
_AREAS = ("editor", "queries", "workflows", "connectors", "permissions", "ui")
_HOUR = np.timedelta64(3600 * 10**6, "us")


def _plan_tickets(rng, acc: dict, ppl: dict) -> dict:
    """Ticket account, day and requester; risky accounts file more, later."""
    p, negative = acc["p"], acc["drivers"]["negative_tickets"]
    span = np.maximum(acc["act_end"] - acc["act_start"], 0)
    rate = (0.35 + 0.06 * np.sqrt(acc["n_contacts"])) * (0.6 + p + 0.8 * negative)
    a = np.repeat(np.arange(acc["n"]), rng.poisson(rate * span / 30.4))
    skew = 1 + p[a] + 2.5 * negative[a]
    day = acc["act_start"][a] + np.floor(rng.random(a.size) ** (1 / skew) * span[a])
    day = day.astype(int)
    gap_start, gap_end = acc["gap"]
    keep = ~((day >= gap_start[a]) & (day < gap_end[a]))
    a, day = a[keep], day[keep]

    return {
        "account": a,
        "day": day,
        "theme": _ticket_themes(rng, acc, a),
        "requester": _pick_contacts(rng, ppl, a, day, ppl["w_tickets"]),
    }


def _ticket_themes(rng, acc: dict, a: np.ndarray) -> np.ndarray:
    p, drivers = acc["p"][a], acc["drivers"]
    weights = np.tile([_THEME_BASE[theme] for theme in _THEMES], (a.size, 1))
    negative = np.isin(_THEMES, txt.NEGATIVE_THEMES)
    weights[:, negative] *= (1 + 4 * p + 2 * drivers["negative_tickets"][a])[:, None]
    weights[:, _THEMES.index("slowness")] *= 1 + 5 * drivers["slow_performance"][a]
    weights[:, _THEMES.index("praise")] *= 1.5 * (1 - p)
    cum = weights.cumsum(axis=1)
    target = rng.random(a.size) * cum[:, -1]

    return (cum < target[:, None]).sum(axis=1)


def _fills(draw: np.ndarray, app: str) -> dict:
    fills = {
        key: values[int(draw[i] * len(values))]
        for i, (key, values) in enumerate(txt.FILLS.items())
    }
    fills["app"] = app
    fills["n"] = int(3 + draw[-1] ** 2 * 120)

    return fills


def _ticket_texts(rng, t: dict, app_names: np.ndarray) -> dict:
    """Subject, description, priority and tags from the theme's templates."""
    size = t["account"].size
    draws = rng.random((size, 9))
    out = {"subject": [], "description": [], "priority": [], "tags": []}

    for i in range(size):
        tags, priorities, templates = txt.TICKET_THEMES[_THEMES[t["theme"][i]]]
        subject, body = templates[int(draws[i, 0] * len(templates))]
        fill = _fills(draws[i, 3:], app_names[i] or "our app")
        out["subject"].append(subject.format(**fill))
        out["description"].append(body.format(**fill))
        out["priority"].append(priorities[int(draws[i, 1] * len(priorities))])
        area = [_AREAS[int(draws[i, 2] * 12)]] if draws[i, 2] < 0.5 else []
        out["tags"].append(list(tags) + area)

    return out


def _ticket_times(rng, acc: dict, t: dict, priority: list, cal: _Calendar) -> dict:
    a, size = t["account"], t["account"].size
    created = _stamp(cal, t["day"], rng.integers(7 * 3600, 19 * 3600, size), acc, a)
    hours = np.array([_RESPONSE_HOURS[x] for x in priority]) * (1 + acc["p"][a])
    first = created + (hours * rng.exponential(1, size) * _HOUR).astype("m8[us]")
    days = np.array([_SOLVE_DAYS[_THEMES[x]] for x in t["theme"]])
    solved = first + (days * rng.exponential(1, size) * 24 * _HOUR).astype("m8[us]")
    feature = t["theme"] == _THEMES.index("feature_request")
    unsolved = rng.random(size) < np.where(feature, 0.3, 0.04)

    first[first >= _CUTOFF] = np.datetime64("NaT")
    solved[unsolved | (solved >= _CUTOFF) | np.isnat(first)] = np.datetime64("NaT")
    recent = solved >= _CUTOFF - 14 * 24 * _HOUR
    status = np.where(
        np.isnat(solved),
        np.where(np.isnat(first), "open", "pending"),
        np.where(recent, "solved", "closed"),
    )
    return {
        "created": created,
        "first": first,
        "solved": solved,
        "status": status.astype(object),
    }


def _satisfaction(rng, acc: dict, t: dict, solved: np.ndarray) -> np.ndarray:
    negative = np.isin(np.array(_THEMES)[t["theme"]], txt.NEGATIVE_THEMES)
    bad = rng.random(solved.size) < 0.1 + 0.5 * acc["p"][t["account"]] + 0.25 * negative
    rated = ~np.isnat(solved) & (rng.random(solved.size) < 0.45)

    return np.where(rated, np.where(bad, "bad", "good"), None).astype(object)


def _make_tickets(rng, acc, ppl, apps, cal, ids) -> tuple[pd.DataFrame, dict]:
    t = _plan_tickets(rng, acc, ppl)
    app = _apps_at(rng, apps, t["account"], t["day"])
    texts = _ticket_texts(rng, t, _lookup(apps["name"], app))
    t.update(_ticket_times(rng, acc, t, texts["priority"], cal))
    t.update(texts)
    t["satisfaction"] = _satisfaction(rng, acc, t, t["solved"])
    channel = rng.choice(
        np.array(["email", "web", "chat", "phone"], dtype=object),
        t["account"].size,
        p=[0.45, 0.3, 0.15, 0.1],
    )

    order = np.argsort(t["created"], kind="stable")
    t = {
        key: _objects(value)[order] if key == "tags" else np.asarray(value)[order]
        for key, value in t.items()
    }
    t["id"] = _ids("TCK", t["account"].size, 6)
    frame = _frame(
        "tickets",
        {
            "ticket_id": t["id"],
            "account_id": ids["account"][t["account"]],
            "requester_id": _lookup(ids["contact"], t["requester"]),
            "created_at": t["created"],
            "first_response_at": t["first"],
            "solved_at": t["solved"],
            "priority": t["priority"],
            "status": t["status"],
            "tags": t["tags"],
            "subject": t["subject"],
            "description": t["description"],
            "satisfaction": t["satisfaction"],
            "channel": channel[order],
        },
    )
    return frame, t


def _comment_stamps(rng, t: dict) -> list[list[np.datetime64]]:
    """Customer opens; the agent answers at first response; replies follow."""
    size = t["created"].size
    more = np.minimum(rng.poisson(1.5, size), 5)
    gaps = (rng.exponential(18, (size, 5)) * _HOUR).astype("m8[us]")
    minute = np.timedelta64(60 * 10**6, "us")
    stamps = []

    for i in range(size):
        seq = [t["created"][i]]
        if not np.isnat(t["first"][i]):
            seq.append(max(t["first"][i], seq[0] + minute))
            for k in range(more[i]):
                seq.append(seq[-1] + gaps[i, k] + minute)
        limit = _CUTOFF if np.isnat(t["solved"][i]) else t["solved"][i] + _HOUR
        stamps.append([s for s in seq if s < min(limit, _CUTOFF)] or seq[:1])

    return stamps


def _customer_body(draw, t: dict, i: int, who: dict) -> str:
    greeting = txt.CUSTOMER_GREETINGS[int(draw[0] * len(txt.CUSTOMER_GREETINGS))]
    signature = txt.CUSTOMER_SIGNATURES[int(draw[1] * len(txt.CUSTOMER_SIGNATURES))]
    text = f"{greeting}\n\n{t['description'][i]}" if greeting else t["description"][i]

    return f"{text}\n\n{signature.format(**who)}"


def _followup(draw, t: dict, i: int, who: dict, previous: str) -> str:
    negative = t["theme"][i] in [_THEMES.index(x) for x in txt.NEGATIVE_THEMES]
    mood = (
        "negative"
        if negative and draw[0] < 0.3 + 0.6 * who["p"]
        else ("positive" if draw[0] > 0.5 else "neutral")
    )
    lines = txt.CUSTOMER_FOLLOWUPS[mood]
    body = lines[int(draw[1] * len(lines))].format(**_fills(draw[2:], "the app"))

    if draw[1] < 0.35:
        quoted = "\n".join("> " + line for line in previous.splitlines()[:3])
        body += f"\n\nOn {who['date']}, {who['agent']} wrote:\n{quoted}"
    elif draw[1] > 0.7:
        body += f"\n\n{who['name']}"

    return body


def _agent_body(draw, who: dict) -> str:
    reply = txt.AGENT_REPLIES[int(draw[0] * len(txt.AGENT_REPLIES))]
    signature = txt.AGENT_SIGNATURES[int(draw[1] * len(txt.AGENT_SIGNATURES))]
    reply = reply.format(**_fills(draw[2:], "the app"))

    return f"Hi {who['given']},\n\n{reply}\n\n{signature.format(**who)}"


def _make_ticket_comments(rng, acc, ppl, t: dict, names: np.ndarray) -> pd.DataFrame:
    stamps = _comment_stamps(rng, t)
    draws = rng.random((len(stamps), 7, 9))
    agents = rng.integers(0, len(txt.AGENT_NAMES), len(stamps))
    rows = {"ticket_id": [], "created_at": [], "author_side": [], "body": []}

    for i, seq in enumerate(stamps):
        who = _who(acc, ppl, t, i, names)
        who["agent"] = txt.AGENT_NAMES[agents[i]]
        body = ""
        for k, stamp in enumerate(seq):
            side = "customer" if k % 2 == 0 else "agent"
            if k == 0:
                body = _customer_body(draws[i, k], t, i, who)
            elif side == "agent":
                body = _agent_body(draws[i, k], who)
            else:
                who["date"] = str(seq[k - 1].astype("M8[D]"))
                body = _followup(draws[i, k], t, i, who, body)
            for key, value in zip(rows, (t["id"][i], stamp, side, body), strict=True):
                rows[key].append(value)

    rows["created_at"] = np.array(rows["created_at"], dtype="M8[us]")

    return _frame("ticket_comments", rows)


def _who(acc: dict, ppl: dict, t: dict, i: int, names: np.ndarray) -> dict:
    row, a = t["requester"][i], t["account"][i]
    known = row >= 0

    return {
        "name": ppl["name"][row] if known else "IT Team",
        "given": ppl["given"][row] if known else "there",
        "title": ppl["title"][row] if known else "IT",
        "company": names[a],
        "p": acc["p"][a],
        "agent": "",
        "date": "",
    }


# --------------------------------------------------------------------------
# Surveys: NPS and CES waves, CSAT after tickets.
# --------------------------------------------------------------------------

_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _alive(acc: dict, a: np.ndarray, day: np.ndarray) -> np.ndarray:
    gap_start, gap_end = acc["gap"]
    inside = (day >= acc["act_start"][a]) & (day < acc["act_end"][a])

    return inside & ~((day >= gap_start[a]) & (day < gap_end[a]))


def _closeness(acc: dict, a: np.ndarray, day: np.ndarray) -> np.ndarray:
    """0 far from the account's horizon, rising to 1 over its last 120 days."""
    return np.clip((day - acc["horizon"][a] + 120) / 120, 0, 1)


def _survey_wave(
    rng, acc, ppl, cal, *, every: int, offset: int, size: int, share: float
) -> dict:
    waves = cal.month_starts[offset::every]
    a = np.repeat(np.arange(acc["n"]), waves.size)
    wave = np.tile(waves, acc["n"])
    asked = np.minimum(acc["n_contacts"][a], size)
    count = rng.binomial(asked, share) * _alive(acc, a, wave)
    a, wave = np.repeat(a, count), np.repeat(wave, count)
    day = np.minimum(wave + rng.integers(0, 14, a.size), cal.n_days - 1)
    contact = _pick_contacts(rng, ppl, a, day, ppl["w_surveys"])
    _, first = np.unique(np.stack([wave, contact]), axis=1, return_index=True)
    keep = np.zeros(a.size, dtype=bool)
    keep[first] = True
    keep &= contact >= 0

    return {"account": a[keep], "contact": contact[keep], "day": day[keep]}


def _survey_scores(rng, acc: dict, kind: str, a, day, bad=None) -> np.ndarray:
    p, low_nps = acc["p"][a], acc["drivers"]["low_nps"][a]
    close = _closeness(acc, a, day) * p

    if kind == "nps":
        mean, spread = 8.9 - 5.0 * p - 1.8 * low_nps - 2.0 * close, 1.6
    elif kind == "ces":
        mean, spread = 5.9 - 2.5 * p - 1.0 * close, 1.0
    else:
        mean, spread = 4.6 - 1.6 * p - 1.3 * (bad == "bad") - 0.5 * close, 0.7

    low, high = _SCALES[kind]

    return np.clip(np.round(rng.normal(mean, spread)), low, high)


def _csat_after_tickets(rng, ppl: dict, t: dict) -> dict:
    """CSAT from requesters of rated tickets (never from a decoy of another signal)."""
    rated = pd.notna(t["satisfaction"]) & (t["requester"] >= 0)
    rated &= ppl["w_surveys"][np.maximum(t["requester"], 0)] > 0
    rated &= rng.random(rated.size) < 0.7
    delay = (rng.uniform(0.5, 30, rated.size) * _HOUR).astype("m8[us]")
    when = t["solved"] + delay
    rated &= when < _CUTOFF

    return {
        "account": t["account"][rated],
        "contact": t["requester"][rated],
        "stamp": when[rated],
        "bad": t["satisfaction"][rated],
    }


def _survey_comments(
    rng, acc: dict, kind: np.ndarray, score: np.ndarray, a: np.ndarray
) -> np.ndarray:
    low = np.array([_SCALES[k][0] for k in kind])
    high = np.array([_SCALES[k][1] for k in kind])
    level = (score - low) / (high - low)
    mood = np.where(
        level >= 0.85, "positive", np.where(level >= 0.65, "neutral", "negative")
    ).astype(object)
    slow = acc["drivers"]["slow_performance"][a] & (rng.random(a.size) < 0.6)
    mood[(mood == "negative") & slow] = "slow"
    draw = rng.random((a.size, 3))
    blank = draw[:, 0] < np.where(kind == "nps", 0.35, 0.6)
    comments = np.empty(a.size, dtype=object)

    for i in range(a.size):
        pool = txt.SURVEY_COMMENTS[mood[i]]
        line = pool[int(draw[i, 1] * len(pool))]
        comments[i] = None if blank[i] else line.format(n=int(2 + draw[i, 2] * 20))

    return comments


def _make_surveys(rng, acc, ppl, t: dict, cal: _Calendar, ids) -> pd.DataFrame:
    parts = []
    for kind, every, offset, size, share in (
        ("nps", 3, 1, 25, 0.25),
        ("ces", 6, 2, 10, 0.2),
    ):
        wave = _survey_wave(
            rng, acc, ppl, cal, every=every, offset=offset, size=size, share=share
        )
        secs = rng.integers(7 * 3600, 19 * 3600, wave["day"].size)
        wave["stamp"] = _stamp(cal, wave["day"], secs, acc, wave["account"])
        wave["score"] = _survey_scores(rng, acc, kind, wave["account"], wave["day"])
        parts.append((kind, wave))
    csat = _csat_after_tickets(rng, ppl, t)
    csat_day = (csat["stamp"].astype("M8[D]") - cal.start).astype(int)
    csat["score"] = _survey_scores(
        rng, acc, "csat", csat["account"], csat_day, csat["bad"]
    )
    parts.append(("csat", csat))

    cat = {
        key: np.concatenate([part[key] for _, part in parts])
        for key in ("account", "contact", "stamp", "score")
    }
    kind = np.concatenate(
        [np.full(part["account"].size, name, dtype=object) for name, part in parts]
    )
    comment = _survey_comments(rng, acc, kind, cat["score"], cat["account"])
    order = np.argsort(cat["stamp"], kind="stable")
    return _frame(
        "surveys",
        {
            "response_id": _ids("R", order.size, 6),
            "account_id": ids["account"][cat["account"][order]],
            "contact_id": ids["contact"][cat["contact"][order]],
            "submitted_at": cat["stamp"][order],
            "kind": kind[order],
            "score": cat["score"][order],
            "comment": comment[order],
        },
    )


# --------------------------------------------------------------------------
# Touchpoints, calls and call turns.
# --------------------------------------------------------------------------

# kind: (events per active month, invited low, invited high)
_TOUCH = {
    "training": (0.25, 3, 15),
    "office_hours": (0.6, 1, 6),
    "dev_on_demand": (0.3, 1, 3),
    "exec_sponsor": (1 / 6, 1, 3),
    "webinar": (0.4, 5, 40),
    "reference_call": (0.1, 1, 2),
}
_INVITED = {"kickoff": (3, 10), "qbr": (3, 8)}


def _random_touchpoints(rng, acc: dict) -> tuple[np.ndarray, ...]:
    quiet = 1 - 0.6 * acc["drivers"]["low_engagement"] - 0.3 * acc["p"]
    span = np.maximum(acc["act_end"] - acc["act_start"], 0)
    accounts, days, kinds = [], [], []

    for kind, (rate, _, _) in _TOUCH.items():
        lam = rate * span / 30.4 * quiet
        if kind == "reference_call":
            lam = lam * (acc["p"] < 0.25)
        a = np.repeat(np.arange(acc["n"]), rng.poisson(lam))
        day = acc["act_start"][a] + np.floor(rng.random(a.size) * span[a]).astype(int)
        accounts.append(a)
        days.append(day)
        kinds.append(np.full(a.size, kind, dtype=object))

    return np.concatenate(accounts), np.concatenate(days), np.concatenate(kinds)


def _scheduled_touchpoints(rng, acc: dict, cal: _Calendar) -> tuple[np.ndarray, ...]:
    """Kickoffs, and QBRs every quarter (half-year for standard tier)."""
    cadence = np.where(acc["tier"] == "standard", 182.6, 91.3)
    anchor = acc["kickoff"] + 90
    skip_first = np.maximum(0, np.ceil(-anchor / cadence))
    steps = np.arange(cal.n_days // 91 + 2)
    day = anchor[:, None] + np.round((skip_first[:, None] + steps) * cadence[:, None])
    a = np.repeat(np.arange(acc["n"]), steps.size)
    day = day.ravel().astype(int)
    skip = 0.1 + 0.4 * acc["drivers"]["low_engagement"] + 0.2 * acc["p"]
    held = rng.random(day.size) > skip[a]
    a, day = a[held], day[held]
    kick = np.flatnonzero(acc["kickoff"] >= 0)
    accounts = np.concatenate([kick, a])
    kinds = np.array(["kickoff"] * kick.size + ["qbr"] * a.size, dtype=object)

    return accounts, np.concatenate([acc["kickoff"][kick], day]), kinds


def _make_touchpoints(rng, acc, cal, ids) -> tuple[pd.DataFrame, dict]:
    parts = [_random_touchpoints(rng, acc), _scheduled_touchpoints(rng, acc, cal)]
    a, day, kind = (np.concatenate(x) for x in zip(*parts, strict=True))
    keep = _alive(acc, a, day) & (day >= 0) & (day < cal.n_days)
    a, day, kind = a[keep], day[keep], kind[keep]
    stamp = _stamp(cal, day, rng.integers(8 * 3600, 18 * 3600, a.size), acc, a)
    bounds = {**{k: v[1:] for k, v in _TOUCH.items()}, **_INVITED}
    low = np.array([bounds[k][0] for k in kind])
    high = np.array([bounds[k][1] for k in kind])
    invited = rng.integers(low, high + 1)
    show = 0.85 - 0.45 * acc["p"][a] - 0.25 * acc["drivers"]["low_engagement"][a]
    attended = rng.binomial(invited, np.clip(show, 0.05, 0.95))

    order = np.argsort(stamp, kind="stable")
    tp = {
        "account": a[order],
        "day": day[order],
        "kind": kind[order],
        "stamp": stamp[order],
        "attended": attended[order],
    }
    frame = _frame(
        "touchpoints",
        {
            "touchpoint_id": _ids("TP", order.size, 6),
            "account_id": ids["account"][tp["account"]],
            "ts": tp["stamp"],
            "kind": tp["kind"],
            "invited": invited[order],
            "attended": tp["attended"],
            "notes": np.array(
                [txt.TOUCHPOINT_NOTES[k] for k in tp["kind"]], dtype=object
            ),
        },
    )
    return frame, tp


def _plan_calls(rng, acc: dict, tp: dict, cal: _Calendar) -> dict:
    """Recorded calls: the touchpoints held as calls, plus ad-hoc 'other' calls."""
    held = np.isin(tp["kind"], list(txt.CALL_TITLES)) & (tp["attended"] > 0)
    span = np.maximum(acc["act_end"] - acc["act_start"], 0)
    a = np.repeat(np.arange(acc["n"]), rng.poisson(0.12 * span / 30.4))
    day = acc["act_start"][a] + np.floor(rng.random(a.size) * span[a]).astype(int)
    a, day = a[_alive(acc, a, day)], day[_alive(acc, a, day)]
    other = _stamp(cal, day, rng.integers(8 * 3600, 18 * 3600, a.size), acc, a)
    calls = {
        "account": np.concatenate([tp["account"][held], a]),
        "day": np.concatenate([tp["day"][held], day]),
        "kind": np.concatenate([tp["kind"][held], np.full(a.size, "other", object)]),
        "stamp": np.concatenate([tp["stamp"][held], other]),
        "people": np.concatenate([tp["attended"][held], rng.integers(1, 4, a.size)]),
    }
    order = np.argsort(calls["stamp"], kind="stable")

    return {key: value[order] for key, value in calls.items()}


def _call_participants(rng, ppl: dict, calls: dict) -> np.ndarray:
    """Up to four customer contacts per call (-1: empty seat); execs join theirs."""
    size = calls["account"].size
    picks = _pick_contacts(
        rng,
        ppl,
        np.repeat(calls["account"], 4),
        np.repeat(calls["day"], 4),
        ppl["w_calls"],
    )
    picks = picks.reshape(size, 4)
    seats = np.clip(calls["people"], 1, 4)
    picks[np.arange(4)[None, :] >= seats[:, None]] = -1
    execs = ppl["first"][calls["account"]]
    picks[:, 0] = np.where(calls["kind"] == "exec_sponsor", execs, picks[:, 0])

    return picks


_MOODS = ("negative", "positive", "neutral")
_KINDS = tuple(txt.CALL_TITLES)
_POOLS = [txt.CUSTOMER_LINES[mood] for mood in _MOODS] + [
    txt.VENDOR_LINES[kind] for kind in _KINDS
]
_LINES = np.array([line for pool in _POOLS for line in pool], dtype=object)
_POOL_START = np.cumsum([0] + [len(pool) for pool in _POOLS[:-1]])
_POOL_SIZE = np.array([len(pool) for pool in _POOLS])
_HAS_FIELD = np.array(["{" in line for line in _LINES])


def _turn_moods(draw: np.ndarray, p: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Return 0 (negative), 1 (positive) or 2 (neutral) per customer turn."""
    negative = 0.05 + 0.25 * p + 0.6 * p * close
    positive = negative + 0.55 * (1 - p)

    return np.where(draw < negative, 0, np.where(draw < positive, 1, 2))


def _turn_speakers(rng, acc, ppl, calls: dict, call: np.ndarray, seq, draw):
    """Customer turns go to participants by call weight; the rest to the vendor."""
    picks = _call_participants(rng, ppl, calls)
    weight = np.where(picks >= 0, ppl["w_calls"][np.maximum(picks, 0)] + 0.05, 0)
    cum = weight.cumsum(axis=1)[call]
    customer = (seq > 0) & (cum[:, -1] > 0) & (draw[:, 0] < 0.55)
    slot = (cum < (draw[:, 1] * cum[:, -1])[:, None]).sum(axis=1)
    who = picks[call, np.minimum(slot, 3)]

    engineer = np.array(txt.ENGINEER_NAMES)[rng.integers(0, 4, calls["kind"].size)]
    technical = np.isin(calls["kind"], ["training", "office_hours", "dev_on_demand"])
    csm = acc["csm"][calls["account"]]
    vendor = np.where(technical[call] & (draw[:, 1] < 0.5), engineer[call], csm[call])
    speaker = np.where(customer, ppl["name"][np.maximum(who, 0)], vendor)
    return customer, speaker


def _call_turns(rng, acc, ppl, calls: dict, app_names: np.ndarray) -> dict:
    length = np.minimum(6 + rng.poisson(8, calls["account"].size), 30)
    call = np.repeat(np.arange(length.size), length)
    seq = np.arange(call.size) - np.repeat(np.cumsum(length) - length, length)
    draw = rng.random((call.size, 4))
    customer, speaker = _turn_speakers(rng, acc, ppl, calls, call, seq, draw)

    a = calls["account"][call]
    close = _closeness(acc, calls["account"], calls["day"])[call]
    kind = np.array([_KINDS.index(k) for k in calls["kind"]])[call]
    pool = np.where(customer, _turn_moods(draw[:, 2], acc["p"][a], close), 3 + kind)
    line = _POOL_START[pool] + (draw[:, 3] * _POOL_SIZE[pool]).astype(int)
    text = _LINES[line]
    number = (3 + draw[:, 2] * 30).astype(int)
    for i in np.flatnonzero(_HAS_FIELD[line]):
        text[i] = text[i].format(app=app_names[call[i]] or "your main app", n=number[i])
    side = np.where(customer, "customer", "vendor").astype(object)
    return {
        "call": call,
        "seq": seq + 1,
        "speaker": speaker.astype(object),
        "side": side,
        "text": text,
    }


def _make_calls(rng, acc, ppl, apps, tp, cal, ids) -> tuple[pd.DataFrame, ...]:
    calls = _plan_calls(rng, acc, tp, cal)
    call_ids = _ids("CALL", calls["account"].size, 6)
    app_names = _lookup(
        apps["name"], _apps_at(rng, apps, calls["account"], calls["day"])
    )
    draw = rng.random(call_ids.size)
    titles = np.empty(call_ids.size, dtype=object)

    for i, kind in enumerate(calls["kind"]):
        options = txt.CALL_TITLES[kind]
        titles[i] = options[int(draw[i] * len(options))].format(
            app=app_names[i] or "the first app"
        )

    frame = _frame(
        "calls",
        {
            "call_id": call_ids,
            "account_id": ids["account"][calls["account"]],
            "started_at": calls["stamp"],
            "kind": calls["kind"],
            "title": titles,
        },
    )
    turns = _call_turns(rng, acc, ppl, calls, app_names)
    turns_frame = _frame(
        "call_turns",
        {
            "call_id": call_ids[np.array(turns["call"], dtype=int)],
            "seq": turns["seq"],
            "speaker": turns["speaker"],
            "side": turns["side"],
            "text": turns["text"],
        },
    )

    return frame, turns_frame


# --------------------------------------------------------------------------
# KPIs, revenue, account events and exchange rates.
# --------------------------------------------------------------------------


def _account_kpis(rng, acc: dict, i: int) -> list[tuple]:
    p, start = acc["p"][i], max(acc["act_start"][i], 0) + 30
    days = np.arange(start, acc["act_end"][i], 91)
    chosen = rng.permutation(len(txt.KPI_TEMPLATES))[: rng.integers(1, 4)]
    speed = (1.3 - p) * rng.uniform(0.6, 1.4)
    rows = []

    for index in chosen:
        kpi, unit, direction, base_range, target_range, value = txt.KPI_TEMPLATES[index]
        baseline = round(float(rng.uniform(*base_range)), 1)
        target = round(float(rng.uniform(*target_range)), 1)
        worth = None if value is None else round(float(rng.uniform(*value)), -3)
        progress = np.clip((days - days[0]) / 365 * speed, 0, 1.1) if days.size else []
        noise = rng.normal(0, 0.05, len(days)) * abs(target - baseline)
        for day, step, jitter in zip(days, progress, noise, strict=True):
            current = round(baseline + (target - baseline) * step + jitter, 1)
            rows.append(
                (i, kpi, day, unit, direction, baseline, target, current, worth)
            )

    return rows


def _make_kpis(rng, acc: dict, cal: _Calendar, ids: dict) -> pd.DataFrame:
    tracked = ~acc["onboarding"] & (rng.random(acc["n"]) < 0.25 + 0.45 * (1 - acc["p"]))
    rows = [row for i in np.flatnonzero(tracked) for row in _account_kpis(rng, acc, i)]
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 9
    names = (
        "account",
        "kpi",
        "day",
        "unit",
        "direction",
        "baseline",
        "target",
        "current",
        "annual_value",
    )
    data = dict(zip(names, map(np.asarray, columns), strict=True))

    return _frame(
        "kpis",
        {
            "account_id": ids["account"][data["account"].astype(int)],
            "kpi": data["kpi"],
            "measured_at": cal.dates(data["day"].astype(int)),
            "unit": data["unit"],
            "direction": data["direction"],
            "baseline": data["baseline"],
            "target": data["target"],
            "current": data["current"],
            "annual_value": data["annual_value"],
        },
    )


def _alive_months(acc: dict, cal: _Calendar, i: int) -> np.ndarray:
    starts = cal.month_starts
    ends = np.append(starts[1:], cal.n_days)
    gap_start, gap_end = acc["gap"][0][i], acc["gap"][1][i]
    alive = (starts < acc["act_end"][i]) & (ends > acc["contract_start"][i])

    return alive & ~((starts >= gap_start) & (ends <= gap_end))


def _seat_changes(rng, acc: dict, cal: _Calendar, i: int, alive, seats0: int):
    """Return seat deltas per month, upgrade months and the downgrade month."""
    p, delta = acc["p"][i], np.zeros(cal.month_starts.size, dtype=int)
    live = np.flatnonzero(alive)[1:]
    wanted = rng.poisson(cal.month_starts.size / 12 * (1 - p)) if p < 0.45 else 0
    ups = np.sort(rng.choice(live, min(wanted, live.size), replace=False))
    for month in ups:
        delta[month] += max(1, round(seats0 * rng.uniform(0.1, 0.4)))

    down, renewal = -1, acc["renewal_seen"][i]
    shrinks = p > 0.25 and rng.random() < 1.4 * p
    if not acc["churned"][i] and renewal < _NEVER and shrinks:
        down = int(np.searchsorted(cal.month_starts, renewal, side="right"))
        if down < delta.size:
            delta[down] -= max(1, round(seats0 * rng.uniform(0.1, 0.3)))
        else:
            down = -1
    return delta, ups, down


def _account_money(rng, acc: dict, cal: _Calendar, i: int) -> tuple[list, list, int]:
    alive = _alive_months(acc, cal, i)
    seats0 = int(max(3, round(acc["n_contacts"][i] * rng.uniform(0.25, 0.5))))
    delta, ups, down = _seat_changes(rng, acc, cal, i, alive, seats0)
    seats = np.maximum(seats0 + np.cumsum(delta), 1)
    modules = ["core"] + [m for m in _MODULE_PRICE if rng.random() < 0.25]
    extra = [m for m in _MODULE_PRICE if m not in modules][:1]
    factor = rng.uniform(0.8, 1.0) / _FX_BASE.get(acc["currency"][i], 1.0)

    revenue, mrr = [], np.zeros(seats.size)
    for m in np.flatnonzero(alive):
        owned = modules + (extra if ups.size and m >= ups[0] else [])
        price = seats[m] * _SEAT_PRICE[acc["plan"][i]]
        price += sum(_MODULE_PRICE.get(name, 0.0) for name in owned)
        mrr[m] = round(price * factor, 2)
        revenue.append((i, cal.month_starts[m], mrr[m], int(seats[m]), owned))
    events = _money_events(acc, cal, i, mrr, ups, down)
    last = np.flatnonzero(alive)
    return revenue, events, int(seats[last[-1]] if last.size else seats0)


def _money_events(acc: dict, cal: _Calendar, i: int, mrr, ups, down) -> list:
    """Account events of one account: seat changes, renewals, churn, comeback."""
    starts = cal.month_starts
    events = [
        (i, starts[m], "upgraded", "seat expansion", mrr[m] - mrr[m - 1], "Added seats")
        for m in ups
    ]
    if down >= 0:
        change = mrr[down] - mrr[down - 1]
        note = "Renewed with fewer seats"
        events.append(
            (i, acc["renewal_seen"][i], "downgraded", "fewer users", change, note)
        )

    churn = acc["churn_day"][i]
    for day in acc["anniversaries"][i]:
        if 0 <= day < min(cal.n_days, churn):
            events.append((i, day, "renewed", "annual renewal", 0.0, None))

    if acc["churned"][i]:
        before = mrr[: np.searchsorted(starts, churn, side="right")]
        paid = before[before > 0][-1] if (before > 0).any() else 0.0
        reason = _churn_reason(acc, i)
        events.append((i, churn, "churned", reason, -paid, "Did not renew"))

    back = acc["reactivated"][i]
    if back < _NEVER:
        paid = mrr[np.searchsorted(starts, back, side="right") - 1]
        note = "Signed again after a pause"
        events.append((i, back, "reactivated", "new budget", paid, note))
    return events


def _churn_reason(acc: dict, i: int) -> str:
    drivers = acc["drivers"]

    if drivers["champion_left"][i]:
        return "champion left"

    if drivers["slow_performance"][i]:
        return "performance concerns"

    return txt.CHURN_REASONS[int(acc["p"][i] * 1000) % len(txt.CHURN_REASONS)]


def _make_money(rng, acc: dict, cal: _Calendar, ids: dict) -> tuple:
    revenue, events, seats = [], [], np.zeros(acc["n"], dtype=int)
    starts = np.repeat(acc["contract_start"][:, None], 10, axis=1)
    acc["anniversaries"] = cal.add_months(starts, 12 * np.arange(1, 11))

    for i in range(acc["n"]):
        rows, changes, seats[i] = _account_money(rng, acc, cal, i)
        revenue.extend(rows)
        events.extend(changes)

    a, month, mrr, seat, modules = (list(x) for x in zip(*revenue, strict=True))
    a = np.array(a, dtype=int)
    revenue_frame = _frame(
        "revenue",
        {
            "account_id": ids["account"][a],
            "month": cal.dates(np.array(month)),
            "mrr": mrr,
            "currency": acc["currency"][a],
            "seats": seat,
            "modules": modules,
        },
    )
    events.sort(key=lambda row: (row[0], row[1], row[2]))
    a, day, kind, reason, change, notes = (list(x) for x in zip(*events, strict=True))
    events_frame = _frame(
        "account_events",
        {
            "account_id": ids["account"][np.array(a, dtype=int)],
            "date": cal.dates(np.array(day)),
            "kind": kind,
            "reason": reason,
            "mrr_change": np.round(np.array(change, dtype=float), 2),
            "notes": notes,
        },
    )

    return revenue_frame, events_frame, seats


def _make_fx(rng, acc: dict, cal: _Calendar) -> pd.DataFrame:
    codes = sorted(set(acc["currency"].tolist()) - {"USD"})
    size = cal.month_starts.size
    rates = [
        np.round(_FX_BASE[code] * np.exp(np.cumsum(rng.normal(0, 0.012, size))), 4)
        for code in codes
    ]

    return _frame(
        "fx_rates",
        {
            "currency": np.repeat(np.array(codes, dtype=object), size),
            "month": np.tile(cal.dates(cal.month_starts), len(codes)),
            "rate": np.concatenate(rates) if rates else np.array([]),
        },
    )


# --------------------------------------------------------------------------
# Frames of the planned entities, ground truth, and frame helpers.
# --------------------------------------------------------------------------


def _next_renewal(acc: dict, cal: _Calendar) -> np.ndarray:
    start = cal.dates(acc["contract_start"]).astype("M8[M]")
    years = (np.datetime64(DEMO_END, "M") - start).astype(int) // 12 + 1
    upcoming = cal.add_months(acc["contract_start"], 12 * years)
    back = acc["reactivated"] < _NEVER
    upcoming[back] = cal.add_months(acc["reactivated"][back], 12)
    final_churn = acc["churned"] & ~back

    return np.where(final_churn, acc["churn_day"], upcoming)


def _accounts_frame(acc: dict, names, seats, cal: _Calendar, ids) -> pd.DataFrame:
    final_churn = acc["churned"] & (acc["reactivated"] >= _NEVER)
    return _frame(
        "accounts",
        {
            "account_id": ids["account"],
            "name": names,
            "segment": acc["segment"],
            "tier": acc["tier"],
            "plan": acc["plan"],
            "csm": acc["csm"],
            "timezone": acc["timezone"],
            "currency": acc["currency"],
            "contract_start": cal.dates(acc["contract_start"]),
            "renewal_date": cal.dates(_next_renewal(acc, cal)),
            "kickoff_date": cal.dates(acc["kickoff"]),
            "seats_licensed": seats,
            "has_roadmap": acc["has_roadmap"],
            "churned_at": cal.dates(np.where(final_churn, acc["churn_day"], _NEVER)),
        },
    )


def _contacts_frame(rng, acc: dict, ppl: dict, cal: _Calendar, ids) -> pd.DataFrame:
    owner, size = ppl["account"], ppl["account"].size
    created = _stamp(
        cal, ppl["created"], rng.integers(7 * 3600, 19 * 3600, size), acc, owner
    )
    left = _stamp(cal, ppl["left"], rng.integers(7 * 3600, 19 * 3600, size), acc, owner)
    power_user = (ppl["role"] == _DEV) & (rng.random(size) < 0.04)

    return _frame(
        "contacts",
        {
            "contact_id": ids["contact"],
            "account_id": ids["account"][ppl["account"]],
            "name": ppl["name"],
            "email": ppl["email"],
            "title": ppl["title"],
            "department": ppl["department"],
            "role": _ROLES[ppl["role"]].astype(object),
            "is_champion": (ppl["role"] == _CHAMPION) | power_user,
            "manager_id": _lookup(ids["contact"], ppl["manager"]),
            "created_at": created,
            "left_at": left,
        },
    )


def _apps_frame(acc: dict, apps: dict, cal: _Calendar, ids) -> pd.DataFrame:
    owner = apps["account"]
    secs = apps["published_secs"]

    return _frame(
        "apps",
        {
            "app_id": ids["app"],
            "account_id": ids["account"][apps["account"]],
            "name": apps["name"],
            "owner_id": _lookup(ids["contact"], apps["owner"]),
            "created_at": _stamp(
                cal, apps["created"], apps["created_secs"], acc, owner
            ),
            "published_at": _stamp(cal, apps["published"], secs, acc, owner),
            "archived_at": _stamp(cal, apps["archived"], secs, acc, owner),
        },
    )


def _ground_truth(acc: dict, ppl: dict, cal: _Calendar, ids) -> pd.DataFrame:
    def members(mask: np.ndarray) -> list[list[str]]:
        groups = [[] for _ in range(acc["n"])]

        for row in np.flatnonzero(mask):
            groups[ppl["account"][row]].append(ids["contact"][row])

        return groups

    decoy = ppl["decoy"] != ""
    signals = [[] for _ in range(acc["n"])]
    for row in np.flatnonzero(decoy):
        signals[ppl["account"][row]].append(ppl["decoy"][row])
    drivers = [
        [name for name in _DRIVERS if acc["drivers"][name][i]] for i in range(acc["n"])
    ]
    return pd.DataFrame(
        {
            "account_id": pd.Series(ids["account"], dtype="str"),
            "churn_propensity": np.round(acc["p"], 4),
            "churned": pd.array(acc["churned"], dtype="boolean"),
            "churn_date": cal.dates(acc["churn_day"]).astype("M8[us]"),
            "reactivated_at": cal.dates(acc["reactivated"]).astype("M8[us]"),
            "onboarding": pd.array(acc["onboarding"], dtype="boolean"),
            "drivers": _objects(drivers),
            "influencers": _objects(members(ppl["influencer"])),
            "decoys": _objects(members(decoy)),
            "decoy_signals": _objects(signals),
        }
    )


def _stamp(cal: _Calendar, day, secs, acc: dict, account) -> np.ndarray:
    """Return UTC instants (naive, microseconds) of local day + seconds.

    ``account`` gives the row's account, whose timezone the day is read in.

    The offset is the zone's at local noon of the day: right for every time
    after the small hours, which is all the generator produces.
    """
    day = np.asarray(day)
    valid = day < _NEVER
    out = np.full(day.size, np.datetime64("NaT"), dtype="M8[us]")

    if not valid.any():
        return out

    names, zone = np.unique(acc["timezone"], return_inverse=True)
    which = zone[np.asarray(account)]
    low = int(day[valid].min())
    offsets = _utc_offsets(cal, names, np.arange(low, int(day[valid].max()) + 1))
    seconds = day[valid].astype(np.int64) * 86400 + np.asarray(secs)[valid]
    seconds -= offsets[which[valid], day[valid] - low]
    out[valid] = cal.start.astype("M8[s]") + seconds.astype("m8[s]")

    return out


def _utc_offsets(cal: _Calendar, names: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Return each zone's UTC offset in seconds at local noon of each day."""
    noon = (cal.start + days.astype("m8[D]")).astype("M8[s]") + np.timedelta64(12, "h")
    rows = []

    for name in names:
        local = pd.DatetimeIndex(noon).tz_localize(str(name))
        shift = local.tz_localize(None) - local.tz_convert(None)
        rows.append(shift.total_seconds().to_numpy().astype(np.int64))

    return np.array(rows)


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    width = max(width, len(str(count)))
    return np.array(
        [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)], dtype=object
    )


def _lookup(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    index = np.asarray(index, dtype=int)
    picked = np.asarray(values, dtype=object)[np.maximum(index, 0)]

    return np.where(index >= 0, picked, None)


def _objects(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)

    for i, value in enumerate(values):
        out[i] = value

    return out


_TEXT_KINDS = frozenset({"id", "text", "enum", "timezone", "currency"})


class _Coded(NamedTuple):
    """A large text column as codes into ``labels`` (-1: missing)."""

    codes: np.ndarray
    labels: np.ndarray

    def series(self) -> pd.Series:
        """Decode through Arrow, much faster than from Python strings."""
        labels = [str(label) for label in self.labels]
        codes = np.asarray(self.codes, dtype=np.int32)
        longest = max(map(len, labels), default=0)
        kind = pa.string() if longest * codes.size < 2**31 else pa.large_string()
        labels = pa.array(labels, kind)
        indices = pa.array(codes, mask=(codes < 0) if (codes < 0).any() else None)
        decoded = pa.DictionaryArray.from_arrays(indices, labels).dictionary_decode()

        return pd.Series(pd.array(decoded, dtype="str"))


def _frame(name: str, data: dict) -> pd.DataFrame:
    """Build a canonical table with the in-memory dtypes of the contract."""
    first = next(iter(data.values()))
    size = len(first.codes if isinstance(first, _Coded) else first)
    columns = {
        column.name: _column(column.kind, data.get(column.name), size)
        for column in TABLES[name].columns
    }

    return pd.DataFrame(columns)


def _column(kind: str, values, size: int) -> pd.Series:
    if values is None:
        values = [[] for _ in range(size)] if kind == "list" else [None] * size

    if isinstance(values, _Coded):
        return values.series()

    if kind in _TEXT_KINDS:
        return pd.Series(np.asarray(values, dtype=object), dtype="str")

    if kind == "timestamp":
        stamps = np.asarray(values, dtype="M8[s]").astype("M8[us]")
        return pd.Series(stamps).dt.tz_localize("UTC")

    if kind == "date":
        return pd.Series(np.asarray(values, dtype="M8[D]").astype("M8[us]"))

    if kind == "int":
        return pd.Series(pd.array(np.asarray(values, dtype=float), dtype="Int64"))

    if kind == "float":
        return pd.Series(np.asarray(values, dtype=float))

    if kind == "bool":
        return pd.Series(pd.array(np.asarray(values, dtype=object), dtype="boolean"))

    return pd.Series(_objects(values), dtype=object)


# --------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------


def _build_people(rng, accounts: int, cal: _Calendar) -> tuple:
    acc = _plan_accounts(rng, accounts, cal)
    names, domains = _account_names(rng, accounts)
    ppl = _plan_contacts(rng, acc, cal)
    _contact_names(rng, acc, ppl, domains)
    ppl["title"], ppl["department"] = _contact_titles(rng, ppl)
    apps = _plan_apps(rng, acc, ppl, cal)
    ids = {
        "account": _ids("", accounts, 4),
        "contact": _ids("C", ppl["account"].size, 6),
        "app": _ids("APP", apps["account"].size, 5),
    }

    return acc, names, ppl, apps, ids


def _build_activity(rng, acc, names, ppl, apps, cal, ids) -> dict:
    intensity = _intensity(acc, cal)
    tables = {
        "contacts": _contacts_frame(rng, acc, ppl, cal, ids),
        "apps": _apps_frame(acc, apps, cal, ids),
        "events": _make_events(rng, acc, ppl, apps, intensity, cal, ids),
        "app_usage": _make_app_usage(rng, acc, ppl, apps, intensity, cal, ids),
    }
    tables["tickets"], tickets = _make_tickets(rng, acc, ppl, apps, cal, ids)
    tables["ticket_comments"] = _make_ticket_comments(rng, acc, ppl, tickets, names)
    tables["surveys"] = _make_surveys(rng, acc, ppl, tickets, cal, ids)
    tables["touchpoints"], touch = _make_touchpoints(rng, acc, cal, ids)
    tables["calls"], tables["call_turns"] = _make_calls(
        rng, acc, ppl, apps, touch, cal, ids
    )
    tables["kpis"] = _make_kpis(rng, acc, cal, ids)
    tables["revenue"], tables["account_events"], seats = _make_money(rng, acc, cal, ids)
    tables["fx_rates"] = _make_fx(rng, acc, cal)
    tables["accounts"] = _accounts_frame(acc, names, seats, cal, ids)

    return tables


def make_demo_company(
    *, accounts: int = 60, seed: int = 7, months: int = 18
) -> dict[str, pd.DataFrame]:
    """Build a deterministic synthetic portfolio in canonical form.

    Parameters
    ----------
    accounts : int, default 60
        Number of customer accounts (1 to 100 000). Ids are zero-padded
        text, ``"0001"``, ``"0002"``, ...
    seed : int, default 7
        Seed of the one random generator; the same options give identical
        frames.
    months : int, default 18
        Calendar months of history (6 to 120) ending at :data:`DEMO_END`.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per canonical table of :data:`cskit.schema.TABLES`, with
        its columns and in-memory dtypes (timestamps tz-aware UTC), plus
        ``ground_truth``: one row per account with ``account_id``,
        ``churn_propensity`` (0..1), ``churned``, ``churn_date``,
        ``reactivated_at``, ``onboarding``, and lists ``drivers``,
        ``influencers``, ``decoys`` and ``decoy_signals``.

    Raises
    ------
    InvalidInputError
        If an option is not a whole number in its range.

    Examples
    --------
    >>> tables = make_demo_company(accounts=6, seed=1)
    >>> tables["accounts"]["account_id"].tolist()[:2]
    ['0001', '0002']
    """
    _check_options(accounts, seed, months)
    rng = np.random.default_rng(seed)
    cal = _calendar(months)
    acc, names, ppl, apps, ids = _build_people(rng, accounts, cal)
    tables = _build_activity(rng, acc, names, ppl, apps, cal, ids)
    tables["ground_truth"] = _ground_truth(acc, ppl, cal, ids)
    logger.info(
        "built demo company: %d accounts, %d contacts, %d events",
        accounts,
        len(tables["contacts"]),
        len(tables["events"]),
    )

    return {name: tables[name] for name in [*TABLES, "ground_truth"]}


def write_demo_company(
    out_dir: str | Path, *, accounts: int = 60, seed: int = 7, months: int = 18
) -> list[Path]:
    """Write the demo company as one CSV file per table.

    Lists (``tickets.tags``, ``revenue.modules`` and the ground truth lists)
    are joined with ``;``, timestamps are ISO 8601 with an offset
    (``2026-01-31T14:05:00+00:00``), dates ``YYYY-MM-DD``, flags
    ``true``/``false``, missing values blank.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into; created if absent. Existing files of the same
        names are replaced.
    accounts, seed, months : int
        As for :func:`make_demo_company`.

    Returns
    -------
    list of pathlib.Path
        ``<table>.csv`` for every canonical table, then ``ground_truth.csv``.

    Raises
    ------
    InvalidInputError
        If an option is out of range.
    """
    tables = make_demo_company(accounts=accounts, seed=seed, months=months)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []

    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        _csv_ready(frame).to_csv(path, index=False)
        paths.append(path)

    logger.info("wrote %d demo tables to %s", len(paths), folder)

    return paths


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}

    for name, series in frame.items():
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            values = series.dt.tz_localize(None).to_numpy("M8[s]")
            text = np.datetime_as_string(values, unit="s").astype(object) + "+00:00"
            out[name] = np.where(np.isnat(values), None, text)
        elif pd.api.types.is_datetime64_dtype(series.dtype):
            values = series.to_numpy("M8[D]")
            out[name] = np.where(
                np.isnat(values), None, np.datetime_as_string(values).astype(object)
            )
        elif isinstance(series.dtype, pd.BooleanDtype):
            out[name] = series.map({True: "true", False: "false"}).astype(object)
        elif series.dtype == object:
            out[name] = series.map(_LIST_SEP.join)
        else:
            out[name] = series

    return pd.DataFrame(out)
