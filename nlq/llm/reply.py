"""Reading a model's reply, and writing error text back to it without leaking data.

A reply is one SQL query (fenced or bare), `CLARIFY: <question>` or `REFUSE: <reason>`. Anything
else is an `LlmReplyError` that goes back to the model like a guard error.
"""

from __future__ import annotations

import re

from nlq.llm.errors import LlmReplyError
from nlq.parser import ParseOutcome

MAX_MODEL_TEXT_CHARS = 500
_FENCE = re.compile(r"```[ \t]*(?:sql|postgres|postgresql|pgsql)?[ \t]*\n?(.*?)```", re.IGNORECASE | re.DOTALL)
_VERDICT = re.compile(r"^\s*(CLARIFY|REFUSE)\s*:\s*(.+)", re.IGNORECASE | re.DOTALL)
# Bare text counts as SQL when it opens like a statement — any statement: the guard, not this reader,
# decides what may run, so a bare DROP is refused by the guard rather than sent back as "no SQL".
_SQL_START = re.compile(
    r"^\s*(\(\s*)*(select|with|values|table|insert|update|delete|merge|upsert|drop|create|alter|truncate|grant|"
    r"revoke|copy|set|reset|begin|start|commit|rollback|savepoint|vacuum|analyze|call|do|execute|prepare|explain|"
    r"lock|listen|notify|load|discard|comment|refresh|reindex|cluster|security)\b", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def read_reply(text: str) -> ParseOutcome:
    """The reply as a plan outcome: SQL to guard, a question back, or a refusal.

    >>> read_reply("```sql\\nSELECT id FROM deals\\n```").raw_sql
    'SELECT id FROM deals'
    >>> read_reply("CLARIFY: Which year?").status
    'clarify'
    """
    verdict = _VERDICT.match(text)
    if verdict:
        kind, said = verdict.group(1).upper(), _one_paragraph(verdict.group(2))
        if kind == "CLARIFY":
            return ParseOutcome("clarify", code="llm-asked-back", message=said)
        return ParseOutcome("refuse", code="llm-refused", message=f"The language model declined: {said}")
    fenced = _FENCE.search(text)
    sql = (fenced.group(1) if fenced else text).strip()
    if not sql or (not fenced and not _SQL_START.match(sql)):
        raise LlmReplyError(
            "The reply held no SQL query. Answer with one SELECT statement in a ```sql block, or CLARIFY: ...")
    return ParseOutcome("planned", raw_sql=sql)


def _one_paragraph(text: str) -> str:
    said = " ".join(text.split())
    return said if len(said) <= MAX_MODEL_TEXT_CHARS else said[: MAX_MODEL_TEXT_CHARS - 1] + "…"


def redact(message: str, sql: str | None) -> str:
    """Error text fit to send to the model: quoted values it did not write itself are blanked.

    A database error can quote a value from a row ("invalid input syntax for type integer:
    \\"ann@example.com\\""); rows never go to the model, so neither do such quotes.

    >>> redact('invalid input syntax for type integer: "ann@example.com"', "SELECT email::int FROM contacts")
    'invalid input syntax for type integer: "…"'
    """
    haystack = (sql or "").lower()

    def blank(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if not inner or inner.lower() in haystack:
            return match.group(0)
        quote = match.group(0)[0]
        return f"{quote}…{quote}"

    return _QUOTED.sub(blank, message)
