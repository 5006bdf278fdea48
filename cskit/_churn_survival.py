"""The survival view of churn with lifelines.

Private helpers of :mod:`cskit.churn`: :func:`survival_table` gives each
account's days from contract start to churn or to the end of the data,
:func:`kaplan_meier_by` fits one Kaplan-Meier curve per group and
:func:`fit_cox` a penalised Cox model.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cskit import _churn_features as cf
from cskit._churn_grid import require
from cskit._churn_model import _is_categorical
from cskit._churn_snapshots import _accounts, _data_end

__all__: list[str] = []


def survival_table(tables: dict[str, pd.DataFrame], *, data_end=None) -> pd.DataFrame:
    """Return one row per account: days from contract start to churn or data end.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``segment``, ``tier``, ``plan``, ``seats_licensed``,
        ``has_roadmap``, ``duration_days`` and ``churned`` (1 when the first
        churn happened before ``data_end``, 0 when still a customer).

    Raises
    ------
    MissingColumnError
        When ``accounts`` lacks ``account_id`` or ``contract_start``.
    """
    accounts = _accounts(tables)
    require(accounts, ("contract_start",), "accounts")
    data_end = _data_end(tables) if data_end is None else pd.Timestamp(data_end)
    churns, _ = cf.churn_dates(tables)
    first = churns.groupby("account_id")["date"].min()

    ids = accounts["account_id"].astype("str")
    end = ids.map(first)
    churned = end.notna() & (end < data_end)
    stop = end.where(churned, data_end)
    start = pd.to_datetime(accounts["contract_start"])
    table = pd.DataFrame({"account_id": ids})
    for column in ("segment", "tier", "plan", "seats_licensed", "has_roadmap"):
        if column in accounts:
            table[column] = accounts[column].to_numpy()
    table["duration_days"] = (stop - start).dt.days.astype("float64")
    table["churned"] = churned.astype(int)
    return table[table["duration_days"] >= 0].reset_index(drop=True)


def kaplan_meier_by(
    table: pd.DataFrame,
    *,
    by: str = "segment",
    duration_col: str = "duration_days",
    event_col: str = "churned",
) -> dict:
    """Fit a Kaplan-Meier retention curve per value of ``by``.

    Returns
    -------
    dict of str to lifelines.KaplanMeierFitter
        Plot one with ``fitter.plot_survival_function(ax=ax)``.
    """
    from lifelines import KaplanMeierFitter

    require(table, (by, duration_col, event_col), "survival table")
    fitters = {}
    for value, group in table.groupby(by, dropna=False, observed=True):
        fitter = KaplanMeierFitter(label=str(value))
        fitters[str(value)] = fitter.fit(group[duration_col], group[event_col])
    return fitters


def fit_cox(
    table: pd.DataFrame,
    *,
    covariates: Sequence[str] = ("segment", "plan", "seats_licensed", "has_roadmap"),
    duration_col: str = "duration_days",
    event_col: str = "churned",
    penalizer: float = 0.1,
):
    """Fit a Cox proportional-hazards model of time to churn.

    Categorical covariates are one-hot encoded (first level dropped);
    missing numbers are filled with the median.

    Returns
    -------
    lifelines.CoxPHFitter
        ``print_summary()`` and ``plot()`` show the hazard ratios.
    """
    from lifelines import CoxPHFitter

    require(table, (*covariates, duration_col, event_col), "survival table")
    data = table[list(covariates)].copy()
    text = [c for c in covariates if _is_categorical(data[c])]
    for column in text:
        values = data[column].astype("object")
        data[column] = values.where(values.notna(), "(missing)").astype("str")
    data = pd.get_dummies(data, columns=text, drop_first=True, dtype=float)
    data = data.astype(float).fillna(data.astype(float).median())
    data = data.loc[:, data.std() > 0]
    data[duration_col] = table[duration_col].clip(lower=1).to_numpy()
    data[event_col] = table[event_col].to_numpy()
    return CoxPHFitter(penalizer=penalizer).fit(data, duration_col, event_col)
