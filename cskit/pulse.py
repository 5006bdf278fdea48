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

The parts live in private modules, one per concept: ``_pulse_clean``
(cleaning, sentences, language check), ``_pulse_lexicon``, ``_pulse_scoring``
(score records, cache, shared scorer base), ``_pulse_vader`` (:class:`PulseScorer`),
``_pulse_supervised``, ``_pulse_sources`` (:func:`texts_from_tables`) and
``_pulse_aggregate`` (:func:`account_pulse`, :func:`portfolio_pulse`).

Limitations
-----------
The language check counts common function words, so a text of fewer than
four words is taken as English. Sarcasm and irony are read literally.
Speaker labels inside one transcript text are recognised only in the
``Speaker: words`` layout; prefer the ``side`` column of ``call_turns``.
"""

from __future__ import annotations

import logging

from cskit._pulse_aggregate import PulseResult, account_pulse, portfolio_pulse
from cskit._pulse_clean import KINDS, clean_text, is_english, split_sentences
from cskit._pulse_lexicon import load_lexicon
from cskit._pulse_scoring import SOURCES as SOURCES
from cskit._pulse_scoring import STATUSES, PulseCache, TextScore
from cskit._pulse_sources import texts_from_tables
from cskit._pulse_supervised import SupervisedPulse
from cskit._pulse_vader import PulseScorer

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
