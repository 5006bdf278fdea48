"""Success Tracker: the customer's own KPIs, their progress and the ROI.

Each KPI has a baseline, a target and a current value (the latest
measurement before the as-of date) and a direction (``up`` when more is
better). Progress is the share of the way from baseline to target covered:
``(current - baseline) / (target - baseline)``, so it reads the same for a
KPI that must fall. The KPIs come from the ``kpis`` table; where an account
has none there (or no such table exists), they can be written in
``params/accounts/<account_id>.yaml`` under ``qbr: kpis:`` (see
``params/accounts/0007.yaml``); a KPI named in both is taken from the table.

The value the customer gets is each KPI's ``annual_value`` (the money the
customer attributes to reaching the target) times its progress, capped at
the target; the ROI compares that value with what the account pays a year.

Limitations
-----------
``annual_value`` is read in the account's currency. Progress has no notion
of a deadline: a KPI halfway to target is "on track" whatever the date.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cskit.exceptions import MissingColumnError

__all__ = ["success_tracker", "kpi_status", "roi_summary", "plot_kpi_progress"]

logger = logging.getLogger(__name__)

_COLUMNS = [
    "kpi",
    "unit",
    "direction",
    "baseline",
    "target",
    "current",
    "measured_at",
    "progress_pct",
    "status",
    "annual_value",
    "value_realised",
    "source",
]
_NEEDED = ["account_id", "kpi", "measured_at", "baseline", "target", "current"]


def kpi_status(progress_pct: float) -> str:
    """Return the status of a KPI from its progress to target, in percent.

    Examples
    --------
    >>> [kpi_status(p) for p in (120, 60, 10, -5, float("nan"))]
    ['achieved', 'on track', 'behind', 'worse than baseline', 'not measured']
    """
    if pd.isna(progress_pct):
        return "not measured"
    if progress_pct >= 100:
        return "achieved"
    if progress_pct >= 50:
        return "on track"
    return "behind" if progress_pct >= 0 else "worse than baseline"


def success_tracker(
    kpis: pd.DataFrame | None,
    *,
    account_id: str,
    as_of: date,
    recorded: Iterable = (),
) -> pd.DataFrame:
    """Return the account's KPIs with progress to target, status and value.

    Parameters
    ----------
    kpis : pandas.DataFrame or None
        The ``kpis`` table (``account_id``, ``kpi``, ``measured_at``,
        ``baseline``, ``target``, ``current``; ``unit``, ``direction``,
        ``annual_value`` when present), or None when there is none.
    account_id : str
    as_of : datetime.date
        Measurements on or after this day are not seen.
    recorded : iterable of cskit.params.QbrKpi
        KPIs written in the parameter files (``qbr.kpis``).

    Returns
    -------
    pandas.DataFrame
        One row per KPI: ``kpi``, ``unit``, ``direction``, ``baseline``,
        ``target``, ``current``, ``measured_at``, ``progress_pct``,
        ``status``, ``annual_value``, ``value_realised`` and ``source``
        (``kpis table`` or ``parameters``).

    Raises
    ------
    MissingColumnError
        When ``kpis`` lacks one of the columns named above.
    """
    rows = _latest(kpis, account_id, as_of)
    extra = _recorded(recorded, as_of, known=set(rows["kpi"]))
    tracker = pd.concat([rows, extra], ignore_index=True) if len(extra) else rows
    span = tracker["target"] - tracker["baseline"]
    progress = 100 * (tracker["current"] - tracker["baseline"]) / span.where(span != 0)
    tracker["progress_pct"] = progress.astype(float).round(1)
    tracker["status"] = [kpi_status(p) for p in tracker["progress_pct"]]
    share = (tracker["progress_pct"].clip(lower=0, upper=100) / 100).fillna(0)
    tracker["value_realised"] = (tracker["annual_value"] * share).round(0)
    return tracker[_COLUMNS].reset_index(drop=True)


def _latest(kpis: pd.DataFrame | None, account_id: str, as_of: date) -> pd.DataFrame:
    """Return each KPI's latest measurement before as-of, from the table."""
    if kpis is None:
        return pd.DataFrame(columns=_COLUMNS).astype({"kpi": str})
    for column in _NEEDED:
        if column not in kpis.columns:
            raise MissingColumnError(column, frame="kpis", found=list(kpis.columns))

    mine = kpis[
        (kpis["account_id"] == account_id)
        & (pd.to_datetime(kpis["measured_at"]) < pd.Timestamp(as_of))
    ]
    latest = mine.sort_values("measured_at").groupby("kpi", sort=False).tail(1)
    latest = latest.reindex(columns=[*_NEEDED, "unit", "direction", "annual_value"])
    latest["source"] = "kpis table"
    for column in ["baseline", "target", "current", "annual_value"]:
        latest[column] = latest[column].astype(float)
    return latest.sort_values("kpi").drop(columns=["account_id"])


def _recorded(recorded: Iterable, as_of: date, *, known: set) -> pd.DataFrame:
    rows = []
    for kpi in recorded:
        values = kpi.model_dump() if hasattr(kpi, "model_dump") else dict(kpi)
        seen = values.get("measured_at") is None or pd.Timestamp(
            values["measured_at"]
        ) < pd.Timestamp(as_of)
        if values["kpi"] in known:
            continue
        if not seen:
            values["current"] = None
        rows.append({**values, "source": "parameters"})
    frame = pd.DataFrame(rows, columns=[*_COLUMNS])
    for column in ["baseline", "target", "current", "annual_value"]:
        frame[column] = frame[column].astype(float)
    frame["measured_at"] = pd.to_datetime(frame["measured_at"]).astype("datetime64[us]")
    return frame


def roi_summary(tracker: pd.DataFrame, *, annual_cost: float | None) -> pd.DataFrame:
    """Return the value the customer gets against what it pays a year.

    Parameters
    ----------
    tracker : pandas.DataFrame
        :func:`success_tracker` output.
    annual_cost : float or None
        What the account pays a year (twelve times its latest MRR), in the
        account's currency; None when unknown.

    Returns
    -------
    pandas.DataFrame
        ``value at target``, ``value realised``, ``annual cost`` and
        ``ROI`` (``(value realised - cost) / cost``, as a multiple), each
        with its status; a figure that cannot be computed says why.
    """
    valued = tracker["annual_value"].notna()
    at_target = tracker.loc[valued, "annual_value"].sum() if valued.any() else np.nan
    realised = tracker.loc[valued, "value_realised"].sum() if valued.any() else np.nan
    roi, note = np.nan, "no KPI carries an annual value"
    if annual_cost is None or pd.isna(annual_cost) or annual_cost <= 0:
        note = "the annual cost is not known (no revenue)"
    elif valued.any():
        roi, note = (realised - annual_cost) / annual_cost, ""
    return pd.DataFrame(
        {
            "figure": ["value at target", "value realised", "annual cost", "ROI"],
            "value": [at_target, realised, annual_cost, roi],
            "note": ["", "", "", note],
        }
    ).set_index("figure")


def plot_kpi_progress(
    kpis: pd.DataFrame | None, *, account_id: str, as_of: date
) -> Figure | None:
    """Plot each KPI's progress to target over its measurements.

    Returns None when the table holds no measurement of the account.
    """
    if kpis is None:
        return None
    mine = kpis[
        (kpis["account_id"] == account_id)
        & (pd.to_datetime(kpis["measured_at"]) < pd.Timestamp(as_of))
    ]
    if mine.empty:
        return None
    span = (mine["target"] - mine["baseline"]).where(lambda s: s != 0)
    progress = 100 * (mine["current"] - mine["baseline"]) / span
    fig = Figure(figsize=(9, 3))
    axis = fig.subplots()
    for name, index in mine.groupby("kpi").groups.items():
        axis.plot(
            mine.loc[index, "measured_at"], progress.loc[index], marker="o", label=name
        )
    axis.axhline(100, color="#5a9e6f", lw=1, ls="--")
    axis.set_ylabel("progress to target, %")
    axis.set_title("Customer KPIs: progress from baseline (0) to target (100)")
    axis.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
