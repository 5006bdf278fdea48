"""Score records, the score cache and the shared scorer base.

Private helpers of :mod:`cskit.pulse`: :class:`TextScore`,
:class:`PulseCache`, and the base class both scorers share for cleaning, the
language check, caching, labels and the ``score``, ``score_many`` and
``score_frame`` outputs.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cskit._pulse_clean import clean_text, is_english
from cskit.exceptions import DataQualityWarning, InvalidInputError, MissingColumnError

__all__: list[str] = []


STATUSES = ("scored", "no_text", "unscored_language")
SOURCES = ("tickets", "surveys", "calls")
_SOURCE_KIND = {"tickets": "ticket", "surveys": "survey", "calls": "call"}


@dataclass(frozen=True)
class TextScore:
    """The Pulse of one text.

    Attributes
    ----------
    score : float or None
        Sentiment from -1 (negative) to +1 (positive); None unless scored.
    status : str
        ``scored``, ``no_text`` or ``unscored_language``.
    sentences : int
        Number of sentences scored.
    cleaned : str or None
        The cleaned text that was scored.
    """

    score: float | None
    status: str
    sentences: int
    cleaned: str | None


class PulseCache(MutableMapping):
    """An in-memory cache of text scores keyed by the cleaned text's hash.

    The key also holds the scorer's fingerprint (lexicon and settings), so a
    lexicon change never reuses stale scores. Persist it as a table with
    :meth:`to_frame` and restore it with :meth:`from_frame`.

    Examples
    --------
    >>> from cskit.pulse import PulseScorer
    >>> cache = PulseCache()
    >>> _ = PulseScorer().score_many(["The app crashed again."], cache=cache)
    >>> len(cache)
    1
    """

    columns = ("key", "score", "sentences")

    def __init__(self, entries: Mapping[str, tuple[float, int]] | None = None):
        self._data: dict[str, tuple[float, int]] = dict(entries or {})
        self.hits = 0
        self.misses = 0

    def __getitem__(self, key: str) -> tuple[float, int]:
        return self._data[key]

    def __setitem__(self, key: str, value: tuple[float, int]) -> None:
        self._data[key] = (float(value[0]), int(value[1]))

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_frame(self) -> pd.DataFrame:
        """Return the cache as a table with columns key, score, sentences."""
        keys = list(self._data)
        return pd.DataFrame(
            {
                "key": pd.Series(keys, dtype="str"),
                "score": pd.Series([self._data[k][0] for k in keys], dtype="float64"),
                "sentences": pd.Series([self._data[k][1] for k in keys], dtype="Int64"),
            }
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PulseCache:
        """Rebuild a cache from a table written by :meth:`to_frame`.

        Raises
        ------
        MissingColumnError
            If ``frame`` lacks one of the columns key, score, sentences.
        """
        _require_columns(frame, cls.columns, frame_name="the Pulse cache table")
        return cls(
            {
                str(key): (float(score), int(sentences))
                for key, score, sentences in zip(
                    frame["key"], frame["score"], frame["sentences"], strict=True
                )
            }
        )


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], *, frame_name: str):
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(
                column, frame=frame_name, found=list(frame.columns)
            )


def _cache_key(fingerprint: str, cleaned: str) -> str:
    digest = hashlib.blake2b(cleaned.encode("utf-8"), digest_size=16).hexdigest()
    return f"{fingerprint}:{digest}"


def _label(score: float | None, band: float) -> str | None:
    if score is None:
        return None
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


class _ScorerBase:
    """Cleaning, language check, caching and tables shared by both scorers."""

    neutral_band: float = 0.05

    def _fingerprint(self) -> str:
        raise NotImplementedError

    def _score_cleaned(self, cleaned: str) -> tuple[float, int]:
        raise NotImplementedError

    def score(self, text: Any, *, kind: str = "ticket") -> TextScore:
        """Score one text; see :class:`TextScore`."""
        cleaned = clean_text(text, kind=kind)
        if cleaned is None:
            return TextScore(None, "no_text", 0, None)
        if not is_english(cleaned):
            return TextScore(None, "unscored_language", 0, cleaned)
        value, sentences = self._score_cleaned(cleaned)
        return TextScore(value, "scored", sentences, cleaned)

    def score_many(
        self,
        texts: Iterable[Any],
        *,
        kind: str | Iterable[str] = "ticket",
        cache: PulseCache | None = None,
        progress: bool = False,
    ) -> pd.DataFrame:
        """Score many texts, reusing ``cache`` for texts already scored.

        Parameters
        ----------
        texts : iterable of str or None
            The raw texts.
        kind : str or iterable of str
            One text kind for all texts, or one per text (see :func:`clean_text`).
        cache : PulseCache, optional
            Scores are looked up and stored here, keyed by the cleaned text.
        progress : bool
            Show a progress bar (tqdm).

        Returns
        -------
        pandas.DataFrame
            One row per text, in order (index of ``texts`` when it is a
            Series): ``score`` (float, NaN unless scored), ``label``
            (negative, neutral, positive), ``status``, ``sentences``,
            ``cleaned``.
        """
        index = texts.index if isinstance(texts, pd.Series) else None
        texts = list(texts)
        kinds = [kind] * len(texts) if isinstance(kind, str) else list(kind)
        if len(kinds) != len(texts):
            raise InvalidInputError(
                f"kind has {len(kinds)} values for {len(texts)} texts; pass one "
                "kind per text or a single kind."
            )

        iterator = zip(texts, kinds, strict=True)
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(iterator, total=len(texts), desc="Pulse")
        rows = [
            self._score_cached(text, text_kind, cache) for text, text_kind in iterator
        ]
        if rows and all(row.status != "scored" for row in rows):
            warnings.warn(
                f"none of the {len(rows)} texts could be scored (no text or not "
                "English); their scores are NaN.",
                DataQualityWarning,
                stacklevel=2,
            )
        return self._rows_to_frame(rows, index)

    def _score_cached(
        self, text: Any, kind: str, cache: PulseCache | None
    ) -> TextScore:
        if cache is None:
            return self.score(text, kind=kind)

        cleaned = clean_text(text, kind=kind)
        if cleaned is None:
            return TextScore(None, "no_text", 0, None)
        if not is_english(cleaned):
            return TextScore(None, "unscored_language", 0, cleaned)

        key = _cache_key(self._fingerprint(), cleaned)
        if key in cache:
            cache.hits += 1
            value, sentences = cache[key]
        else:
            cache.misses += 1
            value, sentences = self._score_cleaned(cleaned)
            cache[key] = (value, sentences)
        return TextScore(value, "scored", sentences, cleaned)

    def _rows_to_frame(self, rows: list[TextScore], index) -> pd.DataFrame:
        scores = [np.nan if row.score is None else row.score for row in rows]
        frame = pd.DataFrame(
            {
                "score": pd.Series(scores, dtype="float64"),
                "label": pd.Series(
                    [_label(row.score, self.neutral_band) for row in rows], dtype="str"
                ),
                "status": pd.Series([row.status for row in rows], dtype="str"),
                "sentences": pd.Series([row.sentences for row in rows], dtype="Int64"),
                "cleaned": pd.Series([row.cleaned for row in rows], dtype="str"),
            }
        )
        if index is not None:
            frame.index = index
        return frame

    def score_frame(
        self,
        texts: pd.DataFrame,
        *,
        text_col: str = "text",
        source_col: str = "source",
        cache: PulseCache | None = None,
        progress: bool = False,
    ) -> pd.DataFrame:
        """Score the texts of a :func:`texts_from_tables` frame.

        Parameters
        ----------
        texts : pandas.DataFrame
            Needs ``text_col`` (str) and ``source_col`` (tickets, surveys or
            calls; it picks the cleaning kind).
        text_col, source_col : str
            Column names.
        cache : PulseCache, optional
            See :meth:`score_many`.
        progress : bool
            Show a progress bar.

        Returns
        -------
        pandas.DataFrame
            ``texts`` with ``score``, ``label``, ``status``, ``sentences`` and
            ``cleaned`` added; the input of :func:`account_pulse`.

        Raises
        ------
        MissingColumnError
            If a column is missing.
        """
        _require_columns(texts, [text_col, source_col], frame_name="texts")
        kinds = [
            _SOURCE_KIND.get(str(source), "ticket") for source in texts[source_col]
        ]
        scored = self.score_many(
            texts[text_col], kind=kinds, cache=cache, progress=progress
        )
        return pd.concat(
            [texts.drop(columns=list(scored.columns), errors="ignore"), scored], axis=1
        )
