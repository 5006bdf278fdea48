"""Saving and safely loading a churn model with skops.

Private helpers of :mod:`cskit.churn`: :func:`save_churn_model` writes the
model and its metadata (features, training window, horizon, settings hash,
versions) to a skops file; :func:`load_churn_model` refuses a file that
holds any type outside the trusted list before loading it, and a model
trained on other features than the caller's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cskit._churn_model import ChurnModel
from cskit.exceptions import InvalidInputError

__all__: list[str] = []

logger = logging.getLogger("cskit.churn")


# The estimator's own path, and the public path files saved before the split
# recorded (cskit.churn still exports ChurnModel, so they load the same).
_TRUSTED = (
    "cskit._churn_model.ChurnModel",
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
