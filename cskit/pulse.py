"""Engagement Pulse: customer-success sentiment per text and per account.

A text (ticket, ticket comment, survey comment, call turn) is first cleaned:
quoted replies, signatures, greetings, sign-offs, auto-acknowledgements and
HTML are removed, and placeholders ("N/A", "-", "null") count as no text. A
light language check marks text not in English as unscored. What remains is
split into sentences, each sentence is scored with VADER plus the
customer-success lexicon overlay (``cskit/data/cs_lexicon.yaml``, extendable
from ``params/``), and the sentence scores are averaged, weighted by their
strength, so a long transcript does not drift to -1 or +1.

:class:`SupervisedPulse` offers the same interface with a TF-IDF and linear
model a team trains on its own labelled tickets. :func:`account_pulse` and
:func:`portfolio_pulse` turn scored texts into the per-account Pulse with time
decay, confidence, trend, counts and evidence snippets.

Limitations
-----------
The language check counts common function words, so a text of fewer than
four words is taken as English. Sarcasm and irony are read literally.
Speaker labels inside one transcript text are recognised only in the
``Speaker: words`` layout; prefer the ``side`` column of ``call_turns``.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import string
import warnings
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cskit.exceptions import (
    ConfigurationError,
    DataQualityWarning,
    InvalidInputError,
    MissingColumnError,
    NotFittedError,
)
from cskit.schema import PLACEHOLDERS

__all__ = [
    "KINDS",
    "STATUSES",
    "TextScore",
    "PulseCache",
    "PulseScorer",
    "SupervisedPulse",
    "PulseResult",
    "clean_text",
    "split_sentences",
    "is_english",
    "load_lexicon",
    "texts_from_tables",
    "account_pulse",
    "portfolio_pulse",
]

logger = logging.getLogger(__name__)

KINDS = ("ticket", "comment", "survey", "call", "post")
STATUSES = ("scored", "no_text", "unscored_language")
SOURCES = ("tickets", "surveys", "calls")
_SOURCE_KIND = {"tickets": "ticket", "surveys": "survey", "calls": "call"}
_EMAIL_KINDS = frozenset({"ticket", "comment"})

# ---------------------------------------------------------------- cleaning

_EXTRA_PLACEHOLDERS = frozenset(
    {"did not answer", "no answer", "not answered", "no comment", "no comments"}
)
_HTML_HINT = re.compile(r"</?[a-z][^>]*>|&[a-z]+;|&#\d+;", re.IGNORECASE)
_HTML_QUOTE = re.compile(r"<blockquote\b.*?</blockquote>", re.IGNORECASE | re.DOTALL)
_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(r"<\s*/?\s*(br|p|div|li|tr|h\d)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")
_QUOTE_HEADER = re.compile(
    r"^[ \t]*(?:on\b[^\n]{0,200}?(?:\n[^\n]{0,200}?)?\bwrote:[ \t]*$"
    r"|-{2,}[ \t]*(?:original|forwarded) message[ \t]*-{2,}"
    r"|from:[^\n]*\n[ \t]*(?:sent|date|to):)",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE = re.compile(r"^[ \t]*(?:--|__+)[ \t]*$", re.MULTILINE)
_SENT_FROM = re.compile(r"^[ \t]*sent from my [^\n]*$", re.IGNORECASE | re.MULTILINE)
_SIGN_OFF_WORDS = (
    r"(?:many |thanks |thank you )?(?:thanks|thank you|thx|ty|cheers|regards|"
    r"best|best regards|kind regards|warm regards|all the best|sincerely|br|"
    r"best wishes|thanks again|thanks in advance|thank you in advance)"
)
_SIGN_OFF_HINTS = ("thank", "thx", "ty", "cheers", "regards", "best", "sincerely", "br")
_SIGN_OFF_LINE = re.compile(rf"^{_SIGN_OFF_WORDS}[\s,.!-]*$", re.IGNORECASE)
_SIGN_OFF_TAIL = re.compile(
    rf"(?:[\s,.;:!-]+{_SIGN_OFF_WORDS}\b)+[\s,.!-]*$", re.IGNORECASE
)
_NAME_LINE = re.compile(r"^[A-Z][a-z'-]+(?: [A-Z][a-z'-]+\.?){0,2}$")
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening))\b"
    r"[^,\n!.:]{0,30}[,!.:\n]+",
    re.IGNORECASE,
)
_AUTO_ACK = re.compile(
    r"this is an automated (?:message|response|reply|notification)"
    r"|(?:we have|we've) received your (?:request|ticket|message|e-?mail)"
    r"|your (?:ticket|request|case)(?: #?\s?\w+)? has been "
    r"(?:received|created|logged|opened)"
    r"|do not reply to this (?:e-?mail|message)"
    r"|(?:i am|i'm) (?:currently )?out of (?:the )?office"
    r"|auto-?reply|automatic reply",
    re.IGNORECASE,
)
_AUTO_ACK_HINTS = ("automat", "received", "reply", "office", "has been")
_VENDOR_SPEAKER = re.compile(
    r"^\s*(?:agent|vendor|support|csm|rep|representative|host|interviewer)"
    r"\s*(?:\([^)]*\))?\s*:",
    re.IGNORECASE,
)
_CUSTOMER_SPEAKER = re.compile(
    r"^\s*(?:customer|client|user|caller)\s*(?:\([^)]*\))?\s*:\s*", re.IGNORECASE
)
_LINK_TOKEN = re.compile(r"\W*(?:https?://|www\.|[\w.+-]+@[\w-]+\.\w)")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " "})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9@#])|\n+")
_PUNCTUATION = string.punctuation
_PHRASE_SPLIT = str.maketrans(dict.fromkeys(string.punctuation.replace("'", ""), " "))
_HAS_CONTENT = re.compile(r"[\w\u2600-\u27bf\U0001F000-\U0001FAFF]|[:;]-?[()DPp]")


def _is_missing(text: Any) -> bool:
    if text is None or text is pd.NA:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    if not isinstance(text, str):
        return False
    stripped = text.strip().lower().strip(".")
    return stripped in PLACEHOLDERS or stripped in _EXTRA_PLACEHOLDERS


def _strip_html(text: str) -> str:
    if ("<" not in text and "&" not in text) or not _HTML_HINT.search(text):
        return text
    text = _HTML_DROP.sub(" ", _HTML_QUOTE.sub("\n", text))
    text = _HTML_TAG.sub(" ", _HTML_BREAK.sub("\n", text))
    return html.unescape(text)


def _strip_email_parts(text: str) -> str:
    header = _QUOTE_HEADER.search(text) if (":" in text or "--" in text) else None
    if header:
        text = text[: header.start()]

    text = _SENT_FROM.sub("", text) if "ent from" in text else text
    signature = _SIGNATURE.search(text) if ("--" in text or "__" in text) else None
    if signature:
        text = text[: signature.start()]

    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    lines = _drop_name_line(_drop_sign_off_block(lines))
    return _GREETING.sub("", "\n".join(lines), count=1)


def _drop_sign_off_block(lines: list[str]) -> list[str]:
    # A sign-off line near the end starts the signature block.
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[-6:]:
        if _SIGN_OFF_LINE.match(lines[i].strip()) and i > content[0]:
            return lines[:i]
    return lines


def _drop_name_line(lines: list[str]) -> list[str]:
    # A bare name (one to three capitalised words) on the last line signs off.
    content = [line.strip() for line in lines if line.strip()]
    if len(content) > 1 and _NAME_LINE.match(content[-1]):
        last = max(i for i, line in enumerate(lines) if line.strip())
        return lines[:last]
    return lines


def _strip_sign_off_tail(text: str) -> str:
    head, tail = text[:-80], text[-80:]
    lowered = tail.lower()
    if not any(hint in lowered for hint in _SIGN_OFF_HINTS):
        return text
    stripped = head + _SIGN_OFF_TAIL.sub("", tail)
    if len(stripped.split()) >= 3:
        return stripped
    return text


def _is_link(token: str) -> bool:
    if "@" in token or "http" in token or "www." in token:
        return _LINK_TOKEN.match(token) is not None
    return False


def _normalise_line(line: str) -> str:
    tokens = line.split()
    if "@" in line or "http" in line or "www." in line:
        tokens = [token for token in tokens if not _is_link(token)]
    return " ".join(tokens)


def _keep_customer_turns(text: str) -> str:
    lines = [line for line in text.split("\n") if not _VENDOR_SPEAKER.match(line)]
    return "\n".join(_CUSTOMER_SPEAKER.sub("", line) for line in lines)


def clean_text(text: Any, *, kind: str = "ticket") -> str | None:
    """Return the customer's own words in ``text``, or None when there are none.

    Parameters
    ----------
    text : str or None
        Raw text. None, NaN, blanks and placeholders (``N/A``, ``-``,
        ``null``, ``did not answer``) are "no text".
    kind : {"ticket", "comment", "survey", "call", "post"}
        ``ticket`` and ``comment`` are e-mail like: quoted replies (``On ...
        wrote:`` blocks, ``>`` lines, forwarded headers), signatures,
        greetings and sign-offs are removed. ``call`` drops vendor-side
        ``Speaker:`` lines. Every kind strips HTML, links, e-mail addresses
        and auto-acknowledgements.

    Returns
    -------
    str or None
        Cleaned text, one sentence group per line, or None for no text.

    Raises
    ------
    InvalidInputError
        If ``kind`` is not one of :data:`KINDS`.

    Examples
    --------
    >>> clean_text("Hi team,\\nThe app crashed again.\\n\\nThanks,\\nAnna")
    'The app crashed again.'
    >>> clean_text("N/A") is None
    True
    """
    _check_kind(kind)
    if _is_missing(text):
        return None

    text = _strip_html(str(text)).translate(_APOSTROPHES).replace("\r", "")
    if kind in _EMAIL_KINDS:
        text = _strip_email_parts(text)
    if kind == "call":
        text = _keep_customer_turns(text)

    lines = [_normalise_line(line) for line in text.split("\n")]
    lowered = text.lower()
    if any(hint in lowered for hint in _AUTO_ACK_HINTS) and _AUTO_ACK.search(text):
        lines = [line for line in lines if not _AUTO_ACK.search(line)]
    lines = [line for line in lines if line]
    cleaned = "\n".join(lines)
    if kind in _EMAIL_KINDS:
        cleaned = _strip_sign_off_tail(cleaned).strip()
    if not cleaned or _is_missing(cleaned) or not _HAS_CONTENT.search(cleaned):
        return None
    return cleaned


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInputError(
            f"kind={kind!r} is not a text kind; expected one of {list(KINDS)}. "
            "Pass kind='ticket' for e-mail like text or kind='survey' for comments."
        )


def split_sentences(text: str) -> list[str]:
    """Split cleaned text into sentences (at ``.!?`` before a capital, and lines).

    Parameters
    ----------
    text : str
        Cleaned text, as returned by :func:`clean_text`.

    Returns
    -------
    list of str
        The non-empty sentences, punctuation kept.

    Examples
    --------
    >>> split_sentences("It crashed. Again!\\nPlease help")
    ['It crashed.', 'Again!', 'Please help']
    """
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


# ---------------------------------------------------------------- language

_NOT_WORD = str.maketrans(dict.fromkeys(string.punctuation + string.digits, " "))
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile(r"[^\u0000-\u024f]")
_ENGLISH = frozenset(
    "the and is are was were be been to of it this that with for not you we our "
    "my i have has had but they what when can will would there their on at from "
    "very just so all an or do does did get no your me he she them please thanks "
    "thank about if how why which who".split()
)
_OTHER = {
    "de": "der die das und ist nicht ich wir sie mit für auf ein eine den dem "
    "des zu sehr bitte danke haben wird kann auch noch nach wie oder aber",
    "fr": "le la les et est pas je nous vous avec pour sur une des du au très "
    "merci bonjour mais ou ce cette dans sont avons être",
    "es": "el la los las y es no yo nosotros con para por una del muy gracias "
    "pero está están que en hola tenemos",
    "pt": "o os as e é não eu nós com para por uma do da muito obrigado mas "
    "está estão que em olá temos",
    "it": "il lo gli le e è non io noi con per una del della molto grazie ma "
    "sono che in ciao abbiamo",
    "nl": "de het een en is niet ik wij met voor op van zeer bedankt maar zijn "
    "dat in hallo hebben",
}
_OTHER_WORDS = {
    lang: frozenset(words.split()) - _ENGLISH for lang, words in _OTHER.items()
}


def is_english(text: Any) -> bool:
    """Tell whether a text is (probably) English, with a light word count.

    Text in a non-Latin script is not English. Latin-script text is English
    unless another language's common words outnumber English ones; texts of
    fewer than four words are taken as English.

    Parameters
    ----------
    text : str
        The text to check (cleaned or not). Missing text returns False.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_english("The editor is slow since the release")
    True
    >>> is_english("Der Editor ist seit dem Update sehr langsam")
    False
    """
    if _is_missing(text):
        return False

    words = str(text).lower().translate(_NOT_WORD).split()
    letters = "".join(words)
    if not letters.isascii():
        letters = "".join(_LETTER.findall(letters))
        if len(_NON_LATIN.findall(letters)) > 0.3 * len(letters):
            return False
    if not letters:
        return True
    if len(words) < 4:
        return True

    unique = set(words)
    english = len(unique & _ENGLISH)
    other = max(len(unique & vocab) for vocab in _OTHER_WORDS.values())
    return not (other >= 2 and other > english)


# ---------------------------------------------------------------- lexicon

_VADER_ALPHA = 15.0
_N_SCALAR = -0.74
_NEGATORS: frozenset[str] = frozenset()
_MAX_COMPOUND = 0.9999
_REINFORCING_SENTENCES = 2
_LEXICON_SECTIONS = ("words", "phrases", "neutral", "emoji")
_IGNORED_MARKS = dict.fromkeys([0xFE0E, 0xFE0F, 0x200D, *range(0x1F3FB, 0x1F400)], None)


def load_lexicon(
    path: str | None = None, *, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Load the customer-success lexicon overlay, extended by ``extra``.

    Parameters
    ----------
    path : str, optional
        A YAML file with the sections ``words``, ``phrases`` (term to
        valence on VADER's -4..+4 scale), ``neutral`` (a list of words) and
        ``emoji`` (emoji to valence). Default: the packaged
        ``cskit/data/cs_lexicon.yaml``.
    extra : mapping, optional
        Overrides in the same layout (e.g. ``params`` ``pulse.lexicon``), or a
        flat mapping of term to valence (a term with a space is a phrase).

    Returns
    -------
    dict
        The four sections, merged.

    Raises
    ------
    ConfigurationError
        If a section has the wrong shape or a valence is not a number.
    """
    if path is None:
        source = resources.files("cskit").joinpath("data/cs_lexicon.yaml")
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    else:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)

    lexicon = _normalise_lexicon(raw or {}, origin=str(path or "cs_lexicon.yaml"))
    if extra:
        if set(extra).isdisjoint(_LEXICON_SECTIONS):
            extra = _flat_to_sections(extra)
        more = _normalise_lexicon(extra, origin="extra_lexicon")
        for section in ("words", "phrases", "emoji"):
            lexicon[section].update(more[section])
        lexicon["neutral"] = sorted(set(lexicon["neutral"]) | set(more["neutral"]))
    return lexicon


def _flat_to_sections(flat: Mapping[str, Any]) -> dict[str, Any]:
    words = {key: value for key, value in flat.items() if " " not in key.strip()}
    phrases = {key: value for key, value in flat.items() if " " in key.strip()}
    return {"words": words, "phrases": phrases}


def _normalise_lexicon(raw: Mapping[str, Any], *, origin: str) -> dict[str, Any]:
    unknown = set(raw) - set(_LEXICON_SECTIONS)
    if unknown:
        raise ConfigurationError(
            f"lexicon {origin} has unknown section(s) {sorted(unknown)}; the "
            f"sections are {list(_LEXICON_SECTIONS)}. Rename or remove them."
        )

    lexicon: dict[str, Any] = {
        "neutral": [str(w).lower() for w in raw.get("neutral") or []]
    }
    for section in ("words", "phrases", "emoji"):
        entries = raw.get(section) or {}
        if not isinstance(entries, Mapping):
            raise ConfigurationError(
                f"lexicon {origin}: section {section!r} must map a term to a "
                f"valence, got {type(entries).__name__}. Write `term: -1.5` lines."
            )
        lexicon[section] = {}
        for term, value in entries.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(
                    f"lexicon {origin}: {section}.{term} has valence {value!r}; "
                    "expected a number between -4 and 4."
                )
            key = str(term) if section == "emoji" else str(term).lower().strip()
            lexicon[section][key] = float(value)
    return lexicon


def _fingerprint(lexicon: Mapping[str, Any], *settings: Any) -> str:
    text = yaml.safe_dump({"lexicon": dict(lexicon), "settings": list(settings)})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- scoring


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


# ---------------------------------------------------------------- texts

_TEXT_COLUMNS = ("account_id", "source", "ts", "text", "ref")


def texts_from_tables(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Gather the customer's texts of the canonical tables, one row per text.

    Tickets give ``subject`` and ``description`` (one text per ticket) and
    the customer-side ``ticket_comments``; surveys give ``comment``; calls
    give their customer-side ``call_turns`` joined in ``seq`` order (one text
    per call). Absent tables are skipped.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Canonical tables by name (see :data:`cskit.schema.TABLES`).

    Returns
    -------
    pandas.DataFrame
        Columns ``account_id`` (str), ``source`` (tickets, surveys, calls),
        ``ts`` (datetime64[us, UTC]), ``text`` (str), ``ref`` (the ticket,
        response or call id).

    Raises
    ------
    MissingColumnError
        If a present table lacks a column this needs.
    """
    parts = [
        _ticket_texts(tables),
        _comment_texts(tables),
        _survey_texts(tables),
        _call_texts(tables),
    ]
    parts = [part for part in parts if part is not None and len(part)]
    if not parts:
        return _empty_texts()
    texts = pd.concat(parts, ignore_index=True)
    return _typed_texts(texts).sort_values(["account_id", "ts"], ignore_index=True)


def _empty_texts() -> pd.DataFrame:
    return _typed_texts(pd.DataFrame({column: [] for column in _TEXT_COLUMNS}))


def _typed_texts(texts: pd.DataFrame) -> pd.DataFrame:
    typed = texts.loc[:, list(_TEXT_COLUMNS)].copy()
    for column in ("account_id", "source", "text", "ref"):
        typed[column] = typed[column].astype("str")
    typed["ts"] = pd.to_datetime(typed["ts"], utc=True).astype("datetime64[us, UTC]")
    return typed


def _ticket_texts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    tickets = tables.get("tickets")
    if tickets is None:
        return None
    needed = ["ticket_id", "account_id", "created_at", "subject", "description"]
    _require_columns(tickets, needed, frame_name="tickets")

    subject = tickets["subject"].fillna("").astype(str).str.strip()
    description = tickets["description"].fillna("").astype(str)
    text = (subject + "\n" + description).str.strip()
    return pd.DataFrame(
        {
            "account_id": tickets["account_id"],
            "source": "tickets",
            "ts": tickets["created_at"],
            "text": text.where(text != "", None),
            "ref": tickets["ticket_id"],
        }
    )


def _comment_texts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    comments, tickets = tables.get("ticket_comments"), tables.get("tickets")
    if comments is None or tickets is None:
        return None
    _require_columns(
        comments,
        ["ticket_id", "created_at", "author_side", "body"],
        frame_name="ticket_comments",
    )

    customer = comments[comments["author_side"].astype(str).str.lower() == "customer"]
    joined = customer.merge(tickets[["ticket_id", "account_id"]], on="ticket_id")
    return pd.DataFrame(
        {
            "account_id": joined["account_id"],
            "source": "tickets",
            "ts": joined["created_at"],
            "text": joined["body"],
            "ref": joined["ticket_id"],
        }
    )


def _survey_texts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    surveys = tables.get("surveys")
    if surveys is None:
        return None
    _require_columns(
        surveys,
        ["response_id", "account_id", "submitted_at", "comment"],
        frame_name="surveys",
    )
    return pd.DataFrame(
        {
            "account_id": surveys["account_id"],
            "source": "surveys",
            "ts": surveys["submitted_at"],
            "text": surveys["comment"],
            "ref": surveys["response_id"],
        }
    )


def _call_texts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    calls, turns = tables.get("calls"), tables.get("call_turns")
    if calls is None or turns is None:
        return None
    _require_columns(calls, ["call_id", "account_id", "started_at"], frame_name="calls")
    _require_columns(turns, ["call_id", "seq", "side", "text"], frame_name="call_turns")

    customer = turns[turns["side"].astype(str).str.lower() == "customer"]
    customer = customer.dropna(subset=["text"]).sort_values(["call_id", "seq"])
    joined = customer.groupby("call_id", sort=False)["text"].agg(
        lambda lines: "\n".join(map(str, lines))
    )
    merged = calls.merge(joined.rename("text").reset_index(), on="call_id", how="left")
    return pd.DataFrame(
        {
            "account_id": merged["account_id"],
            "source": "calls",
            "ts": merged["started_at"],
            "text": merged["text"],
            "ref": merged["call_id"],
        }
    )


# ---------------------------------------------------------------- accounts

_SCORED_COLUMNS = ("account_id", "source", "ts", "score", "status")


@dataclass
class PulseResult:
    """The Engagement Pulse of one account as of a date.

    Attributes
    ----------
    account_id : str
        The account.
    pulse : float
        Decay-weighted mean text score (-1..1) in the window; NaN unless
        ``status`` is ``ok``.
    status, reason : str
        ``ok`` or ``not_available`` and why.
    confidence : float
        0..1, grows with the decay-weighted number of scored texts.
    trend : float
        Pulse minus the prior window's Pulse; NaN unless ``trend_status`` is ok.
    trend_status : str
        ``ok`` or ``not_available``.
    by_source : pandas.DataFrame
        One row per source: pulse, status, confidence, scored, unscored.
    counts : dict
        Texts in the window: scored, no_text, unscored_language, total.
    evidence : pandas.DataFrame
        The most negative and most positive cleaned texts: polarity, score,
        source, ts, ref, snippet.
    """

    account_id: str
    pulse: float
    status: str
    reason: str
    confidence: float
    trend: float
    trend_status: str
    by_source: pd.DataFrame
    counts: dict[str, int]
    evidence: pd.DataFrame = field(repr=False)

    def to_row(self) -> dict[str, Any]:
        """Return the result as one portfolio row (see :func:`portfolio_pulse`)."""
        row: dict[str, Any] = {
            "account_id": self.account_id,
            "pulse": self.pulse,
            "pulse_status": self.status,
            "pulse_reason": self.reason,
            "pulse_confidence": self.confidence,
            "pulse_trend": self.trend,
            "pulse_trend_status": self.trend_status,
        }
        by_source = self.by_source.set_index("source")
        for source in SOURCES:
            row[f"pulse_{source}"] = by_source.loc[source, "pulse"]
        row.update({f"texts_{key}": value for key, value in self.counts.items()})
        return row


def _as_of_timestamp(as_of: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(as_of)
    if stamp is pd.NaT:
        raise InvalidInputError(
            f"as_of={as_of!r} is not a date; pass e.g. '2024-06-30'."
        )
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_window(half_life_days: float, window_days: int, confidence_k: float) -> None:
    for name, value in (
        ("half_life_days", half_life_days),
        ("window_days", window_days),
        ("confidence_k", confidence_k),
    ):
        if not value > 0:
            raise InvalidInputError(
                f"{name}={value!r} must be a positive number of days (or texts); "
                f"pass e.g. {name}=30."
            )


def _weighted_pulse(
    scored: pd.DataFrame, end: pd.Timestamp, half_life_days: float, confidence_k: float
) -> tuple[float, float]:
    if scored.empty:
        return float("nan"), 0.0
    age_days = (end - scored["ts"]).dt.total_seconds().to_numpy() / 86_400
    weights = 0.5 ** (age_days / half_life_days)
    pulse = float(np.average(scored["score"].to_numpy(dtype=float), weights=weights))
    weight = float(weights.sum())
    return pulse, weight / (weight + confidence_k)


def _window(
    texts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    return texts[(texts["ts"] >= start) & (texts["ts"] < end)]


def _source_rows(current, as_of, half_life_days, confidence_k) -> pd.DataFrame:
    rows = []
    for source in SOURCES:
        part = current[current["source"] == source]
        scored = part[part["status"] == "scored"]
        pulse, confidence = _weighted_pulse(scored, as_of, half_life_days, confidence_k)
        rows.append(
            {
                "source": source,
                "pulse": pulse,
                "status": "ok" if len(scored) else "not_available",
                "confidence": confidence,
                "scored": len(scored),
                "unscored": len(part) - len(scored),
            }
        )
    return pd.DataFrame(rows)


def _evidence(current: pd.DataFrame, n: int, width: int = 240) -> pd.DataFrame:
    scored = current[current["status"] == "scored"].sort_values("score", kind="stable")
    negative = scored[scored["score"] < 0].head(n).assign(polarity="negative")
    positive = (
        scored[scored["score"] > 0].iloc[::-1].head(n).assign(polarity="positive")
    )
    evidence = pd.concat([negative, positive], ignore_index=True)
    cleaned = evidence.get("cleaned", pd.Series([""] * len(evidence), dtype="str"))
    snippet = cleaned.fillna("").str.replace("\n", " ").str.slice(0, width)
    columns = ["polarity", "score", "source", "ts"]
    out = evidence[columns].copy()
    out["ref"] = evidence["ref"] if "ref" in evidence else pd.NA
    out["snippet"] = snippet.to_numpy()
    return out.reset_index(drop=True)


def _counts(current: pd.DataFrame) -> dict[str, int]:
    counts = {status: int((current["status"] == status).sum()) for status in STATUSES}
    counts["total"] = len(current)
    return counts


def account_pulse(
    texts_scored: pd.DataFrame,
    *,
    as_of: Any,
    half_life_days: float = 30,
    window_days: int = 90,
    confidence_k: float = 5.0,
    evidence_n: int = 3,
    account_id: str | None = None,
) -> PulseResult:
    """Compute one account's Engagement Pulse as of a date.

    Texts in ``[as_of - window_days, as_of)`` count, each weighted by
    ``0.5 ** (age_days / half_life_days)``. The confidence is
    ``w / (w + confidence_k)`` with ``w`` the summed weights of scored texts;
    the trend compares with the prior window of the same length.

    Parameters
    ----------
    texts_scored : pandas.DataFrame
        Output of :meth:`PulseScorer.score_frame`: ``account_id`` (str),
        ``source`` (str), ``ts`` (datetime64 UTC), ``score`` (float),
        ``status`` (str); optional ``cleaned`` and ``ref`` for the evidence.
    as_of : date-like
        Start of the as-of day (UTC when naive); later texts are invisible.
    half_life_days, window_days, confidence_k : float
        Decay half-life, window length and confidence scale.
    evidence_n : int
        Snippets kept for each polarity.
    account_id : str, optional
        Keep only this account's rows (default: all rows, one account).

    Returns
    -------
    PulseResult

    Raises
    ------
    MissingColumnError
        If a required column is missing.
    InvalidInputError
        If ``as_of`` or a window parameter is not valid.
    """
    _require_columns(texts_scored, _SCORED_COLUMNS, frame_name="texts_scored")
    _check_window(half_life_days, window_days, confidence_k)
    end = _as_of_timestamp(as_of)
    texts = texts_scored
    if account_id is not None:
        texts = texts[texts["account_id"].astype(str) == str(account_id)]
    texts = texts.assign(ts=pd.to_datetime(texts["ts"], utc=True))

    window = pd.Timedelta(days=window_days)
    current = _window(texts, end - window, end)
    prior = _window(texts, end - 2 * window, end - window)
    pulse, confidence = _weighted_pulse(
        current[current["status"] == "scored"], end, half_life_days, confidence_k
    )
    before, _ = _weighted_pulse(
        prior[prior["status"] == "scored"], end - window, half_life_days, confidence_k
    )

    status, reason = _pulse_status(current, window_days)
    trend = pulse - before
    return PulseResult(
        account_id=_account_name(texts, account_id),
        pulse=pulse if status == "ok" else float("nan"),
        status=status,
        reason=reason,
        confidence=confidence,
        trend=trend,
        trend_status="ok" if trend == trend else "not_available",
        by_source=_source_rows(current, end, half_life_days, confidence_k),
        counts=_counts(current),
        evidence=_evidence(current, evidence_n),
    )


def _account_name(texts: pd.DataFrame, account_id: str | None) -> str:
    if account_id is not None:
        return str(account_id)
    names = texts["account_id"].dropna().astype(str).unique()
    return names[0] if len(names) == 1 else ""


def _pulse_status(current: pd.DataFrame, window_days: int) -> tuple[str, str]:
    if current.empty:
        return (
            "not_available",
            f"no ticket, survey or call text in the last {window_days} days",
        )
    scored = int((current["status"] == "scored").sum())
    if scored == 0:
        counts = _counts(current)
        return "not_available", (
            f"{counts['total']} texts in the last {window_days} days, none scored "
            f"({counts['no_text']} without text, {counts['unscored_language']} "
            "not in English)"
        )
    return "ok", ""


def portfolio_pulse(
    texts_scored: pd.DataFrame,
    *,
    as_of: Any,
    accounts: Iterable[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compute the Engagement Pulse of every account, one row per account.

    Parameters
    ----------
    texts_scored : pandas.DataFrame
        As for :func:`account_pulse`, many accounts.
    as_of : date-like
        The as-of date.
    accounts : iterable of str, optional
        Accounts to report (those without texts get ``not_available``);
        default the accounts present in ``texts_scored``.
    **options
        ``half_life_days``, ``window_days``, ``confidence_k``, ``evidence_n``.

    Returns
    -------
    pandas.DataFrame
        Columns account_id, pulse, pulse_status, pulse_reason,
        pulse_confidence, pulse_trend, pulse_trend_status, pulse_tickets,
        pulse_surveys, pulse_calls, texts_scored, texts_no_text,
        texts_unscored_language, texts_total.
    """
    _require_columns(texts_scored, _SCORED_COLUMNS, frame_name="texts_scored")
    if accounts is None:
        accounts = sorted(texts_scored["account_id"].dropna().astype(str).unique())
    groups = {str(key): part for key, part in texts_scored.groupby("account_id")}
    empty = texts_scored.iloc[0:0]

    rows = [
        account_pulse(
            groups.get(str(account), empty),
            as_of=as_of,
            account_id=str(account),
            **options,
        ).to_row()
        for account in accounts
    ]
    if not rows:
        return pd.DataFrame(columns=_portfolio_columns())
    return pd.DataFrame(rows, columns=_portfolio_columns())


def _portfolio_columns() -> list[str]:
    return [
        "account_id",
        "pulse",
        "pulse_status",
        "pulse_reason",
        "pulse_confidence",
        "pulse_trend",
        "pulse_trend_status",
        *[f"pulse_{source}" for source in SOURCES],
        *[f"texts_{status}" for status in STATUSES],
        "texts_total",
    ]
