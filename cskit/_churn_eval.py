"""Churn metrics, and cross-validation on any flat churn table.

Private helpers of :mod:`cskit.churn`: :func:`churn_table_xy` splits a
table with one row per customer into features and labels,
:func:`cross_validate_churn` runs repeated stratified folds of the model
and a logistic baseline, and :func:`expected_calibration_error`,
:func:`lift_by_decile`, :func:`churn_metrics` (with bootstrap intervals)
and :func:`plot_calibration` measure the probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from cskit._churn_grid import require
from cskit._churn_model import ChurnModel, _binary_target

__all__: list[str] = []


def churn_table_xy(
    table: pd.DataFrame,
    *,
    label_col: str,
    id_col: str | None = None,
    drop_cols: Sequence[str] = (),
    positive=None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Split a flat churn table (one row per customer) into features and labels.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer, with the label column and feature columns.
        Text columns that hold numbers with blanks (e.g. ``" "``) are read
        as numbers.
    label_col : str
        The label: 0/1, booleans, or text such as Yes/No, True/False.
    id_col : str, optional
        A customer id column, dropped from the features.
    drop_cols : sequence of str
        Other columns to leave out (e.g. an observation time).
    positive : optional
        The label value meaning "churned" (default: 1, True, "yes", "true",
        "churned", "1", case-insensitive).

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The features and the 0/1 labels.

    Raises
    ------
    MissingColumnError
        When a named column is missing.
    """
    for column in [label_col, *([id_col] if id_col else []), *drop_cols]:
        require(table, (column,), "churn table")

    labels = table[label_col]
    if positive is None:
        text = labels.astype("str").str.strip().str.lower()
        y = text.isin(["1", "1.0", "true", "yes", "y", "churned"]).to_numpy()
    else:
        y = (labels == positive).to_numpy()
    features = table.drop(
        columns=[label_col, *([id_col] if id_col else []), *drop_cols]
    )
    return features.apply(_numeric_if_mostly), y.astype(int)


def _numeric_if_mostly(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    numbers = pd.to_numeric(series.astype("str").str.strip(), errors="coerce")
    blank = series.isna() | (series.astype("str").str.strip() == "")
    return numbers if numbers.notna().sum() == (~blank).sum() > 0 else series


def cross_validate_churn(
    X: pd.DataFrame,
    y,
    *,
    model: ChurnModel | None = None,
    n_splits: int = 5,
    n_repeats: int = 5,
    bins: int = 10,
    random_state: int = 0,
) -> dict[str, pd.DataFrame]:
    """Repeated stratified cross-validation of the model and a logistic baseline.

    The baseline is a plain logistic regression (one-hot categoricals,
    scaled numbers, median imputation) fitted on the same folds.

    Returns
    -------
    dict
        ``folds``: ROC-AUC and PR-AUC per model, repeat and fold;
        ``summary``: per model the mean and standard deviation of ROC-AUC
        and PR-AUC, and the ECE (``bins`` equal-frequency bins) and Brier
        score of the out-of-fold predictions, averaged over the repeats.
    """
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = _binary_target(y, len(X))
    models = {
        "cskit": model or ChurnModel(random_state=random_state),
        "logistic": _plain_logistic(),
    }
    splitter = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
    )
    folds, oof = [], {name: np.zeros((n_repeats, len(y))) for name in models}
    for k, (train, test) in enumerate(splitter.split(X, y)):
        for name, estimator in models.items():
            fitted = _clone(estimator).fit(X.iloc[train], y[train])
            p = fitted.predict_proba(X.iloc[test])[:, 1]
            oof[name][k // n_splits, test] = p
            folds.append(
                {
                    "model": name,
                    "repeat": k // n_splits,
                    "roc_auc": roc_auc_score(y[test], p),
                    "pr_auc": average_precision_score(y[test], p),
                }
            )
    return {"folds": pd.DataFrame(folds), "summary": _cv_summary(folds, oof, y, bins)}


def _clone(estimator):
    from sklearn.base import clone

    return clone(estimator)


def _plain_logistic() -> ChurnModel:
    return ChurnModel(model="logistic", n_knots=0, C=1.0)


def _cv_summary(folds, oof, y, bins) -> pd.DataFrame:
    frame = pd.DataFrame(folds)
    summary = frame.groupby("model")[["roc_auc", "pr_auc"]].agg(["mean", "std"])
    summary.columns = [f"{a}_{b}" for a, b in summary.columns]
    summary["ece"] = [
        np.mean([expected_calibration_error(y, p, bins=bins) for p in oof[name]])
        for name in summary.index
    ]
    summary["brier"] = [
        np.mean([brier_score_loss(y, p) for p in oof[name]]) for name in summary.index
    ]
    return summary


def expected_calibration_error(y, p, *, bins: int = 10) -> float:
    """Return the ECE over ``bins`` equal-frequency bins of the predictions.

    The mean over bins, weighted by bin size, of |mean prediction - observed
    rate|. 0 is perfect calibration.
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    gaps = [
        len(part) * abs(p[part].mean() - y[part].mean())
        for part in np.array_split(order, bins)
        if len(part)
    ]
    return float(np.sum(gaps) / len(y))


def lift_by_decile(y, p) -> pd.DataFrame:
    """Return the churn rate and lift of each decile of predicted risk.

    Decile 1 holds the 10 % of rows with the highest predictions; its
    ``lift`` is its churn rate over the overall rate.
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="stable")
    rows = []
    for decile, part in enumerate(np.array_split(order, 10), start=1):
        rows.append(
            {
                "decile": decile,
                "rows": len(part),
                "mean_probability": p[part].mean(),
                "churn_rate": y[part].mean(),
            }
        )
    table = pd.DataFrame(rows)
    table["lift"] = table["churn_rate"] / y.mean()
    return table


def _point_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {
        "roc_auc": roc_auc_score(y, p),
        "pr_auc": average_precision_score(y, p),
        "brier": brier_score_loss(y, p),
        "ece": expected_calibration_error(y, p),
        "top_decile_lift": float(lift_by_decile(y, p)["lift"].iloc[0]),
        "mean_probability": float(p.mean()),
        "churn_rate": float(y.mean()),
    }


def churn_metrics(
    y, p, *, n_bootstrap: int = 200, groups=None, random_state: int = 0
) -> pd.DataFrame:
    """Return ROC-AUC, PR-AUC, Brier, ECE and top-decile lift with 95 % intervals.

    Parameters
    ----------
    y, p : array-like
        0/1 outcomes and predicted probabilities.
    n_bootstrap : int
        Bootstrap resamples for the intervals (0 for none).
    groups : array-like, optional
        Resample whole groups (e.g. accounts, whose snapshots are not
        independent) instead of rows.
    random_state : int
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        Index: metric; columns ``value``, ``low``, ``high``.
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    point = _point_metrics(y, p)
    rng = np.random.default_rng(random_state)
    keys = np.arange(len(y)) if groups is None else pd.factorize(np.asarray(groups))[0]
    members = pd.Series(np.arange(len(y))).groupby(keys).apply(np.asarray).to_list()
    samples = []
    for _ in range(n_bootstrap):
        picked = rng.integers(0, len(members), len(members))
        index = np.concatenate([members[i] for i in picked])
        if 0 < y[index].sum() < len(index):
            samples.append(_point_metrics(y[index], p[index]))
    table = pd.DataFrame({"value": point})
    boot = pd.DataFrame(samples, columns=list(point))
    table["low"] = boot.quantile(0.025) if len(boot) else np.nan
    table["high"] = boot.quantile(0.975) if len(boot) else np.nan
    return table


def plot_calibration(y, predictions: dict, *, bins: int = 10, ax=None):
    """Plot observed churn rate against mean predicted probability per bin.

    Parameters
    ----------
    y : array-like
        0/1 outcomes.
    predictions : dict of str to array-like
        Predicted probabilities per model name.
    bins : int
        Equal-frequency bins.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(5, 5))[1]
    y = np.asarray(y, dtype=float)
    top = 0.0
    for name, p in predictions.items():
        p = np.asarray(p, dtype=float)
        parts = np.array_split(np.argsort(p, kind="stable"), bins)
        means = [p[part].mean() for part in parts if len(part)]
        rates = [y[part].mean() for part in parts if len(part)]
        ece = expected_calibration_error(y, p, bins=bins)
        ax.plot(means, rates, marker="o", label=f"{name} (ECE {ece:.3f})")
        top = max(top, *means, *rates)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect")
    ax.set_xlabel("mean predicted churn probability")
    ax.set_ylabel("observed churn rate")
    ax.legend()
    return ax
