"""Parameters: the playbook's thresholds, their YAML files and their hash.

``params/defaults.yaml`` states the playbook's thresholds; a file in
``params/accounts/<account_id>.yaml`` overrides any of them for one account.
Both are read into :class:`Settings`, a pydantic model that refuses unknown
names (suggesting the closest valid one) and values of the wrong type. The
same values are the model's defaults, so cskit also runs where no
``params/`` folder exists.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from cskit.exceptions import ConfigurationError

__all__ = [
    "MetricParams",
    "Targets",
    "LifecycleParams",
    "PulseParams",
    "QbrStep",
    "QbrKpi",
    "QbrParams",
    "Settings",
    "find_params_dir",
    "load_settings",
    "config_hash",
]

logger = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricParams(_Strict):
    """Windows and thresholds of the playbook's metrics.

    The fields mirror :class:`cskit.metrics.MetricSettings` one to one; see
    ``docs/metrics.md`` for what each one changes.
    """

    activation_window_days: int = 30
    mad_window_days: int = 30
    inactivity_days: int = 14
    day45_days: int = 45
    build_events: tuple[str, ...] = ("app_create", "app_edit", "app_publish")
    live_app_window_days: int = 30
    mau_window_days: int = 30
    retention_months: int = 12
    survey_window_days: int = 365
    nps_min_responses: int = 10
    nps_confidence: float = 0.95
    ces_scale_min: int = 1
    ces_scale_max: int = 7
    ces_higher_is_easier: bool = True
    ticket_window_days: int = 90
    base_currency: str = "USD"
    ttv_target_days: int = 30
    training_kinds: tuple[str, ...] = ("training",)
    training_window_days: int = 365
    sla_first_response_hours: dict[str, float] = {
        "urgent": 1.0,
        "high": 4.0,
        "normal": 8.0,
        "low": 24.0,
    }
    sla_resolution_hours: dict[str, float] = {
        "urgent": 8.0,
        "high": 24.0,
        "normal": 40.0,
        "low": 80.0,
    }
    business_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    business_hours: tuple[str, str] = ("09:00", "17:00")
    sla_timezone: str = "account"
    holiday_country: str | None = None
    extra_holidays: tuple[str, ...] = ()
    slow_ticket_tag: str = "slow"
    usage_recent_weeks: int = 4
    usage_baseline_weeks: int = 8
    silent_days: int = 30
    renewal_term_months: int = 12
    renewal_grace_days: int = 0


class Targets(_Strict):
    """The playbook's targets that reports compare each account against."""

    day45_activation_pct: float = 60
    ttv_days: float = 30
    seat_utilisation_pct: float = 70
    nrr_pct: float = 100
    grr_pct: float = 90
    nps: float = 30
    csat_pct: float = 80


class LifecycleParams(_Strict):
    """Rules that place an account in its lifecycle phase."""

    onboarding_days: int = 90
    renewal_window_days: int = 90


class PulseParams(_Strict):
    """How the Engagement Pulse weighs texts, and the feedback themes."""

    half_life_days: float = 30
    window_days: int = 90
    confidence_k: float = 5.0
    evidence_n: int = 3
    themes_window_days: int = 90


class QbrStep(_Strict):
    """One step of the QBR timeline, dated from the session day T.

    ``kind`` is the ``touchpoints.kind`` that records the step as done.
    """

    step: str
    offset_days: int
    kind: str
    title: str


class QbrKpi(_Strict):
    """A customer KPI recorded in a parameter file, where no table holds it."""

    kpi: str
    unit: str = ""
    direction: Literal["up", "down"] = "up"
    baseline: float
    target: float
    current: float | None = None
    measured_at: date | None = None
    annual_value: float | None = None


_PREP = "Prep: usage metrics, stakeholder map, deck draft"


class QbrParams(_Strict):
    """QBR cadence per tier, the timeline's steps, and the customer's KPIs.

    See ``docs/qbr.md`` for how the next QBR date is planned.
    """

    cadence_months: dict[str, int] = {"strategic": 3, "premium": 3, "standard": 6}
    default_cadence_months: int = 6
    renewal_lead_days: int = 45
    min_gap_days: int = 60
    close_days: int = 14
    due_within_days: int = 30
    reschedule_days: int = 14
    session_minutes: int = 60
    steps: tuple[QbrStep, ...] = (
        QbrStep(step="prep", offset_days=-30, kind="qbr_prep", title=_PREP),
        QbrStep(
            step="dry_run", offset_days=-7, kind="qbr_dry_run", title="Internal dry run"
        ),
        QbrStep(step="agenda", offset_days=-5, kind="qbr_agenda", title="Agenda sent"),
        QbrStep(step="session", offset_days=0, kind="qbr", title="QBR session"),
        QbrStep(step="recap", offset_days=1, kind="qbr_recap", title="Recap email"),
    )
    kpis: tuple[QbrKpi, ...] = ()


class Settings(_Strict):
    """Every setting of a run, as read from the parameter files."""

    metrics: MetricParams = MetricParams()
    targets: Targets = Targets()
    lifecycle: LifecycleParams = LifecycleParams()
    pulse: PulseParams = PulseParams()
    qbr: QbrParams = QbrParams()


def find_params_dir(start: Path | None = None) -> Path | None:
    """Return the nearest ``params/`` folder holding ``defaults.yaml``.

    Parameters
    ----------
    start : pathlib.Path, optional
        Folder to search from, then its parents; default the working folder.

    Returns
    -------
    pathlib.Path or None
        The folder, or None when there is none.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "params"
        if (candidate / "defaults.yaml").is_file():
            return candidate
    return None


def load_settings(
    path: str | Path | None = None, *, account_id: str | None = None
) -> Settings:
    """Read the settings of a run.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML parameter file. By default ``params/defaults.yaml`` found from
        the working folder upwards; where there is none, the built-in
        defaults (the same values).
    account_id : str, optional
        When given, ``accounts/<account_id>.yaml`` beside the parameter file
        is merged over it, if it exists.

    Returns
    -------
    Settings

    Raises
    ------
    ConfigurationError
        Naming the file, the key and the value, for an unreadable file, an
        unknown key (with the closest valid name) or a value of the wrong
        type.
    """
    path = _default_path() if path is None else Path(path)
    if path is None:
        return Settings()
    values = _read_yaml(path)
    if account_id is not None:
        override = path.parent / "accounts" / f"{account_id}.yaml"
        if override.is_file():
            values = _merge(values, _read_yaml(override))
            logger.info("account overrides read from %s", override)
    return _build(values, path)


def _default_path() -> Path | None:
    folder = find_params_dir()
    return None if folder is None else folder / "defaults.yaml"


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigurationError(
            f"parameter file {str(path)!r} does not exist; pass the path of a "
            "YAML file such as params/defaults.yaml"
        )
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigurationError(
            f"parameter file {str(path)!r} is not valid YAML ({error}); fix the "
            "syntax at the place named"
        ) from error
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigurationError(
            f"parameter file {str(path)!r} holds a {type(values).__name__}, not a "
            "mapping of names to values; start it with 'metrics:' or 'targets:'"
        )
    return values


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(values: dict, path: Path) -> Settings:
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        raise ConfigurationError(_explain(error, path)) from error


def _explain(error: ValidationError, path: Path) -> str:
    lines = [f"parameter file {str(path)!r} has {error.error_count()} problem(s):"]
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"  unknown parameter {where!r}{_closest(problem['loc'])}")
        else:
            lines.append(
                f"  {where}: {problem['msg']} (received {problem.get('input')!r})"
            )
    return "\n".join(lines)


def _closest(location: tuple) -> str:
    model: type[BaseModel] = Settings
    for part in location[:-1]:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            return ""
        model = field.annotation
    names = list(model.model_fields)
    match = difflib.get_close_matches(str(location[-1]), names, n=1)
    if match:
        return f"; did you mean {match[0]!r}?"
    return f"; valid names are {names}"


def config_hash(settings: Settings) -> str:
    """Return a short, stable hash of the settings.

    Two runs with equal settings get the same hash, whatever file or
    formatting the settings came from.

    Parameters
    ----------
    settings : Settings

    Returns
    -------
    str
        The first 12 hexadecimal digits of the SHA-256 of the settings as
        canonical JSON.

    Examples
    --------
    >>> config_hash(Settings()) == config_hash(Settings())
    True
    """
    canonical = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
