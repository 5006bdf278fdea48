"""Cleaning, sentence splitting and the language check of the Pulse.

Private helpers of :mod:`cskit.pulse`: :func:`clean_text` removes quoted
replies, signatures, greetings, sign-offs, auto-acknowledgements and HTML
and treats placeholders as no text; :func:`split_sentences` cuts cleaned
text into sentences; :func:`is_english` is the light language check that
counts common function words.
"""

from __future__ import annotations

import html
import math
import re
import string
from typing import Any

import pandas as pd

from cskit.exceptions import InvalidInputError
from cskit.schema import PLACEHOLDERS

__all__: list[str] = []


KINDS = ("ticket", "comment", "survey", "call", "post")
_EMAIL_KINDS = frozenset({"ticket", "comment"})


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
