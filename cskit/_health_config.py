"""The health configuration models and the metric names they may use.

Private helpers of :mod:`cskit.health`: the pydantic models of a health
configuration (:class:`Rule`, :class:`Tier`, :class:`PointMapping`,
:class:`Measure`, :class:`Rounding`, :class:`Band`, :class:`Profile`,
:class:`Assignment`, :class:`HealthConfig`) with their checks for weights,
overlapping or gapped ranges and unknown metrics or profiles, how a mapping
turns values into points, and :func:`known_metrics`.
"""

from __future__ import annotations

import difflib
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from cskit import metrics as _metrics

__all__: list[str] = []


_BASE_METRICS = (
    "activated_developers",
    "mad",
    "live_apps",
    "draft_apps",
    "end_user_mau",
    "nrr",
    "grr",
    "nps",
    "csat",
    "ttv_days",
    "tickets_created",
    "open_tickets",
    "seat_utilisation",
)
ANNOUNCED_METRICS: tuple[str, ...] = (
    "inactive_developers",
    "inactive_developer_share",
    "day45_activation",
    "end_user_growth",
    "live_app_growth",
    "logo_churned",
    "seat_growth",
    "module_growth",
    "on_time_renewal",
    "nps_low",
    "nps_high",
    "csat_good_bad",
    "ces",
    "training_attendance",
    "first_response_sla",
    "resolution_sla",
    "slow_tickets",
    "open_ticket_age_days",
    "usage_drop",
    "days_silent",
)
SIGNAL_METRICS: tuple[str, ...] = (
    "pulse",
    "pulse_trend",
    "active_champions",
    "champions_left",
    "has_roadmap",
)


def known_metrics() -> tuple[str, ...]:
    """Return every metric name a measure may use without ``extra_metrics``.

    Returns
    -------
    tuple of str
        :data:`cskit.metrics.METRICS`, :data:`ANNOUNCED_METRICS` and
        :data:`SIGNAL_METRICS` (Pulse and the account signals of
        :func:`cskit.risk.account_signals`).
    """
    base = getattr(_metrics, "METRICS", _BASE_METRICS)
    names = [*base, *_BASE_METRICS, *ANNOUNCED_METRICS, *SIGNAL_METRICS]
    return tuple(dict.fromkeys(names))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_OPS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}


class Rule(_Strict):
    """One threshold rule: ``value <op> threshold`` gives ``points``."""

    op: Literal[">=", ">", "<=", "<", "=="]
    value: float
    points: float


class Tier(_Strict):
    """A range of values giving ``points``; ``None`` ends are unbounded."""

    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = False
    points: float

    def contains(self, values: np.ndarray) -> np.ndarray:
        """Return which values fall in the tier, edges as configured."""
        inside = np.ones(values.shape, dtype=bool)
        if self.min is not None:
            low = np.greater_equal if self.min_inclusive else np.greater
            inside &= low(values, self.min)
        if self.max is not None:
            high = np.less_equal if self.max_inclusive else np.less
            inside &= high(values, self.max)
        return inside


def _overlap(a: Tier | Band, b: Tier | Band) -> bool:
    """Whether two ranges sorted by ``min`` share a value."""
    a_max = np.inf if a.max is None else a.max
    b_min = -np.inf if b.min is None else b.min
    if a_max != b_min:
        return a_max > b_min
    return a.max_inclusive and b.min_inclusive


class PointMapping(_Strict):
    """How a metric value becomes points.

    ``thresholds``: the first rule whose comparison holds gives its points,
    else ``otherwise``. ``linear``: the line through ``(x0, y0)`` and
    ``(x1, y1)``. ``bounded_linear``: the same with the value clamped into
    ``[x0, x1]``. ``tiers``: the one range holding the value. A value no
    rule or tier matches is missing.
    """

    type: Literal["thresholds", "linear", "bounded_linear", "tiers"]
    rules: tuple[Rule, ...] = ()
    otherwise: float | None = None
    x0: float | None = None
    y0: float | None = None
    x1: float | None = None
    y1: float | None = None
    tiers: tuple[Tier, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> PointMapping:
        if self.type == "thresholds" and not self.rules:
            raise ValueError("a 'thresholds' mapping needs at least one rule")
        if self.type in ("linear", "bounded_linear"):
            anchors = (self.x0, self.y0, self.x1, self.y1)
            if any(a is None for a in anchors) or self.x0 == self.x1:
                raise ValueError(
                    f"a '{self.type}' mapping needs x0, y0, x1, y1 with x0 != x1; "
                    f"received {anchors}"
                )
        if self.type == "tiers":
            _check_ranges(self.tiers, what="tiers")
        return self

    def points(self, values: np.ndarray) -> np.ndarray:
        """Return the points of each value (NaN where none applies)."""
        values = np.asarray(values, dtype="float64")
        if self.type == "thresholds":
            out = np.full(values.shape, np.nan if self.otherwise is None else 0.0)
            if self.otherwise is not None:
                out[:] = self.otherwise
            for rule in reversed(self.rules):
                out = np.where(_OPS[rule.op](values, rule.value), rule.points, out)
        elif self.type == "tiers":
            out = np.full(values.shape, np.nan)
            for tier in self.tiers:
                out = np.where(tier.contains(values), tier.points, out)
        else:
            x = values
            if self.type == "bounded_linear":
                x = np.clip(x, min(self.x0, self.x1), max(self.x0, self.x1))
            out = self.y0 + (x - self.x0) * (self.y1 - self.y0) / (self.x1 - self.x0)
        return np.where(np.isnan(values), np.nan, out)

    def worst(self) -> float:
        """Return the lowest points the mapping can give."""
        if self.type == "thresholds":
            extra = () if self.otherwise is None else (self.otherwise,)
            return min([r.points for r in self.rules] + list(extra))
        if self.type == "tiers":
            return min(t.points for t in self.tiers)
        return min(self.y0, self.y1)


_Missing = Literal["skip", "worst"] | float


class Measure(_Strict):
    """One measure: a metric, its point mapping, weight, group, missing rule."""

    metric: str
    mapping: PointMapping
    weight: float = 1.0
    group: str | None = None
    missing: _Missing | None = None
    label: str = ""

    @model_validator(mode="after")
    def _check(self) -> Measure:
        if self.weight < 0:
            raise ValueError(f"weight is {self.weight}; weights cannot be negative")
        return self


class Rounding(_Strict):
    """Where rounding happens (``points``, ``group``, ``score``) and how."""

    stages: tuple[Literal["points", "group", "score"], ...] = ("score",)
    digits: int = 0
    mode: Literal["half_up", "half_even", "floor", "ceil"] = "half_up"

    def apply(self, values: np.ndarray | pd.Series, stage: str):
        """Round ``values`` when ``stage`` is one of the stages."""
        if stage not in self.stages:
            return values
        scale = 10.0**self.digits
        x = np.round(np.asarray(values, dtype="float64") * scale, 9)
        if self.mode == "half_up":
            x = np.sign(x) * np.floor(np.abs(x) + 0.5)
        elif self.mode == "half_even":
            x = np.round(x)
        elif self.mode == "floor":
            x = np.floor(x)
        else:
            x = np.ceil(x)
        out = x / scale
        return pd.Series(out, index=values.index) if hasattr(values, "index") else out


class Band(_Strict):
    """A named score range, each edge inclusive or exclusive."""

    name: str
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = False

    def contains(self, values: np.ndarray) -> np.ndarray:
        """Return which scores fall in the band."""
        return Tier(**self.model_dump(exclude={"name"}), points=0).contains(values)


def _check_ranges(ranges: tuple, *, what: str, low=None, high=None) -> None:
    """Refuse overlapping ranges; with ``low``/``high`` also gaps."""
    if not ranges:
        raise ValueError(f"{what} cannot be empty")
    ordered = sorted(ranges, key=lambda r: -np.inf if r.min is None else r.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if _overlap(a, b):
            raise ValueError(
                f"{what} overlap: {_range_text(a)} and {_range_text(b)} share "
                "values; make one edge exclusive or move a cut-off"
            )
        if low is not None and not _touch(a, b):
            raise ValueError(
                f"{what} leave a gap between {_range_text(a)} and {_range_text(b)}; "
                "make the shared edge inclusive on one side"
            )
    if low is not None:
        _check_cover(ordered, what=what, low=low, high=high)


def _touch(a, b) -> bool:
    return a.max == b.min and (a.max_inclusive != b.min_inclusive)


def _check_cover(ordered, *, what: str, low: float, high: float) -> None:
    first, last = ordered[0], ordered[-1]
    probe = np.array([low, high], dtype="float64")
    if not first.contains(probe[:1])[0] or not last.contains(probe[1:])[0]:
        raise ValueError(
            f"{what} do not cover the whole scale [{low:g}, {high:g}]: they run "
            f"from {_range_text(first)} to {_range_text(last)}"
        )


def _range_text(r) -> str:
    name = getattr(r, "name", "")
    left = "[" if r.min_inclusive else "("
    right = "]" if r.max_inclusive else ")"
    low = "-inf" if r.min is None else f"{r.min:g}"
    high = "inf" if r.max is None else f"{r.max:g}"
    return f"{name} {left}{low}, {high}{right}".strip()


class Profile(_Strict):
    """A scoring profile: measures, groups, combination, rounding and bands."""

    description: str = ""
    method: Literal["weighted_mean", "worst", "additive"] = "weighted_mean"
    scale_min: float = 0.0
    scale_max: float = 100.0
    neutral: float | None = None
    missing: _Missing = "skip"
    groups: dict[str, float] = {}
    measures: dict[str, Measure]
    rounding: Rounding = Rounding()
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def _check(self) -> Profile:
        if not self.measures:
            raise ValueError("a profile needs at least one measure")
        if self.method == "additive" and self.neutral is None:
            raise ValueError("the 'additive' method needs a 'neutral' start score")
        self._check_groups()
        if self.method == "weighted_mean":
            _check_weights(self)
        _check_ranges(self.bands, what="bands", low=self.scale_min, high=self.scale_max)
        return self

    def _check_groups(self) -> None:
        for name, measure in self.measures.items():
            if self.groups and measure.group not in self.groups:
                raise ValueError(
                    f"measure {name!r} is in group {measure.group!r}, which is not "
                    f"under 'groups' ({sorted(self.groups)}); add it there"
                )
        for group, weight in self.groups.items():
            if weight < 0:
                raise ValueError(f"group {group!r} has a negative weight {weight}")


def _check_weights(profile: Profile) -> None:
    if sum(m.weight for m in profile.measures.values()) <= 0:
        raise ValueError(
            "every measure weight is 0, so no score can be computed; give at "
            "least one measure a weight above 0"
        )
    if profile.groups and sum(profile.groups.values()) <= 0:
        raise ValueError(
            "every group weight is 0; give at least one group a weight above 0"
        )


class Assignment(_Strict):
    """Which profile scores accounts of a segment and/or lifecycle phase."""

    profile: str
    segment: str | None = None
    phase: str | None = None


class HealthConfig(_Strict):
    """A health configuration: profiles, their assignment and the default."""

    default_profile: str = "playbook"
    extra_metrics: tuple[str, ...] = ()
    profiles: dict[str, Profile]
    assign: tuple[Assignment, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> HealthConfig:
        names = list(self.profiles)
        for wanted in [self.default_profile, *(a.profile for a in self.assign)]:
            if wanted not in self.profiles:
                raise ValueError(
                    f"profile {wanted!r} is not defined{_suggest(wanted, names)}"
                )
        known = set(known_metrics()) | set(self.extra_metrics)
        for pname, profile in self.profiles.items():
            for mname, measure in profile.measures.items():
                if measure.metric not in known:
                    raise ValueError(
                        f"profiles.{pname}.measures.{mname}: unknown metric "
                        f"{measure.metric!r}{_suggest(measure.metric, known)}; "
                        "list your own columns under 'extra_metrics'"
                    )
        return self


def _suggest(name: str, names) -> str:
    match = difflib.get_close_matches(str(name), sorted(names), n=1)
    return f"; did you mean {match[0]!r}?" if match else f"; known: {sorted(names)}"
