"""Tests of the synthetic demo company (cskit.demo)."""

from __future__ import annotations

import pandas as pd
import pytest

from cskit.demo import DEMO_END, make_demo_company, write_demo_company
from cskit.exceptions import InvalidInputError
from cskit.schema import TABLES, validate_table

CUTOFF = pd.Timestamp("2026-10-01", tz="UTC")
STAKEHOLDERS = {"champion", "exec_sponsor", "economic_buyer"}


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return make_demo_company(accounts=12, seed=3)


@pytest.fixture(scope="module")
def default() -> dict[str, pd.DataFrame]:
    return make_demo_company()


def test_returns_every_canonical_table_and_the_ground_truth(small):
    assert list(small) == [*TABLES, "ground_truth"]
    assert all(len(small[name]) > 0 for name in small)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_validates_and_is_already_canonical(default, name):
    frame = default[name]

    checked = validate_table(name, frame)

    assert list(frame.columns) == TABLES[name].column_names
    pd.testing.assert_frame_equal(checked, frame)


def test_same_seed_gives_identical_frames():
    first = make_demo_company(accounts=8, seed=5, months=9)
    second = make_demo_company(accounts=8, seed=5, months=9)
    other = make_demo_company(accounts=8, seed=6, months=9)

    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert not first["events"].equals(other["events"])


def test_ids_are_text_with_leading_zeros(small):
    accounts = small["accounts"]["account_id"]
    assert accounts.tolist()[:3] == ["0001", "0002", "0003"]
    assert small["contacts"]["contact_id"].iloc[0] == "C000001"
    assert small["apps"]["app_id"].iloc[0] == "APP00001"
    assert set(small["events"]["account_id"]) <= set(accounts)


def test_nothing_on_or_after_the_day_after_demo_end(default):
    last_day = pd.Timestamp(DEMO_END)
    for name, frame in default.items():
        for column, values in frame.items():
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                assert (values.dropna() < CUTOFF).all(), (name, column)
            elif pd.api.types.is_datetime64_dtype(values.dtype):
                if column != "renewal_date":
                    assert (values.dropna() <= last_day).all(), (name, column)


def test_largest_account_has_at_least_150_contacts(default):
    assert default["contacts"]["account_id"].value_counts().max() >= 150


def test_event_volume_is_in_the_target_range(default):
    assert 100_000 <= len(default["events"]) <= 300_000
    assert default["events"]["count"].min() >= 1


@pytest.mark.parametrize("fixture", ["small", "default"])
def test_guaranteed_cases_are_present(fixture, request):
    tables = request.getfixturevalue(fixture)
    kinds = set(tables["account_events"]["kind"])
    truth = tables["ground_truth"]

    assert {"churned", "reactivated", "renewed"} <= kinds
    assert tables["accounts"]["churned_at"].notna().any()
    assert truth["churned"].any() and not truth["churned"].all()
    assert truth["reactivated_at"].notna().sum() >= 1


def test_onboarding_account_has_no_live_app(default):
    onboarding = default["ground_truth"].query("onboarding")["account_id"]
    accounts = default["accounts"].set_index("account_id")
    apps = default["apps"]

    assert len(onboarding) >= 1
    kickoff = accounts.loc[onboarding, "kickoff_date"]
    assert (kickoff >= pd.Timestamp(DEMO_END) - pd.Timedelta(days=62)).all()
    mine = apps[apps["account_id"].isin(onboarding)]
    assert len(mine) >= 1 and mine["published_at"].isna().all()
    assert not default["app_usage"]["account_id"].isin(onboarding).any()


def test_non_usd_currencies_have_monthly_fx_rates(default):
    currencies = set(default["accounts"]["currency"]) - {"USD"}
    months = default["revenue"]["month"].drop_duplicates()
    fx = default["fx_rates"]

    assert currencies
    assert set(fx["currency"]) == currencies
    for currency in currencies:
        assert set(months) <= set(fx.loc[fx["currency"] == currency, "month"])


def test_no_revenue_after_churn_and_revenue_back_after_reactivation(default):
    accounts = default["accounts"].set_index("account_id")
    revenue = default["revenue"]
    churned = accounts["churned_at"].dropna()
    months = revenue["month"].groupby(revenue["account_id"]).max()
    assert (months.reindex(churned.index) < churned).all()

    back = default["account_events"].query("kind == 'reactivated'")
    for row in back.itertuples():
        assert (
            revenue.query("account_id == @row.account_id")["month"]
            >= row.date - pd.Timedelta(days=31)
        ).any()


def test_org_charts_are_trees_topped_by_the_exec(default):
    contacts = default["contacts"].set_index("contact_id")
    roots = contacts[contacts["manager_id"].isna()]

    assert (roots["role"] == "exec_sponsor").all()
    assert roots["account_id"].is_unique
    managers = contacts["manager_id"].dropna()
    assert managers.isin(contacts.index).all()
    same = contacts.loc[managers.index, "account_id"].to_numpy()
    assert (contacts.loc[managers, "account_id"].to_numpy() == same).all()


def test_some_champions_left(default):
    contacts = default["contacts"]
    champions = contacts[contacts["role"] == "champion"]
    assert champions["left_at"].notna().any()
    assert contacts["left_at"].notna().sum() > champions["left_at"].notna().sum()


def _signals(tables: dict, account: str) -> dict[str, set[str]]:
    """Contact ids active on each signal of one account."""
    contacts = tables["contacts"].query("account_id == @account")
    by_name = dict(zip(contacts["name"], contacts["contact_id"], strict=True))
    calls = tables["calls"].query("account_id == @account")["call_id"]
    turns = tables["call_turns"]
    speakers = turns[turns["call_id"].isin(calls) & (turns["side"] == "customer")]
    return {
        "tickets": set(
            tables["tickets"].query("account_id == @account")["requester_id"].dropna()
        ),
        "calls": {by_name[name] for name in speakers["speaker"]},
        "surveys": set(
            tables["surveys"].query("account_id == @account")["contact_id"].dropna()
        ),
        "apps": set(
            tables["apps"].query("account_id == @account")["owner_id"].dropna()
        ),
    }


def test_influencers_are_unmapped_and_busy_decoys_on_one_signal(default):
    truth = default["ground_truth"]
    roles = default["contacts"].set_index("contact_id")["role"]
    busy, decoy_counts = [], []
    for row in truth.itertuples():
        if not row.influencers and not row.decoys:
            continue
        signals = _signals(default, row.account_id)
        for person in row.influencers:
            assert roles[person] not in STAKEHOLDERS
            busy.append(sum(person in ids for ids in signals.values()))
        for person in row.decoys:
            assert roles[person] not in STAKEHOLDERS
            decoy_counts.append(sum(person in ids for ids in signals.values()))

    assert busy and sum(count >= 3 for count in busy) / len(busy) > 0.7
    assert decoy_counts and max(decoy_counts) <= 1


def test_ticket_text_and_tags(default):
    tickets = default["tickets"]
    assert tickets["subject"].notna().all() and tickets["description"].notna().all()
    assert tickets["tags"].map(lambda tags: "slow" in tags).any()
    assert tickets["solved_at"].isna().any()
    assert set(tickets["satisfaction"].dropna()) == {"good", "bad"}
    sides = set(default["ticket_comments"]["author_side"])
    assert sides == {"customer", "agent"}


def test_survey_scores_are_on_their_scales(default):
    surveys = default["surveys"]
    scales = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    for kind, (low, high) in scales.items():
        scores = surveys.loc[surveys["kind"] == kind, "score"]
        assert len(scores) > 0
        assert scores.between(low, high).all() and (scores % 1 == 0).all()
    assert surveys["comment"].isna().any() and surveys["comment"].notna().any()


def test_write_demo_company_round_trip(tmp_path):
    paths = write_demo_company(tmp_path / "demo", accounts=5, seed=2, months=8)

    assert [path.stem for path in paths] == [*TABLES, "ground_truth"]
    for path in paths[:-1]:
        raw = pd.read_csv(path, dtype=str)
        checked = validate_table(path.stem, raw, source=str(path))
        assert len(checked) == len(raw)
    accounts = pd.read_csv(tmp_path / "demo" / "accounts.csv", dtype=str)
    assert accounts["account_id"].iloc[0] == "0001"
    tickets = validate_table("tickets", pd.read_csv(paths[5], dtype=str))
    assert tickets["tags"].map(len).max() >= 1
    assert pd.read_csv(paths[2], dtype=str)["ts"].str.endswith("+00:00").all()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"accounts": 0}, r"accounts=0 is out of range"),
        ({"months": 3}, r"months=3 is out of range"),
        ({"seed": 1.5}, r"seed=1.5 is not a whole number"),
    ],
)
def test_invalid_options_are_rejected(options, message):
    with pytest.raises(InvalidInputError, match=message):
        make_demo_company(**options)
