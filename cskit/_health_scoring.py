"""Scoring accounts with a health profile.

Private helpers of :mod:`cskit.health`: :func:`score_health` chooses each
account's profile, maps every measure's value to points, applies the
missing-data rule and rounding, combines the points (weighted mean, worst
signal or additive) into group scores, a score and a band, and keeps the
per-measure details; :func:`health_drivers` reads those details back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskit._health_config import Band, HealthConfig, Measure, Profile, _suggest
from cskit._health_loading import load_health_config, profile_hash
from cskit.exceptions import ConfigurationError, MissingColumnError

__all__: list[str] = []

logger = logging.getLogger("cskit.health")


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
