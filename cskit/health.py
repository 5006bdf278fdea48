"""The health score: a configurable, explained score per account.

A health configuration (``params/health.yaml``, section ``health:``, or a
packaged preset) holds one or more *profiles*. A profile lists *measures*:
a metric of the metrics table and how its value maps to points
(``thresholds``, ``linear``, ``bounded_linear`` or ``tiers``, each edge
inclusive or exclusive as written). Measures fall into *groups*; weights are
normalised, so any scale works. The profile also says what a missing value
does (``skip`` and redistribute the weight, ``worst`` points, or a fixed
number of points), where rounding happens, how measures combine
(``weighted_mean``, ``worst`` signal wins, or ``additive`` points from a
``neutral`` start) and the band cut-offs with their edges. Accounts get a
profile by segment and lifecycle phase (``assign:``), else the default.

:func:`score_health` takes a metrics table (one row per account, the
columns of :func:`cskit.metrics.portfolio_metrics`) and returns every
account's score, band, group scores and, per measure, the value, points,
effective weight and contribution, with the profile's hash. The history
helpers store scores per as-of date in the workspace and explain what moved;
:func:`backtest` measures a configuration against churn outcomes.

Limitations
-----------
A metric that is not ``ok`` (``not_available`` or ``undefined``) is missing
for the health score; the two are not told apart by the missing-data rule.
Half-up rounding first rounds to 9 decimals to remove binary noise, so a
value within 1e-9 of a rounding edge is taken as on the edge.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import types
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from cskit import metrics as _metrics
from cskit.exceptions import ConfigurationError, InvalidInputError, MissingColumnError

__all__ = [
    "ANNOUNCED_METRICS",
    "SIGNAL_METRICS",
    "PRESETS",
    "Rule",
    "Tier",
    "PointMapping",
    "Measure",
    "Rounding",
    "Band",
    "Profile",
    "Assignment",
    "HealthConfig",
    "HealthScores",
    "known_metrics",
    "load_section",
    "load_health_config",
    "profile_hash",
    "score_health",
    "health_drivers",
    "history_rows",
    "write_health_history",
    "read_health_history",
    "health_trend",
    "what_moved",
    "plot_health_history",
    "portfolio_bands",
    "movers",
    "churn_dates",
    "Backtest",
    "backtest",
]

logger = logging.getLogger(__name__)

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
PRESETS: tuple[str, ...] = ("playbook", "gainsight", "totango", "planhat", "vitally")
_PRESET_DIR = resources.files("cskit").joinpath("data/health_presets")
_HISTORY = "health_history"


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


# ---------------------------------------------------------------------------
# Configuration models


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


# ---------------------------------------------------------------------------
# Loading


def load_section(
    path: str | Path | None, section: str, model: type[BaseModel], *, preset: str
) -> BaseModel:
    """Read one section of a YAML file into a pydantic model.

    Parameters
    ----------
    path : str or pathlib.Path or None
        A YAML file; a bare name of :data:`PRESETS` reads that packaged
        preset; None reads ``params/health.yaml`` found from the working
        folder upwards, else the packaged ``preset``.
    section : str
        The top-level key (``health``, ``risk``, ``plays``).
    model : type
        The pydantic model of the section.
    preset : str
        The packaged preset used when no file is found.

    Returns
    -------
    pydantic.BaseModel

    Raises
    ------
    ConfigurationError
        Naming the file, the key and the value, with the closest valid name
        for an unknown key.
    """
    source, values = _read_source(path, preset)
    values = values.get(section, {}) if isinstance(values, dict) else values
    if section == "health" and isinstance(values, dict):
        values = _resolve_extends(values, source)
    try:
        return model.model_validate(values or {})
    except ValidationError as error:
        raise ConfigurationError(_explain(error, source, model, section)) from error


def _read_source(path: str | Path | None, preset: str) -> tuple[str, Any]:
    if path is not None and str(path) in PRESETS:
        text = _PRESET_DIR.joinpath(f"{path}.yaml").read_text(encoding="utf-8")
        return f"preset {path!r}", yaml.safe_load(text)
    if path is None:
        from cskit.params import find_params_dir

        folder = find_params_dir()
        if folder is None or not (folder / "health.yaml").is_file():
            return _read_source(preset, preset)
        path = folder / "health.yaml"
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(
            f"health configuration {str(path)!r} does not exist; pass a YAML file "
            f"such as params/health.yaml or a preset name {list(PRESETS)}"
        )
    try:
        return str(path), yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigurationError(
            f"{str(path)!r} is not valid YAML ({error}); fix the syntax there"
        ) from error


def _resolve_extends(values: dict, source: str) -> dict:
    """Merge each profile's ``extends`` parent under it."""
    profiles = dict(values.get("profiles") or {})
    done: dict[str, dict] = {}

    def resolve(name: str, seen: tuple) -> dict:
        if name in done:
            return done[name]
        if name not in profiles or name in seen:
            raise ConfigurationError(
                f"{source}: profile {seen[-1]!r} extends {name!r}, which is "
                f"{'a cycle' if name in seen else 'not defined'}; "
                f"profiles are {sorted(profiles)}"
            )
        raw = dict(profiles[name] or {})
        parent = raw.pop("extends", None)
        merged = _merge(resolve(parent, (*seen, name)), raw) if parent else raw
        done[name] = merged
        return merged

    values = dict(values)
    values["profiles"] = {name: resolve(name, ()) for name in profiles}
    return values


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _explain(error: ValidationError, source: str, model, section: str) -> str:
    lines = [f"{source}, section {section!r}: {error.error_count()} problem(s):"]
    for problem in error.errors():
        loc = tuple(problem["loc"])
        where = ".".join(str(p) for p in loc) or section
        if problem["type"] == "extra_forbidden":
            lines.append(f"  unknown key {where!r}{_closest(model, loc)}")
        else:
            message = problem["msg"].removeprefix("Value error, ")
            received = problem.get("input")
            shown = "" if isinstance(received, dict) else f" (received {received!r})"
            lines.append(f"  {where}: {message}{shown}")
    return "\n".join(lines)


def _closest(model, loc: tuple) -> str:
    annotation: Any = model
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return ""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return ""
    return _suggest(loc[-1], list(annotation.model_fields))


def _step(annotation: Any, part: Any) -> Any:
    """Follow one location part into a model, dict, tuple or optional type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _is_model(a)]
        return _step(models[0], part) if models else None
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin in (tuple, list):
        return typing.get_args(annotation)[0]
    if _is_model(annotation) and str(part) in annotation.model_fields:
        return annotation.model_fields[str(part)].annotation
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def load_health_config(path: str | Path | None = None) -> HealthConfig:
    """Read a health configuration: a file, a preset name, or the default.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML file with a ``health:`` section, or a preset name of
        :data:`PRESETS`. By default ``params/health.yaml`` (found from the
        working folder upwards), else the packaged ``playbook`` preset.

    Returns
    -------
    HealthConfig

    Raises
    ------
    ConfigurationError
        For an unknown key (with the closest name), weights that are all 0,
        overlapping or gapped bands, an unknown metric or profile.

    Examples
    --------
    >>> load_health_config("vitally").default_profile
    'vitally'
    """
    return load_section(path, "health", HealthConfig, preset="playbook")


def profile_hash(name: str, profile: Profile) -> str:
    """Return the first 12 hex digits of the SHA-256 of a profile as JSON."""
    payload = {"profile": name, **profile.model_dump(mode="json")}
    canonical = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class HealthScores:
    """Health scores of a set of accounts.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per account: ``account_id``, ``profile``, ``score`` (NaN
        when every measure is missing and skipped), ``band`` (``"No data"``
        then), ``measures_scored``, ``config_hash`` and ``group_<name>``.
    details : pandas.DataFrame
        One row per account and measure: ``account_id``, ``profile``,
        ``measure``, ``metric``, ``group``, ``value``, ``status``,
        ``reason``, ``points``, ``missing_rule`` (the rule applied, blank
        when the value was there), ``weight`` (effective, normalised) and
        ``contribution`` (its share of the score) and ``pull`` (see
        :func:`health_drivers`).
    """

    scores: pd.DataFrame
    details: pd.DataFrame


_NO_DATA = "No data"


def score_health(
    metrics_table: pd.DataFrame,
    *,
    config: HealthConfig | None = None,
    profile: str | None = None,
) -> HealthScores:
    """Score every account of a metrics table.

    Parameters
    ----------
    metrics_table : pandas.DataFrame
        One row per account: ``account_id`` (str), and for each metric ``m``
        a measure uses, ``m`` (float, NaN when not ok) and optionally
        ``m_status`` and ``m_reason``. A metric column that is absent makes
        that measure missing for every account. ``segment`` and ``phase``
        columns, when present, choose the profile through ``assign``.
    config : HealthConfig, optional
        By default :func:`load_health_config`.
    profile : str, optional
        Score every account with this profile, ignoring ``assign``.

    Returns
    -------
    HealthScores

    Raises
    ------
    MissingColumnError
        When ``account_id`` is absent.
    ConfigurationError
        When ``profile`` is not a profile of the configuration.
    """
    config = config or load_health_config()
    if "account_id" not in metrics_table:
        raise MissingColumnError(
            "account_id", frame="the metrics table", found=list(metrics_table)
        )
    metrics_table = metrics_table.reset_index(drop=True)
    chosen = _choose_profiles(metrics_table, config, profile)

    scores, details = [], []
    for name in dict.fromkeys(chosen):
        rows = metrics_table[chosen.to_numpy() == name]
        part_scores, part_details = _score_profile(rows, name, config.profiles[name])
        scores.append(part_scores)
        details.append(part_details)
    scores_frame = pd.concat(scores).sort_index(kind="stable")
    scores_frame = scores_frame.reset_index(drop=True)
    detail_frame = pd.concat(details, ignore_index=True)
    logger.info("health scored for %d accounts", len(scores_frame))
    return HealthScores(scores_frame, detail_frame)


def _choose_profiles(
    table: pd.DataFrame, config: HealthConfig, profile: str | None
) -> pd.Series:
    if profile is not None:
        if profile not in config.profiles:
            raise ConfigurationError(
                f"profile {profile!r} is not in the health configuration"
                f"{_suggest(profile, list(config.profiles))}"
            )
        return pd.Series(profile, index=table.index)
    chosen = pd.Series(config.default_profile, index=table.index, dtype="str")
    decided = pd.Series(False, index=table.index)
    for rule in config.assign:
        match = ~decided
        for column, wanted in (("segment", rule.segment), ("phase", rule.phase)):
            if wanted is not None:
                values = table[column] if column in table else pd.Series(pd.NA)
                match &= values.reindex(table.index).eq(wanted).fillna(False)
        chosen[match] = rule.profile
        decided |= match
    return chosen


def _measure_frame(table: pd.DataFrame, key: str, measure: Measure, profile: Profile):
    """Return value, status, reason, points and the missing rule applied."""
    metric = measure.metric
    if metric in table:
        value = pd.to_numeric(table[metric], errors="coerce").astype("float64")
        status = _status(table, metric, value)
        value = value.where(status.eq("ok"))
        reason = table.get(f"{metric}_reason", pd.Series("", index=table.index))
    else:
        value = pd.Series(np.nan, index=table.index)
        status = pd.Series("not_available", index=table.index)
        reason = pd.Series(f"metric column {metric!r} is absent", index=table.index)
    points = pd.Series(measure.mapping.points(value.to_numpy()), index=table.index)
    unmatched = value.notna() & points.isna()
    reason = (
        reason.fillna("")
        .astype("str")
        .mask(unmatched, "the value matches no rule or tier of the mapping")
    )
    if profile.method != "additive":
        points = points.clip(profile.scale_min, profile.scale_max)
    return _apply_missing(value, status, reason, points, measure, profile)


def _status(table: pd.DataFrame, metric: str, value: pd.Series) -> pd.Series:
    """Return each row's status: the given one, else ok where there is a value."""
    fallback = pd.Series(np.where(value.notna(), "ok", "not_available"), table.index)
    given = table.get(f"{metric}_status")
    if given is None:
        return fallback
    status = given.astype("object").where(given.notna(), fallback)
    return status.mask(value.isna() & status.eq("ok"), "not_available")


def _apply_missing(value, status, reason, points, measure, profile) -> pd.DataFrame:
    rule = profile.missing if measure.missing is None else measure.missing
    missing = points.isna()
    if rule == "worst":
        filled = measure.mapping.worst()
    elif rule == "skip":
        filled = np.nan
    else:
        filled = float(rule)
    points = points.mask(missing, filled)
    points = profile.rounding.apply(points, "points")
    applied = pd.Series("", index=value.index, dtype="str").mask(missing, str(rule))
    return pd.DataFrame(
        {
            "value": value,
            "status": status.astype("str"),
            "reason": reason.astype("str"),
            "points": points.astype("float64"),
            "missing_rule": applied,
        }
    )


def _score_profile(
    table: pd.DataFrame, name: str, profile: Profile
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = table["account_id"].astype("str").to_numpy()
    frames = {
        key: _measure_frame(table, key, m, profile)
        for key, m in profile.measures.items()
    }
    points = pd.DataFrame({k: f["points"] for k, f in frames.items()})
    combine = {
        "weighted_mean": _weighted_mean,
        "worst": _worst,
        "additive": _additive,
    }[profile.method]
    score, weights, groups = combine(points, profile)

    score = profile.rounding.apply(score, "score")
    score = score.clip(profile.scale_min, profile.scale_max)
    scores = pd.DataFrame({"account_id": ids, "profile": name}, index=table.index)
    scores["score"] = score.to_numpy()
    scores["band"] = _bands(score.to_numpy(), profile.bands)
    scores["measures_scored"] = points.notna().sum(axis=1).to_numpy()
    scores["config_hash"] = profile_hash(name, profile)
    for group, values in groups.items():
        scores[f"group_{group}"] = values.to_numpy()
    return scores, _details(ids, name, profile, frames, weights)


def _group_of(profile: Profile, key: str) -> str:
    return profile.measures[key].group or "all" if profile.groups else "all"


def _weighted_mean(points: pd.DataFrame, profile: Profile):
    raw = pd.Series({k: m.weight for k, m in profile.measures.items()})
    present = points.notna()
    groups, group_share = {}, {}
    for group in dict.fromkeys(_group_of(profile, k) for k in points):
        keys = [k for k in points if _group_of(profile, k) == group]
        w = present[keys].mul(raw[keys], axis=1)
        total = w.sum(axis=1)
        mean = (points[keys].fillna(0) * w).sum(axis=1) / total.where(total > 0)
        groups[group] = profile.rounding.apply(mean, "group")
        group_share[group] = w.div(total.where(total > 0), axis=0).fillna(0.0)

    gw = pd.DataFrame(
        {g: profile.groups.get(g, 1.0) * groups[g].notna() for g in groups}
    )
    gtotal = gw.sum(axis=1).where(lambda s: s > 0)
    score = sum(groups[g].fillna(0) * gw[g] for g in groups) / gtotal
    weights = pd.concat(
        [group_share[g].mul(gw[g] / gtotal, axis=0) for g in groups], axis=1
    )
    shown = groups if profile.groups else {}
    return score, weights[list(points)].fillna(0.0), shown


def _worst(points: pd.DataFrame, profile: Profile):
    score = points.min(axis=1)
    first = points.fillna(np.inf).to_numpy().argmin(axis=1)
    matrix = np.zeros(points.shape)
    has = score.notna().to_numpy()
    matrix[np.flatnonzero(has), first[has]] = 1.0
    weights = pd.DataFrame(matrix, index=points.index, columns=points.columns)
    return score, weights, {}


def _additive(points: pd.DataFrame, profile: Profile):
    raw = pd.Series({k: m.weight for k, m in profile.measures.items()})
    weights = points.notna().mul(raw[list(points)], axis=1).astype("float64")
    score = profile.neutral + (points.fillna(0) * weights).sum(axis=1)
    return score, weights, {}


def _bands(score: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    out = np.full(score.shape, _NO_DATA, dtype=object)
    for band in bands:
        out = np.where(band.contains(score), band.name, out)
    return out


def _details(ids, name, profile, frames, weights) -> pd.DataFrame:
    parts = []
    for key, frame in frames.items():
        measure = profile.measures[key]
        part = frame.reset_index(drop=True)
        part.insert(0, "account_id", ids)
        part.insert(1, "profile", name)
        part.insert(2, "measure", key)
        part.insert(3, "metric", measure.metric)
        part.insert(4, "group", _group_of(profile, key))
        part["weight"] = weights[key].to_numpy()
        part["contribution"] = (part["points"].fillna(0) * part["weight"]).to_numpy()
        middle = (
            0.0
            if profile.method == "additive"
            else (profile.scale_min + profile.scale_max) / 2
        )
        part["pull"] = ((part["points"] - middle) * part["weight"]).fillna(0.0)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def health_drivers(
    scores: HealthScores, account_id: str, *, n: int = 3
) -> pd.DataFrame:
    """Return the measures that pull an account's score down most, then up.

    A measure's pull is its weight times its points minus the middle of the
    scale (for ``additive`` profiles, its contribution).

    Parameters
    ----------
    scores : HealthScores
    account_id : str
    n : int
        Measures kept on each side.

    Returns
    -------
    pandas.DataFrame
        ``direction`` (``drag`` or ``lift``), ``measure``, ``value``,
        ``points``, ``weight``, ``contribution`` and ``reason``.
    """
    rows = scores.details[scores.details["account_id"] == str(account_id)]
    drag = rows[rows["pull"] < 0].nsmallest(n, "pull").assign(direction="drag")
    lift = rows[rows["pull"] > 0].nlargest(n, "pull").assign(direction="lift")
    columns = ["direction", "measure", "value", "points", "weight"]
    columns += ["contribution", "reason"]
    return pd.concat([drag, lift])[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# History, trend and what moved

_HISTORY_COLUMNS = {
    "as_of": "DATE",
    "account_id": "VARCHAR",
    "profile": "VARCHAR",
    "config_hash": "VARCHAR",
    "score": "DOUBLE",
    "band": "VARCHAR",
    "measure": "VARCHAR",
    "metric": "VARCHAR",
    "value": "DOUBLE",
    "points": "DOUBLE",
    "weight": "DOUBLE",
    "contribution": "DOUBLE",
}


def history_rows(scores: HealthScores, *, as_of: Any) -> pd.DataFrame:
    """Lay out scores as ``health_history`` rows: one per account and measure.

    Parameters
    ----------
    scores : HealthScores
    as_of : date-like
        The as-of date the scores were computed for.

    Returns
    -------
    pandas.DataFrame
        The columns of the ``health_history`` table (as_of, account_id,
        profile, config_hash, score, band, measure, metric, value, points,
        weight, contribution).
    """
    head = scores.scores[["account_id", "config_hash", "score", "band"]]
    rows = scores.details.merge(head, on="account_id", how="left")
    rows.insert(0, "as_of", pd.Timestamp(as_of).normalize().as_unit("us"))
    return rows[list(_HISTORY_COLUMNS)].reset_index(drop=True)


def write_health_history(connection: Any, rows: pd.DataFrame) -> int:
    """Store history rows, replacing rows of the same accounts and as-of dates.

    Parameters
    ----------
    connection : duckdb.DuckDBPyConnection
        A read-write connection (``Workspace(path, read_only=False)``).
    rows : pandas.DataFrame
        As returned by :func:`history_rows`.

    Returns
    -------
    int
        The number of rows written.
    """
    ddl = ", ".join(f"{name} {kind}" for name, kind in _HISTORY_COLUMNS.items())
    connection.execute(f"CREATE TABLE IF NOT EXISTS {_HISTORY} ({ddl})")
    frame = rows[list(_HISTORY_COLUMNS)]
    connection.register("_cskit_health_rows", frame)
    connection.execute(
        f"DELETE FROM {_HISTORY} WHERE (as_of, account_id) IN "
        "(SELECT DISTINCT CAST(as_of AS DATE), account_id FROM _cskit_health_rows)"
    )
    columns = ", ".join(f"CAST({c} AS {k})" for c, k in _HISTORY_COLUMNS.items())
    connection.execute(
        f"INSERT INTO {_HISTORY} SELECT {columns} FROM _cskit_health_rows"
    )
    connection.unregister("_cskit_health_rows")
    logger.info("%d health history rows written", len(frame))
    return len(frame)


def read_health_history(
    connection: Any, *, account_id: str | None = None
) -> pd.DataFrame:
    """Read the stored health history (empty when none was stored).

    Parameters
    ----------
    connection : duckdb.DuckDBPyConnection
    account_id : str, optional
        Keep this account only.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`history_rows`, sorted by as_of, account, measure.
    """
    tables = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name = ?",
        [_HISTORY],
    ).fetchall()
    if not tables:
        return _empty_history()
    where, params = (
        ("WHERE account_id = ?", [str(account_id)])
        if account_id
        else (
            "",
            [],
        )
    )
    frame = connection.execute(
        f"SELECT * FROM {_HISTORY} {where} ORDER BY as_of, account_id, measure",
        params,
    ).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
    for column in ("account_id", "profile", "config_hash", "band", "measure"):
        frame[column] = frame[column].astype("str")
    return frame


def _empty_history() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in _HISTORY_COLUMNS})
    frame["as_of"] = frame["as_of"].astype("datetime64[us]")
    for column in ("account_id", "profile", "config_hash", "band", "measure"):
        frame[column] = frame[column].astype("str")
    frame["metric"] = frame["metric"].astype("str")
    return frame


def _score_history(history: pd.DataFrame) -> pd.DataFrame:
    columns = ["as_of", "account_id", "config_hash", "score", "band"]
    return history[columns].drop_duplicates(["as_of", "account_id"])


def health_trend(
    history: pd.DataFrame, *, as_of: Any, days: int = 30, tolerance: float = 0.5
) -> pd.DataFrame:
    """Compare each account's score with its score ``days`` before.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    as_of : date-like
        The current date; its latest stored score at or before it is used.
    days : int
        How far back to look: the latest stored score at or before
        ``as_of - days`` is the previous one.
    tolerance : float
        A change within ``±tolerance`` points is ``same``.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``score``, ``previous_score``, ``previous_as_of``,
        ``change``, ``trend`` (``up``, ``down``, ``same`` or
        ``not_available``) and ``config_changed``.
    """
    day = pd.Timestamp(as_of)
    scores = _score_history(history)
    now = _latest_before(scores, day + pd.Timedelta(days=1))
    then = _latest_before(scores, day - pd.Timedelta(days=days - 1))
    table = now.merge(then, on="account_id", how="left", suffixes=("", "_previous"))
    stale = table["as_of_previous"] >= table["as_of"]
    for column in ("score_previous", "as_of_previous", "config_hash_previous"):
        table[column] = table[column].mask(stale)
    change = table["score"] - table["score_previous"]
    trend = np.select(
        [change.isna(), change > tolerance, change < -tolerance],
        ["not_available", "up", "down"],
        "same",
    )
    changed = table["config_hash_previous"].notna() & table["config_hash"].ne(
        table["config_hash_previous"]
    )
    return pd.DataFrame(
        {
            "account_id": table["account_id"],
            "score": table["score"],
            "previous_score": table["score_previous"],
            "previous_as_of": table["as_of_previous"],
            "change": change,
            "trend": trend,
            "config_changed": changed.astype(bool),
        }
    )


def _latest_before(scores: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Each account's latest stored row strictly before ``end``."""
    rows = scores[scores["as_of"] < end].sort_values("as_of")
    rows = rows.drop_duplicates("account_id", keep="last")
    return rows.sort_values("account_id", kind="stable")


def what_moved(
    history: pd.DataFrame, *, account_id: str, before: Any, after: Any
) -> pd.DataFrame:
    """Explain an account's score change between two stored dates.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    account_id : str
    before, after : date-like
        The latest stored scores at or before each date are compared.

    Returns
    -------
    pandas.DataFrame
        One row per measure, largest move first: ``measure``, ``metric``,
        ``value_before``, ``value_after``, ``points_before``,
        ``points_after``, ``weight_before``, ``weight_after``,
        ``contribution_change`` and ``config_changed`` (the configuration
        hash differs between the two dates). ``attrs`` holds both scores.
    """
    rows = history[history["account_id"] == str(account_id)]
    old = _rows_at(rows, before)
    new = _rows_at(rows, after)
    keep = ["measure", "metric", "value", "points", "weight", "contribution"]
    table = old[keep].merge(
        new[keep], on=["measure", "metric"], how="outer", suffixes=("_before", "_after")
    )
    table["contribution_change"] = table["contribution_after"].fillna(0) - table[
        "contribution_before"
    ].fillna(0)
    hashes = (_first(old, "config_hash"), _first(new, "config_hash"))
    table["config_changed"] = hashes[0] != hashes[1]
    table = table.sort_values(
        "contribution_change", key=lambda s: -s.abs(), kind="stable"
    ).drop(columns=["contribution_before", "contribution_after"])
    table.attrs.update(
        score_before=_first(old, "score"),
        score_after=_first(new, "score"),
        config_before=hashes[0],
        config_after=hashes[1],
    )
    return table.reset_index(drop=True)


def _rows_at(rows: pd.DataFrame, day: Any) -> pd.DataFrame:
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    dates = rows.loc[rows["as_of"] < end, "as_of"]
    if dates.empty:
        return rows.iloc[0:0]
    return rows[rows["as_of"] == dates.max()]


def _first(rows: pd.DataFrame, column: str) -> Any:
    return rows[column].iloc[0] if len(rows) else None


def plot_health_history(history: pd.DataFrame, *, account_id: str) -> Figure:
    """Plot an account's stored scores, marking configuration changes.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    account_id : str

    Returns
    -------
    matplotlib.figure.Figure
        The score per as-of date; a dashed line where the configuration
        hash changed.
    """
    rows = _score_history(history[history["account_id"] == str(account_id)])
    rows = rows.sort_values("as_of")
    fig = Figure(figsize=(9, 3))
    axis = fig.subplots()
    axis.plot(rows["as_of"], rows["score"], marker="o", color="#2f6db5")
    changed = (
        rows["config_hash"].ne(rows["config_hash"].shift())
        & rows["config_hash"].shift().notna()
    )
    marks = rows.loc[changed, ["as_of", "config_hash"]]
    for day, code in marks.itertuples(index=False):
        axis.axvline(day, color="#999999", linestyle="--", linewidth=1)
        axis.annotate(f"config {code[:6]}", (day, axis.get_ylim()[1]), fontsize=7)
    axis.set_title(f"Health score of account {account_id}")
    axis.set_ylabel("score")
    fig.tight_layout()
    return fig


def portfolio_bands(table: pd.DataFrame, *, column: str = "band") -> pd.DataFrame:
    """Count accounts per band (or risk level), in a fixed order.

    Parameters
    ----------
    table : pandas.DataFrame
        A column ``column`` of band names, e.g. ``HealthScores.scores`` or
        the output of :func:`cskit.risk.risk_score` with ``column="risk"``.
    column : str

    Returns
    -------
    pandas.DataFrame
        ``accounts`` and ``share`` (%) per band: Red, Yellow, Green first,
        then any other name in alphabetical order.
    """
    counts = table[column].astype("str").value_counts()
    first = [name for name in ("Red", "Yellow", "Green") if name in counts]
    order = first + sorted(set(counts.index) - set(first))
    counts = counts.reindex(order)
    share = (100 * counts / max(counts.sum(), 1)).round(1)
    return pd.DataFrame({"accounts": counts, "share": share}).rename_axis(column)


def movers(history: pd.DataFrame, *, as_of: Any, n: int = 10) -> pd.DataFrame:
    """Return the accounts whose score moved most since the previous run.

    Parameters
    ----------
    history : pandas.DataFrame
        As returned by :func:`read_health_history`.
    as_of : date-like
        This run's date; the previous run is the latest stored date before it.
    n : int
        Accounts returned.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``score``, ``previous_score``, ``change``, ``band``,
        ``previous_band`` and ``config_changed``, largest absolute change
        first (ties by account id).
    """
    scores = _score_history(history)
    day = pd.Timestamp(as_of)
    earlier = scores.loc[scores["as_of"] < day, "as_of"]
    now = scores[scores["as_of"] == day]
    then = scores[scores["as_of"] == earlier.max()] if len(earlier) else now.iloc[0:0]
    table = now.merge(then, on="account_id", suffixes=("", "_previous"))
    table["change"] = table["score"] - table["score_previous"]
    table["config_changed"] = table["config_hash"] != table["config_hash_previous"]
    table = table.rename(
        columns={"score_previous": "previous_score", "band_previous": "previous_band"}
    )
    table["magnitude"] = -table["change"].abs()
    table = table.sort_values(["magnitude", "account_id"]).head(n)
    columns = ["account_id", "score", "previous_score", "change", "band"]
    return table[columns + ["previous_band", "config_changed"]].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Backtest against churn outcomes

_LEVEL_ORDER = {"Green": 0.0, "Yellow": 1.0, "Red": 2.0}


def churn_dates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the churn and reactivation events of every account.

    ``account_events`` rows of kind ``churned`` and ``reactivated`` are used
    where the table exists; otherwise ``accounts.churned_at``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``date`` (datetime64, midnight) and ``kind``
        (``churned`` or ``reactivated``), sorted by account and date.
    """
    events = tables.get("account_events")
    if events is not None and len(events):
        rows = events[events["kind"].isin(["churned", "reactivated"])]
        rows = rows[["account_id", "date", "kind"]]
    else:
        accounts = tables.get("accounts", pd.DataFrame(columns=["account_id"]))
        churned = accounts.get("churned_at", pd.Series(dtype="datetime64[us]"))
        rows = pd.DataFrame(
            {"account_id": accounts["account_id"], "date": churned, "kind": "churned"}
        ).dropna(subset=["date"])
    rows = rows.assign(date=pd.to_datetime(rows["date"]).astype("datetime64[us]"))
    return rows.sort_values(["account_id", "date"]).reset_index(drop=True)


def _active_and_labels(
    accounts: pd.DataFrame, events: pd.DataFrame, day: pd.Timestamp, horizons
) -> pd.DataFrame:
    """Accounts customers at ``day`` and whether they churn within each horizon."""
    table = pd.DataFrame({"account_id": accounts["account_id"].astype("str")})
    start = accounts.get("contract_start", pd.Series(pd.NaT, index=accounts.index))
    table["started"] = ~(pd.to_datetime(start) >= day).to_numpy()

    past = events[events["date"] < day].drop_duplicates("account_id", keep="last")
    last_kind = table["account_id"].map(past.set_index("account_id")["kind"])
    table = table[table["started"] & last_kind.ne("churned").to_numpy()].copy()

    future = events[(events["kind"] == "churned") & (events["date"] >= day)]
    first = future.drop_duplicates("account_id").set_index("account_id")["date"]
    churn_on = table["account_id"].map(first)
    table["churn_date"] = churn_on
    for h in horizons:
        table[f"churn_{h}d"] = (churn_on < day + pd.Timedelta(days=h)).fillna(False)
    return table.drop(columns="started")


def _auc(y: np.ndarray, risk: np.ndarray) -> float:
    """ROC-AUC of ``risk`` for the labels ``y`` (ties count half)."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = pd.Series(risk).rank(method="average").to_numpy()
    return float(
        (ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def _lift(y: np.ndarray, risk: np.ndarray, share: float = 0.1) -> float:
    """Churn rate of the riskiest ``share`` over the base rate.

    Rows tied at the cut count with their mean outcome, as if ties were
    broken at random.
    """
    if len(y) == 0 or y.mean() == 0:
        return float("nan")
    top = max(1, int(np.ceil(share * len(y))))
    cut = np.sort(risk)[::-1][top - 1]
    above = risk > cut
    tied = risk == cut
    churned = y[above].sum() + (top - above.sum()) * y[tied].mean()
    return float(churned / top / y.mean())


def _bootstrap(groups: np.ndarray, stat, n_boot: int, seed: int) -> tuple:
    """Percentile 95 % interval of ``stat(rows)`` resampling whole accounts."""
    codes, uniques = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    members = [order[bounds[i] : bounds[i + 1]] for i in range(len(uniques))]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        picked = rng.integers(0, len(uniques), len(uniques))
        values.append(stat(np.concatenate([members[i] for i in picked])))
    values = np.asarray(values, dtype="float64")
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` measured.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per score and horizon: ``score``, ``horizon_days``, ``rows``
        (account snapshots), ``churned``, ``auc`` with ``auc_low`` and
        ``auc_high`` (95 % bootstrap interval), ``lift_top_decile`` with
        ``lift_low`` and ``lift_high``.
    early_warning : pandas.DataFrame
        Per score: ``churners`` seen ``lead_days`` before their churn,
        ``share_red_or_yellow`` (%) with ``share_low`` and ``share_high``.
    snapshots : pandas.DataFrame
        One row per account and as-of date: score, band, risk, risk points
        and the churn labels.
    """

    summary: pd.DataFrame
    early_warning: pd.DataFrame
    snapshots: pd.DataFrame


def backtest(
    tables: dict[str, pd.DataFrame],
    *,
    as_of_dates: list,
    config: HealthConfig | None = None,
    metrics_fn=None,
    risk_rules: Any = None,
    horizons: tuple[int, ...] = (90, 180),
    lead_days: int = 90,
    n_boot: int = 200,
    seed: int = 0,
) -> Backtest:
    """Score past as-of dates and compare the scores with churn that followed.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The canonical tables of the whole portfolio, history included.
    as_of_dates : list of date-like
        Past dates to score (monthly dates work well). A horizon is measured
        only from dates whose whole horizon lies before the end of the data.
    config : HealthConfig, optional
        By default :func:`load_health_config`.
    metrics_fn : callable, optional
        ``metrics_fn(tables, as_of) -> DataFrame``, the metrics table of one
        date; default :func:`cskit.risk.signal_table`.
    risk_rules : cskit.risk.RiskRules, optional
        By default :func:`cskit.risk.load_risk_rules`.
    horizons : tuple of int
        Churn within these many days of the as-of date is the outcome.
    lead_days : int
        For the early warning: each churner's score from the last as-of date
        at least this many days before its churn.
    n_boot : int
        Bootstrap resamples of accounts for the intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    Backtest

    Raises
    ------
    InvalidInputError
        When ``as_of_dates`` is empty or ``accounts`` is absent.
    """
    from cskit import risk

    if not as_of_dates or "accounts" not in tables:
        raise InvalidInputError(
            "backtest needs the 'accounts' table and at least one date in "
            f"as_of_dates (received {as_of_dates!r})"
        )
    config = config or load_health_config()
    metrics_fn = metrics_fn or (lambda t, d: risk.signal_table(t, as_of=d))
    rules = risk_rules or risk.load_risk_rules()
    events = churn_dates(tables)
    parts = [
        _snapshot(tables, pd.Timestamp(d), config, metrics_fn, rules, events, horizons)
        for d in sorted(as_of_dates)
    ]
    snapshots = pd.concat(parts, ignore_index=True)
    end = _data_end(tables)
    summary = _summary(snapshots, horizons, end, n_boot, seed)
    warning = _early_warning(snapshots, events, lead_days, n_boot, seed)
    return Backtest(summary, warning, snapshots)


def _snapshot(tables, day, config, metrics_fn, rules, events, horizons):
    from cskit import risk

    table = metrics_fn(tables, day.date())
    health = score_health(table, config=config)
    flags = risk.evaluate_flags(
        table,
        tables=tables,
        as_of=day.date(),
        health=health,
        rules=rules,
        evidence=False,
    )
    levels = risk.risk_score(flags, health=health, rules=rules)
    labels = _active_and_labels(tables["accounts"], events, day, horizons)
    frame = labels.merge(
        health.scores[["account_id", "score", "band"]], on="account_id"
    )
    frame = frame.merge(levels[["account_id", "risk", "risk_points"]], on="account_id")
    frame.insert(0, "as_of", day)
    logger.info("backtest snapshot %s: %d accounts", day.date(), len(frame))
    return frame


def _data_end(tables: dict[str, pd.DataFrame]) -> pd.Timestamp:
    events = tables.get("events")
    if events is not None and len(events):
        last = events["ts"].max().tz_convert("UTC").tz_localize(None)
        return last.normalize() + pd.Timedelta(days=1)
    return pd.Timestamp.max.normalize()


def _risk_values(snapshots: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "health score": -snapshots["score"].to_numpy(dtype="float64"),
        "risk level": snapshots["risk"].map(_LEVEL_ORDER).to_numpy(dtype="float64"),
        "risk points": snapshots["risk_points"].to_numpy(dtype="float64"),
    }


def _summary(snapshots, horizons, end, n_boot, seed) -> pd.DataFrame:
    rows = []
    for h in horizons:
        seen = snapshots[snapshots["as_of"] + pd.Timedelta(days=h) <= end]
        for name, values in _risk_values(seen).items():
            keep = ~np.isnan(values)
            y = seen[f"churn_{h}d"].to_numpy(dtype=bool)[keep]
            risk, groups = values[keep], seen["account_id"].to_numpy()[keep]
            auc = _auc(y, risk)
            lift = _lift(y, risk)
            auc_ci = _bootstrap(
                groups, lambda i, y=y, r=risk: _auc(y[i], r[i]), n_boot, seed
            )
            lift_ci = _bootstrap(
                groups, lambda i, y=y, r=risk: _lift(y[i], r[i]), n_boot, seed
            )
            rows.append(
                {
                    "score": name,
                    "horizon_days": h,
                    "rows": int(keep.sum()),
                    "churned": int(y.sum()),
                    "auc": auc,
                    "auc_low": auc_ci[0],
                    "auc_high": auc_ci[1],
                    "lift_top_decile": lift,
                    "lift_low": lift_ci[0],
                    "lift_high": lift_ci[1],
                }
            )
    return pd.DataFrame(rows)


def _early_warning(snapshots, events, lead_days, n_boot, seed) -> pd.DataFrame:
    churns = events[events["kind"] == "churned"]
    dates = np.sort(snapshots["as_of"].unique())
    step = pd.Series(dates).diff().max() if len(dates) > 1 else pd.Timedelta(days=31)
    step = step if pd.notna(step) else pd.Timedelta(days=31)
    target = churns["date"] - pd.Timedelta(days=lead_days)
    picked = pd.merge_asof(
        churns.assign(target=target).sort_values("target"),
        pd.DataFrame({"as_of": dates}),
        left_on="target",
        right_on="as_of",
        direction="backward",
    )
    picked = picked[
        picked["as_of"].notna() & (picked["target"] - picked["as_of"] < step)
    ]
    seen = picked.merge(snapshots, on=["account_id", "as_of"])
    rows = []
    for name, column in (("health band", "band"), ("risk level", "risk")):
        flagged = seen[column].isin(["Red", "Yellow"]).to_numpy(dtype=float)
        groups = seen["account_id"].to_numpy()
        low, high = _bootstrap(
            groups, lambda i, f=flagged: 100 * f[i].mean(), n_boot, seed
        )
        rows.append(
            {
                "score": name,
                "lead_days": lead_days,
                "churners": len(seen),
                "share_red_or_yellow": 100 * flagged.mean() if len(seen) else np.nan,
                "share_low": low,
                "share_high": high,
            }
        )
    return pd.DataFrame(rows)
