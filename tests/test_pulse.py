"""Tests of the Engagement Pulse: cleaning, lexicon overlay, scoring, accounts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cskit.exceptions import (
    ConfigurationError,
    DataQualityWarning,
    InvalidInputError,
    MissingColumnError,
    NotFittedError,
)
from cskit.pulse import (
    PulseCache,
    PulseScorer,
    SupervisedPulse,
    account_pulse,
    clean_text,
    is_english,
    load_lexicon,
    portfolio_pulse,
    split_sentences,
    texts_from_tables,
)


@pytest.fixture(scope="module")
def scorer() -> PulseScorer:
    return PulseScorer()


@pytest.fixture(scope="module")
def stock():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


# ------------------------------------------------------------------ cleaning


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # quoted reply: "On ... wrote:" block
        (
            "The app crashed.\n\nOn Mon, Jan 5, 2024 at 10:00 AM Bob <b@x.com> "
            "wrote:\n> Great news, all fixed!",
            "The app crashed.",
        ),
        # "On ... wrote:" broken over two lines
        (
            "Still broken.\nOn Mon, Jan 5, 2024 at 10:00 AM Bob\n<b@x.com> wrote:\n"
            "Happy to help!",
            "Still broken.",
        ),
        # ">" lines
        ("> Glad it works now!\nIt does not work.", "It does not work."),
        # forwarded / original message header
        ("Slow again.\n-----Original Message-----\nLove it", "Slow again."),
        ("Slow again.\nFrom: Ann\nSent: Monday\nGreat job", "Slow again."),
        # signature after "--"
        ("Editor freezes.\n--\nAnna Weber\nHappy Corp", "Editor freezes."),
        # "Sent from my iPhone"
        ("Login fails.\nSent from my iPhone", "Login fails."),
        # greeting
        ("Hi team,\nThe export is broken.", "The export is broken."),
        ("Dear Support, the export is broken.", "the export is broken."),
        # sign-off block with name
        (
            "The export is broken.\n\nBest regards,\nAnna\nCTO | Acme",
            "The export is broken.",
        ),
        # bare name on the last line
        ("Confirmed fixed on our side.\nQuinn Dalton", "Confirmed fixed on our side."),
        # inline sign-off tail
        ("The app crashed again, thanks, best regards", "The app crashed again"),
        # auto-acknowledgement line
        ("We have received your request.\nIt is down.", "It is down."),
        # HTML with a quoted blockquote and entities
        (
            "<p>Pages load&nbsp;slowly</p><blockquote>Awesome!</blockquote>",
            "Pages load slowly",
        ),
        # links and e-mail addresses
        ("See https://x.io/a and mail a@b.com now", "See and mail now"),
    ],
)
def test_clean_text_rules(raw, expected):
    assert clean_text(raw, kind="ticket") == expected


def test_clean_text_keeps_short_thanks():
    assert clean_text("@united thanks!", kind="ticket") == "@united thanks!"


def test_clean_text_call_keeps_customer_turns():
    raw = "Agent: Great to see you!\nCustomer: The editor is slow.\nCSM: Awesome."
    assert clean_text(raw, kind="call") == "The editor is slow."


def test_clean_text_auto_reply_only_is_no_text():
    assert clean_text("This is an automated message.", kind="ticket") is None


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, pd.NA, "", "   ", "N/A", "-", "null", "None"]
)
def test_missing_and_placeholders_are_no_text(value, scorer):
    assert clean_text(value) is None
    result = scorer.score(value)
    assert result.status == "no_text"
    assert result.score is None


def test_clean_text_rejects_unknown_kind():
    with pytest.raises(InvalidInputError, match="kind='email'"):
        clean_text("x", kind="email")


def test_split_sentences():
    assert split_sentences("It crashed. Again!\nPlease help") == [
        "It crashed.",
        "Again!",
        "Please help",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The editor is slow since the release", True),
        ("ok", True),
        ("Der Editor ist seit dem Update sehr langsam und wir sind nicht froh", False),
        ("La aplicación no funciona y el soporte es muy lento", False),
        ("アプリがまたクラッシュしました", False),
    ],
)
def test_is_english(text, expected):
    assert is_english(text) is expected


def test_non_english_is_unscored(scorer):
    result = scorer.score("Le tableau de bord est très lent depuis la mise à jour")
    assert result.status == "unscored_language"
    assert result.score is None


# ------------------------------------------------------------------ lexicon


def test_issue_examples_against_stock_vader(scorer, stock):
    slow = "the editor is really slow since the last release"
    crash = "the app crashed again"
    killer = "this killer feature saved us weeks"
    assert stock.polarity_scores(slow)["compound"] == 0
    assert stock.polarity_scores(crash)["compound"] == 0
    assert stock.polarity_scores(killer)["compound"] < 0
    assert scorer.score(slow).score < 0
    assert scorer.score(crash).score < 0
    assert scorer.score(killer).score > 0


@pytest.mark.parametrize(
    ("sentence", "sign"),
    [
        # outage and latency words
        ("We had an outage this morning", -1),
        ("The platform is down again", -1),
        ("Queries are sluggish", -1),
        ("Still waiting for an answer", -1),
        ("The request timed out", -1),
        # crash and bug words
        ("The builder crashes when we publish", -1),
        ("Another bug in the table component", -1),
        ("The export is not working", -1),
        # blocker and escalation words
        ("This is a blocker for our launch", -1),
        ("We will escalate this to our VP", -1),
        # churn and cancellation intent
        ("We are evaluating alternatives", -1),
        ("We will not renew next year", -1),
        ("Please process the cancellation", -1),
        # positive product idioms
        ("This killer feature saved us weeks", 1),
        ("Workflows are a game changer", 1),
        ("It works like a charm", 1),
        ("Your agent went above and beyond", 1),
        # politeness neutral in a support context
        ("Please send the invoice", 0),
        ("Can you help with the export", 0),
        ("I would like to add a user", 0),
        # emoji, with variation selector and skin tone
        ("👍", 1),
        ("👍🏽", 1),
        ("❤️", 1),
        ("😡", -1),
    ],
)
def test_lexicon_overlay_sign(sentence, sign, scorer):
    score = scorer.score(sentence, kind="survey").score
    assert np.sign(round(score, 3)) == sign


def test_negation_and_intensity(scorer):
    assert scorer.score("not a killer feature").score < 0
    assert scorer.score("The editor is not slow").score > 0
    slow = scorer.score("The editor is slow").score
    assert scorer.score("The editor is really slow").score < slow


def test_extra_lexicon_extends_and_overrides():
    plain = PulseScorer()
    custom = PulseScorer(extra_lexicon={"flaky": -2.0, "sso dance": -1.5, "slow": 0.5})
    assert plain.score("The connector is flaky").score == 0
    assert custom.score("The connector is flaky").score < 0
    assert custom.score("the sso dance again").score < 0
    assert custom.score("it is slow").score > 0


def test_extra_lexicon_in_sections():
    custom = PulseScorer(extra_lexicon={"neutral": ["crashed"], "emoji": {"🐢": -1.5}})
    assert custom.score("It crashed").score == 0
    assert custom.score("🐢").score < 0


def test_bad_lexicon_valence_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="words.slow has valence 'very'"):
        load_lexicon(extra={"words": {"slow": "very"}})
    with pytest.raises(ConfigurationError, match="unknown section"):
        load_lexicon(extra={"words": {}, "colours": {}})


def test_neutral_band_is_checked():
    with pytest.raises(InvalidInputError, match="neutral_band=2"):
        PulseScorer(neutral_band=2)


# ------------------------------------------------------------------ aggregation


TRANSCRIPT = (
    "The editor is slow since the release. We had two outages this month. "
    "Support was great though. The team is frustrated."
)


def test_doubled_transcript_keeps_its_score(scorer):
    once = scorer.score(TRANSCRIPT, kind="call").score
    twice = scorer.score(TRANSCRIPT + "\n" + TRANSCRIPT, kind="call").score
    assert twice == pytest.approx(once)


def test_long_transcript_does_not_drift(scorer):
    line = "The editor is slow. "
    two = scorer.score(line * 2, kind="call").score
    many = scorer.score(line * 40, kind="call").score
    assert many == pytest.approx(two)
    assert many > -0.9


def test_score_many_frame_and_labels(scorer):
    frame = scorer.score_many(
        pd.Series(["It crashed", "Love it", None, "ok"], index=[5, 6, 7, 8])
    )
    assert list(frame.index) == [5, 6, 7, 8]
    assert frame["status"].tolist() == ["scored", "scored", "no_text", "scored"]
    assert frame["label"].tolist()[:2] == ["negative", "positive"]
    assert math.isnan(frame.loc[7, "score"])


def test_score_many_warns_when_nothing_scored(scorer):
    with pytest.warns(DataQualityWarning, match="none of the 2 texts"):
        scorer.score_many([None, "N/A"])


def test_cache_round_trip_and_hits(scorer):
    cache = PulseCache()
    first = scorer.score_many(["It crashed", "Love it", "It crashed"], cache=cache)
    assert len(cache) == 2
    assert cache.hits == 1

    restored = PulseCache.from_frame(cache.to_frame())
    again = scorer.score_many(["It crashed", "Love it"], cache=restored)
    assert restored.hits == 2
    assert again["score"].tolist() == first["score"].tolist()[:2]


def test_cache_key_depends_on_lexicon():
    cache = PulseCache()
    PulseScorer().score_many(["flaky connector"], cache=cache)
    custom = PulseScorer(extra_lexicon={"flaky": -2.0})
    assert custom.score_many(["flaky connector"], cache=cache)["score"].iloc[0] < 0
    assert len(cache) == 2


def test_cache_from_frame_missing_column():
    with pytest.raises(MissingColumnError, match="'sentences' is missing"):
        PulseCache.from_frame(pd.DataFrame({"key": ["a"], "score": [0.1]}))


# ------------------------------------------------------------------ supervised


def test_supervised_pulse_fit_and_score():
    texts = [
        "works great",
        "love it",
        "great support",
        "it crashed",
        "so slow",
        "awful",
    ]
    labels = ["positive", "positive", "positive", "negative", "negative", "negative"]
    model = SupervisedPulse().fit(texts * 2, labels * 2)
    frame = model.score_many(["it crashed again", "great, love it", None])
    assert frame["score"].iloc[0] < 0 < frame["score"].iloc[1]
    assert frame["status"].tolist() == ["scored", "scored", "no_text"]


def test_supervised_pulse_numeric_labels():
    texts = ["works great", "love it", "it crashed", "so slow"] * 3
    model = SupervisedPulse().fit(texts, [10, 9, 0, 1] * 3)
    assert model.score("love it").score > 0 > model.score("so slow").score


def test_supervised_pulse_errors():
    with pytest.raises(NotFittedError, match="call fit"):
        SupervisedPulse().score("hello there")
    with pytest.raises(InvalidInputError, match="label 'meh'"):
        SupervisedPulse().fit(["a b"], ["meh"])
    with pytest.raises(InvalidInputError, match="2 texts and 1 labels"):
        SupervisedPulse().fit(["a", "b"], ["positive"])
    with pytest.raises(InvalidInputError, match="single value"):
        SupervisedPulse().fit(["good", "fine"], ["positive", "positive"])


# ------------------------------------------------------------------ tables


def _tables() -> dict[str, pd.DataFrame]:
    utc = "datetime64[us, UTC]"
    return {
        "tickets": pd.DataFrame(
            {
                "ticket_id": ["T1"],
                "account_id": ["001"],
                "created_at": pd.Series(["2024-05-01"], dtype=utc),
                "subject": ["Editor slow"],
                "description": ["Pages take 20 s."],
            }
        ),
        "ticket_comments": pd.DataFrame(
            {
                "ticket_id": ["T1", "T1"],
                "created_at": pd.Series(["2024-05-02", "2024-05-03"], dtype=utc),
                "author_side": ["agent", "customer"],
                "body": ["We are on it", "Still slow"],
            }
        ),
        "surveys": pd.DataFrame(
            {
                "response_id": ["R1"],
                "account_id": ["001"],
                "submitted_at": pd.Series(["2024-05-04"], dtype=utc),
                "comment": ["Love it"],
            }
        ),
        "calls": pd.DataFrame(
            {
                "call_id": ["C1"],
                "account_id": ["002"],
                "started_at": pd.Series(["2024-05-05"], dtype=utc),
            }
        ),
        "call_turns": pd.DataFrame(
            {
                "call_id": ["C1", "C1", "C1"],
                "seq": [2, 1, 3],
                "side": ["customer", "vendor", "customer"],
                "text": ["Second", "Vendor talk", "Third"],
            }
        ),
    }


def test_texts_from_tables():
    texts = texts_from_tables(_tables())
    assert texts.columns.tolist() == ["account_id", "source", "ts", "text", "ref"]
    assert texts["text"].tolist() == [
        "Editor slow\nPages take 20 s.",
        "Still slow",
        "Love it",
        "Second\nThird",
    ]
    assert texts["source"].tolist() == ["tickets", "tickets", "surveys", "calls"]
    assert str(texts["ts"].dtype) == "datetime64[us, UTC]"


def test_texts_from_tables_absent_and_missing():
    assert texts_from_tables({}).empty
    tables = {"surveys": pd.DataFrame({"response_id": ["R1"], "account_id": ["1"]})}
    with pytest.raises(
        MissingColumnError, match="'submitted_at' is missing from surveys"
    ):
        texts_from_tables(tables)


def _scored(days_ago, scores, sources=None, status=None, account="A"):
    as_of = pd.Timestamp("2024-06-01", tz="UTC")
    n = len(scores)
    return pd.DataFrame(
        {
            "account_id": [account] * n,
            "source": sources or ["tickets"] * n,
            "ts": [as_of - pd.Timedelta(days=d) for d in days_ago],
            "score": scores,
            "status": status or ["scored"] * n,
            "cleaned": [f"text {i}" for i in range(n)],
            "ref": [f"R{i}" for i in range(n)],
        }
    )


def test_account_pulse_decay_and_confidence():
    # weights w (age 1 day) and w / 2 (age 31 days), w = 0.5 ** (1 / 30):
    # (w * 0.6 - w / 2 * 0.6) / (1.5 w) = 0.2
    texts = _scored([1, 31], [0.6, -0.6])
    result = account_pulse(texts, as_of="2024-06-01", half_life_days=30)
    weight = 1.5 * 0.5 ** (1 / 30)
    assert result.status == "ok"
    assert result.pulse == pytest.approx(0.2)
    assert result.confidence == pytest.approx(weight / (weight + 5))


def test_account_pulse_confidence_grows_with_volume():
    few = account_pulse(_scored([1] * 2, [0.5] * 2), as_of="2024-06-01")
    many = account_pulse(_scored([1] * 20, [0.5] * 20), as_of="2024-06-01")
    assert few.pulse == pytest.approx(many.pulse)
    assert many.confidence > few.confidence


def test_account_pulse_window_trend_counts_evidence():
    texts = _scored(
        [0, 5, 10, 100, 1],
        [-0.8, 0.5, np.nan, 0.4, np.nan],
        sources=["tickets", "surveys", "surveys", "calls", "calls"],
        status=["scored", "scored", "no_text", "scored", "unscored_language"],
    )
    texts.loc[0, "ts"] = pd.Timestamp("2024-06-01", tz="UTC")  # as-of day: invisible
    result = account_pulse(texts, as_of="2024-06-01", window_days=90)
    assert result.pulse == pytest.approx(0.5)
    assert result.trend == pytest.approx(0.5 - 0.4)
    assert result.counts == {
        "scored": 1,
        "no_text": 1,
        "unscored_language": 1,
        "total": 3,
    }
    by_source = result.by_source.set_index("source")
    assert by_source.loc["tickets", "status"] == "not_available"
    assert by_source.loc["surveys", "pulse"] == pytest.approx(0.5)
    assert result.evidence["polarity"].tolist() == ["positive"]


def test_account_pulse_not_available_reasons():
    none = account_pulse(_scored([200], [0.1]), as_of="2024-06-01")
    assert none.status == "not_available"
    assert "no ticket, survey or call text" in none.reason
    assert math.isnan(none.pulse)
    unscored = account_pulse(
        _scored([1], [np.nan], status=["unscored_language"]), as_of="2024-06-01"
    )
    assert "1 not in English" in unscored.reason


def test_account_pulse_errors():
    with pytest.raises(MissingColumnError, match="'score' is missing"):
        account_pulse(_scored([1], [0.1]).drop(columns="score"), as_of="2024-06-01")
    with pytest.raises(InvalidInputError, match="half_life_days=0"):
        account_pulse(_scored([1], [0.1]), as_of="2024-06-01", half_life_days=0)


def test_portfolio_pulse_one_row_per_account():
    texts = pd.concat(
        [_scored([1, 2], [0.5, 0.3]), _scored([3], [-0.4], account="B")],
        ignore_index=True,
    )
    table = portfolio_pulse(texts, as_of="2024-06-01", accounts=["A", "B", "C"])
    assert table["account_id"].tolist() == ["A", "B", "C"]
    assert table["pulse_status"].tolist() == ["ok", "ok", "not_available"]
    assert table.loc[1, "pulse"] == pytest.approx(-0.4)
    assert table.loc[2, "texts_total"] == 0


def test_score_frame_end_to_end(scorer):
    scored = scorer.score_frame(texts_from_tables(_tables()))
    assert scored["status"].eq("scored").all()
    result = account_pulse(scored, as_of="2024-06-01", account_id="001")
    assert result.counts["scored"] == 3
    assert result.evidence["snippet"].iloc[0].startswith(("Editor", "Still"))
