"""How a chat channel writes one answer cell as text: money with a dollar sign, ids as they are, dates
to the minute, nothing as a dash — the same in Slack and Teams."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import AnswerColumn

_MONEY = re.compile(r"(amount|revenue|pipeline|value|deal_size)")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_cell(value: Any, column: AnswerColumn) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and column.format == "percent":
        return f"{value * 100:.1f}%"
    if isinstance(value, (int, float)) and column.format == "money":
        return f"${value:,.0f}"
    if isinstance(value, (int, float)) and column.type in ("number", "integer"):
        if column.name == "id" or column.name.endswith("_id"):
            return str(value)
        if _MONEY.search(column.name):
            return f"${value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    if column.type == "timestamp" and isinstance(value, str):
        return value.replace("T", " ")[:16]
    return str(value)
