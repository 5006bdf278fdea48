"""The customer-success lexicon overlay of the Pulse.

Private helpers of :mod:`cskit.pulse`: :func:`load_lexicon` reads the
packaged ``cs_lexicon.yaml`` (or another file), merges overrides such as
``pulse.lexicon`` from ``params/``, and checks the sections words, phrases,
neutral and emoji; the lexicon fingerprint keys the score cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from cskit.exceptions import ConfigurationError

__all__: list[str] = []


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
