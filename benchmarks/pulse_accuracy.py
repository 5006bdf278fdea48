"""Engagement Pulse accuracy and speed on public labelled text.

For each labelled set in the shared data folder, prints one figure for stock
VADER, for cskit's default Pulse (one frozen lexicon and neutral band for
every set) and for the supervised Pulse trained on the other half:

- airline-tweets-sentiment: 3-class macro-F1;
- nhs-fft-comments-neas: ROC-AUC for comments humans rated negative (4-5);
- nps-verbatims-telecom: Spearman correlation with the 0-10 score;
- uci-sentiment-sentences: accuracy (score >= 0 is positive);
- vader-groundtruth: Pearson correlation with the human mean.

Every set is split in two halves by a hash of the row's text (first byte of
its MD5 even: half 1). The lexicon, cleaning and thresholds were developed
on half 1 only; the report is on half 2 (``--half 2``, the default).
Texts that get no score (no text, not English) count as 0 for both scorers.
Then texts per second for stock VADER and for the Pulse with a cold cache,
on the unique texts of every set, cleaning included.

Usage: ``python benchmarks/pulse_accuracy.py [--data DIR] [--half 1|2]``;
the data folder defaults to ``$CSKIT_SHARED_DATA`` or ``../shared/data``
next to the repository root.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from cskit.pulse import PulseCache, PulseScorer, SupervisedPulse

ROOT = Path(__file__).resolve().parents[1]
STOCK_BAND = 0.05


def first_half(text: str) -> bool:
    """Return True when a row belongs to the development half."""
    return hashlib.md5(str(text).encode("utf-8")).digest()[0] % 2 == 0


def load_airline(folder: Path) -> pd.DataFrame:
    """Return text, label (negative/neutral/positive)."""
    frame = pd.read_csv(folder / "Tweets.csv")
    return pd.DataFrame({"text": frame["text"], "label": frame["airline_sentiment"]})


def load_nhs(folder: Path) -> pd.DataFrame:
    """Return text, label (True when humans rated the comment 4-5)."""
    frame = pd.read_csv(folder / "fft_v6framework_230831_NEAS.csv", dtype=str)
    sentiment = pd.to_numeric(frame["Comment sentiment"], errors="coerce")
    keep = sentiment.notna()
    return pd.DataFrame(
        {"text": frame.loc[keep, "FFT answer"], "label": sentiment[keep] >= 4}
    )


def load_nps(folder: Path) -> pd.DataFrame:
    """Return text, label (the 0-10 score)."""
    frame = pd.read_csv(folder / "nps_verbatims_2017-12_to_2018-03.csv")
    frame = frame[frame["NPS_SCORE"].notna()]
    return pd.DataFrame({"text": frame["text"], "label": frame["NPS_SCORE"]})


def load_uci(folder: Path) -> pd.DataFrame:
    """Return text, label (1 positive, 0 negative) of the three files."""
    parts = [
        pd.read_csv(
            folder / name,
            sep="\t",
            names=["text", "label"],
            quoting=csv.QUOTE_NONE,
        )
        for name in (
            "amazon_cells_labelled.txt",
            "yelp_labelled.txt",
            "imdb_labelled.txt",
        )
    ]
    return pd.concat(parts, ignore_index=True)


def load_vader(folder: Path) -> pd.DataFrame:
    """Return text, label (human mean -4..4) of tweets, movie and NYT files."""
    parts = [
        pd.read_csv(
            folder / name,
            sep="\t",
            names=["id", "label", "text"],
            quoting=csv.QUOTE_NONE,
            encoding="utf-8",
        )
        for name in (
            "tweets_GroundTruth.txt",
            "movieReviewSnippets_GroundTruth.txt",
            "nytEditorialSnippets_GroundTruth.txt",
        )
    ]
    return pd.concat(parts, ignore_index=True)[["text", "label"]]


def three_class(scores: np.ndarray, band: float) -> np.ndarray:
    """Label scores negative / neutral / positive with a neutral band."""
    return np.where(
        scores >= band, "positive", np.where(scores <= -band, "negative", "neutral")
    )


def airline_metric(scores, labels, band):
    return f1_score(labels, three_class(scores, band), average="macro")


def nhs_metric(scores, labels, band):
    return roc_auc_score(labels, -scores)


def nps_metric(scores, labels, band):
    return spearmanr(scores, labels).statistic


def uci_metric(scores, labels, band):
    return accuracy_score(labels, (scores >= 0).astype(int))


def vader_metric(scores, labels, band):
    return pearsonr(scores, labels).statistic


# name: (loader, metric, metric label, cleaning kind, supervised labels)
SETS = {
    "airline-tweets-sentiment": (load_airline, airline_metric, "macro-F1", "post"),
    "nhs-fft-comments-neas": (load_nhs, nhs_metric, "ROC-AUC neg", "survey"),
    "nps-verbatims-telecom": (load_nps, nps_metric, "Spearman", "survey"),
    "uci-sentiment-sentences": (load_uci, uci_metric, "accuracy", "post"),
    "vader-groundtruth": (load_vader, vader_metric, "Pearson r", "post"),
}


def supervised_labels(name: str, labels: pd.Series) -> pd.Series:
    """Return the training labels the supervised Pulse learns from."""
    if name == "nhs-fft-comments-neas":
        return labels.map({True: -1, False: 1})
    if name == "uci-sentiment-sentences":
        return labels * 2 - 1
    return labels


def stock_scores(texts: pd.Series) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(str(t))["compound"] for t in texts])


def pulse_scores(scorer, texts: pd.Series, kind: str) -> tuple[np.ndarray, int]:
    frame = scorer.score_many(texts, kind=kind)
    unscored = int((frame["status"] != "scored").sum())
    return frame["score"].fillna(0.0).to_numpy(), unscored


def evaluate(name: str, folder: Path, half: int, scorer: PulseScorer) -> dict:
    loader, metric, label, kind = SETS[name]
    data = loader(folder).dropna(subset=["text"])
    data = data[data["text"].astype(str).str.strip() != ""]
    in_first = data["text"].map(first_half)
    test = data[in_first == (half == 1)]
    train = data[in_first != (half == 1)]

    stock = metric(stock_scores(test["text"]), test["label"], STOCK_BAND)
    scores, unscored = pulse_scores(scorer, test["text"], kind)
    pulse = metric(scores, test["label"], scorer.neutral_band)

    supervised = SupervisedPulse(kind=kind, neutral_band=scorer.neutral_band)
    supervised.fit(train["text"], supervised_labels(name, train["label"]))
    learned, _ = pulse_scores(supervised, test["text"], kind)
    return {
        "set": name,
        "metric": label,
        "n": len(test),
        "stock_vader": stock,
        "pulse": pulse,
        "delta": pulse - stock,
        "supervised": metric(learned, test["label"], scorer.neutral_band),
        "pulse_unscored": unscored,
    }


def throughput(texts: list[str]) -> dict:
    """Texts per second of stock VADER and of the Pulse with a cold cache."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    stock = len(texts) / (time.perf_counter() - start)

    scorer = PulseScorer()
    start = time.perf_counter()
    scorer.score_many(texts, kind="ticket", cache=PulseCache())
    pulse = len(texts) / (time.perf_counter() - start)
    return {"texts": len(texts), "stock_vader": stock, "pulse": pulse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("CSKIT_SHARED_DATA", ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--half", type=int, choices=(1, 2), default=2)
    args = parser.parse_args()

    scorer = PulseScorer()
    rows, corpus = [], []
    for name, (loader, *_rest) in SETS.items():
        folder = args.data / name
        if not folder.is_dir():
            print(f"skipped {name}: {folder} is absent")
            continue
        rows.append(evaluate(name, folder, args.half, scorer))
        corpus.extend(loader(folder)["text"].dropna().astype(str))

    pd.set_option("display.width", 120)
    print(f"half {args.half} (1 = development, 2 = report)")
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    if corpus:
        speed = throughput(sorted(set(corpus)))
        print(
            f"\nthroughput on {speed['texts']} unique texts: stock VADER "
            f"{speed['stock_vader']:.0f}/s, Pulse cold cache {speed['pulse']:.0f}/s "
            f"({speed['pulse'] / speed['stock_vader']:.2f}x)"
        )


if __name__ == "__main__":
    main()
