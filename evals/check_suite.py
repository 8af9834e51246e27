"""Check an NLQ eval suite: the format of every line, then every gold SQL against a database.

    python -m evals.check_suite [--suite FILE] [--database-url URL] [--data-dir DIR] [--load-demo] [--format-only]

Format checks (errors): JSON object per line, required keys, known keys only, unique ids,
`expect` in answer/refuse/clarify, answer items carry `gold_sql`, refuse/clarify items carry none,
`as` looks like an email, `context` is a list of non-empty strings, gold SQL parses (sqlglot,
PostgreSQL) as one SELECT statement.

Scoping checks (warnings): an item asked as a rep or a manager whose gold SQL reads a scoped table
(accounts, contacts, deals, activities, emails, notes) should name the asking user's email.

Database checks: each gold SQL runs read-only with a statement timeout against a database holding
the demo data (seed 7, today 2026-05-15). The script prints the row count and time of each item,
flags errors, slow statements (> 1 s), answer items whose gold result is empty (a few are
intended, e.g. scoping items; most should return rows), and ORDER BY ... LIMIT items whose sort keys
tie within the first LIMIT + 1 rows (the ordered comparison would then be arbitrary), and results
larger than the executor's default row cap of 1000 rows. Without `--database-url` it uses the
configured database (DATABASE_URL, else the embedded PostgreSQL in `--data-dir`). `--load-demo` first
(re)loads that database with the demo data the suite is written for — it wipes what is there, so point
it at a scratch database, e.g. `--data-dir /tmp/suite-db --load-demo`.

Exit status: 0 when there is no format error and no SQL error, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

DEFAULT_SUITE = Path(__file__).resolve().parent / "suites" / "nlq.jsonl"
REQUIRED_KEYS = {"id", "question"}
OPTIONAL_KEYS = {"as", "context", "expect", "gold_sql", "notes"}
EXPECTS = {"answer", "refuse", "clarify"}
DEFAULT_USER = "admin@demo.crm"
SCOPED_TABLES = {"accounts", "contacts", "deals", "activities", "emails", "notes"}
SLOW_SECONDS = 1.0
ROW_CAP = 1000  # the executor's default row cap: a bigger gold result cannot be matched in full
DEMO_SIZE, DEMO_SEED, DEMO_TODAY = "small", 7, date(2026, 5, 15)


@dataclass
class Problem:
    item_id: str
    line: int
    message: str


@dataclass
class FormatReport:
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def load_lines(path: Path) -> list[tuple[int, str]]:
    return [
        (n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()
    ]


def parse_select(sql: str) -> tuple[Any | None, str | None]:
    """Parse `sql` as PostgreSQL; return (expression, error) — error unless it is one SELECT."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except SqlglotError as error:
        return None, f"gold_sql does not parse: {str(error).splitlines()[0]}"
    if len(statements) != 1:
        return None, f"gold_sql must be one statement, got {len(statements)}"
    statement = statements[0]
    if not isinstance(statement, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
        return None, f"gold_sql must be a SELECT, got {type(statement).__name__}"
    return statement, None


def tables_read(expression: Any) -> set[str]:
    from sqlglot import exp

    return {table.name.lower() for table in expression.find_all(exp.Table)}


def check_format(lines: list[tuple[int, str]]) -> FormatReport:
    report = FormatReport()
    seen: Counter[str] = Counter()
    for line_no, raw in lines:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            report.errors.append(Problem("?", line_no, f"not JSON: {error}"))
            continue
        if not isinstance(item, dict):
            report.errors.append(Problem("?", line_no, "line is not a JSON object"))
            continue
        raw_id = item.get("id")
        item_id = raw_id if isinstance(raw_id, str) else "?"
        problems: list[str] = []
        flag = problems.append

        missing = REQUIRED_KEYS - item.keys()
        if missing:
            flag(f"missing keys: {sorted(missing)}")
        unknown = item.keys() - REQUIRED_KEYS - OPTIONAL_KEYS
        if unknown:
            flag(f"unknown keys: {sorted(unknown)}")
        if not isinstance(item.get("id"), str) or not item.get("id", "").strip():
            flag("id must be a non-empty string")
        else:
            seen[item["id"]] += 1
        if not isinstance(item.get("question"), str) or not item.get("question"):
            flag("question must be a non-empty string")
        expect = item.get("expect", "answer")
        if expect not in EXPECTS:
            flag(f"expect must be one of {sorted(EXPECTS)}, got {expect!r}")
        user = item.get("as", DEFAULT_USER)
        if not isinstance(user, str) or "@" not in user:
            flag(f"as must be an email, got {user!r}")
        context = item.get("context")
        if context is not None and (
            not isinstance(context, list)
            or not context
            or not all(isinstance(c, str) and c.strip() for c in context)
        ):
            flag("context must be a non-empty list of non-empty strings")
        if "notes" in item and not isinstance(item["notes"], str):
            flag("notes must be a string")
        gold = item.get("gold_sql")
        if expect == "answer":
            if not isinstance(gold, str) or not gold.strip():
                flag("answer items need gold_sql")
            else:
                expression, problem = parse_select(gold)
                if problem:
                    flag(problem)
                elif user != DEFAULT_USER and tables_read(expression) & SCOPED_TABLES and user not in gold:
                    report.warnings.append(
                        Problem(item_id, line_no, f"asked as {user} but gold_sql does not mention that user")
                    )
        elif gold is not None:
            flag(f"{expect} items must not have gold_sql")
        report.errors.extend(Problem(item_id, line_no, message) for message in problems)
        report.items.append(item)
    for item_id, count in seen.items():
        if count > 1:
            report.errors.append(Problem(item_id, 0, f"duplicate id ({count} times)"))
    return report


def summarize(items: list[dict[str, Any]]) -> dict[str, int]:
    expects = Counter(item.get("expect", "answer") for item in items)
    return {
        "items": len(items),
        "answer": expects["answer"],
        "refuse": expects["refuse"],
        "clarify": expects["clarify"],
        "with_context": sum(1 for item in items if item.get("context")),
        "as_rep": sum(1 for item in items if item.get("as") == "rep@demo.crm"),
        "as_manager": sum(1 for item in items if item.get("as") == "manager@demo.crm"),
        "as_other": sum(
            1
            for item in items
            if item.get("as", DEFAULT_USER) not in {DEFAULT_USER, "rep@demo.crm", "manager@demo.crm"}
        ),
    }


@dataclass
class RunResult:
    item_id: str
    rows: int | None
    seconds: float
    error: str | None
    sample: list[tuple[Any, ...]]
    ties: bool = False


def order_keys_sql(sql: str) -> str | None:
    """For a SELECT with ORDER BY and LIMIT n: the same query selecting only its sort keys, LIMIT n + 1.

    Ties among those first n + 1 rows make an ordered comparison (or the cut at n) arbitrary.
    """
    from sqlglot import exp

    expression, problem = parse_select(sql)
    if problem or not isinstance(expression, exp.Select):
        return None
    order = expression.args.get("order")
    limit = expression.args.get("limit")
    if order is None or limit is None or not isinstance(limit.expression, exp.Literal):
        return None
    aliases = {e.alias: e.unalias() for e in expression.expressions if isinstance(e, exp.Alias)}
    positions = list(expression.expressions)
    keys = []
    probe = expression.copy()
    for ordered in probe.args["order"].expressions:
        key = ordered.this
        if isinstance(key, exp.Column) and not key.table and key.name in aliases:
            key = aliases[key.name]
        elif isinstance(key, exp.Literal) and key.is_int:
            key = positions[int(key.name) - 1].unalias()
        ordered.set("this", key.copy())
        keys.append(key.copy())
    probe.set("expressions", keys)
    probe.set("limit", exp.Limit(expression=exp.Literal.number(int(limit.expression.name) + 1)))
    return probe.sql(dialect="postgres")


def run_gold(url: str, items: list[dict[str, Any]], timeout_ms: int) -> list[RunResult]:
    import psycopg
    from sqlalchemy import create_engine

    from crm_core.db import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(url))
    results: list[RunResult] = []
    try:
        with engine.connect() as conn:
            for item in items:
                if item.get("expect", "answer") != "answer" or not isinstance(item.get("gold_sql"), str):
                    continue
                conn.exec_driver_sql("BEGIN READ ONLY")
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                started = time.perf_counter()
                try:
                    dbapi = conn.connection.dbapi_connection
                    assert dbapi is not None
                    cursor = dbapi.cursor()
                    cursor.execute(item["gold_sql"])  # no parameters: the SQL is sent as written
                    rows = cursor.fetchall()
                    elapsed = time.perf_counter() - started
                    result = RunResult(item["id"], len(rows), elapsed, None, [tuple(r) for r in rows[:3]])
                    results.append(result)
                    probe = order_keys_sql(item["gold_sql"])
                    if probe:
                        conn.exec_driver_sql("SAVEPOINT probe")
                        try:
                            cursor.execute(probe)
                            keys = [tuple(r) for r in cursor.fetchall()]
                            result.ties = any(a == b for a, b in pairwise(keys))
                        except psycopg.Error:  # the probe is best effort; the gold SQL itself ran
                            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT probe")
                except psycopg.Error as error:  # report every failing statement, keep going
                    elapsed = time.perf_counter() - started
                    message = str(getattr(error, "orig", error)).strip().splitlines()[0]
                    results.append(RunResult(item["id"], None, elapsed, message, []))
                finally:
                    conn.rollback()
    finally:
        engine.dispose()
    return results


def resolve_url(database_url: str | None, data_dir: Path | None) -> str:
    from crm_core.db import database_url as configured_url
    from crm_core.settings import Settings

    if database_url:
        return database_url
    settings = Settings.model_validate({} if data_dir is None else {"data_dir": data_dir})
    return configured_url(settings)


def load_demo(url: str) -> None:
    """Reset the database at `url` and load the demo data of the suite (small, seed 7, today 2026-05-15)."""
    from sqlalchemy import create_engine

    from crm_core.database import ensure_database
    from crm_core.db import sqlalchemy_url
    from crm_core.demo_data import load_demo_data
    from crm_core.migrate import upgrade

    ensure_database(url)
    engine = create_engine(sqlalchemy_url(url))
    try:
        upgrade(engine)
        load_demo_data(
            engine, size=DEMO_SIZE, seed=DEMO_SEED, today=DEMO_TODAY, reset=True, show_progress=False
        )
    finally:
        engine.dispose()


def _short(value: Any, width: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.check_suite", description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE, help="suite file (JSON Lines)")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL holding the demo data (seed 7, today 2026-05-15)"
    )
    parser.add_argument("--data-dir", type=Path, help="embedded PostgreSQL directory when no URL is given")
    parser.add_argument(
        "--load-demo",
        action="store_true",
        help="first reset the database and load the demo data (small, seed 7, today 2026-05-15)",
    )
    parser.add_argument("--format-only", action="store_true", help="check the format only, run no SQL")
    parser.add_argument("--timeout-ms", type=int, default=10_000, help="statement timeout per gold SQL")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the first rows of every result")
    args = parser.parse_args(argv)

    report = check_format(load_lines(args.suite))
    counts = summarize(report.items)
    print(f"suite {args.suite}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    for problem in report.errors:
        print(f"ERROR   {problem.item_id} (line {problem.line}): {problem.message}")
    for problem in report.warnings:
        print(f"WARNING {problem.item_id} (line {problem.line}): {problem.message}")
    if args.format_only:
        print(f"format: {len(report.errors)} errors, {len(report.warnings)} warnings")
        return 1 if report.errors else 0

    url = resolve_url(args.database_url, args.data_dir)
    if args.load_demo:
        load_demo(url)
    results = run_gold(url, report.items, args.timeout_ms)
    errors = [r for r in results if r.error]
    empty = [r for r in results if r.error is None and r.rows == 0]
    slow = [r for r in results if r.error is None and r.seconds > SLOW_SECONDS]
    tied = [r for r in results if r.ties]
    big = [r for r in results if r.rows is not None and r.rows > ROW_CAP]
    for r in results:
        if r.error:
            status = "SQL-ERROR"
        elif r.rows == 0:
            status = "EMPTY"
        elif r.seconds > SLOW_SECONDS:
            status = "SLOW"
        elif r.ties:
            status = "TIES"
        elif r.rows is not None and r.rows > ROW_CAP:
            status = "BIG"
        else:
            status = "ok"
        line = f"{status:9} {r.item_id:45} rows={r.rows if r.rows is not None else '-':>5} {r.seconds * 1000:7.1f} ms"
        if r.error:
            line += f"  {r.error}"
        elif args.verbose or (r.rows is not None and 0 < r.rows <= 3):
            line += f"  {_short(r.sample)}"
        print(line)
    # Single-value results that are NULL or 0 test little: list them too.
    degenerate = [
        r
        for r in results
        if r.error is None and r.rows == 1 and len(r.sample[0]) == 1 and r.sample[0][0] in (None, 0)
    ]
    print(
        f"gold SQL: {len(results)} run, {len(errors)} errors, {len(empty)} empty, "
        f"{len(degenerate)} zero/NULL single values, {len(slow)} slower than {SLOW_SECONDS:.0f} s, "
        f"{len(tied)} top-N with ties, {len(big)} over the {ROW_CAP}-row cap"
    )
    if big:
        print(
            f"over {ROW_CAP} rows (the executor's row cap truncates answers): "
            + ", ".join(r.item_id for r in big)
        )
    if tied:
        print(
            "ties in ORDER BY ... LIMIT (ordered comparison is arbitrary): "
            + ", ".join(r.item_id for r in tied)
        )
    if empty:
        print("empty: " + ", ".join(r.item_id for r in empty))
    if degenerate:
        print("zero/NULL: " + ", ".join(r.item_id for r in degenerate))
    print(f"format: {len(report.errors)} errors, {len(report.warnings)} warnings")
    return 1 if report.errors or errors else 0


if __name__ == "__main__":
    sys.exit(main())
