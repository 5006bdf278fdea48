"""Support tickets of the demo company and their comments.

Themes weighted by the account's drivers, templated subjects and bodies,
response and solve times, satisfaction ratings, and comment threads between
the requester and an agent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_activity import _apps_at
from cskit._demo_base import _CUTOFF, _Calendar, _frame, _ids, _lookup, _objects, _stamp
from cskit._demo_people import _pick_contacts

__all__: list[str] = []


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
