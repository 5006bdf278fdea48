"""Product activity of the demo company: apps, events, usage.

Apps and their lifecycle, daily product events per developer, and app usage
by end users, all following each account's usage intensity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_accounts import _weekday_factor
from cskit._demo_base import (
    _CHUNK,
    _DEV,
    _END_USER,
    _NEVER,
    _Calendar,
    _Coded,
    _frame,
    _lookup,
    _stamp,
)
from cskit._demo_people import _pick_contacts

__all__: list[str] = []


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
