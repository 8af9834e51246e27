"""Render an `Answer` for a terminal: summary, a rich table, how it was calculated, the SQL."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from assistant.answer import Answer
from connectors.cells import format_cell, readable_sql

MAX_ROWS = 50


def render_answer(answer: Answer, console: Console, *, show_sql: bool = True) -> None:
    colour = {"answered": "green", "clarified": "yellow", "refused": "red", "error": "red"}[answer.status]
    console.print(Text(answer.summary, style=f"bold {colour}"))
    if answer.columns and answer.rows:
        columns, rows = answer.readable()
        table = Table(show_lines=False, header_style="bold")
        for column in columns:
            justify = "right" if column.type in ("integer", "number") else "left"
            table.add_column(column.label, justify=justify, overflow="fold", max_width=40)
        for row in rows[:MAX_ROWS]:
            table.add_row(*[format_cell(v, c) for v, c in zip(row, columns, strict=False)])
        console.print(table)
        if answer.row_count > MAX_ROWS:
            console.print(f"[dim]showing {MAX_ROWS} of {answer.row_count:,} rows (use --json for all)[/]")
    parts = []
    if answer.explanation:
        parts.append(Text(f"How: {answer.explanation}", style="dim"))
    if show_sql and answer.sql:
        parts.append(Syntax(readable_sql(answer.sql), "sql", word_wrap=True, theme="ansi_dark"))
    if parts:
        console.print(Panel(Group(*parts), title="calculation", border_style="dim"))
    if answer.suggestions:
        label = "Did you mean" if answer.status == "clarified" else "Try"
        console.print(f"[cyan]{label}:[/] " + " · ".join(answer.suggestions))
