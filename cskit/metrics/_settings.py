"""The playbook's windows and thresholds, checked once when they are built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cskit.exceptions import InvalidInputError

__all__ = ["MetricSettings", "DEFAULT_SETTINGS", "WEEKDAYS"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITY_NAMES = ("low", "normal", "high", "urgent")

_POSITIVE_INTS = (
    "activation_window_days",
    "mad_window_days",
    "inactivity_days",
    "day45_days",
    "live_app_window_days",
    "mau_window_days",
    "retention_months",
    "survey_window_days",
    "nps_min_responses",
    "ticket_window_days",
    "ttv_target_days",
    "training_window_days",
    "usage_recent_weeks",
    "usage_baseline_weeks",
    "silent_days",
    "renewal_term_months",
)
_FIX = "Fix it under 'metrics:' in params/defaults.yaml."


def _first_response_hours() -> dict[str, float]:
    return {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}


def _resolution_hours() -> dict[str, float]:
    return {"urgent": 8.0, "high": 24.0, "normal": 40.0, "low": 80.0}


@dataclass(frozen=True)
class MetricSettings:
    """The playbook's windows and thresholds used by the metrics.

    Every field mirrors ``metrics:`` in ``params/defaults.yaml`` (and
    :class:`cskit.params.MetricParams`), so
    ``MetricSettings(**settings.metrics.model_dump())`` builds it.

    Parameters
    ----------
    activation_window_days, mad_window_days : int
        Trailing windows of activated developers, MAD and seat utilisation.
    inactivity_days : int
        A developer without any event for this many days is inactive.
    day45_days : int
        Length of the onboarding activation window after kickoff.
    build_events : tuple of str
        The ``events.event`` names that count as building an app.
    live_app_window_days, mau_window_days : int
        Windows of live apps and end-user MAU (and of their growth).
    retention_months : int
        Length of the NRR/GRR period, of logo churn, seat and module growth
        and of on-time renewals, in months.
    survey_window_days, nps_min_responses : int
        Window of NPS, CSAT and CES responses; fewer NPS responses than the
        minimum give a warning.
    nps_confidence : float
        Confidence level of the NPS interval (between 0 and 1).
    ces_scale_min, ces_scale_max : int
        The CES answer scale.
    ces_higher_is_easier : bool
        The direction of the CES scale: True when a high score means little
        effort.
    ticket_window_days : int
        Window of tickets created, SLA compliance and slow tickets.
    base_currency : str
        ISO 4217 code revenue is converted to.
    ttv_target_days : int
        The time-to-value target, quoted in TTV reasons.
    training_kinds : tuple of str
        ``touchpoints.kind`` values that are trainings.
    training_window_days : int
        Window of training attendance.
    sla_first_response_hours, sla_resolution_hours : dict of str to float
        SLA targets per ticket priority, in business hours.
    business_days : tuple of str
        Working weekdays (``mon`` .. ``sun``).
    business_hours : tuple of str
        Opening and closing time of a working day, ``"HH:MM"`` (closing may
        be ``"24:00"``).
    sla_timezone : str
        ``"account"`` (each account's timezone) or an IANA name (the support
        team's).
    holiday_country : str or None
        Country code whose public holidays (``holidays`` package) are not
        working days.
    extra_holidays : tuple of str
        Further non-working dates, ``"YYYY-MM-DD"``.
    slow_ticket_tag : str
        The ticket tag that marks a ticket as slow.
    usage_recent_weeks, usage_baseline_weeks : int
        Usage drop compares the last weeks with the weeks before them.
    silent_days : int
        An account is silent after this many days without activity.
    renewal_term_months : int
        A renewal is due every term after ``contract_start``.
    renewal_grace_days : int
        Days after the due date a renewal still counts as on time.

    Raises
    ------
    InvalidInputError
        Naming the setting and the value received, when a window is not a
        whole number above 0, a list is empty, a code or time is malformed.
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
    sla_first_response_hours: dict[str, float] = field(
        default_factory=_first_response_hours
    )
    sla_resolution_hours: dict[str, float] = field(default_factory=_resolution_hours)
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

    def __hash__(self) -> int:
        """Hash every setting; the SLA targets are hashed as sorted pairs."""
        values = [
            tuple(sorted(value.items())) if isinstance(value, dict) else value
            for value in (getattr(self, name) for name in self.__dataclass_fields__)
        ]
        return hash(tuple(values))

    def __post_init__(self) -> None:
        """Check every setting; store lists as tuples."""
        _check_counts(self)
        for name in ("build_events", "training_kinds", "business_days"):
            _check_names(self, name)
        _check_currency(self.base_currency)
        _check_surveys(self)
        for name in ("sla_first_response_hours", "sla_resolution_hours"):
            _check_targets(self, name)
        _check_calendar(self)


def _check_counts(settings: MetricSettings) -> None:
    for name in (*_POSITIVE_INTS, "renewal_grace_days"):
        value = getattr(settings, name)
        least = 0 if name == "renewal_grace_days" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InvalidInputError(
                f"MetricSettings.{name} is {value!r}; expected a whole number of "
                f"at least {least}. {_FIX}"
            )


def _check_names(settings: MetricSettings, name: str) -> None:
    values = getattr(settings, name)
    if isinstance(values, str) or not values:
        raise InvalidInputError(
            f"MetricSettings.{name} is {values!r}; expected a non-empty list of "
            f"names such as {list(getattr(MetricSettings, name))}."
        )
    object.__setattr__(settings, name, tuple(values))


def _check_currency(currency: object) -> None:
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isupper()):
        raise InvalidInputError(
            f"MetricSettings.base_currency is {currency!r}; expected an ISO 4217 "
            "code such as 'USD'."
        )


def _check_surveys(settings: MetricSettings) -> None:
    level = settings.nps_confidence
    if not isinstance(level, int | float) or not 0 < level < 1:
        raise InvalidInputError(
            f"MetricSettings.nps_confidence is {level!r}; expected a level between "
            f"0 and 1 such as 0.95. {_FIX}"
        )
    low, high = settings.ces_scale_min, settings.ces_scale_max
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        raise InvalidInputError(
            f"MetricSettings.ces_scale_min/ces_scale_max are {low!r}/{high!r}; "
            f"expected whole numbers with min below max such as 1 and 7. {_FIX}"
        )


def _check_targets(settings: MetricSettings, name: str) -> None:
    targets = dict(getattr(settings, name))
    missing = [p for p in PRIORITY_NAMES if p not in targets]
    unknown = [p for p in targets if p not in PRIORITY_NAMES]
    bad = [p for p, hours in targets.items() if not _positive_number(hours)]
    if missing or unknown or bad:
        raise InvalidInputError(
            f"MetricSettings.{name} is {targets!r}; expected business hours above "
            f"0 for each priority {list(PRIORITY_NAMES)} (missing {missing}, "
            f"unknown {unknown}, not a number above 0 {bad}). {_FIX}"
        )
    object.__setattr__(settings, name, {p: float(h) for p, h in targets.items()})


def _positive_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _check_calendar(settings: MetricSettings) -> None:
    unknown = [day for day in settings.business_days if day not in WEEKDAYS]
    if unknown:
        raise InvalidInputError(
            f"MetricSettings.business_days has {unknown}; use the names "
            f"{list(WEEKDAYS)}. {_FIX}"
        )
    opening, closing = _hours(settings.business_hours)
    if not opening < closing:
        raise InvalidInputError(
            f"MetricSettings.business_hours is {list(settings.business_hours)!r}; "
            f"the opening time must be before the closing time. {_FIX}"
        )
    object.__setattr__(settings, "business_hours", tuple(settings.business_hours))
    dates = tuple(settings.extra_holidays)
    for text in dates:
        try:
            dt.date.fromisoformat(str(text))
        except ValueError as error:
            raise InvalidInputError(
                f"MetricSettings.extra_holidays has {text!r}; expected dates such "
                f"as '2024-12-24'. {_FIX}"
            ) from error
    object.__setattr__(settings, "extra_holidays", tuple(str(d) for d in dates))


def _hours(pair: object) -> tuple[dt.timedelta, dt.timedelta]:
    """Return the opening and closing time of ``business_hours`` as offsets."""
    try:
        opening, closing = pair
        return _clock(opening), _clock(closing)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"MetricSettings.business_hours is {pair!r}; expected two times such "
            f"as ['09:00', '17:00']. {_FIX}"
        ) from error


def _clock(text: str) -> dt.timedelta:
    hours, minutes = str(text).split(":")
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
    if not dt.timedelta(0) <= offset <= dt.timedelta(hours=24):
        raise ValueError(text)
    return offset


def business_hours(settings: MetricSettings) -> tuple[dt.timedelta, dt.timedelta]:
    """Return the opening and closing offsets from local midnight."""
    return _hours(settings.business_hours)


DEFAULT_SETTINGS = MetricSettings()
