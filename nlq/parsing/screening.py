"""Questions refused before any parsing: writes, SQL, instruction overrides, secrets, identity claims."""

from __future__ import annotations

import re

from nlq.parsing.state import ParseOutcome

MAX_QUESTION_CHARS = 1000

_WRITE_VERBS = re.compile(
    r"\b(delete|drop|truncate|insert|update|alter|create|remove|erase|wipe|purge|modify|overwrite|"
    r"grant|revoke|rename|merge|upsert|destroy|reassign|change|set|add|edit|mark|assign|move|close out|"
    r"log a|log an|send|schedule a|schedule an|book a|book an|set up a|set up an)\b", re.IGNORECASE)
_READ_CONTEXT = re.compile(r"\b(how many|show|list|which|what|who|count|find|get|see)\b", re.IGNORECASE)
_INJECTION = re.compile(
    r"(ignore (all |any |the )?(previous|prior|above|earlier) (instructions|rules|prompts?)|system prompt|"
    r"you are now|developer mode|admin mode|jailbreak|disregard (the|all|your)|pretend (you|to be)|"
    r"act as (an? )?(admin|administrator|dba|root)|bypass|override (the )?(scope|security|rules))",
    re.IGNORECASE)
_SECRETS = re.compile(
    r"\b(passwords?|passwd|api[ _-]?keys?|secrets?|credentials?|tokens?|private keys?|ssh|hash(es)?|"
    r"pg_\w+|information_schema|pg_catalog|salar(y|ies)|payroll|social security|ssn|credit cards?|"
    r"audit (log|trail)|query log|questions? (other|that other|the other)? ?(users?|people|reps?|everyone) ?(have )?asked)\b",
    re.IGNORECASE)
SQL_START = re.compile(
    r"^\s*(select\s|with\s+\w+\s+as\s*\(|explain\s|copy\s|insert\s+into|update\s+\w+\s+set\s|"
    r"delete\s+from|drop\s+(table|database|schema|index|view|role|user)|alter\s+(table|role|user|database)|"
    r"truncate\s|grant\s|revoke\s|vacuum\b)", re.IGNORECASE)
# Claims about who the asker is change nothing: scope comes from authentication, not from the question.
IDENTITY_CLAIM = re.compile(
    r"\b(i am|i'm|im|i have become|as) (now )?(the |an |a )?(admin|administrator|manager|superuser|root|ceo|boss|owner)"
    r"( now)?\b[.!,]?", re.IGNORECASE)
# "show me the SQL for open deals": every answer shows its SQL, so the request is the rows ("SQLs" stay leads)
SQL_REQUEST = re.compile(r"\b(?:the\s+)?(?:sql|query)\s+(?:for|of|behind|that gives|to get)\b", re.IGNORECASE)
# "export all contacts to csv": the answer is the list (every channel offers it as a file: the widget's
# "Download CSV", the CLI's `export`), so the format asked for is no condition
FILE_FORMAT = re.compile(r"\b(?:to|as|in|into)\s+(?:an?\s+)?(?:csv|excel|spreadsheet|xlsx|xls|sheet)(?:\s+file)?\b",
                         re.IGNORECASE)
# "as a bar chart", "show me a chart of …", "graph deals won by month": how to show it (grouped figures are
# drawn anyway), not what to show
_CHART_KIND = r"(?:a\s+|an\s+)?(?:bar\s+|pie\s+|line\s+|column\s+|donut\s+)?(?:chart|graph|plot|visuali[sz]ation)s?"
CHART_REQUEST = re.compile(
    rf"\b(?:as|in|into|on|with)\s+{_CHART_KIND}\b|"
    rf"^\s*(?:(?:can|could)\s+you\s+|please\s+)?(?:(?:show|give|draw|make|create|build)(?:\s+me|\s+us)?\s+)?"
    rf"{_CHART_KIND}\s+(?:of|for|showing|with)\b|"
    r"^\s*(?:chart|graph|plot|visuali[sz]e)\b(?=\s+\w+\s+\w)", re.IGNORECASE)
# the whole question asks for the last answer drawn: "as a chart", "plot that", "show it as a pie chart"
CHART_ONLY = re.compile(
    rf"\s*(?:(?:can|could)\s+you\s+|please\s+)?(?:(?:show|draw|display|put|give)(?:\s+me)?"
    rf"(?:\s+it|\s+that|\s+this|\s+them|\s+those)?\s+)?(?:as|in|on|into)\s+{_CHART_KIND}(?:\s+please)?|"
    r"\s*(?:(?:can|could)\s+you\s+|please\s+)?(?:chart|graph|plot|visuali[sz]e)\s+(?:it|that|this|them|those)"
    r"(?:\s+please)?", re.IGNORECASE)
# the whole question asks for the last answer as a file: "export this", "download it as csv" (every channel
# offers the rows of an answer as a CSV file)
EXPORT_ONLY = re.compile(
    r"\s*(?:(?:can|could)\s+you\s+|please\s+)?(?:export|download|save)(?:\s+(?:it|that|this|them|those|these|"
    r"the\s+(?:results?|list|table|rows|answer)))?(?:\s+(?:as|to|into|in)\s+(?:an?\s+)?(?:csv|excel|spreadsheet|"
    r"file|xlsx)(?:\s+file)?)?(?:\s+please)?", re.IGNORECASE)
SQL_SYNTAX = re.compile(r"(;|--|/\*|\bunion\s+select\b|\bfrom\s+\w+\s+where\b)", re.IGNORECASE)


def screen_question(question: str) -> ParseOutcome | None:
    """A refusal or a question back for what no skill may act on (writes, instruction overrides, secrets,
    unreadable or empty text); None when the question may be answered."""
    text = question.strip()
    if not text:
        return ParseOutcome("refuse", code="empty-question", message="The question is empty. Ask me something "
                                                                     "about your CRM data.")
    if len(text) > MAX_QUESTION_CHARS:
        return ParseOutcome("refuse", code="question-too-long",
                            message=f"That question is {len(text):,} characters long; please keep it under "
                                    f"{MAX_QUESTION_CHARS:,} and ask one thing at a time.")
    if any((ord(ch) < 32 and ch not in "\t\n\r") or 0xFFF0 <= ord(ch) <= 0xFFFF for ch in text):
        return ParseOutcome("refuse", code="unreadable-question",
                            message="The question contains control characters I cannot read.")
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        return ParseOutcome("refuse", code="unreadable-question",
                            message="I could not find any words in that. Ask a question about your CRM data.")
    if _INJECTION.search(text):
        return ParseOutcome("refuse", code="instruction-override",
                            message="I can't change my rules or your access. I answer questions about the CRM "
                                    "data you may see.")
    if _SECRETS.search(text):
        return ParseOutcome("refuse", code="restricted-data",
                            message="I can't show credentials, system tables or data the CRM does not hold. "
                                    "Ask about contacts, accounts, deals, activities, emails or notes.")
    # ("which deals should I be worried about" asks for the deals at risk, not for advice)
    if re.search(r"\bshould (i|we)\b(?!\s+(?:be\s+)?(?:worry|worried|concerned|nervous)\s+about\b)", text,
                 re.IGNORECASE):
        return ParseOutcome("clarify", code="advice-question",
                            message="I answer questions about your data rather than give advice. For example:",
                            suggestions=["my hot leads", "my customers not contacted in 30 days", "my overdue tasks"])
    write = _WRITE_VERBS.search(text)
    if write and not _is_read_phrase(text, write):
        return ParseOutcome("refuse", code="write-not-allowed",
                            message=f"I can only read data; I can't {write.group(1).lower().split()[0]} anything. "
                                    "Make changes in the CRM itself.")
    if _SQL_FRAGMENT.search(text) and not SQL_START.match(text):
        return ParseOutcome("refuse", code="sql-fragment",
                            message="That looks like a piece of SQL, not a question. Ask in plain words, or send a "
                                    "whole SELECT statement.")
    return None


# "remove the Texas filter", "drop the stage condition", "clear all filters": the last answer without them
FILTER_REMOVAL = re.compile(
    r"^(?:please\s+|now\s+|ok(?:ay)?,?\s+)?(?:remove|drop|delete|clear|ignore|forget|reset|take\s+(?:off|out)|"
    r"get\s+rid\s+of|without)\s+(?:the\s+|all\s+(?:the\s+)?|any\s+|those\s+|that\s+)?(?P<what>.*?)\s*"
    r"\b(?:filters?|conditions?|criteria|criterion|restrictions?)\s*(?:please)?[.!?]?\s*$", re.IGNORECASE)


# Pieces of SQL inside a question ("deals' OR 1=1 --"): never read as words ("OR" is not Oregon here).
_SQL_FRAGMENT = re.compile(
    r"""(['"]\s*\)*\s*(or|and)\b|\b(or|and)\s+['"]?\w+['"]?\s*=\s*['"]?\w+|--\s*$|/\*|\*/|"""
    r"""\bunion\s+(all\s+)?select\b)""", re.IGNORECASE)


def _is_read_phrase(text: str, match: re.Match[str]) -> bool:
    """'deals created last month', 'contacts added this week', 'pipeline change since last month' read;
    'create a deal', 'show my deals and change the owner' write."""
    verb = match.group(1).lower()
    after = text[match.end():].lstrip().lower()
    before = text[: match.start()].lower()
    if verb not in ("create", "add", "update", "change", "send", "mark", "assign", "move", "set", "edit", "remove",
                    "merge", "close out", "log a", "log an", "delete", "drop", "modify", "rename", "schedule a",
                    "schedule an", "book a", "book an", "set up a", "set up an"):
        return False
    if verb in ("remove", "drop", "delete") and FILTER_REMOVAL.match(text.strip()):
        return True  # "remove the Texas filter": a change to the last answer, not to the data
    destructive = verb in ("delete", "drop")
    if verb == "add" and re.match(r"(?:them |those |these |it |all )?up\b|(?:up )?(?:all )?(?:the|their|those) "
                                  r"(?:amounts?|values?|totals?|numbers?|figures?)\b", after):
        return True  # "add up the amounts", "add them up": a total, not a new record
    # participles and nouns read: "created", "updates", "changes in stage", "sent emails"
    if not re.match(r"^[a-z]", after) and not destructive:
        return bool(_READ_CONTEXT.search(before))
    # a question about what was done: "how many leads did we add this week", "which deals have I moved"
    asked = _ASKED_ABOUT_PAST.search(before)
    if not destructive and asked and (_READ_CONTEXT.search(before) or not before[:asked.start()].strip()):
        return True
    # a noun before it makes the word a noun too ("pipeline change since last month", "stage update"); at the
    # start or after a request it is a command ("change …", "please add …", "and move …")
    last = re.search(r"([a-z]+)\s+$", before)
    return last is not None and last.group(1) not in _REQUEST_WORDS and not destructive


# words after which a verb is a request: "please add", "can you change", "I want to set", "and move"
_REQUEST_WORDS = frozenset({"please", "pls", "plz", "you", "i", "we", "to", "and", "then", "now", "just", "can", "could",
                            "would", "will", "lets", "let", "s", "us", "me", "d", "also", "quickly", "go", "must", "should",
                            "gonna", "wanna", "need", "want", "like"})
_ASKED_ABOUT_PAST = re.compile(r"\b(did|do|does|have|has|had)\s+(\w+\s+){1,3}$")
