"""NLQ eval runner: any suite in the fixed JSONL format → execution accuracy, refusals, latency.

Each item's answer is compared with the result of its `gold_sql` run on the same database:
row multisets, order-insensitive unless the gold orders with a LIMIT, numbers within 0.01, and on
record ids when both sides list records. Also proves that nothing was written.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from assistant.answer import Answer, json_value
from assistant.service import Assistant
from crm_core.scope import actor_for
from evals.stats import percentile
from nlq.errors import NlqError
from nlq.executor import execute_text

SUITES_DIR = Path(__file__).resolve().parent / "suites"
DEFAULT_SUITE = SUITES_DIR / "nlq.jsonl"
EXPECTS = ("answer", "refuse", "clarify")
TABLES = ("teams", "users", "accounts", "contacts", "pipelines", "deal_stages", "deals", "activities", "emails",
          "notes")


@dataclass
class SuiteItem:
    id: str
    question: str
    as_user: str
    context: list[str]
    expect: str
    gold_sql: str | None


def load_suite(path: Path) -> list[SuiteItem]:
    items, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NlqError(f"{path.name} line {n} is not JSON: {exc.msg}", code="invalid-suite") from None
        if not isinstance(raw, dict) or "id" not in raw or "question" not in raw:
            raise NlqError(f"{path.name} line {n} needs 'id' and 'question'.", code="invalid-suite")
        expect = raw.get("expect", "answer")
        if expect not in EXPECTS:
            raise NlqError(f"{path.name} line {n}: expect must be one of {', '.join(EXPECTS)}.", code="invalid-suite")
        if raw["id"] in seen:
            raise NlqError(f"{path.name} line {n}: duplicate id {raw['id']!r}.", code="invalid-suite")
        seen.add(raw["id"])
        items.append(SuiteItem(str(raw["id"]), str(raw["question"]), raw.get("as") or "admin@demo.crm",
                               list(raw.get("context") or []), expect, raw.get("gold_sql")))
    return items


def run_nlq_eval(*, assistant: Assistant, suite: Path, report: Path | None, today: date | None,
                 console: Console | None = None, show_progress: bool = True,
                 translator: str | None = None) -> dict[str, Any]:
    """Run a suite with one translator (parser, llm or auto; None: the translator setting).

    The summary says which translator was asked for and, per translator that answered (auto mixes
    them), its share of items, accuracy, refusals and latency.
    """
    console = console or Console()
    translator = translator or assistant.settings.translator
    items = load_suite(suite)
    counts_before = _table_counts(assistant.engine)
    results: list[dict[str, Any]] = []
    actors: dict[str, Any] = {}
    with Progress(console=console, disable=not show_progress, transient=True) as progress:
        task = progress.add_task("NLQ eval", total=len(items))
        for item in items:
            results.append(_run_item(assistant, item, today, actors, translator))
            progress.advance(task)
    counts_after = _table_counts(assistant.engine)
    summary = _summarize(results, items, rows_written=sum(abs(counts_after[t] - counts_before[t]) for t in TABLES))
    summary["translator"] = translator
    summary["by_translator"] = _by_translator(results, items)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({"summary": summary, "items": results}, indent=1, default=str), encoding="utf-8")
    _print(console, summary, results, items)
    return summary


def _run_item(assistant: Assistant, item: SuiteItem, today: date | None, actors: dict[str, Any],
              translator: str | None = None) -> dict[str, Any]:
    if item.as_user not in actors:
        with Session(assistant.engine) as session:
            actors[item.as_user] = actor_for(session, item.as_user)
    actor = actors[item.as_user]
    conversation = f"eval-{item.id}-{time.monotonic_ns()}"
    for earlier in item.context:
        assistant.ask(earlier, actor, channel="eval", conversation_id=conversation, today=today, audit=False,
                      translator=translator)
    started = time.perf_counter()
    answer = assistant.ask(item.question, actor, channel="eval", conversation_id=conversation, today=today,
                           audit=False, translator=translator)
    latency_ms = (time.perf_counter() - started) * 1000
    correct: bool | None
    if item.expect == "refuse":
        correct = answer.status == "refused"
    elif item.expect == "clarify":
        correct = answer.status == "clarified"
    elif item.gold_sql:
        correct = answer.status == "answered" and _matches(answer, _gold(assistant, item.gold_sql))
    else:
        correct = None
    return {
        "id": item.id, "question": item.question, "expect": item.expect, "status": answer.status,
        "sql": answer.sql, "columns": [c.name for c in answer.columns], "rows": answer.rows,
        "latency_ms": round(latency_ms, 2), "correct": correct,
        "error": answer.error.model_dump() if answer.error else None, "translator": answer.translator,
    }


def _gold(assistant: Assistant, sql: str) -> tuple[list[str], list[list[Any]], bool]:
    result = execute_text(assistant.engine, sql, timeout_ms=30_000, row_cap=100_000)
    ordered = _is_ordered(sql)
    return [c.name for c in result.columns], [[json_value(v) for v in r] for r in result.rows], ordered


def _is_ordered(sql: str) -> bool:
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:
        return False
    return bool(tree.args.get("order")) and bool(tree.args.get("limit"))


def _matches(answer: Answer, gold: tuple[list[str], list[list[Any]], bool]) -> bool:
    gold_columns, gold_rows, ordered = gold
    columns = [c.name for c in answer.columns]
    rows = answer.rows
    if answer.truncated:
        return False
    if "id" in columns and "id" in gold_columns and len(gold_columns) > 1 or (
            "id" in columns and gold_columns == ["id"]):
        ours = [r[columns.index("id")] for r in rows]
        theirs = [r[gold_columns.index("id")] for r in gold_rows]
        if not ordered:
            return sorted(ours) == sorted(theirs)
        return ours == theirs or _same_ranking(rows, gold_rows)
    if len(rows) != len(gold_rows):
        return False
    width = len(gold_columns)
    if len(columns) < width:
        return False
    candidates = [tuple(range(width))] if len(columns) == width else itertools.permutations(range(len(columns)), width)
    for pick in itertools.islice(candidates, 5000):
        projected = [[r[i] for i in pick] for r in rows]
        if _same_rows(projected, gold_rows, ordered):
            return True
    return ordered and _same_ranking(rows, gold_rows)


def _same_rows(ours: list[list[Any]], theirs: list[list[Any]], ordered: bool) -> bool:
    if not ordered:
        ours, theirs = sorted(ours, key=_sort_key), sorted(theirs, key=_sort_key)
    return all(_same_row(a, b) for a, b in zip(ours, theirs, strict=True))


def _same_ranking(ours: list[list[Any]], theirs: list[list[Any]]) -> bool:
    """Top-N with ties: any order (and any member at a tied boundary) of equal measures is right."""
    if len(ours) != len(theirs) or not ours:
        return False
    return all(_same_row([a[-1]], [b[-1]]) for a, b in zip(ours, theirs, strict=True))


def _sort_key(row: list[Any]) -> tuple[Any, ...]:
    return tuple((0, round(float(v), 1), "") if _is_number(v) else (1, 0.0, str(v)) for v in row)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_row(a: list[Any], b: list[Any]) -> bool:
    for x, y in zip(a, b, strict=True):
        if _is_number(x) and _is_number(y):
            if not math.isclose(float(x), float(y), abs_tol=0.01, rel_tol=1e-9):
                return False
        elif ((x is None) != (y is None) or str(x) != str(y)) and not _same_day(x, y):
            return False
    return True


def _same_day(x: Any, y: Any) -> bool:
    """'2026-01-01' and '2026-01-01T00:00:00+00:00' are the same month bucket."""
    if not (isinstance(x, str) and isinstance(y, str)) or x[:10] != y[:10]:
        return False
    rest = {x[10:], y[10:]}
    return rest <= {"", "T00:00:00+00:00", "T00:00:00", " 00:00:00+00:00"}


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


def _summarize(results: list[dict[str, Any]], items: list[SuiteItem], *, rows_written: int) -> dict[str, Any]:
    graded = [r for r in results if r["expect"] == "answer" and r["correct"] is not None]
    refuse = [r for r in results if r["expect"] == "refuse"]
    clarify = [r for r in results if r["expect"] == "clarify"]
    latencies = [r["latency_ms"] for r in results]

    def share(rows: list[dict[str, Any]]) -> float:
        return round(sum(1 for r in rows if r["correct"]) / len(rows), 4) if rows else 1.0

    return {
        "items": len(results),
        "accuracy": share(graded),
        "answer_items": len(graded),
        "refusal_accuracy": share(refuse),
        "refuse_items": len(refuse),
        "clarification_accuracy": share(clarify),
        "clarify_items": len(clarify),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "rows_written": rows_written,
        "status_counts": {s: sum(1 for r in results if r["status"] == s)
                          for s in ("answered", "refused", "clarified", "error")},
    }


def _by_translator(results: list[dict[str, Any]], items: list[SuiteItem]) -> dict[str, Any]:
    """Accuracy, refusals and latency of the items each translator answered (auto mixes them)."""
    out = {}
    for name in sorted({r["translator"] for r in results}):
        part = _summarize([r for r in results if r["translator"] == name], items, rows_written=0)
        out[name] = {k: part[k] for k in ("items", "accuracy", "answer_items", "refusal_accuracy", "refuse_items",
                                         "clarification_accuracy", "clarify_items", "p50_ms", "p95_ms")}
    return out


def _print(console: Console, summary: dict[str, Any], results: list[dict[str, Any]], items: list[SuiteItem]) -> None:
    table = Table(title="NLQ eval")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("execution accuracy", f"{summary['accuracy']:.1%} of {summary['answer_items']}")
    table.add_row("refusal accuracy", f"{summary['refusal_accuracy']:.1%} of {summary['refuse_items']}")
    table.add_row("clarification accuracy", f"{summary['clarification_accuracy']:.1%} of {summary['clarify_items']}")
    table.add_row("latency p50 / p95", f"{summary['p50_ms']:.1f} / {summary['p95_ms']:.1f} ms")
    table.add_row("rows written", str(summary["rows_written"]))
    if "translator" in summary:
        table.add_row("translator", str(summary["translator"]))
    console.print(table)
    if len(summary.get("by_translator", {})) > 1:
        parts = Table(title="by the translator that answered")
        for column in ("translator", "items", "accuracy", "refusals", "p50 / p95 ms"):
            parts.add_column(column, justify="left" if column == "translator" else "right")
        for name, part in summary["by_translator"].items():
            parts.add_row(name, str(part["items"]), f"{part['accuracy']:.1%} of {part['answer_items']}",
                          f"{part['refusal_accuracy']:.1%} of {part['refuse_items']}",
                          f"{part['p50_ms']:.1f} / {part['p95_ms']:.1f}")
        console.print(parts)
    failures = [r for r in results if r["correct"] is False]
    if failures:
        fail_table = Table(title=f"{len(failures)} failures (first 25)")
        fail_table.add_column("id")
        fail_table.add_column("expect")
        fail_table.add_column("got")
        fail_table.add_column("question", overflow="fold")
        for r in failures[:25]:
            fail_table.add_row(r["id"], r["expect"], r["status"], r["question"][:90])
        console.print(fail_table)
