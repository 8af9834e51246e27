"""Rendering an `ImportReport` for people: a rich table the CLI prints."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from crm_core.csv_io.headers import HEADER_ROW
from crm_core.errors import ImportReport


def summary(report: ImportReport) -> str:
    """One line saying what happened, e.g. "Imported 118 of 120 rows; 2 rows have problems"."""
    bad_rows = len({e.row for e in report.errors if e.row != HEADER_ROW})
    if report.ok:
        return f"Imported {report.imported} of {report.total_rows} rows."
    problems = f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''}"
    if any(e.row == HEADER_ROW for e in report.errors):
        problems += " (including the header)"
    elif bad_rows:
        problems += f" in {bad_rows} row{'s' if bad_rows != 1 else ''}"
    if report.imported:
        return f"Imported {report.imported} of {report.total_rows} rows; skipped rows with {problems}."
    return f"Nothing imported: {problems}. Fix them and import the file again."


def render_report(report: ImportReport, *, max_rows: int | None = 200) -> Table:
    """A table of the import's problems (row, column, code, reason) captioned with its summary.

    Args:
        report: the outcome of `import_csv`.
        max_rows: show at most this many problems (None: all); the caption counts the rest.

    Example:
        >>> from rich.console import Console
        >>> Console().print(render_report(report))  # doctest: +SKIP
    """
    table = Table(title=summary(report), title_justify="left", show_lines=False)
    table.add_column("Row", justify="right", style="cyan", no_wrap=True)
    table.add_column("Column", style="magenta")
    table.add_column("Code", style="yellow", no_wrap=True)
    table.add_column("Reason")
    shown = report.errors if max_rows is None else report.errors[:max_rows]
    for error in shown:
        row = "header" if error.row == HEADER_ROW else str(error.row)
        table.add_row(row, Text(error.column), error.code, Text(error.reason))
    if len(shown) < len(report.errors):
        table.caption = f"… and {len(report.errors) - len(shown)} more problems"
    return table
