"""Tests of the churn model: snapshots without leakage, estimator, persistence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from cskit.churn import (
    ChurnModel,
    build_churn_snapshots,
    churn_metrics,
    churn_settings,
    churn_table_xy,
    expected_calibration_error,
    fit_churn_model,
    fit_cox,
    kaplan_meier_by,
    lift_by_decile,
    load_churn_model,
    rolling_origin_splits,
    save_churn_model,
    survival_table,
    validate_churn_model,
)
from cskit.exceptions import (
    ConfigurationError,
    InvalidInputError,
    MissingColumnError,
    NotFittedError,
)

AS_OF = pd.Timestamp("2024-06-01")


def _tables() -> dict[str, pd.DataFrame]:
    """Three accounts: A steady, B churned 2024-05-10 (event), C churned_at only."""
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "segment": ["smb", "enterprise", "smb"],
            "plan": ["team", "business", "team"],
            "timezone": ["UTC", "Europe/Berlin", "UTC"],
            "contract_start": pd.to_datetime(["2023-01-15"] * 3),
            "seats_licensed": pd.array([10, 20, 5], dtype="Int64"),
            "churned_at": pd.to_datetime([None, "2024-09-01", "2024-07-20"]),
        }
    )
    days = pd.date_range("2023-06-01", "2024-09-29", freq="D", tz="UTC")
    events = pd.DataFrame(
        {
            "ts": np.tile(days + pd.Timedelta(hours=12), 3),
            "account_id": np.repeat(["A", "B", "C"], len(days)),
            "contact_id": np.repeat(["a1", "b1", "c1"], len(days)),
            "event": "login",
            "count": pd.array([1] * (3 * len(days)), dtype="Int64"),
        }
    )
    account_events = pd.DataFrame(
        {
            "account_id": ["B"],
            "date": pd.to_datetime(["2024-05-10"]),
            "kind": ["churned"],
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t0"],
            "account_id": ["A"],
            "created_at": pd.to_datetime(["2024-02-03 10:00"], utc=True),
            "priority": ["low"],
        }
    )
    return {
        "accounts": accounts,
        "events": events,
        "account_events": account_events,
        "tickets": tickets,
    }


def _snapshots(tables, **options) -> pd.DataFrame:
    return build_churn_snapshots(
        tables,
        first_as_of="2024-01-01",
        last_as_of="2024-09-01",
        data_end="2024-09-30",
        **options,
    )


def test_a_feature_cannot_see_data_on_or_after_its_snapshot_date():
    tables = _tables()
    before = _snapshots(tables)

    # A burst of events, tickets and surveys from the as-of date onwards.
    late = pd.DataFrame(
        {
            "ts": pd.date_range(AS_OF, periods=50, freq="D", tz="UTC"),
            "account_id": "A",
            "contact_id": "a9",
            "event": "app_publish",
            "count": pd.array([1000] * 50, dtype="Int64"),
        }
    )
    tables["events"] = pd.concat([tables["events"], late], ignore_index=True)
    ticket = pd.DataFrame(
        {
            "ticket_id": ["t1"],
            "account_id": ["A"],
            "created_at": pd.to_datetime(["2024-06-01 00:00"], utc=True),
            "priority": ["urgent"],
        }
    )
    tables["tickets"] = pd.concat([tables["tickets"], ticket], ignore_index=True)
    after = _snapshots(tables)

    keep = before["as_of"] <= AS_OF
    columns = [c for c in before if c != "next_churn_date"]
    pd.testing.assert_frame_equal(
        before.loc[keep, columns].reset_index(drop=True),
        after.loc[after["as_of"] <= AS_OF, columns].reset_index(drop=True),
    )
    later = after[(after["account_id"] == "A") & (after["as_of"] == "2024-07-01")]
    assert later["build_events_1m"].iloc[0] == 30 * 1000


def test_features_count_the_month_before_as_of_in_the_account_timezone():
    snaps = _snapshots(_tables())
    row = snaps[(snaps["account_id"] == "A") & (snaps["as_of"] == AS_OF)].iloc[0]

    assert row["events_1m"] == 31  # every day of May 2024
    assert row["events_3m"] == 31 + 30 + 31
    assert row["days_since_last_event"] == 1
    assert row["days_to_renewal"] == (pd.Timestamp("2025-01-15") - AS_OF).days


def test_churned_accounts_get_no_snapshot_and_account_events_win():
    snaps = _snapshots(_tables())
    b_dates = snaps.loc[snaps["account_id"] == "B", "as_of"]
    c_dates = snaps.loc[snaps["account_id"] == "C", "as_of"]

    # B churned on 2024-05-10 (account_events), not 2024-09-01 (churned_at).
    assert b_dates.max() == pd.Timestamp("2024-05-01")
    assert c_dates.max() == pd.Timestamp("2024-07-01")
    row = snaps[(snaps["account_id"] == "B") & (snaps["as_of"] == "2024-03-01")]
    assert row["churned_within_90d"].iloc[0] == 1.0
    early = snaps[(snaps["account_id"] == "B") & (snaps["as_of"] == "2024-01-01")]
    assert early["churned_within_90d"].iloc[0] == 0.0
    assert early["churned_within_180d"].iloc[0] == 1.0


def test_labels_whose_window_passes_the_data_end_are_censored():
    snaps = _snapshots(_tables())
    late = snaps[snaps["as_of"] == "2024-08-01"]

    assert late["churned_within_90d"].isna().all()
    assert snaps["churned_within_180d"].notna().sum() < len(snaps)


def test_snapshots_need_the_accounts_table():
    with pytest.raises(MissingColumnError, match="accounts"):
        build_churn_snapshots({"events": _tables()["events"]})


def test_snapshots_refuse_a_bad_horizon():
    with pytest.raises(InvalidInputError, match="horizons"):
        _snapshots(_tables(), horizons=(0,))


def _flat(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "usage": rng.normal(size=n),
            "tickets": rng.poisson(2, n).astype(float),
            "segment": rng.choice(["smb", "mid_market", "enterprise"], n),
        }
    )
    logit = -1.5 - 1.2 * X["usage"] + 0.3 * X["tickets"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y.to_numpy()


FAST = {"max_iter": 40}


def test_fit_returns_self_and_learned_attributes_end_in_underscore():
    X, y = _flat()
    model = ChurnModel(random_state=0, **FAST)

    assert model.fit(X, y) is model
    assert list(model.feature_names_in_) == ["usage", "tickets", "segment"]
    assert model.categorical_features_ == ["segment"]
    assert model.predict_proba(X).shape == (len(X), 2)
    assert clone(model).get_params()["random_state"] == 0


def test_predicting_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError, match="call fit"):
        ChurnModel().predict_proba(_flat()[0])


def test_unseen_categories_and_missing_values_are_handled():
    X, y = _flat()
    X.loc[::7, "usage"] = np.nan
    X.loc[::11, "segment"] = None
    model = ChurnModel(random_state=0, **FAST).fit(X, y)

    new = X.head(4).copy()
    new["segment"] = ["brand_new", None, "smb", "enterprise"]
    new.loc[0, "tickets"] = np.nan
    p = model.predict_proba(new)[:, 1]
    assert np.isfinite(p).all() and ((0 < p) & (p < 1)).all()


def test_one_class_training_data_is_refused():
    X, _ = _flat(50)
    with pytest.raises(InvalidInputError, match="one class only"):
        ChurnModel().fit(X, np.zeros(50))


def test_an_unknown_model_option_is_refused():
    X, y = _flat(50)
    with pytest.raises(InvalidInputError, match="model='forest'"):
        ChurnModel(model="forest").fit(X, y)


def test_predictions_are_calibrated_on_held_out_data():
    X, y = _flat(8000, seed=1)
    model = ChurnModel(random_state=0, **FAST).fit(X.iloc[:4000], y[:4000])
    p = model.predict_proba(X.iloc[4000:])[:, 1]

    assert abs(p.mean() - y[4000:].mean()) < 0.02
    assert expected_calibration_error(y[4000:], p, bins=5) < 0.04


def test_expected_calibration_error_by_hand():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.3, 0.6, 0.8])
    # Two bins: {0.1, 0.3} vs rate 0 -> gap 0.2; {0.6, 0.8} vs 1 -> gap 0.3.
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(0.25)


def test_lift_by_decile_by_hand():
    y = np.array([1] + [0] * 9 + [1] * 0 + [0] * 10)
    p = np.linspace(1, 0, 20)
    table = lift_by_decile(y, p)

    assert table["churn_rate"].iloc[0] == 0.5
    assert table["lift"].iloc[0] == pytest.approx(0.5 / 0.05)


def test_churn_metrics_give_intervals_around_the_value():
    X, y = _flat(400)
    metrics = churn_metrics(y, 1 / (1 + np.exp(X["usage"])), n_bootstrap=30)
    assert (metrics["low"] <= metrics["value"] + 1e-9).all()
    assert (metrics["value"] <= metrics["high"] + 1e-9).all()


def test_rolling_origin_splits_keep_a_gap_of_the_horizon():
    as_of = pd.Series(pd.date_range("2023-01-01", periods=24, freq="MS").repeat(5))
    splits = rolling_origin_splits(as_of, horizon_days=90, n_splits=2, test_months=3)

    assert len(splits) == 2
    for train, test in splits:
        gap = as_of.iloc[test].min() - as_of.iloc[train].max()
        assert gap >= pd.Timedelta(days=90)


def test_save_load_round_trip_and_a_mismatched_feature_load(tmp_path):
    X, y = _flat()
    model = ChurnModel(random_state=0, **FAST).fit(X, y)
    path = save_churn_model(model, tmp_path / "model.skops", config={"a": 1})

    loaded, meta = load_churn_model(path, features=list(X.columns))
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert meta["features"] == ["usage", "tickets", "segment"]
    assert len(meta["config_hash"]) == 64
    assert "scikit-learn" in meta["versions"]
    with pytest.raises(InvalidInputError, match="missing \\['segment'\\]"):
        load_churn_model(path, features=["usage", "tickets", "plan"])
    assert save_churn_model(model, None) is None


def test_predicting_with_missing_features_names_them():
    X, y = _flat()
    model = ChurnModel(random_state=0, **FAST).fit(X, y)
    with pytest.raises(MissingColumnError, match="segment"):
        model.predict_proba(X.drop(columns="segment"))


def test_explain_names_the_top_drivers_in_words():
    X, y = _flat()
    model = ChurnModel(model="logistic").fit(X, y)
    row = X.head(1).assign(usage=-3.0)
    drivers = model.explain(row, top=2, ids=["acct"])

    assert list(drivers["rank"]) == [1, 2]
    assert drivers["feature"].iloc[0] == "usage"
    assert "raises the churn probability" in drivers["text"].iloc[0]


def test_churn_table_xy_reads_yes_no_labels_and_blank_numbers():
    table = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "charges": ["10.5", " ", "3"],
            "plan": ["a", "b", "a"],
            "Churn": ["Yes", "No", "yes"],
        }
    )
    X, y = churn_table_xy(table, label_col="Churn", id_col="id")

    assert list(y) == [1, 0, 1]
    assert list(X.columns) == ["charges", "plan"]
    assert np.isnan(X["charges"].iloc[1]) and X["charges"].iloc[0] == 10.5
    with pytest.raises(MissingColumnError, match="label"):
        churn_table_xy(table, label_col="label")


def test_validation_and_training_on_snapshots(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    n = 2400
    snaps = pd.DataFrame(
        {
            "account_id": [f"{i % 200:04d}" for i in range(n)],
            "as_of": pd.date_range("2022-01-01", periods=12, freq="MS").repeat(200),
            "usage_trend_3m": rng.normal(size=n),
            "days_to_renewal": rng.integers(0, 365, n).astype(float),
            "tenure_days": rng.integers(30, 900, n).astype(float),
            "nps_12m": rng.normal(size=n),
            "segment": rng.choice(["smb", "enterprise"], n),
        }
    )
    logit = -2 - 1.5 * snaps["usage_trend_3m"]
    snaps["churned_within_90d"] = (rng.random(n) < 1 / (1 + np.exp(-logit))) * 1.0
    result = validate_churn_model(
        snaps, horizon_days=90, n_splits=2, n_bootstrap=10, model=ChurnModel(**FAST)
    )

    assert set(result.metrics.index.get_level_values("model")) == {"cskit", "baseline"}
    assert result.metrics.loc[("cskit", "roc_auc"), "value"] > 0.7
    model = fit_churn_model(snaps, horizon_days=90, model=ChurnModel(**FAST))
    assert model.training_window_ == ("2022-01-01", "2022-12-01")


def test_survival_table_and_kaplan_meier_by_segment():
    table = survival_table(_tables(), data_end="2024-09-30")

    assert list(table["churned"]) == [0, 1, 1]
    assert (
        table["duration_days"].iloc[1]
        == (pd.Timestamp("2024-05-10") - pd.Timestamp("2023-01-15")).days
    )
    curves = kaplan_meier_by(table, by="segment")
    assert set(curves) == {"smb", "enterprise"}


def test_cox_model_and_a_missing_survival_column():
    table = pd.DataFrame(
        {
            "duration_days": [100.0, 200, 300, 400, 500, 600, 700, 800],
            "churned": [1, 0, 1, 0, 1, 0, 0, 0],
            "segment": ["smb", "smb", "smb", "enterprise"] * 2,
            "seats_licensed": [5.0, 6, 4, 50, 7, 5, 60, 55],
        }
    )
    cox = fit_cox(table, covariates=("segment", "seats_licensed"))

    assert set(cox.summary.index) == {"segment_smb", "seats_licensed"}
    with pytest.raises(MissingColumnError, match="tier"):
        kaplan_meier_by(table, by="tier")


def test_churn_settings_read_the_churn_section_and_arguments_win(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("churn:\n  horizons: [30, 60]\n  horizon_days: 60\n")

    settings = churn_settings(path, first_as_of="2024-01-01")
    assert settings["horizons"] == [30, 60] and settings["horizon_days"] == 60
    assert settings["first_as_of"] == "2024-01-01"
    assert churn_settings(horizon_days=120)["horizons"] == [90, 180, 120]
    with pytest.raises(ConfigurationError, match="does not exist"):
        churn_settings(tmp_path / "absent.yaml")


# ChurnModel is a churn (0/1) classifier: it refuses other label values and
# multiclass targets on purpose, and its iterations live in the boosted trees.
EXPECTED_FAILED_CHECKS = {
    "check_estimators_dtypes": "labels must be 0/1 (the check uses 1/2)",
    "check_classifier_data_not_an_array": "labels must be 0/1 (the check uses 1/2)",
    "check_classifiers_classes": "labels must be 0/1 (the check uses text labels)",
    "check_classifier_not_supporting_multiclass": "refuses with its own message",
    "check_non_transformer_estimators_n_iter": "no n_iter_: a blend of two models",
}


def test_scikit_learn_estimator_checks_pass_apart_from_documented_ones():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(
        ChurnModel(max_iter=10, min_samples_leaf=5),
        expected_failed_checks=EXPECTED_FAILED_CHECKS,
        on_fail=None,
    )
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []
