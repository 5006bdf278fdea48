"""Feedback themes: what customers write about, for the QBR.

Ticket, survey and call texts (the output of
:func:`cskit.pulse.texts_from_tables`, cleaned and scored or not) are
grouped into themes with TF-IDF and non-negative matrix factorisation
(NMF). Each theme is labelled with its top terms, and
:func:`theme_summary` gives counts, mean Pulse and trend per theme, per
account or for the portfolio: the QBR's "feedback themes and product
inputs". The same texts and seed give the same themes.

Limitations
-----------
Themes are unsupervised: their labels are top terms, not curated names, and
a text belongs to the one theme with the largest weight. A text with no
known term gets theme ``-1`` (no theme).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cskit.exceptions import InvalidInputError, MissingColumnError, NotFittedError
from cskit.pulse import clean_text

__all__ = ["NO_THEME", "ThemeModel", "fit_themes", "theme_summary"]

logger = logging.getLogger(__name__)

NO_THEME = -1
_LARGE_CORPUS = 200
_KIND_OF_SOURCE = {"tickets": "ticket", "surveys": "survey", "calls": "call"}
# Words common to every support conversation that name no topic.
_SUPPORT_STOP_WORDS = frozenset(
    "hi hello thanks thank please team support help regards best like just "
    "know let need want use using used does did don doesn didn ve ll "
    "today yesterday week weeks month time times really also thing things "
    "way lot bit sure ok okay yes yeah hey get got make made able "
    "could would should can will one two us we our you your".split()
)


def _texts_of(texts: pd.DataFrame, text_col: str, source_col: str) -> list[str]:
    if text_col not in texts.columns:
        raise MissingColumnError(text_col, frame="texts", found=list(texts.columns))
    if "cleaned" in texts.columns:
        cleaned = texts["cleaned"]
        return ["" if pd.isna(value) else str(value) for value in cleaned]

    sources = texts[source_col] if source_col in texts.columns else None
    out = []
    for i, value in enumerate(texts[text_col]):
        source = None if sources is None else sources.iloc[i]
        kind = _KIND_OF_SOURCE.get(str(source), "ticket")
        out.append(clean_text(value, kind=kind) or "")
    return out


@dataclass
class ThemeModel:
    """Feedback themes learned by :func:`fit_themes`.

    Attributes
    ----------
    n_themes : int
        Number of themes asked for.
    random_state : int
        Seed of the factorisation.
    themes_ : pandas.DataFrame
        One row per theme: ``theme`` (int), ``label`` (str, top terms joined
        by " / "), ``top_terms`` (list of str).
    """

    n_themes: int
    random_state: int
    min_weight: float = 1e-9
    text_col: str = "text"
    source_col: str = "source"

    def fit(self, texts: pd.DataFrame) -> ThemeModel:
        """Learn the themes of ``texts``; return self (see :func:`fit_themes`)."""
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        documents = _texts_of(texts, self.text_col, self.source_col)
        stop_words = sorted(ENGLISH_STOP_WORDS | _SUPPORT_STOP_WORDS)
        self.vectorizer_ = TfidfVectorizer(
            stop_words=stop_words,
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
            ngram_range=(1, 1),
            sublinear_tf=True,
        )
        matrix = self._fit_vectorizer(documents)
        n_components = min(self.n_themes, matrix.shape[0], matrix.shape[1])
        self.nmf_ = NMF(
            n_components=n_components,
            init="nndsvda",
            random_state=self.random_state,
            max_iter=400,
        ).fit(matrix)
        self.themes_ = self._label_themes()
        logger.info("fitted %d themes on %d texts", n_components, len(documents))
        return self

    def _fit_vectorizer(self, documents: list[str]):
        non_empty = [doc for doc in documents if doc.strip()]
        # Small corpora keep terms shared by half the texts; large ones only
        # rarer terms, so template phrases repeated everywhere do not win.
        min_df, max_df = (3, 0.1) if len(non_empty) >= _LARGE_CORPUS else (2, 0.5)
        self.vectorizer_.set_params(min_df=min_df, max_df=max_df)
        try:
            return self.vectorizer_.fit_transform(non_empty)
        except ValueError as error:
            raise InvalidInputError(
                f"texts hold too few distinct words to find themes ({len(non_empty)} "
                "non-empty texts); pass more texts or a smaller n_themes."
            ) from error

    def _label_themes(self, n_terms: int = 5) -> pd.DataFrame:
        terms = np.asarray(self.vectorizer_.get_feature_names_out())
        rows = []
        for theme, weights in enumerate(self.nmf_.components_):
            top = [
                str(term)
                for term in terms[np.argsort(-weights, kind="stable")][:n_terms]
            ]
            rows.append(
                {"theme": theme, "label": " / ".join(top[:3]), "top_terms": top}
            )
        return pd.DataFrame(rows)

    def assign(self, texts: pd.DataFrame) -> pd.DataFrame:
        """Return ``texts`` with ``theme`` (int, -1 = none) and ``theme_label``.

        Parameters
        ----------
        texts : pandas.DataFrame
            Texts as given to :func:`fit_themes`.

        Raises
        ------
        NotFittedError
            If the model was not fitted.
        """
        if not hasattr(self, "nmf_"):
            raise NotFittedError(
                "this ThemeModel is not fitted; build it with fit_themes(texts)."
            )
        documents = _texts_of(texts, self.text_col, self.source_col)
        weights = self.nmf_.transform(self.vectorizer_.transform(documents))
        best = weights.argmax(axis=1)
        theme = np.where(weights.max(axis=1) >= self.min_weight, best, NO_THEME)

        labels = dict(zip(self.themes_["theme"], self.themes_["label"], strict=True))
        labels[NO_THEME] = "(no theme)"
        assigned = texts.copy()
        assigned["theme"] = pd.Series(theme, index=texts.index, dtype="Int64")
        assigned["theme_label"] = pd.Series(
            [labels[int(t)] for t in theme], index=texts.index, dtype="str"
        )
        return assigned


def fit_themes(
    texts: pd.DataFrame,
    *,
    n_themes: int = 8,
    random_state: int = 0,
    text_col: str = "text",
    source_col: str = "source",
) -> ThemeModel:
    """Find feedback themes in ticket, survey and call texts.

    Parameters
    ----------
    texts : pandas.DataFrame
        Needs ``text_col`` (str); ``source_col`` (tickets, surveys, calls)
        picks the cleaning; a ``cleaned`` column (from
        :meth:`cskit.pulse.PulseScorer.score_frame`) is used as it is.
    n_themes : int
        Number of themes (fewer when the texts hold fewer distinct terms).
    random_state : int
        Seed; the same texts and seed give the same themes.
    text_col, source_col : str
        Column names.

    Returns
    -------
    ThemeModel
        Fitted; ``themes_`` lists the themes and their labels.

    Raises
    ------
    MissingColumnError
        If ``text_col`` is missing.
    InvalidInputError
        If ``n_themes`` is below 1 or the texts are too few.

    Examples
    --------
    >>> texts = pd.DataFrame({"text": ["slow editor", "editor is slow",
    ...     "invoice wrong", "wrong invoice total"], "source": "tickets"})
    >>> fit_themes(texts, n_themes=2).themes_["theme"].tolist()
    [0, 1]
    """
    if not isinstance(n_themes, int) or n_themes < 1:
        raise InvalidInputError(
            f"n_themes={n_themes!r} is not a positive integer; pass e.g. n_themes=8."
        )
    model = ThemeModel(
        n_themes=n_themes,
        random_state=random_state,
        text_col=text_col,
        source_col=source_col,
    )
    return model.fit(texts)


def _window_counts(frame: pd.DataFrame, keys: list[str], name: str) -> pd.DataFrame:
    grouped = frame.groupby(keys, dropna=False)
    out = grouped.size().rename(f"{name}_count").to_frame()
    if "score" in frame.columns:
        out[f"{name}_pulse"] = grouped["score"].mean()
    return out


def theme_summary(
    assigned: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int = 90,
    by_account: bool = True,
    sources: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Count themes in the window and compare with the prior window.

    Parameters
    ----------
    assigned : pandas.DataFrame
        Output of :meth:`ThemeModel.assign`: ``theme`` (Int64),
        ``theme_label`` (str), ``ts`` (datetime64 UTC); ``account_id`` when
        ``by_account``; ``score`` (float) for the mean Pulse.
    as_of : date-like
        Texts at or after it are invisible; the window is
        ``[as_of - window_days, as_of)``, the prior window the one before.
    window_days : int
        Window length in days.
    by_account : bool
        One row per account and theme (True) or per theme for the portfolio.
    sources : iterable of str, optional
        Keep only these sources (``source`` column).

    Returns
    -------
    pandas.DataFrame
        ``[account_id,] theme, theme_label, count, share, pulse, prior_count,
        trend`` (count minus prior count), sorted by count, largest first.

    Raises
    ------
    MissingColumnError
        If a needed column is missing.
    """
    needed = ["theme", "theme_label", "ts"] + (["account_id"] if by_account else [])
    for column in needed:
        if column not in assigned.columns:
            raise MissingColumnError(
                column, frame="assigned", found=list(assigned.columns)
            )

    frame = assigned.assign(ts=pd.to_datetime(assigned["ts"], utc=True))
    if sources is not None:
        frame = frame[frame["source"].isin(list(sources))]
    end = pd.Timestamp(as_of)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    window = pd.Timedelta(days=window_days)
    current = frame[(frame["ts"] >= end - window) & (frame["ts"] < end)]
    prior = frame[(frame["ts"] >= end - 2 * window) & (frame["ts"] < end - window)]

    keys = (["account_id"] if by_account else []) + ["theme", "theme_label"]
    summary = _window_counts(current, keys, "now").join(
        _window_counts(prior, keys, "prior"), how="outer"
    )
    return _finish_summary(summary.reset_index(), keys)


def _finish_summary(summary: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    summary["count"] = summary["now_count"].fillna(0).astype("Int64")
    summary["prior_count"] = summary["prior_count"].fillna(0).astype("Int64")
    group = ["account_id"] if "account_id" in keys else []
    totals = (
        summary.groupby(group)["count"].transform("sum")
        if group
        else pd.Series(summary["count"].sum(), index=summary.index)
    )
    summary["share"] = (summary["count"] / totals.where(totals > 0)).astype("float64")
    summary["pulse"] = summary.get("now_pulse", pd.Series(np.nan, index=summary.index))
    summary["trend"] = (summary["count"] - summary["prior_count"]).astype("Int64")

    columns = [*keys, "count", "share", "pulse", "prior_count", "trend"]
    order = [*group, "count", "theme"]
    ascending = [True] * len(group) + [False, True]
    return summary[columns].sort_values(order, ascending=ascending, ignore_index=True)
