"""Point-in-time churn snapshots and the churn workbook's settings.

Private helpers of :mod:`cskit.churn`: :func:`build_churn_snapshots` checks
the tables and horizons, finds the end of the data and the as-of range, runs
the feature families of :mod:`cskit._churn_features` and labels each
snapshot; :func:`churn_settings` merges the defaults, the ``churn:`` section
of a parameter file and the caller's arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cskit import _churn_features as cf
from cskit._churn_grid import check_dates, require
from cskit.exceptions import InvalidInputError, MissingColumnError

__all__: list[str] = []

logger = logging.getLogger("cskit.churn")


DEFAULT_HORIZONS = (90, 180)
SNAPSHOT_FEATURES = cf.SNAPSHOT_FEATURES
BASELINE_FEATURES = ("days_to_renewal", "usage_trend_3m", "tenure_days", "nps_12m")
_KEYS = ("account_id", "as_of", "next_churn_date")
_BUILD_EVENTS = ("app_create", "app_edit", "app_publish")


def build_churn_snapshots(
    tables: dict[str, pd.DataFrame],
    *,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    first_as_of=None,
    last_as_of=None,
    data_end=None,
    pulse_scores: pd.DataFrame | None = None,
    build_events: Sequence[str] = _BUILD_EVENTS,
    sla_hours: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Build one snapshot per account and monthly as-of date, with labels.

    Every feature of a snapshot is computed from data strictly before its
    as-of date (the first day of a month, in the account's timezone).
    Accounts not yet under contract, or churned (and not reactivated)
    before the as-of date, get no snapshot. The churn date is taken from
    ``account_events`` (kind ``churned``) where an account has one, else
    from ``accounts.churned_at``.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables (:mod:`cskit.schema`); only ``accounts``
        (``account_id``) is required, absent tables give NaN features.
    horizons : sequence of int
        Label horizons in days: ``churned_within_<H>d`` is 1 when the
        account churns in ``[as_of, as_of + H days)``, NaN when that window
        reaches past ``data_end`` (censored).
    first_as_of, last_as_of : date-like, optional
        The first and last as-of months (default: six months after the first
        product event, and the month of ``data_end``).
    data_end : date-like, optional
        The first day with no data (default: the day after the last event).
    pulse_scores : pandas.DataFrame, optional
        Scored texts with ``account_id``, ``ts`` (UTC) and ``score`` (the
        Engagement Pulse of each text); without it the Pulse features are NaN.
    build_events : sequence of str
        Event names that count as building.
    sla_hours : dict of str to float, optional
        First-response target in hours per ticket priority.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``as_of``, the :data:`SNAPSHOT_FEATURES`,
        ``next_churn_date`` and one label column per horizon.

    Raises
    ------
    MissingColumnError
        When ``accounts`` or a column a present table needs is missing.
    InvalidInputError
        When a horizon is not a positive whole number of days, or the
        as-of range is empty.
    """
    accounts = _accounts(tables)
    horizons = _check_horizons(horizons)
    data_end = _data_end(tables) if data_end is None else pd.Timestamp(data_end)
    first, last = _as_of_range(tables, first_as_of, last_as_of, data_end)
    as_of = pd.date_range(first, last, freq="MS")

    ctx = cf.make_context(
        accounts,
        as_of,
        build_events=tuple(build_events),
        sla_hours=dict(cf.SLA_HOURS if sla_hours is None else sla_hours),
    )
    frame = cf.assemble(cf.compute(tables, ctx, pulse_scores), ctx)
    frame = frame[cf.started(frame, accounts).to_numpy()]
    frame = frame[frame["as_of"] <= data_end]
    frame = cf.label(frame, tables, horizons=horizons, data_end=data_end)
    frame = cf.complete(frame).reset_index(drop=True)

    logger.info(
        "built %d churn snapshots of %d accounts, as-of %s to %s",
        len(frame),
        frame["account_id"].nunique(),
        first.date(),
        last.date(),
    )
    return frame


def _accounts(tables: dict) -> pd.DataFrame:
    if "accounts" not in tables:
        raise MissingColumnError(
            "accounts",
            frame="the tables",
            found=sorted(tables),
            hint="The churn snapshots need the accounts table; load it first.",
        )
    accounts = tables["accounts"]
    require(accounts, ("account_id",), "accounts")
    return accounts.drop_duplicates("account_id").reset_index(drop=True)


def _check_horizons(horizons) -> tuple[int, ...]:
    horizons = (horizons,) if np.isscalar(horizons) else tuple(horizons)
    bad = [h for h in horizons if not float(h).is_integer() or h <= 0]
    if not horizons or bad:
        raise InvalidInputError(
            f"horizons={horizons!r} holds {bad or 'nothing'}; pass positive whole "
            "numbers of days, e.g. horizons=(90, 180)"
        )
    return tuple(int(h) for h in horizons)


def _latest(tables: dict, name: str, column: str):
    frame = tables.get(name)
    if frame is None or column not in frame or frame[column].isna().all():
        return None
    value = pd.to_datetime(frame[column]).max()
    return value.tz_convert(None) if value.tzinfo else value


def _data_end(tables: dict) -> pd.Timestamp:
    """The day after the last product event (else the latest date anywhere)."""
    latest = _latest(tables, "events", "ts")
    if latest is None:
        candidates = [
            _latest(tables, name, column)
            for name, frame in tables.items()
            for column in frame.columns
            if pd.api.types.is_datetime64_any_dtype(frame[column])
        ]
        latest = max((c for c in candidates if c is not None), default=None)
    if latest is None:
        raise InvalidInputError(
            "the tables hold no dates, so the end of the data is unknown; pass "
            "data_end= explicitly"
        )
    return latest.normalize() + pd.Timedelta(days=1)


def _as_of_range(tables, first, last, data_end) -> tuple[pd.Timestamp, pd.Timestamp]:
    if last is None:
        last = data_end
    if first is None:
        start = _earliest(tables)
        first = (start if start is not None else data_end) + pd.DateOffset(months=6)
        first = min(first, pd.Timestamp(last))
    return check_dates(first, last)


def _earliest(tables: dict):
    for name, column in (("events", "ts"), ("revenue", "month")):
        frame = tables.get(name)
        if frame is not None and column in frame and frame[column].notna().any():
            value = pd.to_datetime(frame[column]).min()
            return value.tz_convert(None) if value.tzinfo else value
    return None


def churn_settings(
    params_file: str | Path | None = None,
    *,
    horizon_days: int | None = None,
    first_as_of=None,
    last_as_of=None,
) -> dict:
    """Return the churn workbook's settings: defaults, the file, then arguments.

    The optional ``churn:`` section of a parameter file may set
    ``horizons`` (list of days), ``horizon_days`` (the one to model),
    ``first_as_of``, ``last_as_of``, ``sla_hours`` and ``random_state``;
    ``metrics.build_events`` is read too. Arguments that are not ``None``
    win over the file.

    Returns
    -------
    dict
        ``horizons``, ``horizon_days``, ``first_as_of``, ``last_as_of``,
        ``build_events``, ``sla_hours``, ``random_state``.

    Raises
    ------
    ConfigurationError
        When the file is missing or its ``churn`` section is not a mapping.
    """
    from cskit.exceptions import ConfigurationError

    settings = {
        "horizons": list(DEFAULT_HORIZONS),
        "horizon_days": DEFAULT_HORIZONS[0],
        "first_as_of": None,
        "last_as_of": None,
        "build_events": list(_BUILD_EVENTS),
        "sla_hours": dict(cf.SLA_HOURS),
        "random_state": 0,
    }
    if params_file is not None:
        import yaml

        path = Path(params_file)
        if not path.is_file():
            raise ConfigurationError(
                f"params_file={str(path)!r} does not exist; pass an existing YAML "
                "file or None for the defaults"
            )
        data = yaml.safe_load(path.read_text()) or {}
        section = data.get("churn") or {}
        if not isinstance(section, dict):
            raise ConfigurationError(
                f"the 'churn' section of {path} is {type(section).__name__}; "
                "write it as a mapping (horizons: [90, 180], ...)"
            )
        settings.update({k: v for k, v in section.items() if k in settings})
        events = (data.get("metrics") or {}).get("build_events")
        settings["build_events"] = list(events or settings["build_events"])
    given = {
        "horizon_days": horizon_days,
        "first_as_of": first_as_of,
        "last_as_of": last_as_of,
    }
    settings.update({k: v for k, v in given.items() if v is not None})
    if settings["horizon_days"] not in settings["horizons"]:
        settings["horizons"] = [*settings["horizons"], settings["horizon_days"]]
    return settings
