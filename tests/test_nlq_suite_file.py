"""Fast format checks of the shipped NLQ dev suite (no database needed)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from evals.check_suite import check_format, load_lines

SUITE = Path(__file__).resolve().parent.parent / "evals" / "suites" / "nlq.jsonl"
SCOPED_USERS = {"rep@demo.crm", "manager@demo.crm"}


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_suite_size_and_unique_ids(items: list[dict[str, Any]]) -> None:
    assert len(items) >= 200
    ids = Counter(item["id"] for item in items)
    assert not [i for i, n in ids.items() if n > 1]


def test_category_counts(items: list[dict[str, Any]]) -> None:
    expects = Counter(item.get("expect", "answer") for item in items)
    assert set(expects) <= {"answer", "refuse", "clarify"}
    assert expects["refuse"] >= 25
    assert expects["clarify"] >= 15
    assert sum(1 for item in items if item.get("context")) >= 25
    assert sum(1 for item in items if item.get("as") in SCOPED_USERS) >= 30


def test_gold_sql_only_on_answer_items(items: list[dict[str, Any]]) -> None:
    for item in items:
        if item.get("expect", "answer") == "answer":
            assert isinstance(item.get("gold_sql"), str) and item["gold_sql"].strip(), item["id"]
        else:
            assert "gold_sql" not in item, item["id"]


def test_gold_sql_is_one_postgres_select(items: list[dict[str, Any]]) -> None:
    for item in items:
        if "gold_sql" not in item:
            continue
        statements = [s for s in sqlglot.parse(item["gold_sql"], read="postgres") if s is not None]
        assert len(statements) == 1, item["id"]
        assert isinstance(statements[0], exp.Select), item["id"]


def test_gold_sql_uses_pinned_dates(items: list[dict[str, Any]]) -> None:
    for item in items:
        sql = item.get("gold_sql", "").lower()
        for word in ("now()", "current_date", "current_timestamp", "localtimestamp"):
            assert word not in sql, (item["id"], word)


def test_scoped_items_name_the_asking_user(items: list[dict[str, Any]]) -> None:
    scoped_tables = {"accounts", "contacts", "deals", "activities", "emails", "notes"}
    for item in items:
        if item.get("as") not in SCOPED_USERS or "gold_sql" not in item:
            continue
        tables = {t.name for t in sqlglot.parse_one(item["gold_sql"], read="postgres").find_all(exp.Table)}
        if tables & scoped_tables:
            assert item["as"] in item["gold_sql"], item["id"]


def test_checker_finds_no_format_error() -> None:
    report = check_format(load_lines(SUITE))
    assert not report.errors, [(p.item_id, p.message) for p in report.errors[:5]]


def test_checker_flags_bad_items(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            json.dumps(item)
            for item in (
                {"id": "a", "question": "q"},  # answer without gold_sql
                {"id": "a", "question": "q", "expect": "refuse"},  # duplicate id
                {"id": "b", "question": "q", "expect": "refuse", "gold_sql": "SELECT 1"},
                {"id": "c", "question": "q", "expect": "maybe"},
                {"id": "d", "question": "q", "gold_sql": "DELETE FROM deals"},
                {"id": "e", "question": "q", "gold_sql": "SELECT 1; SELECT 2"},
                {"id": "f", "question": "q", "context": "not a list", "gold_sql": "SELECT 1"},
            )
        )
        + "\n",
        encoding="utf-8",
    )
    report = check_format(load_lines(bad))
    flagged = {p.item_id for p in report.errors}
    assert flagged == {"a", "b", "c", "d", "e", "f"}
