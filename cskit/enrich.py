"""Derived tables: what is computed once per workspace and read by every report.

After an ingest, :func:`enrich_workspace` scores every text of the
workspace (tickets, comments, surveys, calls) with the Engagement Pulse
and groups them into feedback themes fitted on the whole portfolio. The
results are stored in the workspace as derived tables, so a batch of
reports reads each account's slice instead of scoring and fitting again,
and the themes are the same in every account's report. Text scores are
cached by the cleaned text's hash in ``pulse_cache``, which survives a
re-ingest through :func:`carried_over` and :func:`restore`.

Limitations
-----------
Themes are fitted on every text in the workspace, including texts dated
after a report's as-of date; a report counts and scores only texts before
its as-of date, but the themes' vocabulary may come from later ones.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from cskit.pulse import PulseCache, PulseScorer, texts_from_tables
from cskit.themes import fit_themes
from cskit.workspace import Workspace

__all__ = ["enrich_workspace", "carried_over", "restore", "TEXT_COLUMNS"]

logger = logging.getLogger(__name__)

# Columns of ``text_analysis``, one row per text.
TEXT_COLUMNS = [
    "account_id",
    "source",
    "ts",
    "ref",
    "cleaned",
    "score",
    "label",
    "status",
    "sentences",
    "theme",
    "theme_label",
]
_KEPT = ("pulse_cache", "health_history")


def enrich_workspace(
    path: str | Path, *, n_themes: int = 8, random_state: int = 0
) -> dict[str, int]:
    """Score every text, fit the feedback themes, store both in the workspace.

    Parameters
    ----------
    path : str or pathlib.Path
        The workspace, opened read-write (no other process may hold it).
    n_themes : int
        Number of feedback themes.
    random_state : int
        Seed of the theme model; the same texts and seed give the same
        themes.

    Returns
    -------
    dict of str to int
        Rows written per derived table.
    """
    with Workspace(path, read_only=False) as ws:
        tables = {name: ws.table(name) for name in ws.tables()}
        cache = _cache(ws)
        texts = texts_from_tables(tables)
        scored = PulseScorer().score_frame(texts, cache=cache)
        analysis, themes = _themes(scored, n_themes=n_themes, random_state=random_state)
        ws.write_derived("text_analysis", analysis[TEXT_COLUMNS])
        ws.write_derived("themes", themes)
        ws.write_derived("pulse_cache", cache.to_frame())
    logger.info(
        "scored %d texts (%d from the cache), %d themes",
        len(scored),
        cache.hits,
        len(themes),
    )
    return {
        "text_analysis": len(analysis),
        "themes": len(themes),
        "pulse_cache": len(cache),
    }


def _cache(ws: Workspace) -> PulseCache:
    stored = ws.derived("pulse_cache")
    return PulseCache() if stored is None else PulseCache.from_frame(stored)


def _themes(scored: pd.DataFrame, *, n_themes: int, random_state: int):
    usable = scored["cleaned"].notna()
    if usable.sum() < n_themes * 3:
        empty = scored.assign(
            theme=pd.Series(pd.NA, index=scored.index, dtype="Int64"),
            theme_label=pd.Series(pd.NA, index=scored.index, dtype="str"),
        )
        return empty, pd.DataFrame({"theme": [], "label": [], "top_terms": []})
    model = fit_themes(scored[usable], n_themes=n_themes, random_state=random_state)
    assigned = model.assign(scored[usable]).reindex(scored.index)
    themes = model.themes_.copy()
    themes["top_terms"] = themes["top_terms"].map(_joined)
    return assigned.fillna({"status": "no_text"}), themes


def _joined(terms) -> str:
    return terms if isinstance(terms, str) else ", ".join(map(str, terms))


def carried_over(path: str | Path) -> dict[str, pd.DataFrame]:
    """Return the derived tables of a workspace that must survive a re-ingest.

    The Pulse cache and the health history are kept; the rest is recomputed.
    An absent or unreadable workspace gives an empty dict.
    """
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        with Workspace(path) as ws:
            frames = {name: ws.derived(name) for name in _KEPT}
    except Exception as error:  # noqa: BLE001 - an unreadable old file keeps nothing
        logger.warning("derived tables of %s not carried over: %s", path, error)
        return {}
    return {name: frame for name, frame in frames.items() if frame is not None}


def restore(path: str | Path, frames: dict[str, pd.DataFrame]) -> None:
    """Write back the derived tables :func:`carried_over` returned."""
    if not frames:
        return
    with Workspace(path, read_only=False) as ws:
        for name, frame in frames.items():
            ws.write_derived(name, frame)
