"""Touchpoints and recorded calls of the demo company.

Kickoffs, QBRs and ad-hoc touchpoints, the calls held for them, their
participants, and call turns whose customer mood follows the account's plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_activity import _apps_at
from cskit._demo_base import _Calendar, _frame, _ids, _lookup, _stamp
from cskit._demo_people import _pick_contacts
from cskit._demo_surveys import _alive, _closeness

__all__: list[str] = []


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
