"""Churn model: point-in-time snapshots, a calibrated estimator, honest validation.

The playbook's risk score catches the warning signs a CSM knows; the churn
model learns the ones nobody wrote down. Four pieces:

- :func:`build_churn_snapshots` turns the canonical tables into one row per
  account and monthly as-of date, with features computed only from data
  strictly before that date and the labels ``churned_within_<H>d``.
- :class:`ChurnModel` is a scikit-learn estimator: a blend of a spline
  logistic regression and gradient-boosted trees, no class weights (so its
  probabilities stay calibrated), missing values and unseen categories
  handled inside the pipeline. :meth:`ChurnModel.explain` gives each
  account's top drivers in plain words.
- :func:`validate_churn_model` runs rolling-origin splits over time (a gap
  of at least the horizon between training and test snapshots) and reports
  ROC-AUC, PR-AUC, Brier score, expected calibration error and top-decile
  lift with bootstrap intervals, next to a logistic baseline.
- :func:`save_churn_model` / :func:`load_churn_model` persist with skops and
  its safe loader, with metadata checked on load.

:func:`churn_table_xy` and :func:`cross_validate_churn` run the same model
on any flat churn table (one row per customer, a label column), and
:func:`survival_table`, :func:`kaplan_meier_by` and :func:`fit_cox` give the
survival view with lifelines.

Limitations
-----------
As-of dates are month starts, and windows are calendar months of the
account's timezone ("the month before as-of"), not rolling 30-day windows.
The account attributes without history (segment, tier, plan, seats licensed,
roadmap) are seen at their export-time value by every snapshot. SLA targets
are wall-clock hours, not business hours.
"""

from __future__ import annotations

import logging

from cskit._churn_eval import (
    churn_metrics,
    churn_table_xy,
    cross_validate_churn,
    expected_calibration_error,
    lift_by_decile,
    plot_calibration,
)
from cskit._churn_model import ChurnModel
from cskit._churn_persist import load_churn_model, model_metadata, save_churn_model
from cskit._churn_snapshots import (
    BASELINE_FEATURES,
    DEFAULT_HORIZONS,
    SNAPSHOT_FEATURES,
    build_churn_snapshots,
    churn_settings,
)
from cskit._churn_survival import fit_cox, kaplan_meier_by, survival_table
from cskit._churn_validation import (
    ChurnValidation,
    fit_churn_model,
    rolling_origin_splits,
    training_data,
    validate_churn_model,
)

__all__ = [
    "DEFAULT_HORIZONS",
    "BASELINE_FEATURES",
    "SNAPSHOT_FEATURES",
    "build_churn_snapshots",
    "ChurnModel",
    "churn_table_xy",
    "cross_validate_churn",
    "rolling_origin_splits",
    "ChurnValidation",
    "validate_churn_model",
    "training_data",
    "fit_churn_model",
    "expected_calibration_error",
    "lift_by_decile",
    "churn_metrics",
    "plot_calibration",
    "save_churn_model",
    "load_churn_model",
    "model_metadata",
    "survival_table",
    "kaplan_meier_by",
    "fit_cox",
    "churn_settings",
]


logger = logging.getLogger(__name__)
