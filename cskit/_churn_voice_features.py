"""Churn features of support tickets, surveys, calls and the Pulse.

Private helpers of :mod:`cskit.churn`: tickets (volume, priority mix,
slow-performance tags, open tickets, first-response SLA breaches), NPS and
CSAT over twelve months, calls and touchpoints, and the Engagement Pulse of
scored texts, each an account x as-of array read from the months strictly
before as-of.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskit._churn_grid import Context, Window, _present, ratio, require

__all__: list[str] = []


_SLOW_TAGS = ("slow", "performance", "latency", "timeout")


def ticket_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Tickets, priority mix, slow-performance tags, open tickets, SLA breaches."""
    tickets = tables.get("tickets")
    if tickets is None or tickets.empty:
        return {}
    require(tickets, ("ticket_id", "account_id", "created_at"), "tickets")

    priority = tickets.get("priority", pd.Series(index=tickets.index, dtype="str"))
    priority = priority.astype("str").str.lower()
    urgent = priority.isin(["high", "urgent"]).to_numpy().astype(float)
    tags = tickets.get("tags", pd.Series(index=tickets.index, dtype="object"))
    slow = tags.map(_has_slow_tag).to_numpy().astype(float)
    created = ctx.window(tickets, "created_at")
    solved = ctx.window(tickets[_present(tickets, "solved_at")], "solved_at")

    breach = _sla_breaches(tickets, priority, ctx)
    urgent_3m = ctx.window(tickets, "created_at", urgent).last(3)
    return {
        "tickets_3m": created.last(3),
        "tickets_high_urgent_3m": urgent_3m,
        "tickets_high_urgent_share_3m": ratio(urgent_3m, created.last(3)),
        "tickets_slow_3m": ctx.window(tickets, "created_at", slow).last(3),
        "tickets_open": np.clip(created.before() - solved.before(), 0, None),
        "sla_breaches_3m": breach.last(3),
    }


def _has_slow_tag(tags) -> bool:
    if not isinstance(tags, (list, tuple, np.ndarray)):
        return False
    return any(str(tag).lower() in _SLOW_TAGS for tag in tags)


def _sla_breaches(tickets: pd.DataFrame, priority: pd.Series, ctx: Context) -> Window:
    """A breach is known at created + target: it counts in that moment's month."""
    hours = priority.map(ctx.sla_hours).fillna(ctx.sla_hours.get("normal", 8.0))
    target = pd.to_timedelta(hours.astype("float64"), unit="h")
    due = tickets["created_at"] + target.to_numpy()
    first = tickets.get("first_response_at")
    late = pd.Series(True, index=tickets.index)
    if first is not None:
        late = first.isna() | (first > due)
    frame = pd.DataFrame({"_row": tickets["_row"], "due": due})[late]
    return ctx.window(frame, "due")


def survey_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """NPS and CSAT over the 12 months before as-of, with the response counts."""
    surveys = tables.get("surveys")
    if surveys is None or surveys.empty:
        return {}
    require(surveys, ("account_id", "submitted_at", "kind", "score"), "surveys")

    kind = surveys["kind"].astype("str").str.lower()
    score = surveys["score"].astype("float64")
    nps = surveys[(kind == "nps").to_numpy() & score.notna().to_numpy()]
    nps_score = nps["score"].astype("float64").to_numpy()
    answers = ctx.window(nps, "submitted_at").last(12)
    promoters = ctx.window(nps, "submitted_at", nps_score >= 9).last(12)
    detractors = ctx.window(nps, "submitted_at", nps_score <= 6).last(12)

    csat = surveys[(kind == "csat").to_numpy() & score.notna().to_numpy()]
    happy = csat["score"].astype("float64").to_numpy() >= 4
    csat_answers = ctx.window(csat, "submitted_at").last(12)
    csat_happy = ctx.window(csat, "submitted_at", happy).last(12)
    return {
        "nps_12m": 100 * ratio(promoters - detractors, answers),
        "nps_responses_12m": answers,
        "csat_12m": 100 * ratio(csat_happy, csat_answers),
    }


def engagement_features(tables: dict, ctx: Context) -> dict[str, np.ndarray]:
    """Calls and touchpoints with the vendor in the 3 months before as-of."""
    out = {}
    for name, column in (("calls", "started_at"), ("touchpoints", "ts")):
        frame = tables.get(name)
        if frame is not None and not frame.empty:
            require(frame, ("account_id", column), name)
            out[f"{name}_3m"] = ctx.window(frame, column).last(3)
    return out


def pulse_features(pulse: pd.DataFrame | None, ctx: Context) -> dict[str, np.ndarray]:
    """Mean Engagement Pulse of the texts of the 6 months before as-of."""
    if pulse is None or pulse.empty:
        return {}
    require(pulse, ("account_id", "ts", "score"), "pulse_scores")
    scored = pulse[pulse["score"].notna()]
    score = scored["score"].astype("float64").to_numpy()
    total = ctx.window(scored, "ts", score).last(6)
    count = ctx.window(scored, "ts").last(6)
    return {"pulse_6m": ratio(total, count), "pulse_texts_6m": count}
