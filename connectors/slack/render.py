"""Block Kit rendering of an `Answer`: summary, a compact monospace table, how it was calculated, the SQL,
follow-up buttons — always inside Slack's documented limits (blocks, characters, buttons).

Limits from Slack's Block Kit reference: 50 blocks a message, 3,000 characters of section/context text,
75 characters of button text, 2,000 characters of button value, 25 elements an actions block.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from assistant.answer import Answer
from connectors.cells import format_cell, readable_sql, shorten

MAX_BLOCKS = 50
MAX_TEXT_CHARS = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS = 25
SHOWN_ROWS = 10
MAX_TABLE_COLUMNS = 6
MAX_CELL_CHARS = 22
FOLLOW_UP_ACTION = "crm_followup_{index}"
SHARE_ACTION = "crm_share_summary"


@dataclass(frozen=True)
class Rendering:
    """What to post: the notification `text` (also the plain-text fallback) and the blocks."""

    text: str
    blocks: list[dict[str, Any]]


def escape(text: str) -> str:
    """Slack's three control characters, escaped as its formatting reference asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_text(answer: Answer, *, rows: int = SHOWN_ROWS, max_chars: int = MAX_TEXT_CHARS - 10) -> str:
    """A fixed-width table of the first `rows` rows that fits in one section block."""
    readable_columns, readable_rows = answer.readable()
    columns = readable_columns[:MAX_TABLE_COLUMNS]
    body = [[shorten(format_cell(v, c), MAX_CELL_CHARS) for v, c in zip(row, columns, strict=False)]
            for row in readable_rows[:rows]]
    header = [shorten(c.label, MAX_CELL_CHARS) for c in columns]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(columns))]
    numeric = [c.type in ("number", "integer") for c in columns]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(w) if num else cell.ljust(w) for cell, w, num in zip(cells, widths, numeric, strict=False)).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    for cells in body:
        candidate = "\n".join([*lines, line(cells)])
        if len(escape(candidate)) + 6 > max_chars:
            break
        lines.append(line(cells))
    return escape("\n".join(lines)).replace("```", "'''")


def shown_rows(answer: Answer) -> int:
    """How many rows the table shows (what fits, at most `SHOWN_ROWS`)."""
    return max(0, table_text(answer).count("\n") - 1)


def has_table(answer: Answer) -> bool:
    return bool(answer.columns and answer.rows) and not (len(answer.rows) == 1 and len(answer.columns) == 1)


def rows_csv(answer: Answer) -> str:
    """Every row of the answer as CSV (UTF-8, ISO-8601 dates as the answer carries them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in answer.columns])
    writer.writerows(answer.rows)
    return out.getvalue()


def render_answer(answer: Answer, *, conversation_key: str, rows_visible: bool, offer_share: bool,
                  csv_note: str | None = None) -> Rendering:
    """Blocks for `answer`. Without `rows_visible` only the summary and the way out are shown (never rows).

    Args:
        conversation_key: carried in follow-up buttons so a click continues this conversation.
        rows_visible: whether this message may hold the table (private to the asker, or policy allows).
        offer_share: add a "Share summary in channel" button (rows were kept private in a channel).
        csv_note: where the full table went, when the table shows only part of it.
    """
    summary = escape(shorten(answer.summary or "Done.", MAX_TEXT_CHARS - 10))
    blocks: list[dict[str, Any]] = [_section(f"*{summary}*" if answer.status == "answered" else summary)]
    if rows_visible and has_table(answer):
        blocks.append(_section(f"```{table_text(answer)}```"))
        shown = shown_rows(answer)
        if answer.row_count > shown:
            note = f"Showing {shown} of {answer.row_count:,} rows."
            blocks.append(_context(note + (f" {csv_note}" if csv_note else "")))
    if answer.explanation:
        blocks.append(_context(f"*How it was calculated:* {escape(answer.explanation)}"))
    if answer.sql:
        sql = shorten(readable_sql(answer.sql), MAX_TEXT_CHARS - 20).replace("```", "'''")
        blocks.append(_context(f"SQL: ```{escape(sql)}```"))
    buttons = [_follow_up_button(i, s, conversation_key) for i, s in enumerate(answer.suggestions[:4])]
    if offer_share and answer.status == "answered":
        buttons.append({
            "type": "button", "action_id": SHARE_ACTION, "style": "primary",
            "text": {"type": "plain_text", "text": "Share summary in channel"},
            "value": json.dumps({"s": shorten(answer.summary, 1500)}),
        })
    if buttons:
        blocks.append({"type": "actions", "elements": buttons[:MAX_ACTIONS]})
    return Rendering(text=shorten(answer.summary or "Done.", MAX_TEXT_CHARS), blocks=blocks[:MAX_BLOCKS])


def render_notice(text: str) -> Rendering:
    """A plain message (refusals, errors): one section, same text as the fallback."""
    return Rendering(text=text, blocks=[_section(escape(text))])


def check_limits(blocks: list[dict[str, Any]]) -> list[str]:
    """Every way `blocks` break Slack's limits (empty when they fit); used by tests and debug logging."""
    problems = [f"{len(blocks)} blocks > {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for i, block in enumerate(blocks):
        texts = [block.get("text", {}).get("text", "")] + [e.get("text", "") for e in block.get("elements", [])
                                                           if block["type"] == "context"]
        problems += [f"block {i}: {len(t)} chars" for t in texts if len(t) > MAX_TEXT_CHARS]
        if block["type"] == "actions":
            if len(block["elements"]) > MAX_ACTIONS:
                problems.append(f"block {i}: {len(block['elements'])} buttons")
            for button in block["elements"]:
                if len(button["text"]["text"]) > MAX_BUTTON_TEXT:
                    problems.append(f"block {i}: button text {len(button['text']['text'])} chars")
                if len(button.get("value", "")) > MAX_BUTTON_VALUE:
                    problems.append(f"block {i}: button value {len(button['value'])} chars")
    return problems


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, MAX_TEXT_CHARS)}]}


def _follow_up_button(index: int, question: str, conversation_key: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": FOLLOW_UP_ACTION.format(index=index),
        "text": {"type": "plain_text", "text": shorten(question, MAX_BUTTON_TEXT)},
        "value": json.dumps({"q": shorten(question, 500), "c": conversation_key[:300]}),
    }
