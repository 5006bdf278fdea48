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

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    OneHotEncoder,
    OrdinalEncoder,
    SplineTransformer,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d

from cskit import _churn_features as cf
from cskit.exceptions import InvalidInputError, MissingColumnError, NotFittedError

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

DEFAULT_HORIZONS = (90, 180)
SNAPSHOT_FEATURES = cf.SNAPSHOT_FEATURES
BASELINE_FEATURES = ("days_to_renewal", "usage_trend_3m", "tenure_days", "nps_12m")
_KEYS = ("account_id", "as_of", "next_churn_date")
_BUILD_EVENTS = ("app_create", "app_edit", "app_publish")


# --------------------------------------------------------------------------
# Snapshots
# --------------------------------------------------------------------------


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
    cf.require(accounts, ("account_id",), "accounts")
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
    return cf.check_dates(first, last)


def _earliest(tables: dict):
    for name, column in (("events", "ts"), ("revenue", "month")):
        frame = tables.get(name)
        if frame is not None and column in frame and frame[column].notna().any():
            value = pd.to_datetime(frame[column]).min()
            return value.tz_convert(None) if value.tzinfo else value
    return None


# --------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Calibrated churn classifier over a table of features.

    A blend (mean of probabilities) of a logistic regression on spline
    features and gradient-boosted trees. Categorical columns (text,
    category, boolean) are one-hot encoded, and categories unseen in
    training are ignored; missing numbers are imputed with the median plus
    a missing-value indicator (the trees see NaN natively). No class
    weights are used, so the predicted probabilities keep the observed
    churn rate; ``calibration`` adds a cross-validated recalibration.

    Parameters
    ----------
    model : {"blend", "boosting", "logistic"}
        The blend, the trees alone, or the spline logistic regression alone.
    learning_rate, max_iter, max_leaf_nodes, min_samples_leaf, \
l2_regularization : float or int
        Settings of the gradient-boosted trees.
    C : float
        Inverse regularisation strength of the logistic regression.
    n_knots : int
        Knots of the spline features of the logistic regression (a value
        below 2 gives plain linear terms).
    calibration : {None, "sigmoid", "isotonic"}
        Recalibrate with :class:`~sklearn.calibration.CalibratedClassifierCV`
        (3 folds) when set.
    random_state : int or None
        Seed of the trees.

    Attributes
    ----------
    pipeline_ : sklearn estimator
        The fitted pipeline.
    feature_names_in_ : numpy.ndarray
        The columns seen in ``fit``, in order.
    categorical_features_, numeric_features_ : list of str
    unused_features_ : list of str
        Columns with no value in the training data; accepted but not used.
    classes_ : numpy.ndarray
        ``[0, 1]``.
    base_rate_ : float
        The churn rate of the training data.
    reference_ : dict
        A typical value per feature (median or most frequent), the baseline
        of :meth:`explain`.
    """

    def __init__(
        self,
        *,
        model: str = "blend",
        learning_rate: float = 0.05,
        max_iter: int = 300,
        max_leaf_nodes: int = 8,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        C: float = 1.0,
        n_knots: int = 5,
        calibration: str | None = None,
        random_state: int | None = None,
    ):
        self.model = model
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.C = C
        self.n_knots = n_knots
        self.calibration = calibration
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    def fit(self, X, y) -> ChurnModel:
        """Fit on features ``X`` (DataFrame or array) and 0/1 labels ``y``.

        Raises
        ------
        InvalidInputError
            When ``y`` holds one class only, values other than 0/1, or a
            length different from ``X``; or an option is not valid.
        """
        self._check_options()
        frame = _as_frame(X)
        target = _binary_target(y, len(frame))
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.categorical_features_ = [c for c in frame if _is_categorical(frame[c])]
        numeric = [c for c in frame if c not in self.categorical_features_]
        self.unused_features_ = [c for c in numeric if frame[c].isna().all()]
        self.numeric_features_ = [c for c in numeric if c not in self.unused_features_]

        frame = self._prepare(frame)
        self.pipeline_ = self._build().fit(frame, target)
        self.classes_ = np.array([0, 1])
        self.base_rate_ = float(target.mean())
        self.reference_ = _reference(frame, self.categorical_features_)
        logger.info(
            "churn model (%s) fitted on %d rows, %d features, churn rate %.3f",
            self.model,
            len(frame),
            self.n_features_in_,
            self.base_rate_,
        )
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Return the probabilities of [no churn, churn], one row per row of X."""
        frame = self._checked(X)
        return self.pipeline_.predict_proba(frame)

    def predict(self, X) -> np.ndarray:
        """Return 1 where the churn probability is at least 0.5, else 0."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def explain(self, X, *, top: int = 3, ids=None) -> pd.DataFrame:
        """Return each row's top drivers of its churn probability, in plain words.

        A driver's effect is how much the probability falls when that one
        feature is set to its typical value (the training median, or the most
        frequent category) with the others unchanged. The largest positive
        effects are the reasons the account is at risk.

        Parameters
        ----------
        X : pandas.DataFrame
            Rows to explain, with the columns seen in ``fit``.
        top : int
            Drivers per row.
        ids : sequence, optional
            A label per row (e.g. account ids); default the index of ``X``.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``rank``, ``feature``, ``value``, ``typical``, ``effect``
            (probability points, positive = raises risk), ``probability`` and
            ``text`` (a sentence for the report).
        """
        frame = _as_frame(X)
        probability = self.predict_proba(frame)[:, 1]
        effects = {}
        for column in self.feature_names_in_:
            typical = frame.copy()
            typical[column] = self.reference_[column]
            effects[column] = probability - self.predict_proba(typical)[:, 1]
        ids = frame.index if ids is None else ids
        return _drivers(frame, effects, probability, ids, self.reference_, top)

    def _checked(self, X) -> pd.DataFrame:
        try:
            check_is_fitted(self, "pipeline_")
        except Exception as error:
            raise _NotFitted(
                "this ChurnModel is not fitted yet; call fit(X, y) before "
                "predict_proba, predict or explain"
            ) from error
        frame = _as_frame(X)
        expected = list(self.feature_names_in_)
        if not isinstance(X, pd.DataFrame) and frame.shape[1] != len(expected):
            raise InvalidInputError(
                f"X has {frame.shape[1]} features, but ChurnModel is expecting "
                f"{len(expected)} features as input; pass the training columns"
            )
        if list(frame.columns) != expected:
            frame = _align(frame, expected)
        return self._prepare(frame)

    def _check_options(self) -> None:
        if self.model not in ("blend", "boosting", "logistic"):
            raise InvalidInputError(
                f"model={self.model!r} is not known; pass 'blend', 'boosting' "
                "or 'logistic'"
            )
        if self.calibration not in (None, "sigmoid", "isotonic"):
            raise InvalidInputError(
                f"calibration={self.calibration!r} is not known; pass None, "
                "'sigmoid' or 'isotonic'"
            )

    def _prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Categoricals as object text (missing stays None), numbers as float."""
        frame = frame.copy()
        for column in self.categorical_features_:
            values = frame[column].astype("object")
            frame[column] = values.where(values.notna(), None).map(
                lambda v: v if v is None else str(v)
            )
        for column in self.numeric_features_:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame

    def _build(self):
        members = {"logistic": self._logistic, "boosting": self._boosting}
        if self.model == "blend":
            estimator = VotingClassifier(
                [(name, make()) for name, make in members.items()], voting="soft"
            )
        else:
            estimator = members[self.model]()
        if self.calibration is not None:
            estimator = CalibratedClassifierCV(
                estimator, method=self.calibration, cv=3, ensemble=False
            )
        return estimator

    def _encoder(self) -> Pipeline:
        return make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="ignore", min_frequency=5, max_categories=30),
        )

    def _logistic(self) -> Pipeline:
        numeric = [SimpleImputer(strategy="median"), StandardScaler()]
        if self.n_knots >= 2:
            numeric.append(SplineTransformer(n_knots=self.n_knots, degree=3))
        columns = ColumnTransformer(
            [
                ("categorical", self._encoder(), self.categorical_features_),
                ("numeric", make_pipeline(*numeric), self.numeric_features_),
                (
                    "missing",
                    MissingIndicator(error_on_new=False),
                    self.numeric_features_,
                ),
            ]
        )
        return make_pipeline(columns, LogisticRegression(C=self.C, max_iter=3000))

    def _boosting(self) -> Pipeline:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
            max_categories=250,
        )
        columns = ColumnTransformer(
            [
                ("categorical", encoder, self.categorical_features_),
                ("numeric", "passthrough", self.numeric_features_),
            ]
        )
        trees = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            categorical_features=list(range(len(self.categorical_features_))) or None,
            random_state=self.random_state,
        )
        return make_pipeline(columns, trees)


class _NotFitted(NotFittedError, SklearnNotFittedError):
    """Not fitted: catchable as cskit's and as scikit-learn's NotFittedError."""


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise InvalidInputError(
            "X is a sparse matrix; sparse input is not supported: pass a DataFrame "
            "or a dense array"
        )
    array = np.asarray(X)
    if np.iscomplexobj(array):
        raise InvalidInputError(
            "X holds complex numbers; Complex data not supported: pass real numbers"
        )
    if array.ndim != 2:
        raise InvalidInputError(
            f"X has {array.ndim} dimension(s); Reshape your data: pass a "
            "DataFrame or a 2-D array with one row per account"
        )
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _binary_target(y, n_rows: int) -> np.ndarray:
    if y is None:
        raise InvalidInputError(
            "ChurnModel requires y to be passed, but the target y is None; pass "
            "the 0/1 churn labels"
        )
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = column_or_1d(array, warn=True)
    target = pd.Series(array)
    if not pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(
        target
    ):
        target = pd.to_numeric(target, errors="coerce")
    target = target.astype("float64")
    if len(target) != n_rows:
        raise InvalidInputError(
            f"y has {len(target)} labels for {n_rows} rows of X; pass one label per row"
        )
    values = set(target.dropna().unique())
    if target.isna().any() or not values <= {0.0, 1.0}:
        raise InvalidInputError(
            f"Unknown label type: y holds {sorted(values)[:5]} (missing: "
            f"{int(target.isna().sum())}); pass 0/1 labels without gaps (drop "
            "censored snapshots first)"
        )
    if len(values) < 2:
        only = "churned" if values == {1.0} else "stayed"
        raise InvalidInputError(
            f"the training labels hold one class only (every row {only}); a churn "
            "model needs churned and retained accounts: widen the as-of range or "
            "the horizon"
        )
    return target.to_numpy().astype(int)


def _is_categorical(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(
        series
    )


def _align(frame: pd.DataFrame, expected: list[str]) -> pd.DataFrame:
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            missing[0],
            frame="X",
            found=list(frame.columns),
            hint=f"The model was fitted on {len(expected)} features, "
            f"{len(missing)} of which are missing ({missing[:5]}); build X with "
            "the same features as the training data.",
        )
    return frame[expected]


def _reference(frame: pd.DataFrame, categorical: list[str]) -> dict:
    reference = {}
    for column in frame:
        values = frame[column].dropna()
        if column in categorical:
            reference[column] = values.mode().iloc[0] if len(values) else None
        else:
            reference[column] = float(values.median()) if len(values) else np.nan
    return reference


_WORDS = {
    "events_1m": "product events last month",
    "events_3m": "product events in the last 3 months",
    "usage_trend_1m": "usage last month against its own 6-month baseline (log ratio)",
    "usage_trend_3m": "usage of the last 3 months against the 6 before (log ratio)",
    "build_events_1m": "build events last month",
    "build_trend_3m": "building of the last 3 months against the 6 before",
    "days_since_last_event": "days since the last product event",
    "developers": "developers on the account",
    "developers_active_1m": "developers active last month",
    "developers_inactive_1m": "developers inactive last month",
    "developer_active_share": "share of developers active last month",
    "champions": "champions on the account",
    "champions_left_6m": "champions who left in the last 6 months",
    "live_apps": "live apps",
    "end_users_1m": "end users last month",
    "end_user_trend_3m": "end users of the last 3 months against the 6 before",
    "seat_utilisation": "developers per licensed seat",
    "tickets_3m": "tickets in the last 3 months",
    "tickets_slow_3m": "tickets tagged slow in the last 3 months",
    "sla_breaches_3m": "SLA breaches in the last 3 months",
    "pulse_6m": "Engagement Pulse of the last 6 months",
    "nps_12m": "NPS of the last 12 months",
    "csat_12m": "CSAT of the last 12 months",
    "has_roadmap": "has a roadmap (1 yes, 0 no)",
    "days_to_renewal": "days to the renewal",
    "mrr_change_3m": "MRR change over 3 months",
    "tenure_days": "days as a customer",
}


def _drivers(frame, effects, probability, ids, reference, top) -> pd.DataFrame:
    """Rank the effects of each row and word them for the report."""
    names = list(effects)
    matrix = np.column_stack([effects[name] for name in names])
    order = np.argsort(-matrix, axis=1)[:, :top]
    rows = []
    for i, ranked in enumerate(order):
        for rank, j in enumerate(ranked, start=1):
            name, effect = names[j], float(matrix[i, j])
            value = frame.iloc[i][name]
            rows.append(
                {
                    "id": list(ids)[i],
                    "rank": rank,
                    "feature": name,
                    "value": value,
                    "typical": reference[name],
                    "effect": effect,
                    "probability": float(probability[i]),
                    "text": _sentence(name, value, reference[name], effect),
                }
            )
    return pd.DataFrame(rows)


def _sentence(name: str, value, typical, effect: float) -> str:
    words = _WORDS.get(name, name.replace("_", " "))
    direction = "raises" if effect >= 0 else "lowers"
    return (
        f"{words}: {_show(value)} (typical {_show(typical)}) {direction} the "
        f"churn probability by {abs(effect) * 100:.1f} points"
    )


def _show(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unknown"
    if isinstance(value, (int, float, np.number)):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


# --------------------------------------------------------------------------
# Any churn table
# --------------------------------------------------------------------------


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
        cf.require(table, (column,), "churn table")

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


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Validation over time
# --------------------------------------------------------------------------


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
    cf.require(snapshots, ("account_id", "as_of", label), "snapshots")
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


# --------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------

_TRUSTED = (
    "cskit.churn.ChurnModel",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting."
    "HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.ensemble._voting.VotingClassifier",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.preprocessing._polynomial.SplineTransformer",
    "scipy.interpolate._bsplines.BSpline",
    "sklearn.utils._bunch.Bunch",
    "sklearn.utils.validation.check_array",
    "scipy._lib.array_api_compat.numpy._aliases.asarray",
    "functools.partial",
    "numpy.dtype",
    "builtins.slice",
    "builtins.object",
)


def save_churn_model(
    model: ChurnModel, path: str | Path | None, *, config: dict | None = None
) -> Path | None:
    """Save a fitted model with its metadata to a skops file.

    Parameters
    ----------
    model : ChurnModel
        A fitted model (from :func:`fit_churn_model` for the training window
        and horizon to be recorded).
    path : str or pathlib.Path or None
        The file to write; ``None`` saves nothing (the workbook default).
    config : dict, optional
        The configuration the model was built with; its hash is recorded.

    Returns
    -------
    pathlib.Path or None
        The file written.
    """
    if path is None:
        return None
    import skops.io as sio

    model._checked(pd.DataFrame(columns=model.feature_names_in_))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": model, "metadata": model_metadata(model, config=config)}, path)
    logger.info("churn model saved to %s", path)
    return path


def model_metadata(model: ChurnModel, *, config: dict | None = None) -> dict:
    """Return the metadata saved with a model: features, window, hash, versions."""
    import sklearn
    import skops

    import cskit

    settings = {"params": model.get_params(), "config": config or {}}
    digest = hashlib.sha256(
        json.dumps(settings, sort_keys=True, default=str).encode()
    ).hexdigest()
    window = getattr(model, "training_window_", (None, None))
    return {
        "features": [str(c) for c in model.feature_names_in_],
        "training_window": [window[0], window[1]],
        "horizon_days": getattr(model, "horizon_days_", None),
        "config_hash": digest,
        "versions": {
            "cskit": cskit.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "skops": skops.__version__,
        },
    }


def load_churn_model(
    path: str | Path, *, features: Sequence[str] | None = None
) -> tuple[ChurnModel, dict]:
    """Load a model saved by :func:`save_churn_model`, safely.

    Only the types listed in this module are trusted; a file holding any
    other type is refused before anything is loaded.

    Parameters
    ----------
    path : str or pathlib.Path
    features : sequence of str, optional
        The features the caller will predict with; a model trained on other
        features is refused.

    Returns
    -------
    (ChurnModel, dict)
        The model and its metadata.

    Raises
    ------
    InvalidInputError
        When the file holds untrusted types, or its features differ from
        ``features``.
    """
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    unknown = sorted(set(untrusted) - set(_TRUSTED))
    if unknown:
        raise InvalidInputError(
            f"{path} holds types cskit does not trust: {unknown}; load only files "
            "written by save_churn_model"
        )
    bundle = sio.load(path, trusted=list(untrusted))
    metadata = bundle["metadata"]
    if features is not None and list(features) != metadata["features"]:
        _feature_mismatch(path, list(features), metadata["features"])
    return bundle["model"], metadata


def _feature_mismatch(path, wanted: list[str], saved: list[str]) -> None:
    missing = [f for f in saved if f not in wanted]
    extra = [f for f in wanted if f not in saved]
    raise InvalidInputError(
        f"the model in {path} was trained on {len(saved)} features that differ "
        f"from the {len(wanted)} given: missing {missing[:8]}, not in the model "
        f"{extra[:8]}{'' if missing or extra else ' (same names, another order)'}; "
        "retrain the model on these features or build the snapshots it expects"
    )


# --------------------------------------------------------------------------
# Survival view
# --------------------------------------------------------------------------


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
    cf.require(accounts, ("contract_start",), "accounts")
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

    cf.require(table, (by, duration_col, event_col), "survival table")
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

    cf.require(table, (*covariates, duration_col, event_col), "survival table")
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


# --------------------------------------------------------------------------
# Workbook settings
# --------------------------------------------------------------------------


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
