"""Texts to score, gathered from the canonical tables.

Private helpers of :mod:`cskit.pulse`: :func:`texts_from_tables` collects
ticket subjects with descriptions, customer-side ticket comments, survey
comments and customer-side call turns into one frame of account, source,
time, text and reference.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cskit._pulse_scoring import _require_columns

__all__: list[str] = []


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
