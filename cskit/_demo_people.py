"""Contacts of the demo company: org charts, influencers, decoys.

Contacts per account with names, titles, managers, start and leave dates;
the planted influencers and decoys; and the signal weights that pick which
contact files a ticket, answers a survey or joins a call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_base import (
    _ADMIN,
    _BUYER,
    _CHAMPION,
    _DEV,
    _END_USER,
    _EXEC,
    _NEVER,
    _OTHER,
    _ROLES,
    _Calendar,
    _frame,
    _lookup,
    _stamp,
)

__all__: list[str] = []


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
