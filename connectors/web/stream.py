"""Server-sent events for the widget: an answer is streamed as status → answer (first rows) → rows… → done.

The first rows travel with the answer itself so the summary and the start of the table reach the
screen together; the rest follow in chunks the browser appends while the user is already reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from assistant.answer import Answer

FIRST_ROWS = 50
CHUNK_ROWS = 200


def sse(event: str, data: dict[str, Any]) -> str:
    """One SSE frame (``event:`` + single-line JSON ``data:``), as the EventSource format defines it."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


def answer_events(answer: Answer) -> Iterator[str]:
    """The frames that deliver one answer after the 'thinking' status."""
    body = answer.model_dump(mode="json")
    rows = body.pop("rows")
    yield sse("answer", {**body, "rows": rows[:FIRST_ROWS]})
    for start in range(FIRST_ROWS, len(rows), CHUNK_ROWS):
        yield sse("rows", {"rows": rows[start:start + CHUNK_ROWS]})
    yield sse("done", {"row_count": answer.row_count, "latency_ms": round(answer.latency_ms, 1)})
