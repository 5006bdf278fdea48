"""Surveys of the demo company: NPS, CES and CSAT.

NPS and CES waves whose scores follow each account's propensity and its
closeness to its horizon, CSAT after rated tickets, and comments that match
the score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_base import _CUTOFF, _Calendar, _frame, _ids, _stamp
from cskit._demo_people import _pick_contacts
from cskit._demo_support import _HOUR

__all__: list[str] = []


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
