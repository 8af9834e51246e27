"""Render lead scores, training reports and send-time suggestions for a terminal (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_core.scoring import ApplyReport, ScoreExplanation, TrainReport
from crm_core.send_time import SendTimeSuggestion


def render_train_report(report: TrainReport, console: Console) -> None:
    table = Table(title=f"Candidates on the latest quarter of {report.rows:,} training rows "
                        f"({report.conversions:,} conversions)")
    table.add_column("model")
    table.add_column("ROC AUC", justify="right")
    table.add_column("Brier", justify="right")
    for kind, metrics in report.selection.items():
        chosen = " (chosen)" if kind == report.kind else ""
        table.add_row(kind.replace("_", " ") + chosen, f"{metrics['roc_auc']:.4f}", f"{metrics['brier']:.4f}")
    console.print(table)
    console.print(f"Model [bold]{report.version}[/] ({report.horizon_days}-day conversion, outcomes known at "
                  f"{report.data_as_of:%Y-%m-%d}) saved to {report.path}.")


def render_apply_report(report: ApplyReport, console: Console) -> None:
    table = Table(title=f"Scored {report.scored:,} contacts with {report.model_version} in {report.seconds:.1f} s")
    table.add_column("band")
    table.add_column("contacts", justify="right")
    for band, count in report.score_distribution.items():
        table.add_row(band, f"{count:,}")
    console.print(table)
    console.print(f"{report.contacts_updated:,} contacts updated, {report.history_rows:,} history rows added "
                  f"(as of {report.scored_at:%Y-%m-%d %H:%M} UTC).")


def render_explanation(explanation: ScoreExplanation, console: Console) -> None:
    console.print(Text(explanation.summary, style="bold"))
    table = Table(show_header=True, header_style="bold")
    table.add_column("", width=2)
    table.add_column("reason")
    table.add_column("points", justify="right")
    table.add_column("group", style="dim")
    for factor in [*explanation.factors_up, *explanation.factors_down]:
        arrow = "[green]▲[/]" if factor.direction == "up" else "[red]▼[/]"
        table.add_row(arrow, factor.text, f"{factor.points:+.1f}", factor.group)
    if explanation.factors_up or explanation.factors_down:
        console.print(table)
    if len(explanation.history) > 1:
        trail = " → ".join(f"{h.score} ({h.scored_at:%Y-%m-%d})" for h in explanation.history[-6:])
        console.print(f"[dim]History: {trail}[/]")
    console.print(f"[dim]Model {explanation.model_version}, scored {explanation.scored_at:%Y-%m-%d %H:%M} UTC "
                  f"({explanation.source}).[/]")


def render_send_time(suggestion: SendTimeSuggestion, console: Console) -> None:
    console.print(Text(suggestion.summary, style="bold"))
    table = Table(header_style="bold")
    table.add_column("slot")
    table.add_column(f"local time ({suggestion.timezone})")
    table.add_column("share of opens", justify="right")
    table.add_column("next", justify="right")
    for name, slot in [("best hour", suggestion.best), ("3-hour window", suggestion.window_3h),
                       *(("alternative", a) for a in suggestion.alternatives)]:
        table.add_row(name, slot.label, f"{slot.share_of_opens:.0%}", slot.next_start_local)
    console.print(table)
