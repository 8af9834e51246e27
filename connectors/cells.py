"""How a channel writes an answer as text for a person: money with a dollar sign, ids as they are, dates
to the minute, nothing as a dash, the SQL without pages of embedding numbers — the same in Slack, Teams
and the CLI."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import AnswerColumn

_MONEY = re.compile(r"(amount|revenue|pipeline|value|deal_size)")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# a vector literal of a semantic filter: '[0.00109,0.05118,…]' with hundreds of numbers
_VECTOR_LITERAL = re.compile(r"'\[((?:-?[\d.e+-]+,){3})(?:-?[\d.e+-]+,){4,}-?[\d.e+-]+\]'")


def readable_sql(sql: str) -> str:
    """The SQL to show a person: each embedding literal cut to its first numbers ('[0.001,0.051,-0.029,…]').

    The answer itself keeps the full SQL (the web widget's editor and API clients can run it again).

    >>> readable_sql("SELECT e <=> CAST('[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]' AS VECTOR(8))")
    "SELECT e <=> CAST('[0.1,0.2,0.3,…]' AS VECTOR(8))"
    """
    return _VECTOR_LITERAL.sub(lambda m: f"'[{m.group(1)}…]'", sql)


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
