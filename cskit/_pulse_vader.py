"""The lexicon scorer of the Pulse: VADER plus the overlay.

Private helpers of :mod:`cskit.pulse`: :class:`PulseScorer`, a faster VADER
pass with its negation rule, the lexicon phrases, and the strength-weighted
average of sentence scores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cskit._pulse_clean import _PHRASE_SPLIT, _PUNCTUATION, split_sentences
from cskit._pulse_lexicon import _IGNORED_MARKS, _fingerprint, load_lexicon
from cskit._pulse_scoring import _ScorerBase
from cskit.exceptions import InvalidInputError

__all__: list[str] = []


_VADER_ALPHA = 15.0
_N_SCALAR = -0.74
_NEGATORS: frozenset[str] = frozenset()
_MAX_COMPOUND = 0.9999
_REINFORCING_SENTENCES = 2


def _make_vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, SentiText

    class _Vader(SentimentIntensityAnalyzer):
        """VADER without its per-character emoji loop (done by translate)."""

        def compound(self, text: str) -> float:
            if not any(
                token in self.lexicon or token.strip(_PUNCTUATION) in self.lexicon
                for token in text.lower().split()
            ):
                return 0.0
            sentitext = SentiText(text)
            sentiments: list[float] = []
            words = sentitext.words_and_emoticons
            for i, item in enumerate(words):
                lowered = item.lower()
                if lowered in _BOOSTERS or (
                    lowered == "kind"
                    and i < len(words) - 1
                    and words[i + 1].lower() == "of"
                ):
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._but_check(words, sentiments)
            return self.score_valence(sentiments, text)["compound"]

        def _negation_check(self, valence, words, start_i, i):
            # VADER's rule, with the lower-cased words computed once a sentence.
            if words is not self._words_seen:
                self._words_seen = words
                self._words_lower = [str(word).lower() for word in words]
            return _vader_negation(valence, self._words_lower, start_i, i)

    from vaderSentiment.vaderSentiment import BOOSTER_DICT as _BOOSTERS

    global _NEGATORS
    from vaderSentiment.vaderSentiment import NEGATE

    _NEGATORS = frozenset(NEGATE)
    vader = _Vader()
    vader._words_seen = None
    return vader


def _is_negator(word: str) -> bool:
    return word in _NEGATORS or "n't" in word


def _vader_negation(valence: float, lower: list[str], start_i: int, i: int) -> float:
    """Apply VADER's negation rule (``_negation_check``) to one lexicon word."""
    before = lower[i - (start_i + 1)]
    if start_i == 0:
        return valence * _N_SCALAR if _is_negator(before) else valence
    if start_i == 1:
        if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
            return valence * 1.25
        if lower[i - 2] == "without" and lower[i - 1] == "doubt":
            return valence
        return valence * _N_SCALAR if _is_negator(before) else valence
    if start_i == 2:
        if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[
            i - 1
        ] in ("so", "this"):
            return valence * 1.25
        if lower[i - 3] == "without" and "doubt" in (lower[i - 2], lower[i - 1]):
            return valence
        return valence * _N_SCALAR if _is_negator(before) else valence
    return valence


class PulseScorer(_ScorerBase):
    """Score texts with VADER and the customer-success lexicon overlay.

    Parameters
    ----------
    lexicon_path : str, optional
        The overlay file; default the packaged ``cs_lexicon.yaml``.
    extra_lexicon : mapping, optional
        Overrides from ``params`` (see :func:`load_lexicon`).
    neutral_band : float
        Scores within ``(-neutral_band, neutral_band)`` are labelled neutral.

    Examples
    --------
    >>> scorer = PulseScorer()
    >>> scorer.score("The editor is really slow since the last release").score < 0
    True
    >>> scorer.score("This killer feature saved us weeks").score > 0
    True
    """

    def __init__(
        self,
        *,
        lexicon_path: str | None = None,
        extra_lexicon: Mapping[str, Any] | None = None,
        neutral_band: float = 0.05,
    ):
        if not 0 <= neutral_band < 1:
            raise InvalidInputError(
                f"neutral_band={neutral_band!r} is outside [0, 1); pass a small "
                "positive number such as 0.05."
            )
        self.lexicon_path = lexicon_path
        self.extra_lexicon = extra_lexicon
        self.neutral_band = neutral_band
        self.lexicon_ = load_lexicon(lexicon_path, extra=extra_lexicon)
        self._vader = _make_vader()
        self._apply_overlay(self.lexicon_)
        self._key = _fingerprint(
            self.lexicon_, "vader-3.3.2", "capped-sum", _REINFORCING_SENTENCES
        )

    def _apply_overlay(self, lexicon: Mapping[str, Any]) -> None:
        vader_lexicon = self._vader.lexicon
        vader_lexicon.update(lexicon["words"])
        for word in lexicon["neutral"]:
            vader_lexicon.pop(word, None)

        self._phrase_tokens = {}
        for phrase, valence in lexicon["phrases"].items():
            token = "_".join(phrase.split())
            self._phrase_tokens[" ".join(phrase.split())] = token
            if valence:
                vader_lexicon[token] = valence
        self._phrases = _phrase_pattern(self._phrase_tokens)
        self._phrase_index: dict[str, list[frozenset]] = {}
        for phrase in self._phrase_tokens:
            words = phrase.split()
            self._phrase_index.setdefault(words[0], []).append(frozenset(words))
        self._emoji_table = self._emoji_translation(lexicon["emoji"])

    def _emoji_translation(self, emoji: Mapping[str, float]) -> dict[int, Any]:
        table: dict[int, Any] = dict(_IGNORED_MARKS)
        for char, description in self._vader.emojis.items():
            if len(char) == 1:
                table[ord(char)] = f" {description} "
        for char, valence in emoji.items():
            char = char.translate(_IGNORED_MARKS)
            if len(char) == 1:
                token = f"emoji_{ord(char):x}"
                table[ord(char)] = f" {token} "
                self._vader.lexicon[token] = valence
        return table

    def _fingerprint(self) -> str:
        return self._key

    def sentence_score(self, sentence: str) -> float:
        """Return the overlay VADER compound (-1..1) of one sentence."""
        text = sentence if sentence.isascii() else sentence.translate(self._emoji_table)
        if self._phrases is not None and self._has_phrase(text):
            text = self._phrases.sub(self._phrase_token, text)
        return self._vader.compound(text)

    def _has_phrase(self, text: str) -> bool:
        tokens = set(text.lower().translate(_PHRASE_SPLIT).split())
        for first in tokens.intersection(self._phrase_index):
            if any(words <= tokens for words in self._phrase_index[first]):
                return True
        return False

    def _phrase_token(self, match: re.Match) -> str:
        return self._phrase_tokens[" ".join(match.group(0).lower().split())]

    def _score_cleaned(self, cleaned: str) -> tuple[float, int]:
        scores = [self.sentence_score(s) for s in split_sentences(cleaned)]
        return _aggregate_sentences(scores), len(scores)


def _phrase_pattern(tokens: Mapping[str, str]) -> re.Pattern | None:
    if not tokens:
        return None
    alternatives = sorted(tokens, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in alternatives)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


def _raw_valence(compound: float) -> float:
    """Invert VADER's normalisation x / sqrt(x**2 + 15) of a valence sum."""
    compound = min(_MAX_COMPOUND, max(-_MAX_COMPOUND, compound))
    return compound * math.sqrt(_VADER_ALPHA / (1 - compound * compound))


def _aggregate_sentences(scores: list[float]) -> float:
    """Combine sentence scores into one text score (-1..1).

    The mean valence of the sentences that carry sentiment, times their
    number capped at :data:`_REINFORCING_SENTENCES`, normalised as VADER does.
    Two negative sentences read more negative than one, but a long
    transcript does not drift to -1 or +1, and a text repeated twice keeps
    its score once it has that many sentiment-bearing sentences.
    """
    valences = [_raw_valence(score) for score in scores if score]
    if not valences:
        return 0.0
    total = sum(valences) / len(valences) * min(len(valences), _REINFORCING_SENTENCES)
    return float(total / math.sqrt(total * total + _VADER_ALPHA))
