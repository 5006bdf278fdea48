"""Out-of-time validation and fitting of the churn model on snapshots.

Private helpers of :mod:`cskit.churn`: :func:`rolling_origin_splits` cuts
the as-of dates into training and test windows with a gap of at least the
horizon, :func:`validate_churn_model` scores the model and a baseline on
each fold, :func:`training_data` keeps snapshots with an observed label and
:func:`fit_churn_model` fits on all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from cskit._churn_eval import _clone, churn_metrics, lift_by_decile
from cskit._churn_grid import require
from cskit._churn_model import ChurnModel
from cskit._churn_snapshots import _KEYS, BASELINE_FEATURES
from cskit.exceptions import InvalidInputError

__all__: list[str] = []

logger = logging.getLogger("cskit.churn")


def rolling_origin_splits(
    as_of, *, horizon_days: int, n_splits: int = 3, test_months: int = 3
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split snapshots by time: train on earlier as-of dates, test on later ones.

    The last ``n_splits * test_months`` as-of months form ``n_splits`` test
    blocks. Each block's training set holds the snapshots whose label window
    ``[as_of, as_of + horizon)`` ends on or before the block's first as-of
    date, so no training label overlaps the test period (a gap of at least
    the horizon).

    Returns
    -------
    list of (train positions, test positions)

    Raises
    ------
    InvalidInputError
        When there are too few as-of months for one split with training data.
    """
    dates = pd.to_datetime(pd.Series(np.asarray(as_of))).reset_index(drop=True)
    months = np.sort(dates.unique())
    blocks = [
        months[-(i + 1) * test_months : len(months) - i * test_months]
        for i in reversed(range(n_splits))
    ]
    splits = []
    for block in blocks:
        start = pd.Timestamp(block[0])
        train = np.flatnonzero(dates + pd.Timedelta(days=horizon_days) <= start)
        test = np.flatnonzero(dates.isin(block))
        if len(train) and len(test):
            splits.append((train, test))
    if not splits:
        raise InvalidInputError(
            f"{len(months)} as-of month(s) give no rolling-origin split with a "
            f"{horizon_days}-day gap and n_splits={n_splits}, "
            f"test_months={test_months}; widen the as-of range or lower them"
        )
    return splits


@dataclass
class ChurnValidation:
    """Out-of-time validation of the churn model against a baseline.

    Attributes
    ----------
    predictions : pandas.DataFrame
        One row per test snapshot: ``account_id``, ``as_of``, ``fold``,
        ``churned`` and one probability column per model.
    metrics : pandas.DataFrame
        Index (model, metric); ``value``, ``low``, ``high`` (95 % bootstrap
        interval over accounts).
    folds : pandas.DataFrame
        ROC-AUC per fold and model, with the training and test windows.
    lift : dict of str to pandas.DataFrame
        :func:`lift_by_decile` per model.
    """

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    folds: pd.DataFrame
    lift: dict


def validate_churn_model(
    snapshots: pd.DataFrame,
    *,
    horizon_days: int = 90,
    model: ChurnModel | None = None,
    baseline_features: Sequence[str] = BASELINE_FEATURES,
    n_splits: int = 3,
    test_months: int = 3,
    n_bootstrap: int = 200,
    random_state: int = 0,
) -> ChurnValidation:
    """Validate on later snapshots after training on earlier ones.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        :func:`build_churn_snapshots` output with the label of
        ``horizon_days``; censored (NaN) labels are left out.
    horizon_days : int
        The horizon to predict.
    model : ChurnModel, optional
        The model to validate (default ``ChurnModel(random_state=...)``).
    baseline_features : sequence of str
        The few features of the logistic baseline.
    n_splits, test_months : int
        See :func:`rolling_origin_splits`.
    n_bootstrap : int
        Bootstrap resamples (over accounts) for the intervals.
    random_state : int
        Seed of the model and the bootstrap.

    Returns
    -------
    ChurnValidation
    """
    X, y, data = training_data(snapshots, horizon_days=horizon_days)
    models = {
        "cskit": model or ChurnModel(random_state=random_state),
        "baseline": ChurnModel(model="logistic", n_knots=0, C=1.0),
    }
    columns = {"cskit": list(X.columns), "baseline": list(baseline_features)}
    splits = rolling_origin_splits(
        data["as_of"],
        horizon_days=horizon_days,
        n_splits=n_splits,
        test_months=test_months,
    )
    parts, folds = [], []
    for fold, (train, test) in enumerate(splits):
        part = data.iloc[test][["account_id", "as_of"]]
        part = part.assign(fold=fold, churned=y[test])
        for name, estimator in models.items():
            fitted = _clone(estimator).fit(X.iloc[train][columns[name]], y[train])
            part[name] = fitted.predict_proba(X.iloc[test][columns[name]])[:, 1]
            folds.append(_fold_row(fold, name, data, train, test, y, part[name]))
        parts.append(part)
    predictions = pd.concat(parts, ignore_index=True)
    return _summarise(predictions, list(models), folds, n_bootstrap, random_state)


def training_data(snapshots: pd.DataFrame, *, horizon_days: int):
    """Return (X, y, rows) of the snapshots with an observed label.

    Raises
    ------
    MissingColumnError
        When the label column of ``horizon_days`` is absent.
    """
    label = f"churned_within_{int(horizon_days)}d"
    require(snapshots, ("account_id", "as_of", label), "snapshots")
    data = snapshots[snapshots[label].notna()].reset_index(drop=True)
    features = [
        c for c in data if c not in _KEYS and not c.startswith("churned_within")
    ]
    return data[features], data[label].to_numpy().astype(int), data


def _fold_row(fold, name, data, train, test, y, p) -> dict:
    return {
        "fold": fold,
        "model": name,
        "train_from": data["as_of"].iloc[train].min(),
        "train_to": data["as_of"].iloc[train].max(),
        "test_from": data["as_of"].iloc[test].min(),
        "test_to": data["as_of"].iloc[test].max(),
        "train_rows": len(train),
        "test_rows": len(test),
        "test_churn_rate": float(y[test].mean()),
        "roc_auc": _auc(y[test], p),
    }


def _auc(y: np.ndarray, p) -> float:
    return roc_auc_score(y, p) if 0 < y.sum() < len(y) else np.nan


def _summarise(predictions, names, folds, n_bootstrap, random_state) -> ChurnValidation:
    y = predictions["churned"].to_numpy()
    metrics = pd.concat(
        {
            name: churn_metrics(
                y,
                predictions[name],
                n_bootstrap=n_bootstrap,
                groups=predictions["account_id"],
                random_state=random_state,
            )
            for name in names
        },
        names=["model", "metric"],
    )
    lift = {name: lift_by_decile(y, predictions[name]) for name in names}
    logger.info(
        "out-of-time ROC-AUC: %s",
        {name: round(metrics.loc[(name, "roc_auc"), "value"], 4) for name in names},
    )
    return ChurnValidation(predictions, metrics, pd.DataFrame(folds), lift)


def fit_churn_model(
    snapshots: pd.DataFrame,
    *,
    horizon_days: int = 90,
    model: ChurnModel | None = None,
    random_state: int = 0,
) -> ChurnModel:
    """Fit the churn model on every snapshot with an observed label.

    Returns
    -------
    ChurnModel
        Fitted, with ``training_window_`` (first and last as-of) and
        ``horizon_days_`` recorded for :func:`save_churn_model`.
    """
    X, y, data = training_data(snapshots, horizon_days=horizon_days)
    fitted = _clone(model or ChurnModel(random_state=random_state)).fit(X, y)
    fitted.training_window_ = (
        str(data["as_of"].min().date()),
        str(data["as_of"].max().date()),
    )
    fitted.horizon_days_ = int(horizon_days)
    return fitted
