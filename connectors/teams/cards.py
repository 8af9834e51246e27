"""Adaptive Card rendering of an `Answer` for Teams: summary, how it was calculated, a Table of the first
rows, a "Show SQL" toggle and follow-ups as `Action.Submit` — plus a plain-text fallback.

Teams refuses messages over about 28 KB, so the card is kept under `MAX_CARD_BYTES` by dropping rows
(the summary says how many there are). Schema: Adaptive Cards 1.5 (the `Table` element needs 1.5).
"""

from __future__ import annotations

import json
from typing import Any

from assistant.answer import Answer
from connectors.cells import format_cell, readable_sql, shorten

MAX_CARD_BYTES = 24_000
SHOWN_ROWS = 10
MAX_COLUMNS = 6
MAX_CELL_CHARS = 40
MAX_SQL_CHARS = 4000
FOLLOW_UP_KEY = "crm_followup"
CONVERSATION_KEY = "crm_conversation"


def has_table(answer: Answer) -> bool:
    return bool(answer.columns and answer.rows) and not (len(answer.rows) == 1 and len(answer.columns) == 1)


def plain_text(answer: Answer, rows: int = SHOWN_ROWS) -> str:
    """The fallback: summary, the first rows as text lines, how it was calculated."""
    lines = [answer.summary]
    if rows and has_table(answer):
        all_columns, all_rows = answer.readable()
        columns = all_columns[:MAX_COLUMNS]
        lines.append(" | ".join(c.label for c in columns))
        for row in all_rows[:rows]:
            lines.append(" | ".join(shorten(format_cell(v, c), MAX_CELL_CHARS) for v, c in zip(row, columns, strict=False)))
        if answer.row_count > rows:
            lines.append(f"(showing {min(rows, len(answer.rows))} of {answer.row_count:,} rows)")
    if answer.explanation:
        lines.append(f"How it was calculated: {answer.explanation}")
    return "\n".join(lines)


def answer_card(answer: Answer, *, conversation_key: str, rows_visible: bool = True) -> dict[str, Any]:
    """The Adaptive Card for `answer`, within `MAX_CARD_BYTES`.

    Follow-up actions carry `conversation_key`, so a follow-up clicked in the private chat an answer was
    sent to still continues the conversation of the channel it was asked in.
    """
    shown = SHOWN_ROWS if rows_visible and has_table(answer) else 0
    while True:
        card = _card(answer, shown, conversation_key)
        if len(json.dumps(card).encode()) <= MAX_CARD_BYTES or shown == 0:
            return card
        shown -= 1


def _card(answer: Answer, shown: int, conversation_key: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": shorten(answer.summary or "Done.", 2000), "wrap": True,
         "weight": "Bolder" if answer.status == "answered" else "Default"},
    ]
    if answer.explanation:
        body.append({"type": "TextBlock", "text": f"How it was calculated: {shorten(answer.explanation, 1500)}",
                     "wrap": True, "isSubtle": True, "size": "Small"})
    if shown:
        body.append(_table(answer, shown))
        if answer.row_count > shown:
            body.append({"type": "TextBlock", "text": f"Showing {shown} of {answer.row_count:,} rows.",
                         "isSubtle": True, "size": "Small", "wrap": True})
    actions: list[dict[str, Any]] = []
    if answer.sql:
        body.append({"type": "Container", "id": "sql", "isVisible": False, "items": [
            {"type": "TextBlock", "text": shorten(readable_sql(answer.sql), MAX_SQL_CHARS), "wrap": True,
             "fontType": "Monospace", "size": "Small"}]})
        actions.append({"type": "Action.ToggleVisibility", "title": "Show SQL", "targetElements": ["sql"]})
    for suggestion in answer.suggestions[:4]:
        question = shorten(suggestion, 200)
        actions.append({"type": "Action.Submit", "title": shorten(question, 60), "data": {
            FOLLOW_UP_KEY: question, CONVERSATION_KEY: conversation_key[:300],
            "msteams": {"type": "messageBack", "text": question, "displayText": question}}})
    return {
        "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5", "fallbackText": plain_text(answer, shown),
        "body": body, "actions": actions,
    }


def _table(answer: Answer, shown: int) -> dict[str, Any]:
    all_columns, all_rows = answer.readable()
    columns = all_columns[:MAX_COLUMNS]

    def row(cells: list[str], header: bool = False) -> dict[str, Any]:
        return {"type": "TableRow", "cells": [
            {"type": "TableCell", "items": [{"type": "TextBlock", "text": c, "wrap": True,
                                             "weight": "Bolder" if header else "Default"}]} for c in cells]}

    rows = [row([c.label for c in columns], header=True)]
    rows += [row([shorten(format_cell(v, c), MAX_CELL_CHARS) for v, c in zip(r, columns, strict=False)])
             for r in all_rows[:shown]]
    return {"type": "Table", "firstRowAsHeader": True, "gridStyle": "accent",
            "columns": [{"width": 1} for _ in columns], "rows": rows}
