"""CSV import and export of contacts and accounts (the CLI's `import` and `export` commands call these)."""

from crm_core.csv_io.exporter import export_csv
from crm_core.csv_io.importer import import_csv
from crm_core.csv_io.report import render_report, summary

__all__ = ["export_csv", "import_csv", "render_report", "summary"]
