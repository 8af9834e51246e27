"""Worked examples for prompts: the answered, stand-alone items of an NLQ suite file (question → gold SQL).

Only items asked as an admin are used: their gold SQL has no owner filters, so the examples never
teach the model to write scope conditions (the guard adds scope to every query anyway).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

_log = logging.getLogger(__name__)
ADMIN = "admin@demo.crm"


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    sql: str


def default_examples_file() -> Path:
    """The shipped dev suite, beside the `nlq` package in a checkout and in an installed distribution."""
    return Path(__file__).resolve().parents[2] / "evals" / "suites" / "nlq.jsonl"


def load_examples(path: Path | None = None) -> list[Example]:
    """Answered items without conversation context; unreadable lines are skipped, not fatal."""
    path = path or default_examples_file()
    if not path.is_file():
        _log.warning("no worked examples: %s does not exist", path.name)
        return []
    examples: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(item, dict) or not item.get("gold_sql") or not item.get("question"):
            continue
        if item.get("expect", "answer") != "answer" or item.get("context") or (item.get("as") or ADMIN) != ADMIN:
            continue
        examples.append(Example(id=str(item.get("id", len(examples))), question=str(item["question"]),
                                sql=str(item["gold_sql"])))
    return examples
