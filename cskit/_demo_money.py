"""The money side of the demo company: KPIs, revenue, FX.

Customer KPIs, monthly revenue with seat and module changes, account events
(renewals, upgrades, downgrades, churn) and exchange rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit import _demo_text as txt
from cskit._demo_base import _NEVER, _Calendar, _frame

__all__: list[str] = []


_FX_BASE = {"EUR": 1.09, "GBP": 1.27, "AUD": 0.66}
_SEAT_PRICE = {"team": 25.0, "business": 45.0, "enterprise": 70.0}


_MODULE_PRICE = {
    "workflows": 400.0,
    "ai_assist": 600.0,
    "sso": 250.0,
    "audit_log": 150.0,
    "premium_support": 800.0,
}


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
