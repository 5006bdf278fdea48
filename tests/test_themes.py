"""Tests of the feedback themes."""

from __future__ import annotations

import pandas as pd
import pytest

from cskit.exceptions import InvalidInputError, MissingColumnError, NotFittedError
from cskit.themes import NO_THEME, ThemeModel, fit_themes, theme_summary

_TOPICS = {
    "slow": [
        "The editor is slow and pages load slowly",
        "Dashboard load is slow every morning, pages lag",
        "Slow queries, pages take seconds to load",
    ],
    "invoice": [
        "Invoice shows the wrong seat count, please correct the invoice",
        "Duplicate charge on our invoice this month",
        "The invoice total does not match our seat count",
    ],
    "sso": [
        "SSO login fails for new users, login error",
        "Login with SSO broken after certificate rotation",
        "New hire cannot login, SSO error again",
    ],
}


def _corpus() -> pd.DataFrame:
    rows = []
    for i, (topic, texts) in enumerate(_TOPICS.items()):
        for j, text in enumerate(texts * 2):
            rows.append(
                {
                    "account_id": "A" if j % 2 else "B",
                    "source": "tickets",
                    "ts": pd.Timestamp("2024-05-01", tz="UTC")
                    - pd.Timedelta(days=10 * i + j * 20),
                    "text": text,
                    "score": -0.5 if topic != "invoice" else -0.2,
                    "topic": topic,
                }
            )
    return pd.DataFrame(rows)


def test_fit_themes_finds_labelled_topics():
    texts = _corpus()
    model = fit_themes(texts, n_themes=3, random_state=0)
    assert model.themes_["theme"].tolist() == [0, 1, 2]
    labels = " | ".join(model.themes_["label"])
    for word in ("slow", "invoice", "sso"):
        assert word in labels

    assigned = model.assign(texts)
    purity = assigned.groupby("topic")["theme"].nunique()
    assert purity.eq(1).all()
    assert assigned.groupby("theme")["topic"].nunique().eq(1).all()


def test_same_seed_same_themes():
    first = fit_themes(_corpus(), n_themes=3, random_state=3).themes_
    second = fit_themes(_corpus(), n_themes=3, random_state=3).themes_
    pd.testing.assert_frame_equal(first, second)


def test_text_without_known_terms_has_no_theme():
    model = fit_themes(_corpus(), n_themes=3)
    assigned = model.assign(pd.DataFrame({"text": ["zzz qqq", None]}))
    assert assigned["theme"].tolist() == [NO_THEME, NO_THEME]
    assert assigned["theme_label"].tolist() == ["(no theme)", "(no theme)"]


def test_theme_summary_counts_share_trend():
    texts = _corpus()
    assigned = fit_themes(texts, n_themes=3).assign(texts)
    as_of = pd.Timestamp("2024-05-02", tz="UTC")
    portfolio = theme_summary(assigned, as_of=as_of, window_days=45, by_account=False)

    current = assigned[assigned["ts"] >= as_of - pd.Timedelta(days=45)]
    prior = assigned[
        (assigned["ts"] < as_of - pd.Timedelta(days=45))
        & (assigned["ts"] >= as_of - pd.Timedelta(days=90))
    ]
    expected = current.groupby("theme").size()
    got = portfolio.set_index("theme")["count"]
    assert got.loc[expected.index].tolist() == expected.tolist()
    assert portfolio["share"].sum() == pytest.approx(1.0)
    trend = got - prior.groupby("theme").size().reindex(got.index, fill_value=0)
    assert portfolio.set_index("theme")["trend"].tolist() == trend.tolist()

    per_account = theme_summary(assigned, as_of=as_of, window_days=45)
    assert set(per_account["account_id"]) == {"A", "B"}
    assert per_account["count"].sum() == len(current)


def test_themes_errors():
    with pytest.raises(InvalidInputError, match="n_themes=0"):
        fit_themes(_corpus(), n_themes=0)
    with pytest.raises(MissingColumnError, match="'text' is missing"):
        fit_themes(pd.DataFrame({"body": ["a"]}))
    with pytest.raises(InvalidInputError, match="too few distinct words"):
        fit_themes(pd.DataFrame({"text": ["hello", None]}))
    with pytest.raises(NotFittedError, match="fit_themes"):
        ThemeModel(n_themes=2, random_state=0).assign(_corpus())
    with pytest.raises(MissingColumnError, match="'ts' is missing"):
        theme_summary(
            pd.DataFrame({"theme": [0], "theme_label": ["x"]}), as_of="2024-01-01"
        )


def test_demo_company_themes_are_labelled_and_stable():
    demo = pytest.importorskip("cskit.demo")
    from cskit.pulse import texts_from_tables

    texts = texts_from_tables(demo.make_demo_company(accounts=60, seed=7))
    first = fit_themes(texts, n_themes=8, random_state=0)
    second = fit_themes(texts, n_themes=8, random_state=0)
    pd.testing.assert_frame_equal(first.themes_, second.themes_)
    assert first.themes_["label"].str.len().gt(0).all()
    assert first.themes_["label"].nunique() == 8
    labels = " ".join(first.themes_["label"])
    assert any(word in labels for word in ("slow", "performance", "outages"))
    assigned = first.assign(texts)
    assert (assigned["theme"] != NO_THEME).mean() > 0.5
