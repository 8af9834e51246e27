"""Word tables and small catalog lookups that several parsing steps share."""

from __future__ import annotations

from typing import Any

from nlq.catalog import Catalog, Entity
from nlq.parsing.state import Modifier, ParseState

DEFAULT_TOP_N = 10


# superlatives that pick records ("the largest account"), as opposed to ranking groups ("the most deals")
RECORD_SUPERLATIVES = frozenset({"largest", "biggest", "smallest", "highest", "lowest", "newest", "latest",
                                 "oldest", "earliest", "longest", "shortest", "top", "best", "worst"})


# Words that say which timestamp a period dates ("created last week" → created_at), besides the event
# verbs of the catalog's `event_columns` ("replied", "called"); see `date_column_word`.
DATE_COLUMN_WORDS = {
    "contact": "last_contacted_at", "reached": "last_contacted_at", "spoken": "last_contacted_at",
    "talked": "last_contacted_at", "heard": "last_contacted_at", "engaged": "last_contacted_at",
    "touch": "last_contacted_at",
    "created": "created_at", "added": "created_at", "new": "created_at", "signed": "created_at",
    "joined": "created_at", "written": "created_at", "logged": "created_at", "wrote": "created_at",
    "write": "created_at", "opened": "@opened", "closing": "close_date", "close": "close_date",
    "closes": "close_date", "expected": "close_date", "won": "closed_at", "lost": "closed_at", "booked": "closed_at",
    "due": "due_at", "scheduled": "due_at", "held": "due_at", "happened": "due_at", "happening": "due_at",
    "sent": "sent_at", "received": "sent_at", "send": "sent_at",
}


def date_column_word(catalog: Catalog, word: str) -> str | None:
    """The timestamp `word` dates: the table above, then the catalog's one-word event phrases."""
    return DATE_COLUMN_WORDS.get(word) or catalog.event_words.get(word)


UNIT_SCALE = {("hour", "minutes"): 60, ("hours", "minutes"): 60, ("day", "minutes"): 1440,
              ("days", "minutes"): 1440}


GROUP_WORDS: dict[str, list[str]] = {
    "rep": ["@owner"], "reps": ["@owner"], "owner": ["@owner"], "owners": ["@owner"], "salesperson": ["@owner"],
    "salespeople": ["@owner"], "seller": ["@owner"], "user": ["@owner"], "person": ["@owner"], "author": ["@owner"],
    "ae": ["@owner"], "team": ["@team"], "teams": ["@team"], "region": ["@region"], "regions": ["@region"],
    "month": ["@month"], "months": ["@month"], "monthly": ["@month"], "quarter": ["@quarter"],
    "quarters": ["@quarter"], "quarterly": ["@quarter"], "week": ["@week"], "weeks": ["@week"],
    "weekly": ["@week"], "year": ["@year"], "years": ["@year"], "yearly": ["@year"], "day": ["@day"],
    "days": ["@day"], "daily": ["@day"], "account": ["@account"], "accounts": ["@account"],
    "company": ["@account"], "companies": ["@account"], "customer": ["@account"], "pipeline": ["@pipeline"],
    "pipelines": ["@pipeline"], "stage": ["@stage"], "stages": ["@stage"], "contact": ["@contact"],
}
# "emails I sent" are outbound: a verb with "I" can fix a value
VERB_VALUES = {"sent": ("email_directions", "outbound"), "send": ("email_directions", "outbound"),
               "emailed": ("email_directions", "outbound"), "called": ("activity_types", "call"),
               "phoned": ("activity_types", "call"), "met": ("activity_types", "meeting"),
               "meet": ("activity_types", "meeting")}


GRAMMAR_FILLER = {
    "not", "have", "has", "had", "been", "did", "do", "does", "was", "were", "is", "are", "no", "with",
    "without", "who", "that", "which", "than", "and", "or", "in", "on", "at", "by", "of", "for",
    "any", "to", "from", "into", "the", "a", "an", "since", "last", "this", "next", "days", "then", "there",
    "per", "each", "where", "whose", "having", "them", "they", "those", "ones", "only", "just", "also",
    "what", "about", "how", "still", "yet", "ever", "currently", "today", "right", "now", "status",
    "being", "their", "its", "got", "gotten", "getting", "set", "haven", "hasn", "isn", "aren",
    "over", "under", "above", "below", "more", "less", "most", "between", "new", "up", "down", "other",
    "else", "again", "same", "too", "very", "really", "exactly", "approximately", "around", "equal", "vs", "versus", "compared", "like", "such", "as", "open",
    "linked", "tied", "related", "associated", "attached", "connected", "both",
}


def count_value(value: Any) -> int | list[int] | None:
    """A comparison's number(s) as a count of rows, or None when one is not whole ("2.5 deals")."""
    numbers = value if isinstance(value, list) else [value]
    if not all(float(v).is_integer() for v in numbers):
        return None
    return [int(v) for v in value] if isinstance(value, list) else int(value)


ABSENT_WORDS = frozenset({"without", "no", "missing", "lacking", "blank", "empty"})
ABSENT_AFTER = frozenset({"missing", "blank", "empty", "unknown", "unset"})


def word_before_column(state: ParseState, mod: Modifier) -> int:
    """Position of the word before a column's name, past articles ("without *an* email")."""
    k = mod.pos - 1
    while k >= 0 and state.word(k) in ("a", "an", "the", "any", "their", "its", "his", "her", "valid"):
        k -= 1
    return k


def title_case(name: str) -> str:
    return " ".join(w.capitalize() for w in name.split())


def column_for_valueset(entity: Entity, valueset: str) -> str | None:
    for column in entity.columns.values():
        if column.valueset == valueset:
            return column.name
    return None


def date_end(state: ParseState, mod: Modifier) -> int:
    """Where a date phrase ends (date modifiers keep only their start)."""
    k = mod.pos
    while k < len(state.tokens) and state.used[k] and state.word(k) not in ("vs", "versus", "v", "compared"):
        k += 1
    return k


def singular_nouns(catalog: Catalog) -> frozenset[str]:
    """Nouns naming one record ("deal", "rep", "customer"): "the top account" is one, "top accounts" several."""
    return frozenset({e.singular for e in catalog.entities.values()} |
                     {"opportunity", "opp", "company", "customer", "lead", "person", "salesperson", "source",
                      "meeting", "call", "task", "rep", "seller", "client", "industry", "stage"})
