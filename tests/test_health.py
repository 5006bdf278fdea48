"""Tests of the health engine: mappings, edges, missing data, rounding,
bands, combination methods, presets, configuration errors, history and the
backtest. Every expected value is computed by hand in the comment beside it.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from cskit import health
from cskit.exceptions import ConfigurationError, InvalidInputError, MissingColumnError

BANDS = [
    {"name": "Red", "min": 0, "max": 40},
    {"name": "Yellow", "min": 40, "max": 70},
    {"name": "Green", "min": 70, "max": 100, "max_inclusive": True},
]


def make_config(measures: dict, **profile) -> health.HealthConfig:
    body = {"measures": measures, "bands": BANDS, **profile}
    return health.HealthConfig.model_validate(
        {"default_profile": "p", "profiles": {"p": body}}
    )


def table(**columns) -> pd.DataFrame:
    size = len(next(iter(columns.values())))
    ids = [f"{i:03d}" for i in range(1, size + 1)]
    return pd.DataFrame({"account_id": ids, **columns})


def linear(x0, y0, x1, y1, kind="linear") -> dict:
    return {"type": kind, "x0": x0, "y0": y0, "x1": x1, "y1": y1}


# ---------------------------------------------------------------- mappings


def test_thresholds_first_match_and_otherwise():
    mapping = health.PointMapping(
        type="thresholds",
        rules=[
            {"op": ">=", "value": 50, "points": 100},
            {"op": ">", "value": 20, "points": 60},
        ],
        otherwise=10,
    )
    # 50 meets '>= 50'; 20 is not '> 20' so falls to otherwise; NaN stays NaN.
    points = mapping.points(np.array([50.0, 49.9, 20.0, np.nan]))
    np.testing.assert_array_equal(points, [100, 60, 10, np.nan])


def test_thresholds_without_otherwise_leave_unmatched_missing():
    mapping = health.PointMapping(
        type="thresholds", rules=[{"op": "<", "value": 0, "points": 0}]
    )
    np.testing.assert_array_equal(mapping.points(np.array([-1.0, 0.0])), [0, np.nan])


def test_linear_extrapolates_and_bounded_linear_clamps():
    free = health.PointMapping(**linear(0, 0, 10, 100))
    bounded = health.PointMapping(**linear(0, 0, 10, 100, "bounded_linear"))
    values = np.array([-5.0, 2.5, 15.0])
    np.testing.assert_allclose(free.points(values), [-50, 25, 150])
    np.testing.assert_allclose(bounded.points(values), [0, 25, 100])


def test_bounded_linear_with_falling_line():
    # tickets: 6 or more -> 0, none -> 100; 3 tickets -> 50.
    mapping = health.PointMapping(**linear(6, 0, 0, 100, "bounded_linear"))
    np.testing.assert_allclose(mapping.points(np.array([9.0, 3.0, 0.0])), [0, 50, 100])


@pytest.mark.parametrize(
    ("min_inclusive", "max_inclusive", "expected"),
    [
        (True, False, [100, 50]),  # [0, 10): 0 in, 10 out -> next tier
        (False, True, [np.nan, 100]),  # (0, 10]: 0 matches no tier
    ],
)
def test_tier_edges(min_inclusive, max_inclusive, expected):
    tiers = [
        {
            "min": 0,
            "max": 10,
            "min_inclusive": min_inclusive,
            "max_inclusive": max_inclusive,
            "points": 100,
        },
        {"min": 10, "min_inclusive": not max_inclusive, "points": 50},
    ]
    mapping = health.PointMapping(type="tiers", tiers=tiers)
    np.testing.assert_array_equal(mapping.points(np.array([0.0, 10.0])), expected)


def test_worst_points_of_each_mapping():
    thresholds = health.PointMapping(
        type="thresholds", rules=[{"op": ">", "value": 1, "points": 80}], otherwise=20
    )
    tiers = health.PointMapping(
        type="tiers", tiers=[{"max": 1, "points": 30}, {"min": 1, "points": 90}]
    )
    assert thresholds.worst() == 20
    assert tiers.worst() == 30
    assert health.PointMapping(**linear(0, 100, 10, 0)).worst() == 0


# ------------------------------------------------------------ missing data


def two_measures(missing, **extra) -> health.HealthConfig:
    return make_config(
        {
            "a": {"metric": "nps", "weight": 3, "mapping": linear(0, 0, 100, 100)},
            "b": {"metric": "csat", "weight": 1, "mapping": linear(0, 0, 100, 100)},
        },
        missing=missing,
        **extra,
    )


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        ("skip", 80.0),  # b skipped: a alone, 80
        ("worst", 60.0),  # b = 0 points: (3*80 + 1*0) / 4 = 60
        (40, 70.0),  # b = 40 points: (240 + 40) / 4 = 70
    ],
)
def test_missing_rules(missing, expected):
    scores = health.score_health(
        table(nps=[80.0], csat=[np.nan]), config=two_measures(missing)
    )
    assert scores.scores["score"].iloc[0] == expected


def test_skip_redistributes_the_weight_in_the_details():
    scores = health.score_health(
        table(nps=[80.0], csat=[np.nan]), config=two_measures("skip")
    )
    details = scores.details.set_index("measure")
    assert details.loc["a", "weight"] == 1.0
    assert details.loc["b", "weight"] == 0.0
    assert details.loc["b", "missing_rule"] == "skip"
    assert details.loc["b", "status"] == "not_available"


def test_measure_missing_rule_overrides_the_profile():
    config = make_config(
        {
            "a": {"metric": "nps", "mapping": linear(0, 0, 100, 100)},
            "b": {"metric": "csat", "missing": 100, "mapping": linear(0, 0, 100, 100)},
        },
        missing="worst",
    )
    # b missing -> fixed 100; (50 + 100) / 2 = 75.
    scores = health.score_health(table(nps=[50.0], csat=[np.nan]), config=config)
    assert scores.scores["score"].iloc[0] == 75


def test_status_not_ok_counts_as_missing_and_absent_column_too():
    rows = table(nps=[90.0], nps_status=["undefined"])
    scores = health.score_health(rows, config=two_measures("skip"))
    assert np.isnan(scores.scores["score"].iloc[0])
    assert scores.scores["band"].iloc[0] == "No data"
    reasons = scores.details.set_index("measure")["reason"]
    assert reasons["b"] == "metric column 'csat' is absent"


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("half_up", 63.0), ("half_even", 62.0), ("floor", 62.0), ("ceil", 63.0)],
)
def test_rounding_modes_on_the_score(mode, expected):
    config = two_measures("skip", rounding={"stages": ["score"], "mode": mode})
    # (3*60 + 1*70) / 4 = 62.5
    scores = health.score_health(table(nps=[60.0], csat=[70.0]), config=config)
    assert scores.scores["score"].iloc[0] == expected


def test_rounding_at_points_differs_from_rounding_at_score():
    measures = {
        "a": {"metric": "nps", "mapping": linear(0, 0, 3, 10)},
        "b": {"metric": "csat", "mapping": linear(0, 0, 3, 10)},
    }
    values = table(nps=[0.45], csat=[0.45])  # each 1.5 points
    at_points = make_config(measures, rounding={"stages": ["points"]})
    at_score = make_config(measures, rounding={"stages": []})
    # points: round(1.5) = 2 each, mean 2; unrounded: mean 1.5.
    assert health.score_health(values, config=at_points).scores["score"][0] == 2.0
    assert health.score_health(values, config=at_score).scores["score"][0] == 1.5


def test_rounding_digits_half_up():
    rounding = health.Rounding(stages=("score",), digits=1, mode="half_up")
    np.testing.assert_array_equal(
        rounding.apply(np.array([2.25, 2.35, -2.25]), "score"), [2.3, 2.4, -2.3]
    )


# ------------------------------------------------------------------- bands


@pytest.mark.parametrize(
    ("value", "min_inclusive", "band"),
    [(40.0, True, "Yellow"), (40.0, False, "Red"), (39.9, True, "Red")],
)
def test_band_edges(value, min_inclusive, band):
    bands = [
        {"name": "Red", "min": 0, "max": 40, "max_inclusive": not min_inclusive},
        {
            "name": "Yellow",
            "min": 40,
            "max": 100,
            "min_inclusive": min_inclusive,
            "max_inclusive": True,
        },
    ]
    config = health.HealthConfig.model_validate(
        {
            "default_profile": "p",
            "profiles": {
                "p": {
                    "measures": {
                        "a": {"metric": "nps", "mapping": linear(0, 0, 100, 100)}
                    },
                    "bands": bands,
                    "rounding": {"stages": []},
                }
            },
        }
    )
    scores = health.score_health(table(nps=[value]), config=config)
    assert scores.scores["band"].iloc[0] == band


# ----------------------------------------------------- groups and methods


def test_groups_roll_up_weighted_means():
    config = make_config(
        {
            "a": {
                "metric": "nps",
                "group": "use",
                "weight": 1,
                "mapping": linear(0, 0, 100, 100),
            },
            "b": {
                "metric": "csat",
                "group": "use",
                "weight": 3,
                "mapping": linear(0, 0, 100, 100),
            },
            "c": {
                "metric": "mad",
                "group": "talk",
                "weight": 1,
                "mapping": linear(0, 0, 100, 100),
            },
        },
        groups={"use": 2, "talk": 1},
        rounding={"stages": []},
    )
    scores = health.score_health(
        table(nps=[40.0], csat=[80.0], mad=[10.0]), config=config
    )
    # use = (40 + 240) / 4 = 70; talk = 10; score = (2*70 + 10) / 3 = 50.
    row = scores.scores.iloc[0]
    assert (row["group_use"], row["group_talk"], row["score"]) == (70, 10, 50)
    weights = scores.details.set_index("measure")["weight"]
    # a: 1/4 of 2/3 = 1/6; b: 3/4 of 2/3 = 1/2; c: 1/3.
    np.testing.assert_allclose(weights[["a", "b", "c"]], [1 / 6, 1 / 2, 1 / 3])
    contributions = scores.details["contribution"].sum()
    assert contributions == pytest.approx(50)


def test_weights_of_any_scale_give_the_same_score():
    small = two_measures("skip")
    big = make_config(
        {
            "a": {"metric": "nps", "weight": 300, "mapping": linear(0, 0, 100, 100)},
            "b": {"metric": "csat", "weight": 100, "mapping": linear(0, 0, 100, 100)},
        }
    )
    values = table(nps=[50.0], csat=[90.0])
    assert (
        health.score_health(values, config=small).scores["score"][0]
        == health.score_health(values, config=big).scores["score"][0]
        == 60  # (150 + 90) / 4 = 60
    )


def test_worst_method_takes_the_lowest_points():
    config = two_measures("skip", method="worst")
    scores = health.score_health(table(nps=[80.0], csat=[30.0]), config=config)
    assert scores.scores["score"][0] == 30
    weights = scores.details.set_index("measure")["weight"]
    assert (weights["a"], weights["b"]) == (0.0, 1.0)


def test_additive_method_adds_to_neutral_and_clamps():
    measures = {
        "a": {
            "metric": "nps",
            "mapping": {
                "type": "thresholds",
                "rules": [{"op": "<", "value": 0, "points": -3}],
                "otherwise": 2,
            },
        },
        "b": {
            "metric": "csat",
            "weight": 2,
            "mapping": {
                "type": "thresholds",
                "rules": [{"op": "<", "value": 50, "points": -2}],
                "otherwise": 1,
            },
        },
    }
    config = make_config(
        measures, method="additive", neutral=50, scale_max=100, missing=0
    )
    values = table(nps=[-10.0, 10.0, 10.0], csat=[20.0, 90.0, np.nan])
    scores = health.score_health(values, config=config).scores["score"]
    # 50 - 3 - 2*2 = 43; 50 + 2 + 2*1 = 54; 50 + 2 + 0 = 52.
    assert list(scores) == [43, 54, 52]


def test_profiles_by_segment_and_phase():
    config = health.HealthConfig.model_validate(
        {
            "default_profile": "base",
            "profiles": {
                "base": {
                    "measures": {
                        "a": {"metric": "nps", "mapping": linear(0, 0, 100, 100)}
                    },
                    "bands": BANDS,
                },
                "ent": {
                    "measures": {
                        "a": {"metric": "nps", "mapping": linear(0, 100, 100, 0)}
                    },
                    "bands": BANDS,
                },
            },
            "assign": [
                {"segment": "enterprise", "phase": "Adoption", "profile": "ent"}
            ],
        }
    )
    values = table(
        nps=[30.0, 30.0],
        segment=["enterprise", "enterprise"],
        phase=["Adoption", "Renewal"],
    )
    scores = health.score_health(values, config=config).scores
    assert list(scores["profile"]) == ["ent", "base"]
    assert list(scores["score"]) == [70, 30]


def test_config_hash_follows_the_profile():
    first = two_measures("skip")
    second = two_measures("worst")
    values = table(nps=[10.0], csat=[10.0])
    hashes = [
        health.score_health(values, config=c).scores["config_hash"][0]
        for c in (first, two_measures("skip"), second)
    ]
    assert hashes[0] == hashes[1] != hashes[2]
    assert len(hashes[0]) == 12


def test_drivers_name_the_drag_and_the_lift():
    scores = health.score_health(
        table(nps=[10.0], csat=[95.0]), config=two_measures("skip")
    )
    drivers = health.health_drivers(scores, "001")
    assert list(drivers["direction"]) == ["drag", "lift"]
    assert list(drivers["measure"]) == ["a", "b"]


def test_missing_account_id_is_refused():
    with pytest.raises(MissingColumnError, match="account_id"):
        health.score_health(pd.DataFrame({"nps": [1.0]}), config=two_measures("skip"))


# ---------------------------------------------------------------- presets


def test_gainsight_preset_worked_example():
    # seat_utilisation 55 -> 60 pts, mad 6 -> 100 (usage = (60*60 + 40*100)/100
    # = 76); nps missing: sentiment group skipped, its weight redistributed;
    # open_tickets 2 -> 60 (support 60); score = (50*76 + 20*60) / 70 = 71.43
    # -> 71 (half up), Yellow (50, 75].
    config = health.load_health_config("gainsight")
    values = table(seat_utilisation=[55.0], mad=[6.0], nps=[np.nan], open_tickets=[2.0])
    row = health.score_health(values, config=config).scores.iloc[0]
    assert (row["group_usage"], row["score"], row["band"]) == (76, 71, "Yellow")
    assert np.isnan(row["group_sentiment"])


def test_gainsight_preset_band_edges_on_whole_scores():
    config = health.load_health_config("gainsight")
    # Only support present: open_tickets 2 -> 60 -> Yellow; 5 -> 25 -> Red;
    # 1 -> 100 -> Green; a score of exactly 50 would be Red ([0, 50]).
    values = table(open_tickets=[2.0, 5.0, 1.0])
    bands = health.score_health(values, config=config).scores["band"]
    assert list(bands) == ["Yellow", "Red", "Green"]


def test_totango_preset_worst_rule_wins():
    config = health.load_health_config("totango")
    # mad 5 Good, nps 10 Average, tickets 0 Good -> Average;
    # mad 0 Poor -> Poor whatever the rest; all good -> Good.
    values = table(
        mad=[5.0, 0.0, 5.0], nps=[10.0, 50.0, 50.0], open_tickets=[0.0, 0.0, 1.0]
    )
    bands = health.score_health(values, config=config).scores["band"]
    assert list(bands) == ["Average", "Poor", "Good"]


def test_planhat_preset_adds_from_neutral_five():
    config = health.load_health_config("planhat")
    # 5 + 2 (mad 6) + 2 (nps 40) - 1 (4 open tickets) = 8 -> Green;
    # 5 - 2 (mad 1) - 2 (nps -10) + 0 = 1 -> Red; no data: 5 + 0 = 5 Yellow.
    values = table(
        mad=[6.0, 1.0, np.nan],
        nps=[40.0, -10.0, np.nan],
        open_tickets=[4.0, 0.0, np.nan],
    )
    scores = health.score_health(values, config=config).scores
    assert list(scores["score"]) == [8.0, 1.0, 5.0]
    assert list(scores["band"]) == ["Green", "Red", "Yellow"]


def test_vitally_preset_weighted_average_on_ten():
    config = health.load_health_config("vitally")
    # seats 65 -> 6.5 (w2), nps 20 -> 6.0 (w1), csat 75 -> 7.5 (w1):
    # (13 + 6 + 7.5) / 4 = 6.625 -> 6.6 (one decimal, half up) -> Yellow.
    # csat missing: (13 + 6) / 3 = 6.333 -> 6.3.
    values = table(seat_utilisation=[65.0, 65.0], nps=[20.0, 20.0], csat=[75.0, np.nan])
    scores = health.score_health(values, config=config).scores
    assert list(scores["score"]) == [6.6, 6.3]
    assert list(scores["band"]) == ["Yellow", "Yellow"]


def test_playbook_is_the_default_and_onboarding_extends_it():
    config = health.load_health_config("playbook")
    onboarding = config.profiles["onboarding"]
    assert config.default_profile == "playbook"
    assert set(config.profiles["playbook"].measures) < set(onboarding.measures)
    assert onboarding.groups["onboarding"] == 4


# ---------------------------------------------------- configuration errors


def write(tmp_path, body: dict) -> str:
    path = tmp_path / "health.yaml"
    path.write_text(yaml.safe_dump({"health": body}), encoding="utf-8")
    return str(path)


def profile_body(**changes) -> dict:
    body = {
        "measures": {"a": {"metric": "nps", "mapping": linear(0, 0, 100, 100)}},
        "bands": BANDS,
    }
    body.update(changes)
    return {"default_profile": "p", "profiles": {"p": body}}


def test_all_zero_weights_are_refused(tmp_path):
    body = profile_body(
        measures={
            "a": {"metric": "nps", "weight": 0, "mapping": linear(0, 0, 100, 100)}
        }
    )
    with pytest.raises(ConfigurationError, match="every measure weight is 0"):
        health.load_health_config(write(tmp_path, body))


def test_overlapping_bands_are_refused(tmp_path):
    bands = [
        {"name": "Red", "min": 0, "max": 50, "max_inclusive": True},
        {"name": "Green", "min": 50, "max": 100, "max_inclusive": True},
    ]
    with pytest.raises(ConfigurationError, match=r"bands overlap: Red \[0, 50\]"):
        health.load_health_config(write(tmp_path, profile_body(bands=bands)))


def test_gapped_bands_are_refused(tmp_path):
    bands = [
        {"name": "Red", "min": 0, "max": 40},
        {"name": "Green", "min": 50, "max": 100, "max_inclusive": True},
    ]
    with pytest.raises(ConfigurationError, match="leave a gap"):
        health.load_health_config(write(tmp_path, profile_body(bands=bands)))


def test_bands_must_cover_the_scale(tmp_path):
    bands = [
        {"name": "Red", "min": 0, "max": 40},
        {"name": "Green", "min": 40, "max": 100},
    ]
    with pytest.raises(ConfigurationError, match="do not cover the whole scale"):
        health.load_health_config(write(tmp_path, profile_body(bands=bands)))


def test_unknown_metric_is_refused_with_the_closest_name(tmp_path):
    body = profile_body(
        measures={"a": {"metric": "usage_dorp", "mapping": linear(0, 0, 1, 1)}}
    )
    with pytest.raises(ConfigurationError, match="did you mean 'usage_drop'"):
        health.load_health_config(write(tmp_path, body))


def test_extra_metrics_allow_own_columns(tmp_path):
    body = profile_body(
        measures={"a": {"metric": "my_kpi", "mapping": linear(0, 0, 1, 100)}}
    )
    body["extra_metrics"] = ["my_kpi"]
    config = health.load_health_config(write(tmp_path, body))
    scores = health.score_health(table(my_kpi=[0.5]), config=config)
    assert scores.scores["score"][0] == 50


def test_unknown_key_gets_the_closest_valid_name(tmp_path):
    body = profile_body(
        measures={"a": {"metric": "nps", "wieght": 2, "mapping": linear(0, 0, 1, 1)}}
    )
    with pytest.raises(ConfigurationError, match="did you mean 'weight'"):
        health.load_health_config(write(tmp_path, body))


def test_unknown_profile_and_bad_extends_are_refused(tmp_path):
    body = profile_body()
    body["default_profile"] = "q"
    with pytest.raises(ConfigurationError, match="profile 'q' is not defined"):
        health.load_health_config(write(tmp_path, body))
    body = profile_body()
    body["profiles"]["p"]["extends"] = "nothing"
    with pytest.raises(ConfigurationError, match="extends 'nothing'"):
        health.load_health_config(write(tmp_path, body))


def test_mapping_and_method_errors(tmp_path):
    body = profile_body(
        measures={"a": {"metric": "nps", "mapping": linear(1, 0, 1, 100)}}
    )
    with pytest.raises(ConfigurationError, match="x0 != x1"):
        health.load_health_config(write(tmp_path, body))
    with pytest.raises(ConfigurationError, match="needs a 'neutral'"):
        health.load_health_config(write(tmp_path, profile_body(method="additive")))
    tiers = {
        "type": "tiers",
        "tiers": [{"max": 10, "points": 1}, {"min": 5, "points": 2}],
    }
    body = profile_body(measures={"a": {"metric": "nps", "mapping": tiers}})
    with pytest.raises(ConfigurationError, match="tiers overlap"):
        health.load_health_config(write(tmp_path, body))


def test_missing_file_and_unknown_profile_argument(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        health.load_health_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigurationError, match="did you mean 'p'"):
        health.score_health(table(nps=[1.0]), config=two_measures("skip"), profile="pp")


# ----------------------------------------------------------------- history


def scored(values, config, day):
    return health.history_rows(health.score_health(values, config=config), as_of=day)


def test_history_round_trip_trend_and_what_moved():
    con = duckdb.connect()
    config = two_measures("skip")
    health.write_health_history(
        con, scored(table(nps=[40.0], csat=[40.0]), config, "2026-01-01")
    )
    health.write_health_history(
        con, scored(table(nps=[80.0], csat=[40.0]), two_measures("worst"), "2026-02-01")
    )
    # Writing the same date again replaces it instead of duplicating.
    health.write_health_history(
        con, scored(table(nps=[80.0], csat=[40.0]), two_measures("worst"), "2026-02-01")
    )
    history = health.read_health_history(con)
    assert len(history) == 4

    trend = health.health_trend(history, as_of="2026-02-01", days=31).iloc[0]
    # 40 -> (3*80 + 40) / 4 = 70: up by 30, configuration changed.
    assert (trend["score"], trend["change"], trend["trend"]) == (70, 30, "up")
    assert bool(trend["config_changed"])

    moved = health.what_moved(
        history, account_id="001", before="2026-01-15", after="2026-02-01"
    )
    first = moved.iloc[0]
    assert first["measure"] == "a"
    assert (first["value_before"], first["value_after"]) == (40, 80)
    assert first["contribution_change"] == pytest.approx(60 - 30)
    assert moved.attrs["score_before"] == 40
    assert bool(first["config_changed"])


def test_trend_same_and_not_available():
    con = duckdb.connect()
    config = two_measures("skip")
    health.write_health_history(
        con, scored(table(nps=[40.0, 10.0]), config, "2026-01-01")
    )
    later = scored(table(nps=[40.2, 10.0]), config, "2026-03-01")
    health.write_health_history(con, later[later["account_id"] == "001"])
    trend = health.health_trend(health.read_health_history(con), as_of="2026-03-01")
    # 001: 40 then 40 (40.2 rounds to 40): same; 002 has no newer score.
    assert list(trend["trend"]) == ["same", "not_available"]


def test_read_history_without_table_is_empty():
    history = health.read_health_history(duckdb.connect())
    assert history.empty and "score" in history


def test_history_plot_marks_configuration_changes():
    con = duckdb.connect()
    for day, config in (
        ("2026-01-01", two_measures("skip")),
        ("2026-02-01", two_measures("skip")),
        ("2026-03-01", two_measures("worst")),
    ):
        health.write_health_history(
            con, scored(table(nps=[40.0], csat=[50.0]), config, day)
        )
    figure = health.plot_health_history(
        health.read_health_history(con), account_id="001"
    )
    assert isinstance(figure, Figure)
    axis = figure.axes[0]
    assert len(axis.lines) == 2  # the score line and one configuration change


def test_movers_and_portfolio_bands():
    con = duckdb.connect()
    config = two_measures("skip")
    health.write_health_history(
        con, scored(table(nps=[40.0, 50.0, 90.0]), config, "2026-01-01")
    )
    health.write_health_history(
        con, scored(table(nps=[20.0, 55.0, 90.0]), config, "2026-02-01")
    )
    history = health.read_health_history(con)
    moved = health.movers(history, as_of="2026-02-01", n=2)
    assert list(moved["account_id"]) == ["001", "002"]
    assert list(moved["change"]) == [-20, 5]
    now = health.score_health(table(nps=[20.0, 55.0, 90.0]), config=config)
    bands = health.portfolio_bands(now.scores)
    assert bands["accounts"].to_dict() == {"Red": 1, "Yellow": 1, "Green": 1}


# ---------------------------------------------------------------- backtest


def test_auc_and_lift_by_hand():
    y = np.array([True, False, True, False])
    # positives ranked 4 and 2.5 (tie with a negative): (6.5 - 3) / 4 = 0.875
    assert health._auc(y, np.array([0.9, 0.5, 0.5, 0.1])) == 0.875
    assert np.isnan(health._auc(np.array([True, True]), np.array([1.0, 2.0])))
    assert health._lift(y, np.array([0.9, 0.5, 0.5, 0.1]), share=0.25) == 2.0
    # top 2: the 0.9 churner plus half of the two tied at 0.5 -> 1.5 / 2 / 0.5
    assert health._lift(y, np.array([0.9, 0.5, 0.5, 0.1]), share=0.5) == 1.5


def backtest_tables():
    ids = [f"{i:02d}" for i in range(1, 11)]
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "contract_start": pd.to_datetime(["2025-01-01"] * 10).astype(
                "datetime64[us]"
            ),
        }
    )
    churned = ["01", "02", "03"]
    events = pd.DataFrame(
        {
            "account_id": churned,
            "date": pd.to_datetime(["2026-02-10", "2026-03-15", "2026-05-20"]).astype(
                "datetime64[us]"
            ),
            "kind": "churned",
        }
    )
    return {"accounts": accounts, "account_events": events}


def test_backtest_on_a_perfect_signal():
    tables = backtest_tables()

    def metrics_fn(tables, day):
        # 01 and 02 (churn within 90 days) score 0, 03 scores 20, others 50
        given = {"01": -50.0, "02": -50.0, "03": 20.0}
        nps = [given.get(i, 50.0) for i in tables["accounts"]["account_id"]]
        return pd.DataFrame(
            {"account_id": tables["accounts"]["account_id"], "nps": nps}
        )

    result = health.backtest(
        tables,
        as_of_dates=["2026-01-01", "2026-02-01"],
        config=two_measures("skip"),
        metrics_fn=metrics_fn,
        horizons=(90,),
        n_boot=20,
        seed=1,
    )
    row = result.summary.set_index("score").loc["health score"]
    # as of 2026-01-01: 10 active, churners 01 and 02 within 90 days;
    # as of 2026-02-01: 01 still active, 01 and 02 churn within 90 days.
    assert (row["rows"], row["churned"], row["auc"]) == (20, 4, 1.0)
    assert row["auc_low"] == 1.0
    warning = result.early_warning.set_index("score").loc["health band"]
    # 03 churns 2026-05-20: last as-of 90+ days before is 2026-02-01 (Red).
    assert (warning["churners"], warning["share_red_or_yellow"]) == (1, 100.0)


def test_backtest_needs_dates():
    with pytest.raises(InvalidInputError, match="as_of_dates"):
        health.backtest({"accounts": pd.DataFrame()}, as_of_dates=[])


def test_churn_dates_from_accounts_when_no_events():
    accounts = pd.DataFrame(
        {
            "account_id": ["1", "2"],
            "churned_at": pd.to_datetime(["2026-01-05", None]).astype("datetime64[us]"),
        }
    )
    events = health.churn_dates({"accounts": accounts})
    assert list(events["account_id"]) == ["1"]
    assert list(events["kind"]) == ["churned"]


def test_bootstrap_of_no_rows_is_undefined_not_an_error():
    import numpy as np

    from cskit import _health_backtest

    low, high = _health_backtest._bootstrap(
        np.array([], dtype=object), lambda rows: 1.0, n_boot=10, seed=0
    )
    assert np.isnan(low) and np.isnan(high)
