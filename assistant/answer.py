"""The channel-neutral answer object that every connector renders (Slack, Teams, web, API, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

AnswerStatus = Literal["answered", "refused", "clarified", "error"]


class AnswerColumn(BaseModel):
    name: str
    label: str
    type: str
    format: str | None = None   # how a figure reads: "percent" (a 0-1 ratio), "money", "count"; None: by type


class ChartHint(BaseModel):
    """How the rows could be drawn: a bar chart of a measure per category, or a line over time."""

    type: Literal["bar", "line"]
    x: str
    y: str
    title: str = ""


class AnswerError(BaseModel):
    code: str
    message: str


def readable_columns(columns: list[AnswerColumn]) -> list[int]:
    """Positions of the columns a person reads: an id beside its name ("owner_id" next to "owner_name") is
    for API clients and exports, so tables show the name alone."""
    names = {c.name for c in columns}
    return [i for i, c in enumerate(columns) if not (c.name.endswith("_id") and f"{c.name[:-3]}_name" in names)]


class Answer(BaseModel):
    status: AnswerStatus
    summary: str
    columns: list[AnswerColumn] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    row_count: int = 0
    truncated: bool = False
    sql: str | None = None
    chart: ChartHint | None = None
    suggestions: list[str] = Field(default_factory=list)
    explanation: str = ""
    definitions: list[str] = Field(default_factory=list)
    conversation_id: str | None = None
    translator: str = "parser"
    error: AnswerError | None = None
    latency_ms: float = 0.0

    def readable(self) -> tuple[list[AnswerColumn], list[list[Any]]]:
        """Columns and rows as a person reads them (see `readable_columns`)."""
        keep = readable_columns(self.columns)
        if len(keep) == len(self.columns):
            return self.columns, self.rows
        return [self.columns[i] for i in keep], [[row[i] for i in keep] for row in self.rows]


def json_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """JSON-safe rows; columns are converted only when their first non-null value needs it."""
    if not rows:
        return []
    width = len(rows[0])
    needs = []
    for i in range(width):
        sample = next((r[i] for r in rows if r[i] is not None), None)
        needs.append(isinstance(sample, (Decimal, date, list, tuple, dict)))
    if not any(needs):
        return [list(r) for r in rows]
    return [[json_value(v) if needs[i] else v for i, v in enumerate(r)] for r in rows]


def json_value(value: Any) -> Any:
    """Rows carry JSON-safe values: numbers stay numbers, dates become ISO-8601 strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value
