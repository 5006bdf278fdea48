"""A deterministic synthetic demo company in canonical form.

:func:`make_demo_company` builds every canonical table of the data contract
(:data:`cskit.schema.TABLES`) for a made-up portfolio of accounts of a
low-code platform vendor, plus a ``ground_truth`` table recording what was
planted: each account's latent churn propensity, whether and when it churned,
the churn drivers that shaped its data, and the hidden influencers and decoys
among its contacts. :func:`write_demo_company` writes the same tables as CSV.

The history covers ``months`` calendar months ending at :data:`DEMO_END`;
nothing is dated on or after the following day (timestamps are tz-aware UTC
and stay before midnight UTC). Every random choice comes from one
``numpy.random.default_rng(seed)``, so the same options give identical frames.
See ``docs/demo-data.md`` for the planted signals.

The generator is split by concept into private modules: ``_demo_base`` (calendar
and frame helpers), ``_demo_accounts``, ``_demo_people`` (org charts),
``_demo_activity`` (apps, events, usage), ``_demo_support`` (tickets),
``_demo_surveys``, ``_demo_calls`` and ``_demo_money`` (KPIs, revenue, FX);
the text material is in ``_demo_text``, ``_demo_names`` and ``_demo_phrases``.

Limitations
-----------
Events are daily aggregates per contact and event type (a ``count`` column),
not single clicks. Calendar arithmetic assumes the day of month of contract
dates is at most 28. With fewer than three accounts the guaranteed cases
(a churned, a reactivated and an onboarding account) cannot all be present.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from cskit._demo_accounts import (
    _accounts_frame,
    _ground_truth,
    _intensity,
    _plan_accounts,
)
from cskit._demo_activity import _apps_frame, _make_app_usage, _make_events, _plan_apps
from cskit._demo_base import DEMO_END, _Calendar, _calendar, _check_options, _ids
from cskit._demo_calls import _make_calls, _make_touchpoints
from cskit._demo_money import _make_fx, _make_kpis, _make_money
from cskit._demo_people import (
    _account_names,
    _contact_names,
    _contact_titles,
    _contacts_frame,
    _plan_contacts,
)
from cskit._demo_support import _make_ticket_comments, _make_tickets
from cskit._demo_surveys import _make_surveys
from cskit.schema import TABLES

__all__ = ["DEMO_END", "make_demo_company", "write_demo_company"]
logger = logging.getLogger(__name__)
_LIST_SEP = ";"


def _build_people(rng, accounts: int, cal: _Calendar) -> tuple:
    acc = _plan_accounts(rng, accounts, cal)
    names, domains = _account_names(rng, accounts)
    ppl = _plan_contacts(rng, acc, cal)
    _contact_names(rng, acc, ppl, domains)
    ppl["title"], ppl["department"] = _contact_titles(rng, ppl)
    apps = _plan_apps(rng, acc, ppl, cal)
    ids = {
        "account": _ids("", accounts, 4),
        "contact": _ids("C", ppl["account"].size, 6),
        "app": _ids("APP", apps["account"].size, 5),
    }

    return acc, names, ppl, apps, ids


def _build_activity(rng, acc, names, ppl, apps, cal, ids) -> dict:
    intensity = _intensity(acc, cal)
    tables = {
        "contacts": _contacts_frame(rng, acc, ppl, cal, ids),
        "apps": _apps_frame(acc, apps, cal, ids),
        "events": _make_events(rng, acc, ppl, apps, intensity, cal, ids),
        "app_usage": _make_app_usage(rng, acc, ppl, apps, intensity, cal, ids),
    }
    tables["tickets"], tickets = _make_tickets(rng, acc, ppl, apps, cal, ids)
    tables["ticket_comments"] = _make_ticket_comments(rng, acc, ppl, tickets, names)
    tables["surveys"] = _make_surveys(rng, acc, ppl, tickets, cal, ids)
    tables["touchpoints"], touch = _make_touchpoints(rng, acc, cal, ids)
    tables["calls"], tables["call_turns"] = _make_calls(
        rng, acc, ppl, apps, touch, cal, ids
    )
    tables["kpis"] = _make_kpis(rng, acc, cal, ids)
    tables["revenue"], tables["account_events"], seats = _make_money(rng, acc, cal, ids)
    tables["fx_rates"] = _make_fx(rng, acc, cal)
    tables["accounts"] = _accounts_frame(acc, names, seats, cal, ids)

    return tables


def make_demo_company(
    *, accounts: int = 60, seed: int = 7, months: int = 18
) -> dict[str, pd.DataFrame]:
    """Build a deterministic synthetic portfolio in canonical form.

    Parameters
    ----------
    accounts : int, default 60
        Number of customer accounts (1 to 100 000). Ids are zero-padded
        text, ``"0001"``, ``"0002"``, ...
    seed : int, default 7
        Seed of the one random generator; the same options give identical
        frames.
    months : int, default 18
        Calendar months of history (6 to 120) ending at :data:`DEMO_END`.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per canonical table of :data:`cskit.schema.TABLES`, with
        its columns and in-memory dtypes (timestamps tz-aware UTC), plus
        ``ground_truth``: one row per account with ``account_id``,
        ``churn_propensity`` (0..1), ``churned``, ``churn_date``,
        ``reactivated_at``, ``onboarding``, and lists ``drivers``,
        ``influencers``, ``decoys`` and ``decoy_signals``.

    Raises
    ------
    InvalidInputError
        If an option is not a whole number in its range.

    Examples
    --------
    >>> tables = make_demo_company(accounts=6, seed=1)
    >>> tables["accounts"]["account_id"].tolist()[:2]
    ['0001', '0002']
    """
    _check_options(accounts, seed, months)
    rng = np.random.default_rng(seed)
    cal = _calendar(months)
    acc, names, ppl, apps, ids = _build_people(rng, accounts, cal)
    tables = _build_activity(rng, acc, names, ppl, apps, cal, ids)
    tables["ground_truth"] = _ground_truth(acc, ppl, cal, ids)
    logger.info(
        "built demo company: %d accounts, %d contacts, %d events",
        accounts,
        len(tables["contacts"]),
        len(tables["events"]),
    )

    return {name: tables[name] for name in [*TABLES, "ground_truth"]}


def write_demo_company(
    out_dir: str | Path, *, accounts: int = 60, seed: int = 7, months: int = 18
) -> list[Path]:
    """Write the demo company as one CSV file per table.

    Lists (``tickets.tags``, ``revenue.modules`` and the ground truth lists)
    are joined with ``;``, timestamps are ISO 8601 with an offset
    (``2026-01-31T14:05:00+00:00``), dates ``YYYY-MM-DD``, flags
    ``true``/``false``, missing values blank.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into; created if absent. Existing files of the same
        names are replaced.
    accounts, seed, months : int
        As for :func:`make_demo_company`.

    Returns
    -------
    list of pathlib.Path
        ``<table>.csv`` for every canonical table, then ``ground_truth.csv``.

    Raises
    ------
    InvalidInputError
        If an option is out of range.
    """
    tables = make_demo_company(accounts=accounts, seed=seed, months=months)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []

    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        _csv_ready(frame).to_csv(path, index=False)
        paths.append(path)

    logger.info("wrote %d demo tables to %s", len(paths), folder)

    return paths


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}

    for name, series in frame.items():
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            values = series.dt.tz_localize(None).to_numpy("M8[s]")
            text = np.datetime_as_string(values, unit="s").astype(object) + "+00:00"
            out[name] = np.where(np.isnat(values), None, text)
        elif pd.api.types.is_datetime64_dtype(series.dtype):
            values = series.to_numpy("M8[D]")
            out[name] = np.where(
                np.isnat(values), None, np.datetime_as_string(values).astype(object)
            )
        elif isinstance(series.dtype, pd.BooleanDtype):
            out[name] = series.map({True: "true", False: "false"}).astype(object)
        elif series.dtype == object:
            out[name] = series.map(_LIST_SEP.join)
        else:
            out[name] = series

    return pd.DataFrame(out)
