"""The pieces a question is read into: the parse context, mentions, modifiers and the state the passes share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from nlq.catalog import Catalog
from nlq.dates import midnight
from nlq.lexer import Token
from nlq.lexicon import Lexicon
from nlq.plan import QueryPlan


@dataclass
class ParseContext:
    catalog: Catalog
    lexicon: Lexicon
    today: date
    actor_id: int
    actor_team_id: int | None
    actor_role: str
    team_member_ids: tuple[int, ...] = ()
    previous: QueryPlan | None = None
    # Looks up people's names among the contacts the user may see: phrase → contact ids.
    resolve_contacts: Callable[[list[str]], dict[str, list[int]]] | None = None
    # Keeps the account ids the user may see (None: every account is visible).
    visible_accounts: Callable[[list[int]], list[int]] | None = None
    # Catalog phrases closest in meaning to an unknown phrase (for "did you mean" offers).
    similar_phrases: Callable[[str], list[str]] | None = None

    @property
    def now(self) -> datetime:
        return midnight(self.today)


@dataclass
class ParseOutcome:
    status: Literal["planned", "clarify", "refuse"]
    plan: QueryPlan | None = None
    message: str = ""
    code: str = ""
    suggestions: list[str] = field(default_factory=list)
    raw_sql: str | None = None
    is_follow_up: bool = False


# --- the pieces a question is made of -------------------------------------------------------------

@dataclass
class Mention:
    """A phrase naming what rows are about: an entity, a named filter (customers) or a metric."""

    pos: int
    end: int
    entity: str
    named: str | None = None
    metric: str | None = None
    negated: bool = False
    phrase: str = ""
    count: tuple[str, Any] | None = None  # "more than 10 contacts": (op, number) on how many there are


@dataclass
class Modifier:
    pos: int
    kind: str                  # value | compare | date | owner | stage | pipeline | account | team | column
    data: dict[str, Any]
    end: int = -1

    def __post_init__(self) -> None:
        if self.end < 0:
            self.end = self.pos + 1


@dataclass
class ParseState:
    tokens: list[Token]
    used: list[bool]
    ctx: ParseContext
    mentions: list[Mention] = field(default_factory=list)
    modifiers: list[Modifier] = field(default_factory=list)
    measure: str | None = None            # count | sum | avg | median | min | max
    measure_column: tuple[int, str] | None = None
    group_words: list[tuple[int, list[str]]] = field(default_factory=list)
    sort: tuple[str | None, bool] | None = None     # (column or None for measure, descending)
    superlative: tuple[int, bool] | None = None     # (position, descending) from largest/smallest/most/...
    limit: int | None = None
    most: bool = False
    side_by_side: bool = False  # "who has more pipeline, Lauren or Matthew": every group named, not the winner
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    shouting: bool = False     # the whole question in capitals: no word is a code like "ME" or "CA"

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]

    def word(self, i: int) -> str:
        return self.tokens[i].text if 0 <= i < len(self.tokens) else ""

    def take(self, start: int, end: int) -> None:
        for k in range(start, min(end, len(self.used))):
            self.used[k] = True
