"""The supervised path of the Pulse.

Private helpers of :mod:`cskit.pulse`: :class:`SupervisedPulse`, TF-IDF of
words and word pairs with a logistic or ridge regression that a team trains
on its own labelled texts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from cskit._pulse_clean import _is_missing, clean_text, split_sentences
from cskit._pulse_lexicon import _fingerprint
from cskit._pulse_scoring import _ScorerBase
from cskit.exceptions import InvalidInputError, NotFittedError

__all__: list[str] = []

# Records keep the name of the public module, as before the split.
logger = logging.getLogger("cskit.pulse")


class SupervisedPulse(_ScorerBase):
    """A Pulse scorer a team trains on its own labelled texts.

    TF-IDF of words and word pairs with a logistic regression (labels are
    classes) or a ridge regression (numeric labels with more than
    ``max_classes`` values). The score is the expected label, rescaled to
    -1..1. Cleaning, language check, cache and outputs are those of
    :class:`PulseScorer`.

    Parameters
    ----------
    kind : str
        Cleaning kind of the training texts (see :func:`clean_text`).
    neutral_band : float
        Scores within ``(-neutral_band, neutral_band)`` are labelled neutral.
    C : float
        Inverse regularisation strength of the linear model.
    max_classes : int
        Numeric labels with more distinct values are regressed.
    random_state : int
        Seed of the solver.

    Examples
    --------
    >>> model = SupervisedPulse().fit(
    ...     ["works great", "love it", "it crashed", "so slow"],
    ...     ["positive", "positive", "negative", "negative"],
    ... )
    >>> model.score("it crashed again").score < 0
    True
    """

    _CLASS_VALUES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}

    def __init__(
        self,
        *,
        kind: str = "ticket",
        neutral_band: float = 0.05,
        C: float = 4.0,
        max_classes: int = 11,
        random_state: int = 0,
    ):
        self.kind = kind
        self.neutral_band = neutral_band
        self.C = C
        self.max_classes = max_classes
        self.random_state = random_state

    def fit(self, texts: Iterable[Any], labels: Iterable[Any]) -> SupervisedPulse:
        """Train on texts and their labels; return self.

        Parameters
        ----------
        texts : iterable of str
            Raw texts; those with no text are left out.
        labels : iterable
            ``negative``/``neutral``/``positive``, or numbers (higher is
            more positive: -1..1, 1..5, 0..10, ...).

        Raises
        ------
        InvalidInputError
            If lengths differ, a text label is unknown or fewer than two
            classes remain.
        """
        texts, values = self._training_pairs(texts, labels)
        low, high = float(values.min()), float(values.max())
        if high == low:
            raise InvalidInputError(
                f"labels hold a single value ({low}); SupervisedPulse needs at "
                "least two classes. Add negative and positive examples."
            )
        self.scale_ = (low, high)
        self.vectorizer_ = self._vectorizer(min_df=2 if len(texts) >= 50 else 1)
        self.vectorizer_.fit(texts)
        features = self.vectorizer_.transform(texts)
        self.model_ = self._model(values).fit(features, values)
        self.fingerprint_ = _fingerprint({}, "supervised", low, high, id(self.model_))
        logger.info("SupervisedPulse trained on %d texts", len(texts))
        return self

    def _training_pairs(self, texts, labels) -> tuple[list[str], np.ndarray]:
        texts, labels = list(texts), list(labels)
        if len(texts) != len(labels):
            raise InvalidInputError(
                f"fit got {len(texts)} texts and {len(labels)} labels; pass one "
                "label per text."
            )
        pairs = [
            (clean_text(text, kind=self.kind), self._label_value(label))
            for text, label in zip(texts, labels, strict=True)
        ]
        pairs = [(text, value) for text, value in pairs if text and value == value]
        return [text for text, _ in pairs], np.array([v for _, v in pairs], dtype=float)

    def _label_value(self, label: Any) -> float:
        if isinstance(label, str):
            if label.lower() not in self._CLASS_VALUES:
                raise InvalidInputError(
                    f"label {label!r} is not one of {list(self._CLASS_VALUES)}; "
                    "pass those words or numbers (higher = more positive)."
                )
            return self._CLASS_VALUES[label.lower()]
        return float("nan") if _is_missing(label) else float(label)

    def _vectorizer(self, *, min_df: int):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=min_df,
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w[\w']*\b",
        )

    def _model(self, values: np.ndarray):
        from sklearn.linear_model import LogisticRegression, Ridge

        if len(np.unique(values)) > self.max_classes:
            return Ridge(alpha=1.0 / self.C)
        return LogisticRegression(
            C=self.C, max_iter=2000, random_state=self.random_state
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "this SupervisedPulse is not trained yet; call "
                "fit(texts, labels) before scoring."
            )

    def _fingerprint(self) -> str:
        self._check_fitted()
        return self.fingerprint_

    def _score_cleaned(self, cleaned: str) -> tuple[float, int]:
        self._check_fitted()
        features = self.vectorizer_.transform([cleaned])
        if hasattr(self.model_, "predict_proba"):
            expected = float(
                self.model_.predict_proba(features)[0] @ self.model_.classes_
            )
        else:
            expected = float(self.model_.predict(features)[0])
        low, high = self.scale_
        value = 2 * (expected - low) / (high - low) - 1
        return float(min(1.0, max(-1.0, value))), len(split_sentences(cleaned))
