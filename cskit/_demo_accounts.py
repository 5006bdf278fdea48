"""Accounts of the demo company: the plan every table follows.

Each account's latent churn propensity and drivers, firmographics, locale,
contract dates, outcomes (churn, reactivation, onboarding) and usage
trajectory, plus the ``accounts`` and ``ground_truth`` frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_base import _NEVER, DEMO_END, _Calendar, _frame, _objects

__all__: list[str] = []


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
