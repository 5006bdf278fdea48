"""The churn estimator and its plain-words explanations.

Private helpers of :mod:`cskit.churn`: :class:`ChurnModel`, a scikit-learn
classifier blending a spline logistic regression and gradient-boosted
trees, calibrated, with missing values and unseen categories handled inside
the pipeline, and :meth:`ChurnModel.explain`, which turns each account's
largest effects into sentences.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    OneHotEncoder,
    OrdinalEncoder,
    SplineTransformer,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d

from cskit.exceptions import InvalidInputError, MissingColumnError, NotFittedError

__all__: list[str] = []

logger = logging.getLogger("cskit.churn")


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
