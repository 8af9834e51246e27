"""The built-in semantic parser: a question in plain English → a `QueryPlan`, offline and deterministic.

The grammar is small and general; everything it knows about the CRM comes from the catalog through
the lexicon. It reads a question in passes (refusals, top-N, dates, comparisons, grouping, measures,
phrases, ownership), attaches each modifier to the entity mention it qualifies, and builds a plan.
Whatever it cannot account for makes it ask back instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from nlq.catalog import Catalog, Entity
from nlq.dates import MONTHS, DateRange, match_date, midnight, relative_month_start
from nlq.lexer import Token, tokenize
from nlq.lexicon import Lexicon, Meaning
from nlq.plan import AnyOf, Compare, Condition, CountOf, Exists, GroupBy, Measure, OrderBy, QueryPlan

MAX_QUESTION_CHARS = 1000
DEFAULT_TOP_N = 10

_WRITE_VERBS = re.compile(
    r"\b(delete|drop|truncate|insert|update|alter|create|remove|erase|wipe|purge|modify|overwrite|"
    r"grant|revoke|rename|merge|upsert|destroy|reassign|change|set|add|edit|mark|assign|move|close out|"
    r"log a|log an|send)\b", re.IGNORECASE)
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
_SQL_START = re.compile(
    r"^\s*(select\s|with\s+\w+\s+as\s*\(|explain\s|copy\s|insert\s+into|update\s+\w+\s+set\s|"
    r"delete\s+from|drop\s+(table|database|schema|index|view|role|user)|alter\s+(table|role|user|database)|"
    r"truncate\s|grant\s|revoke\s|vacuum\b)", re.IGNORECASE)
# Claims about who the asker is change nothing: scope comes from authentication, not from the question.
_IDENTITY_CLAIM = re.compile(
    r"\b(i am|i'm|im|i have become|as) (now )?(the |an |a )?(admin|administrator|manager|superuser|root|ceo|boss|owner)"
    r"( now)?\b[.!,]?", re.IGNORECASE)
_SQL_SYNTAX = re.compile(r"(;|--|/\*|\bunion\s+select\b|\bfrom\s+\w+\s+where\b)", re.IGNORECASE)
_VAGUE = {"stuff", "things", "thing", "something", "everything", "anything", "big", "good", "best",
          "important", "interesting", "relevant", "bad", "worst", "them", "those", "ones", "it", "this",
          "that", "these", "whatever", "hot", "stuffs", "numbers", "data", "info", "details", "update",
          "status", "latest"}


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
class _State:
    tokens: list[Token]
    used: list[bool]
    ctx: ParseContext
    mentions: list[Mention] = field(default_factory=list)
    modifiers: list[Modifier] = field(default_factory=list)
    measure: str | None = None            # count | sum | avg | min | max
    measure_column: tuple[int, str] | None = None
    group_words: list[tuple[int, list[str]]] = field(default_factory=list)
    sort: tuple[str | None, bool] | None = None     # (column or None for measure, descending)
    superlative: tuple[int, bool] | None = None     # (position, descending) from largest/smallest/most/...
    limit: int | None = None
    most: bool = False
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


# --- entry point -----------------------------------------------------------------------------------

def parse_question(question: str, ctx: ParseContext) -> ParseOutcome:
    """Understand a question, or say why not (refuse) or what is unclear (clarify)."""
    refusal = screen_question(question)
    if refusal is not None:
        return refusal
    if _SQL_START.match(question) or (_SQL_SYNTAX.search(question) and re.search(
            r"\b(select|from|where|drop|delete|insert|update)\b", question, re.IGNORECASE)):
        return ParseOutcome("planned", raw_sql=question.strip())
    share = _SHARE.match(question.strip())
    if share is not None:
        return _share_of(share, ctx)
    tokens = tokenize(_IDENTITY_CLAIM.sub(" ", question), ctx.catalog.abbreviations)
    if not any(t.kind == "word" for t in tokens):
        return ParseOutcome("clarify", code="empty-question",
                            message="I could not find a question there. Ask about your contacts, "
                                    "accounts, deals, activities, emails or notes.",
                            suggestions=_starter_suggestions(ctx))
    state = _State(tokens=tokens, used=[False] * len(tokens), ctx=ctx)
    letters = [ch for ch in question if ch.isalpha()]
    state.shouting = len(letters) > 6 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8
    _pass_contact_names(state)
    _correct_typos(state)
    _past_tense_after_did(state)
    for step in _PASSES:
        step(state)
    return _build(state, question)


_SHARE = re.compile(
    r"^(?:what|which)?\s*(?:is\s+the\s+|'s\s+the\s+)?(?:percentage|percent|share|proportion|fraction|ratio|%)\s+of\s+"
    r"(?P<base>.+?)\s+(?P<verb>are|is|were|was|have|has|had|got|did)\s+(?P<part>.+?)\s*\??$",
    re.IGNORECASE)


def _share_of(match: re.Match[str], ctx: ParseContext) -> ParseOutcome:
    """'what percentage of deals are won': the rows of the first part, and the share of them that also meet
    the second — both parts read by the same parser, the share being what the second adds."""
    base_text, part = match.group("base"), match.group("part")
    base = parse_question(base_text, ctx)
    whole = parse_question(f"{base_text} that {match.group('verb')} {part}", ctx)
    if base.status != "planned" or base.plan is None:
        return base
    if whole.status != "planned" or whole.plan is None:
        return whole
    plan, extra = base.plan, whole.plan
    keys = {c.model_dump_json() for c in plan.conds}
    added = [c for c in extra.conds if c.model_dump_json() not in keys]
    if extra.entity != plan.entity or not added or plan.measures or (extra.measures and not extra.group_by):
        return ParseOutcome("clarify", code="ambiguous", message=f"A share of {base_text} that are what? For example: "
                            f"what percentage of deals are won.", suggestions=["what percentage of deals are won"])
    plan = plan.model_copy(deep=True)
    plan.measures = [Measure(agg="share", conds=added, label="share")]
    plan.group_by, plan.order_by, plan.limit = extra.group_by, [], None
    plan.definitions = list(dict.fromkeys(plan.definitions + extra.definitions))
    return ParseOutcome("planned", plan=plan)


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
    if re.search(r"\bshould (i|we)\b", text, re.IGNORECASE):
        return ParseOutcome("clarify", code="advice-question",
                            message="I answer questions about your data rather than give advice. For example:",
                            suggestions=["my hot leads", "my customers not contacted in 30 days", "my overdue tasks"])
    write = _WRITE_VERBS.search(text)
    if write and not _is_read_phrase(text, write):
        return ParseOutcome("refuse", code="write-not-allowed",
                            message=f"I can only read data; I can't {write.group(1).lower()} anything. "
                                    "Make changes in the CRM itself.")
    return None


def _is_read_phrase(text: str, match: re.Match[str]) -> bool:
    """'deals created last month', 'contacts added this week' read; 'create a deal' writes."""
    verb = match.group(1).lower()
    after = text[match.end():].lstrip().lower()
    before = text[: match.start()].lower()
    if verb in ("create", "add", "update", "change", "send", "mark", "assign", "move", "set", "edit", "remove",
                "merge", "close out", "log a", "log an", "delete", "drop", "modify", "rename"):
        # participles and nouns read: "created", "updates", "changes in stage", "sent emails"
        if not re.match(r"^[a-z]", after) and verb not in ("delete", "drop"):
            return bool(_READ_CONTEXT.search(before))
        if _READ_CONTEXT.search(before) and verb in ("change", "update", "changes", "send", "mark", "set"):
            return True
        # a question about what was done: "how many leads did we add this week", "which deals have I moved"
        asked = _ASKED_ABOUT_PAST.search(before)
        if verb not in ("delete", "drop") and asked and (_READ_CONTEXT.search(before) or not before[:asked.start()].strip()):
            return True
    return False


_ASKED_ABOUT_PAST = re.compile(r"\b(did|do|does|have|has|had)\s+(\w+\s+){1,3}$")


# --- passes ----------------------------------------------------------------------------------------

def _pass_contact_names(state: _State) -> None:
    """Two- or three-word runs the vocabulary does not know may be a contact's name ("Caleb Thompson")."""
    resolve = state.ctx.resolve_contacts
    if resolve is None:
        return
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    known = set(lex.vocabulary) | set(catalog.filler)

    def candidate(tok: Token) -> bool:
        return tok.kind == "word" and tok.text not in catalog.filler and tok.text not in _GRAMMAR_FILLER \
            and not any(m.kind not in ("user", "account") for m in lex.lookup(tok.text))

    spans: dict[str, tuple[int, int]] = {}
    toks = state.tokens
    covered = _in_known_phrases(state)
    for i in range(len(toks)):
        if i in covered:
            continue
        for n in (3, 2):
            run = toks[i:i + n]
            if len(run) == n and all(candidate(t) for t in run) and any(t.text not in known for t in run):
                phrase = " ".join(t.text for t in run)
                if not lex.lookup(phrase):
                    spans.setdefault(phrase, (i, i + n))
    if not spans:
        return
    found = resolve(list(spans))
    for phrase, (start, end) in sorted(spans.items(), key=lambda kv: -len(kv[0])):
        ids = found.get(phrase, [])
        # A capitalised name we cannot see answers as a contact with no rows: the same reply whether the
        # person is unknown or belongs to someone else's scope, so nothing leaks.
        looks_like_name = all(t.original[:1].isupper() and t.original[1:].islower() for t in toks[start:end])
        if (ids or looks_like_name) and not any(state.used[start:end]):
            state.modifiers.append(Modifier(start, "contact", {"ids": sorted(ids), "phrase": _title(phrase)}, end))
            state.take(start, end)


def _in_known_phrases(state: _State, kinds: frozenset[str] | None = None) -> set[int]:
    """Positions covered by a multi-word catalog phrase (an account, a person, a value), or only by one
    with a meaning of `kinds` ("days to close" is the sales-cycle metric, not a date)."""
    lex, toks = state.ctx.lexicon, state.tokens
    covered: set[int] = set()
    for i in range(len(toks)):
        for n in range(min(lex.max_words, len(toks) - i), 1, -1):
            meanings = lex.lookup(" ".join(t.text for t in toks[i:i + n]))
            if meanings and (kinds is None or any(m.kind in kinds for m in meanings)):
                covered.update(range(i, i + n))
                break
    return covered


def _correct_typos(state: _State) -> None:
    lex = state.ctx.lexicon
    known = set(lex.vocabulary)
    toks = state.tokens
    protected = _in_known_phrases(state)  # "Stonehaven Medical Group" is a name, not typos
    for k, tok in enumerate(toks):
        if k in protected or tok.kind != "word" or tok.text in known or tok.text in state.ctx.catalog.filler \
                or tok.text in _OWNER_VERBS or tok.text in _DATE_COLUMN_WORDS or tok.text in _ABSENT_AFTER \
                or tok.text in _ABSENT_WORDS:
            continue  # real words the grammar reads ("did I write") are never typos of catalog words
        meanings = lex.lookup(tok.text)
        if meanings and not (all(m.extra == "cities" for m in meanings) and not _reads_as_place(state, k, [tok])) \
                or _after_free_text_column(state, k):
            continue  # (a city's name read where no place can be — "how many leeds" — may still be a typo)
        fixed = lex.correct(tok.text)
        if fixed:
            tok.text = fixed


def _after_free_text_column(state: _State, k: int) -> bool:
    """Whether token k may be the text looked for in a free-text column ("job title director"): such a
    word is taken as written, never corrected into a catalog word ("direction")."""
    catalog, lex = state.ctx.catalog, state.ctx.lexicon
    j = k - 1
    while j >= 0 and state.word(j) in _TEXT_VALUE_LEADS:
        j -= 1
    for n in (1, 2, 3):
        if j - n + 1 < 0:
            break
        for meaning in lex.lookup(" ".join(state.word(i) for i in range(j - n + 1, j + 1))):
            column = catalog.entities[meaning.extra].columns.get(meaning.name) if meaning.kind == "column" else None
            if column is not None and column.type == "text" and not column.valueset:
                return True
    return False


# In sales, what a rep "did close" was won; "close" alone is the expected close date of open deals.
_PAST_FORMS = {"close": "won", "win": "won", "lose": "lost", "sign": "signed", "book": "booked"}


def _past_tense_after_did(state: _State) -> None:
    """'how many deals did each rep close last month': after "did", "close" is what they won (dated by
    closed_at), not the expected close date of open deals. Compounds ("close-win") keep their words."""
    w = state.words
    for i, word in enumerate(w):
        compound = (i + 1 < len(w) and w[i + 1] in _PAST_FORMS) or (i > 0 and w[i - 1] in _PAST_FORMS)
        if word in _PAST_FORMS and not compound and any(w[k] in ("did", "didn't") for k in range(max(0, i - 5), i)):
            state.tokens[i].text = _PAST_FORMS[word]


def _pass_top(state: _State) -> None:
    """'top 5', 'first 10', '5 largest', 'the largest deal', 'bottom 3'."""
    w = state.words
    for i, word in enumerate(w):
        if word in ("top", "first", "bottom", "best", "worst") and i + 1 < len(w) and state.tokens[i + 1].kind == "number":
            _none_asked(state, state.tokens[i + 1])
            state.limit = int(state.tokens[i + 1].value or DEFAULT_TOP_N)
            state.superlative = (i, word not in ("bottom", "worst"))
            state.take(i, i + 2)
        elif word in ("top", "bottom") and not state.used[i]:
            state.limit = state.limit or DEFAULT_TOP_N
            state.superlative = (i, word == "top")
            state.take(i, i + 1)
        elif _counts_rows(state, i):
            _none_asked(state, state.tokens[i])
            state.limit = int(state.tokens[i].value or DEFAULT_TOP_N)
            state.take(i, i + 1)


def _none_asked(state: _State, number: Token) -> None:
    """'top 0 deals' asks for nothing: ask back rather than show the default ten."""
    if number.value is not None and number.value < 1:
        state.ambiguous.append("How many? Ask for at least one, for example: top 5 deals.")


def _counts_rows(state: _State, i: int) -> bool:
    """A small number that says how many rows: "which 3 deals", "latest 5 emails", "5 biggest deals"."""
    tok, w = state.tokens[i], state.words
    if tok.kind != "number" or tok.is_money:
        return False
    before_noun = (tok.value or 0) < 1000 and i > 0 and \
        w[i - 1] in ("which", "what", "latest", "newest", "oldest", "biggest", "largest", "first", "last", "me",
                     "show", "list", "give", "get", "pull", "find", "any") and \
        any(m.kind in ("entity", "named") for n in (1, 2, 3) if i + n < len(w) + 1
            for m in state.ctx.lexicon.lookup(" ".join(w[i + 1:i + 1 + n])))
    before_superlative = i + 1 < len(w) and w[i + 1] in _SUPERLATIVES and \
        (i == 0 or w[i - 1] in ("the", "top", "show", "me", "list", "give", "get"))
    return before_noun or before_superlative


# superlatives that pick records ("the largest account"), as opposed to ranking groups ("the most deals")
_RECORD_SUPERLATIVES = frozenset({"largest", "biggest", "smallest", "highest", "lowest", "newest", "latest",
                                  "oldest", "earliest", "longest", "shortest", "top", "best", "worst"})

_SUPERLATIVES = {
    "largest": True, "biggest": True, "highest": True, "greatest": True, "most": True, "max": True,
    "maximum": True, "smallest": False, "lowest": False, "least": False, "fewest": False, "min": False,
    "minimum": False, "newest": True, "latest": True, "oldest": False, "earliest": False, "recent": True,
    "longest": True, "shortest": False,
}


def _pass_dates(state: _State) -> None:
    toks, ctx = state.tokens, state.ctx
    i = 0
    while i < len(toks):
        if state.used[i]:
            i += 1
            continue
        word = toks[i].text
        span = _date_span(state, i) if word in ("between", "from") else None
        if span is not None:  # "between January and March", "from May 1 to May 15"
            rng, end = span
            negate, col_pos = _date_negation_and_column(state, i)
            state.take(i, end)
            state.modifiers.append(Modifier(i, "date", {"range": rng, "negate": negate, "column_pos": col_pos}))
            i = end
            continue
        lead = word in ("since", "after", "before", "until", "from") and i + 1 < len(toks)
        start = i + 1 if lead else i
        found = _date_at(toks, start, ctx.today)
        if found is None:
            # "older than 90 days", "more than 30 days ago"
            i += 1
            continue
        rng, used = found
        end = start + used
        if lead and not (word == "from" and _names_a_period(rng)):
            rng = _bounded(rng, word, ctx.today)
        negate, col_pos = _date_negation_and_column(state, i)
        # "in the last 30 days" / "within" / "during" / "over the past" — the lead-in words are grammar
        k = i - 1
        while k >= 0 and toks[k].text in ("in", "the", "within", "during", "over", "for", "of", "from") and \
                not state.used[k]:
            state.used[k] = True
            k -= 1
        state.take(i, end)
        state.modifiers.append(Modifier(i, "date", {"range": rng, "negate": negate, "column_pos": col_pos}))
        i = end


def _date_span(state: _State, i: int) -> tuple[DateRange, int] | None:
    """'between <date> and <date>' / 'from <date> to <date>': one period from the first's start to the
    second's end (the position after it is returned too)."""
    toks, today = state.tokens, state.ctx.today
    first = _date_at(toks, i + 1, today)
    if first is None:
        return None
    k = i + 1 + first[1]
    if k >= len(toks) or toks[k].text not in ("and", "to", "through", "thru", "until", "-"):
        return None
    second = _date_at(toks, k + 1, today)
    if second is None or first[0].start is None or second[0].end is None or first[0].start >= second[0].end:
        return None
    phrase = f"{first[0].phrase} to {second[0].phrase}"
    return DateRange(first[0].start, second[0].end, phrase, "period"), k + 1 + second[1]


def _date_at(toks: list[Token], i: int, today: date) -> tuple[DateRange, int] | None:
    if i >= len(toks):
        return None
    if toks[i].text in ("the",) and i + 1 < len(toks):
        found = match_date(toks, i + 1, today)
        return (found[0], found[1] + 1) if found else None
    return match_date(toks, i, today)


def _names_a_period(rng: DateRange) -> bool:
    """'deals from last month', 'emails from yesterday' mean that period; 'from May 1' means since that day."""
    if rng.start is None or rng.end is None:
        return False
    one_day = rng.end - rng.start <= timedelta(days=1)
    return not (one_day and any(ch.isdigit() for ch in rng.phrase))


def _bounded(rng: DateRange, lead: str, today: date) -> DateRange:
    if lead in ("since", "after", "from"):
        start = rng.end if lead == "after" else rng.start
        if rng.phrase.split()[0].lower() in MONTHS and len(rng.phrase.split()) == 2 and lead == "since" and \
                rng.start and rng.start.date() > today:
            start = midnight(relative_month_start(rng.start.month, today))
        return DateRange(start, None, f"{lead} {rng.phrase}", "since", upto_now=False)
    return DateRange(None, rng.start, f"before {rng.phrase}", "before")


def _date_negation_and_column(state: _State, i: int) -> tuple[bool, int | None]:
    """Look left of a date phrase for the column it dates and a negation ('not contacted in')."""
    negate = False
    col_pos = None
    in_metrics = _in_known_phrases(state, frozenset({"metric"}))
    for k in range(i - 1, max(-1, i - 7), -1):
        word = state.word(k)
        if state.tokens[k].kind != "word":
            break
        if col_pos is None and _column_words(state, k) and k not in in_metrics:
            col_pos = k
            if not any(m.kind in ("value", "named", "stage") for m in state.ctx.lexicon.lookup(word)):
                state.used[k] = True
        if word in ("not", "no", "never", "without", "nobody", "none") and col_pos is not None:
            negate = True
            state.used[k] = True
            break
        if word in ("with", "who", "that", "which") and col_pos is not None:
            break
    if col_pos is None:
        # "60 days without contact", "30 days since last contact"
        end = i + 1
        while end < len(state.tokens) and state.used[end]:
            end += 1
        for k in range(end, min(end + 3, len(state.tokens))):
            word = state.word(k)
            if word in _DATE_COLUMN_WORDS and word in ("contact", "contacted", "touch", "touched"):
                col_pos = k
                state.used[k] = True
                for j in range(end, k):
                    if state.word(j) in ("without", "no", "since", "last", "any", "of"):
                        negate = negate or state.word(j) in ("without", "no")
                        state.used[j] = True
                break
    return negate, col_pos


def _column_words(state: _State, k: int) -> bool:
    word = state.word(k)
    return word in _DATE_COLUMN_WORDS


_DATE_COLUMN_WORDS = {
    "contacted": "last_contacted_at", "contact": "last_contacted_at", "touched": "last_contacted_at",
    "reached": "last_contacted_at", "spoken": "last_contacted_at", "talked": "last_contacted_at",
    "heard": "last_contacted_at", "engaged": "last_contacted_at",
    "created": "created_at", "added": "created_at", "new": "created_at", "signed": "created_at",
    "joined": "created_at", "opened": "@opened", "closing": "close_date", "close": "close_date",
    "closes": "close_date", "expected": "close_date", "closed": "closed_at", "won": "closed_at",
    "lost": "closed_at", "due": "due_at", "scheduled": "due_at", "held": "due_at", "happened": "due_at",
    "happening": "due_at", "completed": "completed_at", "done": "completed_at", "finished": "completed_at",
    "sent": "sent_at", "received": "sent_at", "clicked": "clicked_at", "replied": "replied_at",
    "written": "created_at", "logged": "created_at", "booked": "closed_at", "touch": "last_contacted_at",
    "wrote": "created_at", "write": "created_at", "send": "sent_at", "emailed": "sent_at", "mailed": "sent_at",
    "called": "due_at", "phoned": "due_at", "met": "due_at", "meet": "due_at",
}


_UNIT_SCALE = {("hour", "minutes"): 60, ("hours", "minutes"): 60, ("day", "minutes"): 1440,
               ("days", "minutes"): 1440}


def _pass_comparisons(state: _State) -> None:
    toks = state.tokens
    for i, tok in enumerate(toks):
        # "an hour" after a comparator reads as "1 hour"
        if tok.text in ("a", "an", "one") and i + 1 < len(toks) and toks[i + 1].text in ("hour", "day", "week"):
            tok.kind, tok.value = "number", 1.0
    for i, tok in enumerate(toks):
        if tok.kind != "number" or state.used[i]:
            continue
        op, start = _comparator_before(state, i)
        if op == "between_low":
            continue
        if op is None:
            # a bare number next to a column ("score 80") or money ("$50k deals") is an equality/min
            if tok.is_money:
                op, start = "gte", i
            else:
                continue
        value: Any = tok.value
        end = i + 1
        if op == "between":
            j = i + 1
            if j < len(toks) and toks[j].text in ("and", "to", "-") and j + 1 < len(toks) and toks[j + 1].kind == "number":
                high = toks[j + 1]
                low_v, high_v = tok.value or 0, high.value or 0
                # "between 20 and 50k": the magnitude of the second applies to the first
                if high.is_money and not tok.is_money and low_v < 1000 <= high_v:
                    low_v *= 1000 if high_v < 1e6 else 1e6
                value = [low_v, high_v]
                tok.is_money = tok.is_money or high.is_money
                end = j + 2
            else:
                continue
        unit_pos = end if end < len(toks) else None
        if unit_pos is not None and toks[unit_pos].text in ("hour", "hours", "minute", "minutes", "min", "mins"):
            state.used[unit_pos] = True
        if unit_pos is not None and toks[unit_pos].text in ("percent", "pct", "percentage"):
            tok.is_percent = True  # "60 percent" is "60%"
            state.used[unit_pos] = True
            unit_pos = unit_pos + 1 if unit_pos + 1 < len(toks) else None
        state.take(start, end)
        state.modifiers.append(Modifier(start, "compare", {
            "op": op, "value": value, "money": tok.is_money, "percent": tok.is_percent,
            "unit_pos": unit_pos, "number_pos": i,
        }, end))


_COMPARATORS = [
    # "greater than or equal to", "less than or equal to" (the longest phrase wins)
    *[((word, "than", "or", "equal", "to"), op) for word, op in (
        ("greater", "gte"), ("more", "gte"), ("higher", "gte"), ("bigger", "gte"), ("larger", "gte"),
        ("less", "lte"), ("fewer", "lte"), ("lower", "lte"), ("smaller", "lte"))],
    (("greater", "or", "equal", "to"), "gte"), (("less", "or", "equal", "to"), "lte"),
    (("more", "than"), "gt"), (("greater", "than"), "gt"), (("bigger", "than"), "gt"), (("larger", "than"), "gt"),
    (("higher", "than"), "gt"), (("over",), "gt"), (("above",), "gt"), (("exceeding",), "gt"), (("exceeds",), "gt"),
    (("north", "of"), "gt"), (("at", "least"), "gte"), (("minimum", "of"), "gte"), (("min",), "gte"),
    (("or", "more"), "gte"), (("plus",), "gte"), (("less", "than"), "lt"), (("fewer", "than"), "lt"),
    (("smaller", "than"), "lt"), (("lower", "than"), "lt"), (("under",), "lt"), (("below",), "lt"),
    (("at", "most"), "lte"), (("up", "to"), "lte"), (("no", "more", "than"), "lte"), (("maximum", "of"), "lte"),
    (("max",), "lte"), (("between",), "between"), (("exactly",), "eq"), (("equal", "to"), "eq"),
    (("equals",), "eq"), ((">",), "gt"), ((">=",), "gte"), (("<",), "lt"), (("<=",), "lte"), (("=",), "eq"),
    (("worth", "more", "than"), "gt"), (("worth", "over"), "gt"), (("worth",), "gte"),
    (("more", "then"), "gt"), (("less", "then"), "lt"), (("longer", "than"), "gt"), (("shorter", "than"), "lt"),
    (("greater", "then"), "gt"), (("fewer", "then"), "lt"), (("bigger", "then"), "gt"), (("over", "then"), "gt"),
]


def _comparator_before(state: _State, i: int) -> tuple[str | None, int]:
    words = state.words
    # "between 20k and 50k": the second number belongs to the first
    if i >= 2 and words[i - 1] in ("and", "to") and state.tokens[i - 2].kind == "number":
        for k in range(i - 3, max(-1, i - 6), -1):
            if words[k] == "between":
                return "between_low", i
    for phrase, op in sorted(_COMPARATORS, key=lambda p: -len(p[0])):
        n = len(phrase)
        if i - n >= 0 and tuple(words[i - n:i]) == phrase:
            # "10k or more"
            return op, i - n
    if i + 2 < len(words) and (words[i + 1], words[i + 2]) in (("or", "more"), ("or", "above"), ("and", "up"),
                                                               ("or", "higher"), ("plus",)):
        state.take(i + 1, i + 3)
        return "gte", i
    if i + 1 < len(words) and words[i + 1] == "plus":
        state.take(i + 1, i + 2)
        return "gte", i
    if i + 2 < len(words) and (words[i + 1], words[i + 2]) in (("or", "less"), ("or", "fewer"), ("or", "below")):
        state.take(i + 1, i + 3)
        return "lte", i
    return None, i


def _pass_sorting(state: _State) -> None:
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        if word in ("sort", "sorted", "order", "ordered", "rank", "ranked") and i + 1 < len(w):
            j = i + 1
            while j < len(w) and w[j] in ("the", "their", "its", "them", "those", "these", "it", "by", "on",
                                          "that", "this"):
                j += 1
            state.take(i, j)
            descending = None
            k = j
            phrase_words = []
            while k < len(w) and w[k] not in ("desc", "descending", "asc", "ascending", "highest", "lowest",
                                              "biggest", "smallest", "newest", "oldest", "first", "then", "and"):
                phrase_words.append(w[k])
                k += 1
            for k2 in range(k, min(k + 3, len(w))):
                if w[k2] in ("desc", "descending", "highest", "biggest", "largest", "newest", "latest", "most"):
                    descending = True
                    state.take(k2, k2 + 2 if k2 + 1 < len(w) and w[k2 + 1] == "first" else k2 + 1)
                elif w[k2] in ("asc", "ascending", "lowest", "smallest", "oldest", "earliest", "least"):
                    descending = False
                    state.take(k2, k2 + 2 if k2 + 1 < len(w) and w[k2 + 1] == "first" else k2 + 1)
            state.sort = (" ".join(phrase_words[:3]) if phrase_words else None, bool(descending)) \
                if descending is not None else (" ".join(phrase_words[:3]) or None, _default_desc(phrase_words))
            state.modifiers.append(Modifier(j, "sort", {"words": phrase_words[:3]}))
        elif word in ("newest", "latest", "oldest", "earliest", "highest", "largest", "biggest", "smallest",
                      "lowest") and i + 1 < len(w) and w[i + 1] == "first":
            state.sort = (word, word in ("newest", "latest", "highest", "largest", "biggest"))
            state.modifiers.append(Modifier(i, "sort", {"words": [word]}))
            state.take(i, i + 2)


def _default_desc(words: list[str]) -> bool:
    return any(w in ("amount", "value", "size", "revenue", "score", "employees", "recent", "newest") for w in words)


def _pass_grouping(state: _State) -> None:
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        lead = None
        if word in ("per", "across") or word == "by" and not (
                i > 0 and w[i - 1] in ("owned", "assigned", "managed", "handled", "created", "written", "sent",
                                       "logged")):
            lead = i + 1
        elif word == "for" and i + 1 < len(w) and w[i + 1] in ("each", "every"):
            lead = i + 2
        elif word == "each" and i + 1 < len(w) and not (i > 0 and w[i - 1] in ("for",)):
            lead = i + 1
        elif word in ("breakdown", "broken", "break", "grouped", "split", "group"):
            j = i + 1
            while j < len(w) and w[j] in ("down", "by", "per", "into", "of", "that", "it", "this", "them", "those",
                                          "the", "up"):
                j += 1
            lead = j
        if lead is None or lead >= len(w):
            continue
        j = lead
        while j < len(w) and w[j] in ("the", "their", "each", "every", "deal", "lead", "sales", "its"):
            if w[j] in ("deal", "lead", "sales") and j + 1 < len(w) and w[j + 1] in ("stage", "source", "rep", "reps",
                                                                                  "owner", "person", "team"):
                j += 1
                continue
            j += 1
        phrase = w[j:j + 3]
        ordering = _ordering_phrase(state, phrase)
        if ordering and word == "by":
            continue
        target, used = _group_target_at(state, phrase)
        skipped = 0
        if target is None and len(phrase) > 1:
            # "call outcomes": group by outcome, and 'call' still filters
            target, used = _group_target_at(state, phrase[1:])
            skipped = 1
        if target is None:
            continue
        state.take(i, j)
        state.take(j + skipped, j + skipped + used)
        state.group_words.append((i, target))
        # "by owner and stage": a second grouping
        k = j + skipped + used
        if k + 1 < len(w) and w[k] in ("and", "then") and not state.used[k + 1]:
            k2 = k + 1
            while k2 < len(w) and w[k2] in ("the", "their", "by", "per", "deal", "lead", "sales") and \
                    not (w[k2] in ("deal", "lead", "sales") and k2 + 1 < len(w) and
                         w[k2 + 1] in ("stage", "source", "rep", "reps", "owner", "team")):
                k2 += 1
            second, second_used = _group_target_at(state, w[k2:k2 + 3])
            if second is not None and second != target:
                state.take(k, k2 + second_used)
                state.group_words.append((k, second))


def _ordering_phrase(state: _State, phrase: list[str]) -> bool:
    """'by pipeline value', 'by revenue', 'by amount' after top/most: a measure to rank by, not a group."""
    lex = state.ctx.lexicon
    ranks = state.limit is not None or state.superlative is not None or \
        any(w in _SUPERLATIVES or w == "top" for w in state.words)
    for n in range(min(3, len(phrase)), 0, -1):
        meanings = lex.lookup(" ".join(phrase[:n]))
        if any(m.kind == "metric" for m in meanings) and not any(m.kind == "named" for m in meanings):
            return True
        if ranks and any(m.kind == "column" and m.name in ("amount", "annual_revenue", "employee_count",
                                                           "lead_score", "duration_minutes") for m in meanings):
            return True
    return False


_GROUP_WORDS: dict[str, list[str]] = {
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


def _group_target_at(state: _State, phrase: list[str]) -> tuple[list[str] | None, int]:
    if not phrase:
        return None, 0
    phrase = [p[:-1] if p.endswith("es") and p[:-2] in ("outcom", "typ", "stag", "sourc") else p for p in phrase]
    lex = state.ctx.lexicon
    for n in range(min(3, len(phrase)), 0, -1):
        key = " ".join(phrase[:n])
        if n == 1 and key in _GROUP_WORDS:
            return _GROUP_WORDS[key], 1
        meanings = [m for m in lex.lookup(key) if m.kind == "column"]
        if meanings:
            return [f"{m.extra}.{m.name}" for m in meanings], n
        if key in _GROUP_WORDS:
            return _GROUP_WORDS[key], n
        if n == 1 and key.endswith("s") and key[:-1] in _GROUP_WORDS:
            return _GROUP_WORDS[key[:-1]], 1
    return None, 0


def _pass_measures(state: _State) -> None:
    w = state.words
    text = " ".join(w)
    if re.search(r"\b(average|avg|mean)\s+(number|count|amount)\s+of\s+\w+\s+(per|for each|each)\b|"
                 r"\b(number of|how many)\b.*\b(per|each)\b.*\bon average\b", text):
        state.unknown.append("an average number per record (e.g. activities per deal)")
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if word == "how" and nxt in ("many", "much"):
            state.measure = "count" if nxt == "many" else state.measure or "sum"
            state.take(i, i + 2)
        elif word in ("number", "count", "counts", "#", "tally", "amount") and nxt == "of":
            if word == "amount":
                continue
            after = w[i + 2] if i + 2 < len(w) else ""
            meanings = state.ctx.lexicon.lookup(after)
            if i > 0 and w[i - 1] == "by" and meanings and all(m.kind == "column" for m in meanings):
                # "accounts by number of employees": a column that already holds the number — sort by it
                state.sort = (after, True)
                state.take(i - 1, i + 3)
                continue
            state.measure = "count"
            state.take(i, i + 2)
            if i > 0 and w[i - 1] == "by":
                state.most = True  # "top 3 accounts by number of deals"
                state.used[i - 1] = True
        elif word in ("count", "counts"):
            state.measure = "count"
            state.take(i, i + 1)
        elif word in ("total", "sum", "combined", "aggregate", "overall") and nxt not in ("number", "count"):
            state.measure = state.measure or "sum"
            state.take(i, i + 1)
            if nxt == "of":
                state.take(i + 1, i + 2)
        elif word in ("average", "avg", "mean", "typical") and \
                any(w[k] in ("than", "above", "below", "over", "under") for k in range(max(0, i - 2), i)):
            # "deals worth more than the average": a comparison with a computed figure is not supported
            state.unknown.append(f"a comparison with the {word}")
            state.take(i, i + 1)
        elif word in ("average", "avg", "mean", "typical"):
            state.measure = "avg"
            state.take(i, i + 1)
        elif word in ("median",):
            state.measure = "avg"
            state.unknown.append("median")
        elif word in _SUPERLATIVES and not state.used[i]:
            if word in ("most", "least", "fewest") and nxt not in ("recent",):
                state.most = True
            state.superlative = (i, _SUPERLATIVES[word])
            state.take(i, i + 1)
            if word == "most" and nxt == "recent":
                state.take(i + 1, i + 2)


_OWNER_VERBS = {"own", "have", "manage", "handle", "am", "wrote", "write", "created", "logged", "log", "sent",
                "send", "closed", "won", "lost", "called", "emailed", "met", "booked", "added", "made", "make",
                "had", "held", "scheduled", "completed", "finished", "ran", "run", "took", "worked", "meet",
                "phoned"}
# "emails I sent" are outbound: a verb with "I" can fix a value
_VERB_VALUES = {"sent": ("email_directions", "outbound"), "send": ("email_directions", "outbound"),
                "emailed": ("email_directions", "outbound"), "called": ("activity_types", "call"),
                "phoned": ("activity_types", "call"), "met": ("activity_types", "meeting"),
                "meet": ("activity_types", "meeting")}


def _pass_ownership(state: _State) -> None:
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if word in ("my", "mine") and i >= 2 and w[i - 2] == "not" and w[i - 1] in ("just", "only"):
            state.take(i - 2, i + 1)  # "everyone's deals, not just mine": no owner filter
            continue
        if word in ("my", "our") and nxt in ("team", "teams", "group", "squad", "org"):
            state.modifiers.append(Modifier(i, "owner", {"scope": "team"}, i + 2))
            state.take(i, i + 2)
        elif word in ("other", "others", "others'") and \
                (_names_people(state, i + 1) or word.startswith("others")) and \
                not any(m.kind == "owner" for m in state.modifiers):
            # "deals of other reps", "others' deals": rows someone else owns (the scope still applies)
            state.modifiers.append(Modifier(i, "owner", {"scope": "others"}, i + 1))
            state.take(i, i + 1)
        elif word == "my" and _names_people(state, i + 1):
            # "my reps", "my top 3 reps": the people on my team, not rows I own
            state.modifiers.append(Modifier(i, "owner", {"scope": "team"}, i + 1))
            state.take(i, i + 1)
        elif word in ("my", "mine", "myself") or (word == "me" and i > 0 and w[i - 1] in ("to", "by", "for", "owned")):
            state.modifiers.append(Modifier(i, "owner", {"scope": "me"}))
            state.take(i, i + 1)
        elif word == "i" and (nxt in _OWNER_VERBS or (nxt in ("did", "do", "have") and i + 2 < len(w)
                                                       and w[i + 2] in _OWNER_VERBS)):
            state.modifiers.append(Modifier(i, "owner", {"scope": "me"}))
            verb_at = i + 1 if nxt in _OWNER_VERBS else i + 2
            verb = w[verb_at]
            meaningful = any(m.kind in ("value", "named", "stage", "event") for m in state.ctx.lexicon.lookup(verb))
            state.take(i, i + 1)
            if verb in _VERB_VALUES:
                valueset, value = _VERB_VALUES[verb]
                state.modifiers.append(Modifier(verb_at, "value", {"options": [(valueset, value)], "phrase": verb}))
                state.take(verb_at, verb_at + 1)
            elif not meaningful and verb not in _DATE_COLUMN_WORDS:
                state.take(i, verb_at + 1)
        elif word == "our" and nxt not in ("team",):
            state.take(i, i + 1)  # "our customers" in a company means the company's: no owner filter


def _names_people(state: _State, k: int) -> bool:
    """Whether the words from `k` on (past "top N") name users: "reps", "sales reps", "top 3 sellers"."""
    w = state.words
    while k < len(w) and (w[k] in ("top", "best", "bottom", "worst") or state.tokens[k].kind == "number"):
        k += 1
    lex = state.ctx.lexicon
    return any(any(m.kind == "entity" and m.name == "users" for m in lex.lookup(" ".join(w[k:k + n])))
               for n in (2, 1) if k + n <= len(w))


def _pass_phrases(state: _State) -> None:
    """Longest match of catalog phrases over the tokens not yet used."""
    lex = state.ctx.lexicon
    toks = state.tokens
    i = 0
    while i < len(toks):
        if state.used[i] or toks[i].kind not in ("word",):
            i += 1
            continue
        predicative = _predicative_name(state, i)
        if predicative is not None:
            phrase, meanings = predicative
            _record(state, i, i + 3, phrase, meanings)
            state.take(i, i + 3)
            i += 3
            continue
        matched = False
        for n in range(min(lex.max_words, len(toks) - i), 0, -1):
            span = toks[i:i + n]
            if any(state.used[i + k] or t.kind != "word" for k, t in enumerate(span)):
                continue
            phrase = " ".join(t.text for t in span)
            meanings = lex.lookup(phrase)
            if not meanings and n == 1 and span[0].is_upper_code and not state.shouting:
                meanings = _state_code(state, span[0])
            if meanings and not _reads_as_place(state, i, span):
                meanings = [m for m in meanings if m.extra != "cities"]
            if not meanings:
                continue
            _record(state, i, i + n, phrase, meanings)
            state.take(i, i + n)
            i += n
            matched = True
            break
        if not matched:
            i += 1


_PLACE_LEAD_INS = frozenset({"in", "at", "from", "near", "around", "of", "based", "to", "outside", "city"})


def _reads_as_place(state: _State, i: int, span: list[Token]) -> bool:
    """A city name is a city when written as a name ("Leeds") or after "in", "from", "near"…; otherwise
    "how many leeds" stays a typo of leads."""
    return span[0].original[:1].isupper() or (i > 0 and state.tokens[i - 1].text in _PLACE_LEAD_INS)


_COPULAS = frozenset({"is", "are"})


def _predicative_name(state: _State, i: int) -> tuple[str, list[Meaning]] | None:
    """A two-word stage or value name said as a sentence: "renewals are due" is the stage "Renewal Due"."""
    toks = state.tokens
    if i + 2 >= len(toks) or any(state.used[i + k] or toks[i + k].kind != "word" for k in range(3)):
        return None
    if toks[i + 1].text not in _COPULAS:
        return None
    head, tail = toks[i].text, toks[i + 2].text
    for form in dict.fromkeys((head, head[:-1] if head.endswith("s") else head, head[:-2] if head.endswith("es")
                               else head)):
        phrase = f"{form} {tail}"
        meanings = [m for m in state.ctx.lexicon.lookup(phrase) if m.kind in ("stage", "value")]
        if meanings:
            return phrase, meanings
    return None


def _state_code(state: _State, tok: Token) -> list[Meaning]:
    code = tok.original.upper()
    catalog = state.ctx.catalog
    states = catalog.valuesets.get("states", {})
    countries = catalog.valuesets.get("countries", {})
    out = []
    if code in states:
        out.append(Meaning("value", code, extra="states"))
    if code in countries and code not in ("IN",):
        out.append(Meaning("value", code, extra="countries"))
    return out


def _record(state: _State, start: int, end: int, phrase: str, meanings: list[Meaning]) -> None:
    kinds = {m.kind for m in meanings}
    catalog = state.ctx.catalog
    value_set = _valueset_of_column_before(state, start) or _valueset_of_column_after(state, end)
    if value_set is not None:
        # "whose lifecycle stage is lead": after a column, its value, not the 'leads' definition
        values = [m for m in meanings if m.kind == "value" and m.extra == value_set]
        if values:
            state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                             "phrase": phrase}, end))
            return
    if "value" in kinds and not {"named", "metric", "entity"} & kinds and _value_negated(state, start):
        # "deals that are not won" (lost ones too, not "never closed"), "contacts not in Texas"
        values = [m for m in meanings if m.kind == "value"]
        state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                         "phrase": phrase, "stage": None, "negate": True}, end))
        return
    if "event" in kinds and kinds <= {"event", "column", "value"}:
        events = [m for m in meanings if m.kind == "event"]
        negated = events[0].ref == -1 or _negated_before(state, start)
        state.modifiers.append(Modifier(start, "event", {"columns": [(m.extra, m.name) for m in events],
                                                         "negate": negated, "phrase": phrase}, end))
        return
    if "metric" in kinds and "column" in kinds and state.mentions:
        entity_names = {m.entity for m in state.mentions}
        own = [m for m in meanings if m.kind == "column" and m.extra in entity_names and m.extra != "deals"]
        compared = any(mod.kind == "compare" and 0 <= mod.pos - end <= 2 for mod in state.modifiers)
        if own and compared:
            state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in own],
                                                              "phrase": phrase}, end))
            return
    if "metric" in kinds and ("named" in kinds or "entity" in kinds):
        # "pipeline": the metric when asked for a figure, else the open deals themselves
        metric = next(m for m in meanings if m.kind == "metric")
        wants_figure = state.measure in ("sum", None) and _asks_for_figure(state)
        if wants_figure or "named" not in kinds and "entity" not in kinds:
            state.mentions.append(Mention(start, end, catalog.metrics[metric.name].entity, metric=metric.name,
                                          phrase=phrase))
            return
        meanings = [m for m in meanings if m.kind != "metric"]
        kinds = {m.kind for m in meanings}
    if "named" in kinds:
        named = next(m for m in meanings if m.kind == "named")
        entity = catalog.named_filters[named.name].entity
        state.mentions.append(Mention(start, end, entity, named=named.name, phrase=phrase))
        return
    if "metric" in kinds:
        metric = next(m for m in meanings if m.kind == "metric")
        state.mentions.append(Mention(start, end, catalog.metrics[metric.name].entity, metric=metric.name,
                                      phrase=phrase))
        return
    mentioned = {m.entity for m in state.mentions}
    if "column" in kinds and _negated_before(state, start):
        nullable = [m for m in meanings if m.kind == "column" and m.extra in mentioned and m.name != "id"
                    and _column_type(catalog, m.extra, m.name) != "boolean"]  # "not unsubscribed" is false
        if nullable:
            state.modifiers.append(Modifier(start, "event", {"columns": [(m.extra, m.name) for m in nullable],
                                                             "negate": True, "phrase": f"no {phrase}"}, end))
            return
    if kinds == {"column"} or ("column" in kinds and "entity" in kinds and
                               any(m.kind == "column" and m.extra in mentioned for m in meanings)):
        columns = [m for m in meanings if m.kind == "column"]
        if True:
            state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in columns],
                                                              "phrase": phrase}, end))
            return
    if "entity" in kinds:
        entity = next(m for m in meanings if m.kind == "entity")
        state.mentions.append(Mention(start, end, entity.name, phrase=phrase))
        own_values = [m for m in meanings if m.kind == "value"
                      and _column_for_valueset(catalog.entities[entity.name], m.extra)]
        if own_values:
            state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in own_values],
                                                             "phrase": phrase}, end))
        return
    values = [m for m in meanings if m.kind == "value"]
    stages = [m for m in meanings if m.kind == "stage"]
    if values:
        state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                         "phrase": phrase,
                                                         "stage": stages[0].name if stages else None}, end))
        return
    if stages and _value_negated(state, start):  # "open deals not in negotiation"
        state.modifiers.append(Modifier(start, "stage", {"name": stages[0].name, "ref": stages[0].ref,
                                                         "phrase": phrase, "negate": True}, end))
        return
    for kind in ("stage", "pipeline", "user", "team", "account"):
        found = [m for m in meanings if m.kind == kind]
        if kind == "account" and found:
            _record_account(state, start, end, found[0].name)
            return
        if found:
            negate = kind == "pipeline" and _value_negated(state, start)  # "deals not in the Sales pipeline"
            state.modifiers.append(Modifier(start, kind, {"name": found[0].name, "ref": found[0].ref,
                                                          "phrase": phrase, "negate": negate}, end))
            return
    if "column" in kinds:
        columns = [m for m in meanings if m.kind == "column"]
        state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in columns],
                                                          "phrase": phrase}))


def _record_account(state: _State, start: int, end: int, name: str) -> None:
    """An account by name, among the accounts the user may see.

    An account outside the user's scope reads exactly like a name the CRM does not know (a contact
    with no rows), so neither the answer nor the SQL shown tells that it exists.
    """
    ids = state.ctx.catalog.accounts.get(name, [])
    if state.ctx.visible_accounts is not None:
        ids = state.ctx.visible_accounts(ids)
    if ids:
        state.modifiers.append(Modifier(start, "account", {"name": name, "ids": ids, "phrase": name}, end))
    else:
        state.modifiers.append(Modifier(start, "contact", {"ids": [], "phrase": _title(name)}, end))


def _valueset_of_column_before(state: _State, start: int) -> str | None:
    if not state.modifiers or state.modifiers[-1].kind != "column":
        return None
    prev = state.modifiers[-1]
    between = [state.word(k) for k in range(prev.end, start)]
    if len(between) > 2 or any(w not in ("is", "are", "=", "equals", "of", "in", "was") for w in between):
        return None
    for ent_name, col in prev.data["columns"]:
        column = state.ctx.catalog.entities[ent_name].columns.get(col)
        if column is not None and column.valueset:
            return column.valueset
    return None


def _valueset_of_column_after(state: _State, end: int) -> str | None:
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    for n in (3, 2, 1):
        phrase = " ".join(state.word(k) for k in range(end, end + n))
        for m in lex.lookup(phrase):
            if m.kind == "column":
                column = catalog.entities[m.extra].columns.get(m.name)
                if column is not None and column.valueset:
                    return column.valueset
    return None


_VALUE_LEAD_INS = frozenset({"in", "at", "from", "the", "a", "an", "is", "are", "been", "located", "based", "yet"})
_VERB_LEAD_INS = frozenset({"been", "have", "has", "had", "was", "were", "yet", "ever", "be", "is", "are", "got",
                            "get"})


def _value_negated(state: _State, start: int) -> bool:
    """'not in negotiation', 'not won', 'aren't in Texas': a "not" just before a value (marked used)."""
    k = start - 1
    while k >= 0 and state.word(k) in _VALUE_LEAD_INS:
        k -= 1
    if k >= 1 and state.word(k) == "than" and state.word(k - 1) in ("other", "rather") and not state.used[k]:
        state.take(k - 1, k + 1)  # "leads other than referrals"
        return True
    return _negation_before(state, start, _VALUE_NEGATIONS, _VALUE_LEAD_INS, reuse=False)


# "not in Texas", "excluding software", "except Texas"
_VALUE_NEGATIONS = frozenset({"not", "excluding", "exclude", "except", "without"})


def _negated_before(state: _State, start: int) -> bool:
    """'never contacted', 'has no phone': a negation a few grammar words before a column or event."""
    return _negation_before(state, start, frozenset({"not", "never", "no", "without", "nobody", "none"}),
                            _VERB_LEAD_INS, reuse=True)


def _negation_before(state: _State, start: int, negations: frozenset[str], lead_ins: frozenset[str], *,
                     reuse: bool) -> bool:
    """Whether one of `negations` stands at most three words before `start`, only `lead_ins` between
    (marked used when found; `reuse=False` skips a negation another phrase already took)."""
    for k in range(start - 1, max(-1, start - 4), -1):
        word = state.word(k)
        if word in negations and (reuse or not state.used[k]):
            state.used[k] = True
            return True
        if word not in lead_ins:
            return False
    return False


def _asks_for_figure(state: _State) -> bool:
    """'my team's pipeline', 'bookings last month' are figures; 'show my pipeline', 'what's in it' are rows."""
    words = state.words
    text = " ".join(words)
    if any(w in ("total", "value", "much", "sum", "worth", "size", "by", "per") for w in words):
        return True
    listing = {"show", "list", "which", "display", "pull", "deals", "opportunities", "opps", "give", "see"}
    return not (set(words) & listing or re.search(r"\bwhat is in\b|\bin (my|our|the)\b", text))


def _pass_negations(state: _State) -> None:
    """'without deals', 'with no open deals', 'who have no activities', 'never emailed'."""
    _lift_date_negations(state)
    _read_counts(state)
    _read_text_values(state)
    for mod in state.modifiers:  # "missing a phone", "whose phone is blank": read by _presence_cond
        if mod.kind == "column":
            k = mod.end + (1 if state.word(mod.end) in ("is", "are") else 0)
            if k < len(state.tokens) and state.word(k) in _ABSENT_AFTER:
                state.take(mod.end, k + 1)
            k = _word_before_column(state, mod)
            if k >= 0 and state.word(k) in _ABSENT_WORDS:
                state.used[k] = True
    w = state.words
    for m in state.mentions:
        k = m.pos - 1
        steps = 0
        while k >= 0 and steps < 4:
            word = w[k]
            if word in ("without", "no", "zero", "lacking", "never") and not state.used[k] or \
                    word == "not" and k + 1 < len(w) and w[k + 1] in ("have", "having", "with") or \
                    word == "not" and not state.used[k] and k + 1 == m.pos and m.named and m is not state.mentions[0]:
                m.negated = True
                state.used[k] = True
                break
            if state.used[k] and word not in ("open", "won", "lost"):
                break
            if word not in ("any", "with", "have", "has", "having", "had", "do", "does", "did", "not", "a",
                            "an", "the", "open", "who", "that", "which", "they"):
                break
            k -= 1
            steps += 1


_TEXT_VALUE_LEADS = frozenset({"is", "=", "contains", "containing", "like", "named", "called", "equals",
                               "includes", "including", "with"})


def _read_text_values(state: _State) -> None:
    """'contacts with job title vice president', 'whose email contains acme': words after a free-text column that the
    catalog does not know are the text to look for (a case-insensitive substring match)."""
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    for mention in state.mentions:  # "accounts named Cobalt", "deals called renewal": their name
        entity = catalog.entities[mention.entity]
        name = entity.columns.get("name") or entity.columns.get("full_name")
        if name is not None and mention.end < len(state.tokens) and state.word(mention.end) in ("named", "called") \
                and not state.used[mention.end]:
            state.modifiers.append(Modifier(mention.end, "column", {"columns": [(entity.name, name.name)],
                                                                    "phrase": "name"}, mention.end + 1))
            state.used[mention.end] = True
    for mod in list(state.modifiers):
        if mod.kind != "column":
            continue
        columns = [(e, c) for e, c in mod.data["columns"]
                   if (col := catalog.entities[e].columns.get(c)) is not None and col.type == "text"
                   and not col.valueset and c != "id"]
        if not columns:
            continue
        k = mod.end
        while k < len(state.tokens) and state.word(k) in _TEXT_VALUE_LEADS and not state.used[k]:
            k += 1
        words: list[Token] = []
        while k < len(state.tokens) and len(words) < 4 and not state.used[k] and \
                state.tokens[k].kind in ("word", "number") and state.word(k) not in catalog.filler and \
                state.word(k) not in _GRAMMAR_FILLER and not lex.lookup(state.word(k)):
            words.append(state.tokens[k])
            k += 1
        if not words:
            continue
        state.take(mod.end, k)
        state.modifiers.append(Modifier(mod.pos, "text", {"columns": columns, "value": " ".join(t.original for t in words),
                                                          "phrase": mod.data["phrase"]}, k))


def _read_counts(state: _State) -> None:
    """'accounts with more than 10 contacts': a bare number right before a related record's noun
    counts those records (it is not a value of one of their columns)."""
    if len(state.mentions) < 2:
        return
    main = min(state.mentions, key=lambda m: m.pos)
    for mod in list(state.modifiers):
        if mod.kind != "compare" or mod.data.get("money") or mod.data.get("percent"):
            continue
        value = mod.data["value"]
        gap = range(mod.end, len(state.tokens))
        k = next((j for j in gap if state.word(j) not in ("or", "more", "plus", "fewer", "less", "and", "up",
                                                          "open", "won", "lost")
                  or any(m.pos == j for m in state.mentions)), None)
        counted = next((m for m in state.mentions if k is not None and m.pos == k and m is not main
                        and m.metric is None and m.entity != main.entity), None)
        if counted is None:
            continue
        how_many = _count_value(value)
        if how_many is None:
            continue
        counted.count = (mod.data["op"], how_many)
        state.modifiers.remove(mod)


def _lift_date_negations(state: _State) -> None:
    """'reps who haven't logged a call this week': the negation is of the call, not of the date.

    A negated date phrase whose verb comes before a related record's noun ("not logged | a call |
    this week") means there is no such record in that period: NOT EXISTS (call this week).
    """
    main = min(state.mentions, key=lambda m: m.pos) if state.mentions else None
    for mod in state.modifiers:
        if mod.kind != "date" or not mod.data.get("negate") or mod.data.get("column_pos") is None:
            continue
        between = [m for m in state.mentions if m is not main and mod.data["column_pos"] <= m.pos < mod.pos
                   and not m.negated]
        if between:
            between[0].negated = True
            mod.data["negate"] = False
            mod.data["column_pos"] = None  # the record's own date, inside the existence


# --- assembling the plan -----------------------------------------------------------------------------

def _pass_versus(state: _State) -> None:
    """'won vs lost deals this year', 'deals in negotiation versus proposal', 'customers vs leads': two values
    of one field side by side — rows with either value, counted per value. Anything else around "vs" is
    asked back rather than read as both at once."""
    w = state.words
    spots = [i for i, word in enumerate(w) if word in ("vs", "versus", "v")
             or (word == "compared" and i + 1 < len(w) and w[i + 1] in ("to", "with"))]
    if not spots:
        return
    catalog = state.ctx.catalog
    for spot in spots:
        after = spot + (2 if w[spot] == "compared" else 1)
        if _periods_side_by_side(state, spot, after):
            continue
        left, right = _side_at(state, end=spot), _side_at(state, start=after)
        if left is None or right is None:
            state.ambiguous.append("Compare what with what? I can put two values of one field side by side, "
                                   "for example: won vs lost deals this year, deals in negotiation vs proposal, "
                                   "or revenue this month vs last month.")
            return
        left_values, right_values = _as_values(catalog, left), _as_values(catalog, right)
        shared = set(left_values[0]) & set(right_values[0]) if left_values and right_values else set()
        if not shared or left_values is None or right_values is None:
            state.ambiguous.append("I can compare two values of one field, for example: won vs lost deals this "
                                   "year. Ask about each of these separately.")
            return
        for side, (_sets, mods) in ((left, left_values), (right, right_values)):
            if isinstance(side, Mention) and side.named:
                # "lost deals" beside "won": the deals, and "lost" as one of the values compared
                index = state.mentions.index(side)
                state.mentions[index] = Mention(side.pos, side.end, side.entity, phrase=catalog.entities[
                    side.entity].plural)
                state.modifiers += mods
        valueset = sorted(shared)[0]
        target = "@stage" if valueset == "@stage" else next(
            f"{e.name}.{c.name}" for e in catalog.entities.values() for c in e.columns.values()
            if c.valueset == valueset)
        state.group_words.append((spot, [target]))
        state.measure = state.measure or "count"
        state.take(spot, after)
    # two mentions of the same rows ("customers vs leads") are one subject: the first of each entity
    firsts: dict[str, Mention] = {}
    for mention in state.mentions:
        firsts.setdefault(mention.entity, mention)
    state.mentions = list(firsts.values())
    for i, word in enumerate(w):
        if word in ("compare", "comparing", "comparison"):
            state.take(i, i + 1)


_PERIOD_GRAINS = {"week": "@week", "month": "@month", "quarter": "@quarter", "year": "@year"}


def _periods_side_by_side(state: _State, spot: int, after: int) -> bool:
    """'revenue this month vs last month': one span over both periods, grouped by their grain (two rows)."""
    dates = [m for m in state.modifiers if m.kind == "date" and not m.data.get("negate")]
    left = next((m for m in dates if _date_end(state, m) == spot), None)
    right = next((m for m in dates if m.pos == after), None)
    if left is None or right is None:
        return False
    grains = {rng.phrase.split()[-1] for rng in (left.data["range"], right.data["range"])}
    first, second = left.data["range"], right.data["range"]
    if len(grains) != 1 or next(iter(grains)) not in _PERIOD_GRAINS or None in (first.start, first.end,
                                                                                 second.start, second.end):
        return False
    span = DateRange(min(first.start, second.start), max(first.end, second.end),
                     f"{first.phrase} and {second.phrase}", "period")
    left.data = {**left.data, "range": span}
    state.modifiers.remove(right)
    state.group_words.append((spot, [_PERIOD_GRAINS[next(iter(grains))]]))
    state.take(spot, after)
    return True


def _date_end(state: _State, mod: Modifier) -> int:
    """Where a date phrase ends (date modifiers keep only their start)."""
    k = mod.pos
    while k < len(state.tokens) and state.used[k] and state.word(k) not in ("vs", "versus", "v", "compared"):
        k += 1
    return k


def _side_at(state: _State, *, start: int | None = None, end: int | None = None) -> Modifier | Mention | None:
    """The value, stage or named mention that ends right before (or starts right after) a "vs"."""
    items: list[Modifier | Mention] = [m for m in state.modifiers if m.kind in ("value", "stage")]
    items += [m for m in state.mentions if m.named]
    for item in items:
        if (start is not None and item.pos == start) or (end is not None and item.end == end):
            return item
    return None


def _as_values(catalog: Catalog, side: Modifier | Mention) -> tuple[list[str], list[Modifier]] | None:
    """The value sets a side's values belong to, and (for a named mention) the value modifiers it stands for."""
    if isinstance(side, Modifier):
        if side.kind == "stage":
            return ["@stage"], []
        sets = [vs for vs, _v in side.data["options"]]
        return sets + (["@stage"] if side.data.get("stage") else []), []
    named = catalog.named_filters[side.named or ""]
    if len(named.where) != 1:
        return None
    spec = named.where[0]
    column = catalog.entities[named.entity].columns.get(spec["column"])
    if column is None or column.valueset is None or spec["op"] not in ("eq", "in"):
        return None
    values = spec["value"] if spec["op"] == "in" else [spec["value"]]
    mods = [Modifier(side.pos, "value", {"options": [(column.valueset, str(v))], "phrase": str(v)}, side.end)
            for v in values]
    return [column.valueset], mods


_PASSES = (_pass_top, _pass_dates, _pass_comparisons, _pass_sorting, _pass_grouping, _pass_ownership,
           _pass_phrases, _pass_measures, _pass_negations, _pass_versus)


def _build(state: _State, question: str) -> ParseOutcome:
    ctx = state.ctx
    catalog = ctx.catalog
    leftovers = [t for k, t in enumerate(state.tokens) if not state.used[k] and t.kind == "word"
                 and t.text not in catalog.filler and t.text not in _GRAMMAR_FILLER]
    follow_up = ctx.previous is not None and _looks_like_follow_up(state, question)
    if state.unknown:
        # a figure the grammar reads but the plans cannot compute: say so rather than answer another one
        return ParseOutcome("clarify", code="not-supported",
                            message=f"I can't compute {state.unknown[0]} yet. I can give averages, totals, "
                                    f"counts and comparisons with a number, for example:",
                            suggestions=_suggestions(state))
    if not state.mentions:
        if follow_up and ctx.previous is not None:
            return _refine(state, ctx.previous, leftovers, question)
        if leftovers:
            if _asks_for_unknown_data(state, leftovers):
                return ParseOutcome("refuse", code="unknown-subject",
                                    message=f"I don't have data about '{' '.join(t.original for t in leftovers)}'. "
                                            f"I can answer questions about {_entity_list(catalog)}.")
            return _clarify(state, leftovers, "I'm not sure what you want to see.")
        inferred = _infer_subject(state)
        if inferred is None:
            if state.modifiers or state.measure:
                return _clarify(state, [], "What would you like to see: contacts, accounts, deals, activities?")
            return _clarify(state, [], "I didn't catch what you're asking about.")
        state.mentions.append(inferred)
    if leftovers:
        return _clarify(state, leftovers, "")
    return _assemble(state, follow_up)


_GRAMMAR_FILLER = {
    "not", "have", "has", "had", "been", "did", "do", "does", "was", "were", "is", "are", "no", "with",
    "without", "who", "that", "which", "than", "and", "or", "in", "on", "at", "by", "of", "for",
    "any", "to", "from", "into", "the", "a", "an", "since", "last", "this", "next", "days", "then", "there",
    "per", "each", "where", "whose", "having", "them", "they", "those", "ones", "only", "just", "also",
    "what", "about", "how", "still", "yet", "ever", "currently", "today", "right", "now", "status",
    "being", "their", "its", "got", "gotten", "getting", "set", "haven", "hasn", "isn", "aren",
    "over", "under", "above", "below", "more", "less", "most", "between", "new", "up", "down", "other",
    "else", "again", "same", "too", "very", "really", "exactly", "approximately", "around", "equal", "vs", "versus", "compared", "like", "such", "as", "open",
    "linked", "tied", "related", "associated", "attached", "connected",
}


_LIST_VERBS = {"show", "list", "give", "get", "pull", "find", "display", "export", "fetch", "see"}


def _asks_for_unknown_data(state: _State, leftovers: list[Token]) -> bool:
    """'show me the invoices table', 'list all tickets': a request for data the CRM does not hold."""
    words = set(state.words)
    if words & {"table", "tables", "database", "schema", "column", "columns"}:
        return True
    if any(t.text in _VAGUE for t in leftovers) or len(leftovers) > 2:
        return False
    return bool(words & _LIST_VERBS) and any(t.text.endswith("s") and len(t.text) > 3 for t in leftovers)


def _infer_subject(state: _State) -> Mention | None:
    """With no noun, a value or date column that belongs to one entity names it:
    "what's in negotiation" → deals, "how many subscribers" → contacts, "what's closing" → deals."""
    catalog = state.ctx.catalog
    candidates: list[str] = []
    for mod in sorted(state.modifiers, key=lambda m: m.pos):
        if mod.kind in ("stage", "pipeline"):
            candidates.append("deals")
        elif mod.kind == "contact":
            candidates.append("contacts")
        elif mod.kind == "account":
            candidates.append("accounts")
        elif mod.kind == "value":
            owners = {e.name for e in catalog.entities.values() for vs, _v in mod.data["options"]
                      if _column_for_valueset(e, vs)}
            if len(owners) == 1:
                candidates.append(owners.pop())
        elif mod.kind == "event":
            candidates += [ent for ent, _c in mod.data["columns"]][:1]
        elif mod.kind == "date" and mod.data.get("column_pos") is not None:
            hint = _DATE_COLUMN_WORDS.get(state.word(mod.data["column_pos"]), "")
            owners = {e.name for e in catalog.entities.values()
                      if hint in e.columns and e.name not in ("users", "teams")}
            if hint == "close_date":
                owners = {"deals"}
            if len(owners) == 1:
                candidates.append(owners.pop())
    for _pos, targets in state.group_words:
        for target in targets:
            if not target.startswith("@"):
                candidates.append(target.split(".", 1)[0])
    if not candidates and "who" in state.words and any(m.kind == "owner" and m.data["scope"] == "team"
                                                       for m in state.modifiers):
        candidates.append("users")
    if not candidates:
        return None
    entity = catalog.entities[candidates[0]]
    return Mention(-1, -1, entity.name, phrase=entity.plural)


def _looks_like_follow_up(state: _State, question: str) -> bool:
    text = question.strip().lower()
    starters = ("only", "just", "and ", "what about", "how about", "now ", "also", "of those", "of them",
                "those", "them", "same", "but ", "filter", "exclude", "sort", "order", "how many are",
                "how many of", "show only", "limit", "restrict", "narrow", "group", "break", "which of",
                "then ", "ok ", "okay", "and,", "instead", "what if")
    if text.startswith(starters):
        return True
    if not state.mentions:
        return True
    pronouns = {"those", "them", "these", "ones", "they", "it", "their", "its", "him", "her"}
    return bool(pronouns & set(state.words)) and len(state.mentions) <= 1


def _entity_list(catalog: Catalog) -> str:
    return "contacts, accounts, deals, activities (calls, meetings, tasks), emails, notes, reps and teams"


def _clarify(state: _State, leftovers: list[Token], lead: str) -> ParseOutcome:
    words = " ".join(t.original for t in leftovers)
    message = lead or f"I'm not sure what you mean by '{words}'."
    suggestions = _suggestions(state)
    if leftovers and state.ctx.similar_phrases is not None and len(leftovers) <= 3:
        # offer the question with each unknown word replaced by the catalog phrase closest in meaning
        replaced = {id(t): state.ctx.similar_phrases(t.text)[:1] for t in leftovers}
        if any(replaced.values()):
            offer = " ".join((replaced[id(t)][0] if replaced.get(id(t)) else t.original)
                             for t in state.tokens if id(t) not in replaced or replaced[id(t)])
            suggestions = list(dict.fromkeys([offer] + suggestions))[:3]
            message += f" Did you mean: {offer}?"
    return ParseOutcome("clarify", code="not-understood", message=message, suggestions=suggestions)


def _suggestions(state: _State) -> list[str]:
    """Concrete rephrasings built from what was understood."""
    out = []
    mention = state.mentions[0] if state.mentions else None
    if mention is not None:
        noun = mention.phrase or state.ctx.catalog.entities[mention.entity].plural
        if mention.entity == "deals":
            out += [f"open {noun} over $50,000", f"{noun} closing this month", f"{noun} by stage"]
        elif mention.entity == "contacts":
            out += [f"{noun} not contacted in 30 days", f"{noun} in Texas", f"how many {noun} by lead source"]
        elif mention.entity == "accounts":
            out += [f"{noun} in the Software industry", f"top 5 {noun} by pipeline value"]
        else:
            out += [f"{noun} in the last 7 days", f"how many {noun} by rep"]
    return (out + _starter_suggestions(state.ctx))[:3]


def _starter_suggestions(ctx: ParseContext) -> list[str]:
    return ["open deals over $50,000", "customers not contacted in 30 days", "pipeline value by stage"]


def _assemble(state: _State, follow_up: bool) -> ParseOutcome:
    ctx, catalog = state.ctx, state.ctx.catalog
    if state.most and state.words[:1] == ["who"] and not any(m.entity == "users" for m in state.mentions):
        # "who owns the most accounts", "who closed the most deals": "who" is a rep
        state.mentions.insert(0, Mention(0, 1, "users", phrase="rep"))
    if len(state.mentions) > 1 and state.mentions[0].entity == "users" and not state.most and \
            state.mentions[1].pos == state.mentions[0].end:
        state.mentions.pop(0)  # "every rep's open deals": the deals are the subject
    elif len(state.mentions) > 1 and state.mentions[0].entity == "users" and not state.most and \
            state.superlative is not None and state.mentions[1].metric is None and state.mentions[1].named is None and \
            state.mentions[0].end <= state.superlative[0] < state.mentions[1].pos and not state.group_words:
        # "who is the owner of the biggest deal": that deal, which names its owner ("which rep": any owner)
        owner = state.mentions.pop(0)
        state.modifiers = [m for m in state.modifiers if not (m.kind == "value" and owner.pos <= m.pos < owner.end)]
    subject = state.mentions[0]
    if state.superlative is not None and subject.metric and not state.group_words and \
            any(m.kind == "column" and m.pos < subject.pos for m in state.modifiers):
        state.most = True  # "which industries have the highest win rate": rank the industries by it
    if state.most and not state.group_words:
        # "which lead source brought in the most customers": rank the values of that column
        column_mod = next((m for m in state.modifiers if m.kind == "column" and m.pos < subject.pos), None)
        if column_mod is not None:
            state.group_words.append((column_mod.pos, [f"{e}.{c}" for e, c in column_mod.data["columns"]]))
            state.measure = state.measure or "count"
            if state.word(column_mod.pos - 1) in ("which", "what") and state.limit is None:
                # "which industry" is one; "which industries" are the first few
                state.limit = DEFAULT_TOP_N if state.word(column_mod.end - 1).endswith("s") else 1
    metric_mentions = [m for m in state.mentions if m.metric]
    # "top 5 accounts by pipeline value" → the metric's entity grouped by the subject
    group_by_subject = None
    if subject.metric is None and metric_mentions and subject.entity != metric_mentions[0].entity:
        relation = _relation_to(catalog, metric_mentions[0].entity, subject.entity)
        if relation is None:
            return _clarify(state, [], f"I can't relate {subject.phrase} to {metric_mentions[0].phrase}.")
        group_by_subject = GroupBy(relation=relation, label=catalog.entities[subject.entity].singular)
        main = metric_mentions[0]
        mentions = [main] + [m for m in state.mentions if m is not main and m is not subject]
        subject_mention = subject
    elif subject.metric is None and state.most and len(state.mentions) > 1 and \
            state.mentions[1].entity != subject.entity and \
            _relation_to(catalog, state.mentions[1].entity, subject.entity):
        # "which rep has the most won deals" → won deals grouped by rep, counted, highest first
        main = state.mentions[1]
        relation = _relation_to(catalog, main.entity, subject.entity)
        group_by_subject = GroupBy(relation=relation, label=catalog.entities[subject.entity].singular)
        mentions = [main] + state.mentions[2:]
        subject_mention = subject
        if state.measure is None:
            state.measure = "count"
    else:
        main = subject
        mentions = state.mentions
        subject_mention = None
    entity = catalog.entities[main.entity]
    plan = QueryPlan(entity=entity.name, subject=_subject_label(catalog, main))
    definitions: list[str] = []

    # the main mention's own meaning
    if main.named:
        named = catalog.named_filters[main.named]
        plan.conds += _named_conds(named.where, ctx, entity, named.definition)
        definitions.append(named.definition)
    metric = catalog.metrics.get(main.metric or "")
    for m in mentions:
        if m.metric and m is not main:
            metric = catalog.metrics[m.metric]
    if metric is not None:
        plan.conds += _named_conds(metric.where, ctx, entity, "")
        definitions.append(metric.definition)

    # attach modifiers to the mention they follow
    groups: dict[int, list[Modifier]] = {id(m): [] for m in mentions}
    anchors = sorted([m for m in mentions if m.metric is None or m is main], key=lambda m: m.pos)
    for mod in state.modifiers:
        if mod.kind == "sort":
            continue
        target = anchors[0]
        for m in anchors:
            if m.pos <= mod.pos:
                target = m
        # an adjective right before a noun qualifies that noun: "software companies", "$50k deals"
        following = next((m for m in anchors if m.pos == mod.end), None)
        if following is not None and mod.kind in ("value", "compare", "stage", "account", "pipeline"):
            target = following
        if subject_mention is not None and (target is subject_mention or mod.pos < main.pos):
            target = main if not _belongs_to_subject(catalog, subject_mention, mod) else target
        if target is not main and mod.kind == "date" and mod.data.get("column_pos") is None and \
                not target.negated:
            target = main  # "emails to customers in the last 30 days": the emails' date ("no activity in 60 days" keeps it)
        if target is not main and not _fits(state, catalog.entities[target.entity], mod) and \
                _fits(state, catalog.entities[main.entity], mod):
            target = main  # "customers with 10k+ deals not contacted in 30 days": contacted is the customers'
        groups.setdefault(id(target), []).append(mod)

    problems: list[str] = []
    for m in mentions:
        conds = _modifier_conds(state, catalog.entities[m.entity], groups.get(id(m), []), m, metric, problems)
        if m is main:
            kept = _narrowed(plan.conds, conds)
            if len(kept) < len(plan.conds) and main.named:
                # the definition gave way ("open deals that are won"): the rows are the entity's, not "open deals"
                plan.subject = catalog.entities[main.entity].plural
                definition = catalog.named_filters[main.named].definition
                plan.definitions = [d for d in plan.definitions if d != definition]
            plan.conds = kept + conds
            continue
        if m.metric is not None and m.entity == main.entity:
            plan.conds += conds
            continue
        if m.entity == main.entity and m.negated and m.named:
            # "contacts who are not customers": the same rows outside that definition
            named = catalog.named_filters[m.named]
            plan.conds.append(negated_conjunction(_named_conds(named.where, ctx, entity, named.definition),
                                                  f"not {m.phrase}"))
            continue
        if m.entity == main.entity and not m.negated:
            # "tasks ... late", "contacts whose stage is customer": a second name for the same rows
            if m.named:
                named = catalog.named_filters[m.named]
                plan.conds += _named_conds(named.where, ctx, entity, named.definition)
                definitions.append(named.definition)
            plan.conds += conds
            continue
        relation = _relation_to(catalog, main.entity, m.entity)
        if relation is None:
            problems.append(f"I can't relate {main.phrase or entity.plural} to {m.phrase}.")
            continue
        named_conds: list[Condition] = []
        if m.named:
            named = catalog.named_filters[m.named]
            named_conds = _named_conds(named.where, ctx, catalog.entities[m.entity], named.definition)
            definitions.append(named.definition)
        to_one = "." in relation or catalog.entities[main.entity].relations[relation].remote == "id"
        if m.count is not None:
            if to_one:
                problems.append(f"Each {entity.singular} has one {catalog.entities[m.entity].singular} at most; "
                                f"I can't count them.")
                continue
            op, value = m.count
            details = " and ".join(c.text for c in conds if c.text)
            plan.conds.append(CountOf(relation=relation, conds=named_conds + conds, op=op, value=value,
                                      text=_count_text(op, value, m.phrase) + (f" with {details}" if details else "")))
            continue
        if to_one and not m.negated and not conds and not named_conds:
            continue  # "contacts at companies": every contact's company qualifies
        related = catalog.entities[m.entity]
        details = " and ".join(c.text for c in conds if c.text)
        if m.negated:
            text = f"without any {m.phrase}" + (f" with {details}" if details else "")
        else:
            text = (f"with at least one {related.singular}" if not m.named else f"linked to {m.phrase}") + \
                (f" with {details}" if details else "")
        plan.conds.append(_relate(catalog, main.entity, relation, named_conds + conds, m.negated, text))
    if problems:
        return ParseOutcome("clarify", code="not-understood", message=problems[0], suggestions=_suggestions(state))
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))

    plan.conds = _without_repeats(plan.conds)
    clash = _contradiction(plan.conds, entity)
    if clash is not None:
        return ParseOutcome("clarify", code="ambiguous", suggestions=_suggestions(state),
                            message=f"“{clash[0]}” and “{clash[1]}” can't both hold. Which one did you mean?")
    # measures, groups, order, limit
    _apply_measures(state, plan, entity, main, metric, group_by_subject)
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))
    plan.definitions = list(dict.fromkeys(d for d in definitions if d))
    previous = ctx.previous
    if follow_up and previous is not None and main.entity == previous.entity and len(state.mentions) == 1:
        return ParseOutcome("planned", plan=_merge(previous, plan), is_follow_up=True)
    if follow_up and previous is not None and main.entity != previous.entity and \
            set(state.words) & {"their", "them", "those", "these", "they", "its"}:
        # "show their open deals" after a list of accounts: deals of those accounts
        path = _relation_to(catalog, main.entity, previous.entity)
        if path is not None and previous.conds:
            plan.conds.append(_nest(path, previous.conds, negate=False,
                                    text=f"of the {previous.subject or previous.entity} asked about before"))
            return ParseOutcome("planned", plan=plan, is_follow_up=True)
    return ParseOutcome("planned", plan=plan)


def _narrowed(defined: list[Condition], said: list[Condition]) -> list[Condition]:
    """A definition's condition that the question itself contradicts gives way: "customers that have
    churned" are contacts in stage churned, not customers (stage customer) that are also churned."""
    said_values = {c.column: values for c in said if isinstance(c, Compare) and (values := _eq_values(c)) is not None}

    def contradicted(cond: Condition) -> bool:
        if not isinstance(cond, Compare):
            return False
        values = _eq_values(cond)
        return values is not None and cond.column in said_values and not values & said_values[cond.column]

    return [c for c in defined if not contradicted(c)]


def _eq_values(cond: Compare) -> set[Any] | None:
    """The values an equality or IN list allows; None for any other comparison."""
    if cond.op == "eq":
        return {cond.value}
    if cond.op == "in":
        return set(cond.value)
    return None


_COUNT_OP_WORDS = {"eq": "exactly ", "ne": "other than ", "gt": "more than ", "gte": "at least ",
                   "lt": "fewer than ", "lte": "at most "}


def _count_value(value: Any) -> int | list[int] | None:
    """A comparison's number(s) as a count of rows, or None when one is not whole ("2.5 deals")."""
    numbers = value if isinstance(value, list) else [value]
    if not all(float(v).is_integer() for v in numbers):
        return None
    return [int(v) for v in value] if isinstance(value, list) else int(value)


def _count_text(op: str, value: int | list[int], noun: str) -> str:
    shown = f"{value[0]} to {value[1]}" if isinstance(value, list) else f"{_COUNT_OP_WORDS[op]}{value}"
    return f"with {shown} {noun}"


def _fits(state: _State, entity: Entity, mod: Modifier) -> bool:
    """Whether a modifier can apply to an entity without guessing a relation."""
    catalog = state.ctx.catalog
    if mod.kind == "date":
        col_pos = mod.data.get("column_pos")
        hint = _DATE_COLUMN_WORDS.get(state.word(col_pos)) if col_pos is not None else None
        return hint is None or hint.startswith("@") or entity.has(hint)
    if mod.kind == "value":
        return any(_column_for_valueset(entity, vs) or _path_to_valueset(catalog, entity, vs)
                   for vs, _v in mod.data["options"])
    if mod.kind == "event":
        return any(ent == entity.name for ent, _c in mod.data["columns"])
    return True


def _subject_label(catalog: Catalog, mention: Mention) -> str:
    if mention.metric:
        return mention.metric.replace("_", " ")
    if mention.named:
        return mention.named.replace("_", " ")
    return catalog.entities[mention.entity].plural


def _belongs_to_subject(catalog: Catalog, subject: Mention, mod: Modifier) -> bool:
    """In 'top 5 accounts in Texas by pipeline value' Texas filters the grouped accounts."""
    return False


def _named_conds(where: list[dict[str, Any]], ctx: ParseContext, entity: Entity, text: str) -> list[Condition]:
    conds: list[Condition] = []
    for i, spec in enumerate(where):
        value = spec.get("value")
        if value == "@now":
            value = ctx.now.isoformat()
        elif value == "@today":
            value = ctx.now.date().isoformat()
        conds.append(Compare(column=spec["column"], op=spec["op"], value=value, text=text if i == 0 else ""))
    return conds


def _relation_to(catalog: Catalog, from_entity: str, to_entity: str) -> str | None:
    """The relation path from one entity to another: direct first, then two to-one hops."""
    entity = catalog.entities[from_entity]
    preferred = {("deals", "contacts"): "contact", ("contacts", "deals"): "deals", ("deals", "users"): "owner",
                 ("contacts", "users"): "owner", ("accounts", "users"): "owner", ("activities", "users"): "owner",
                 ("emails", "users"): "owner", ("notes", "users"): "owner"}
    name = preferred.get((from_entity, to_entity))
    if name and name in entity.relations:
        return name
    for relation in entity.relations.values():
        if relation.entity == to_entity:
            return relation.name
    for relation in entity.relations.values():
        if relation.remote != "id":
            continue
        middle = catalog.entities[relation.entity]
        for second in middle.relations.values():
            if second.entity == to_entity and second.remote == "id":
                return f"{relation.name}.{second.name}"
    return None


def _nest(path: str, conds: list[Condition], *, negate: bool, text: str) -> Condition:
    """Exists over a relation path ("owner.team") with the conditions at its far end."""
    names = path.split(".")
    inner: list[Condition] = conds
    for name in reversed(names[1:]):
        inner = [Exists(relation=name, conds=inner, text=text)]
    return Exists(relation=names[0], conds=inner, negate=negate, text=text)


def _relate(catalog: Catalog, entity_name: str, relation: str, conds: list[Condition], negate: bool,
            text: str) -> Condition:
    return _nest(relation, conds, negate=negate, text=text)


def _modifier_conds(state: _State, entity: Entity, mods: list[Modifier], mention: Mention, metric: Any,
                    problems: list[str]) -> list[Condition]:
    _ctx, catalog = state.ctx, state.ctx.catalog
    conds: list[Condition] = []
    columns_named = [m for m in mods if m.kind == "column"]
    periods = [m for m in mods if m.kind == "date" and not m.data.get("negate")
               and m.data["range"].start is not None and m.data["range"].end is not None]
    if len(periods) > 1 and len({(m.data.get("column_pos") is None) for m in periods}) == 1:
        # "won this month vs last month": two periods for the same rows can't both hold
        first, second = (m.data["range"].phrase for m in periods[:2])
        state.ambiguous.append(f"Which period: {first} or {second}? Ask for one at a time, or ask by month "
                               f"to compare them side by side.")
    dated = _dated_deal_outcomes(state, entity, mods)
    for outcome, date_mod in dated:
        conds.append(_deal_outcome_in_period(state, entity, outcome, date_mod))
    handled = {id(m) for pair in dated for m in pair}
    # "contacts I called this week": the verb's value (a call) goes with the dated activities, not the contact
    related_verbs = {m.data["column_pos"] for m in mods if m.kind == "date" and m.data.get("column_pos") is not None
                     and _dated_elsewhere(state, entity, m.data["column_pos"]) is not None}
    handled |= {id(m) for m in mods if m.kind == "value" and m.pos in related_verbs}
    for mod in mods:
        if id(mod) in handled:
            continue
        if mod.data.get("negate") and mod.kind in ("value", "stage", "pipeline"):
            positive = Modifier(mod.pos, mod.kind, {**mod.data, "negate": False}, mod.end)
            for cond in _modifier_conds(state, entity, [positive], mention, metric, problems):
                conds.append(negated_condition(cond))
            continue
        if mod.kind == "value" and mod.data.get("stage") and (entity.name == "deals" or not _fits(state, entity, mod)):
            # "deals in prospecting": on deals a stage name beats the lead source of the same words
            stage = _stage_value(catalog, mod.data["stage"])
            conds.append(_through(catalog, entity, "stage", Compare(column="name", op="eq", value=stage,
                                                                   text=f"in stage {stage}"), "deals", problems))
        elif mod.kind == "value":
            cond = _value_cond(state, entity, mod, problems)
            if cond is not None:
                conds.append(cond)
        elif mod.kind == "compare":
            cond = _compare_cond(state, entity, mod, columns_named, problems)
            if cond is not None:
                conds.append(cond)
        elif mod.kind == "date":
            conds += _date_conds(state, entity, mod, mention, metric, columns_named, problems)
        elif mod.kind == "owner":
            conds.append(_owner_cond(state, entity, mod.data["scope"]))
        elif mod.kind == "user":
            conds.append(_user_cond(state, entity, mod))
        elif mod.kind == "stage":
            conds.append(_through(catalog, entity, "stage", Compare(
                column="name", op="eq", value=_stage_value(catalog, mod.data["name"]),
                text=f"in stage {_stage_value(catalog, mod.data['name'])}"), "deals", problems))
        elif mod.kind == "pipeline":
            if "pipeline" in mod.data["phrase"] and state.measure == "sum" and entity.name == "deals" and \
                    not _has_status(state, mention):
                conds.append(Compare(column="status", op="eq", value="open", text="open"))
            conds.append(_through(catalog, entity, "pipeline", Compare(
                column="name", op="eq", value=_title(mod.data["name"]),
                text=f"in the {mod.data['name'].title()} pipeline"), "deals", problems))
        elif mod.kind == "account":
            ids = mod.data["ids"]
            name = mod.data["name"]
            cond = Compare(column="id", op="in", value=ids, text=f"at {_title(name)}")
            conds.append(_through(catalog, entity, "account", cond, "accounts", problems))
        elif mod.kind == "contact":
            conds.append(_contact_cond(catalog, entity, mod, problems))
        elif mod.kind == "team":
            cond = _owner_in_team(state, entity, mod.data["ref"], f"on the {_title(mod.data['name'])} team")
            conds.append(cond)
        elif mod.kind == "event":
            cond = _event_cond(catalog, entity, mod, problems)
            if cond is not None:
                conds.append(cond)
        elif mod.kind == "column":
            cond = _presence_cond(state, entity, mod, mods, problems)
            if cond is not None:
                conds.append(cond)
        elif mod.kind == "text":
            column = next((c for e, c in mod.data["columns"] if e == entity.name), None)
            if column is None:
                problems.append(f"{entity.plural.capitalize()} have no {mod.data['phrase']}.")
            else:
                conds.append(Compare(column=column, op="ilike", value=mod.data["value"],
                                     text=f"{entity.label_of(column).lower()} contains “{mod.data['value']}”"))
    return merge_alternatives([c for c in conds if c is not None])


_ABSENT_WORDS = frozenset({"without", "no", "missing", "lacking", "blank", "empty"})
_PRESENT_WORDS = frozenset({"with", "has", "have", "having"})
_ABSENT_AFTER = frozenset({"missing", "blank", "empty", "unknown", "unset"})


def _presence_cond(state: _State, entity: Entity, mod: Modifier, mods: list[Modifier],
                   problems: list[str]) -> Condition | None:
    """A column named on its own: "without an email address" → email IS NULL, "with a phone number" →
    phone IS NOT NULL, a yes/no column as an adjective ("unsubscribed contacts") → true.

    Only when nothing else qualifies the column (a comparison, a value or a date next to it reads it).
    A column that no record in the question has ("accounts without a phone number") is a question back,
    not a condition quietly left out.
    """
    column = next((c for e, c in mod.data["columns"] if e == entity.name and c in entity.columns), None)
    if column is None:
        owners = {e for e, _c in mod.data["columns"]}
        k = _word_before_column(state, mod)
        if not owners & {m.entity for m in state.mentions} and k >= 0 and \
                state.word(k) in _ABSENT_WORDS | _PRESENT_WORDS:
            others = sorted(state.ctx.catalog.entities[e].plural for e in owners if e in state.ctx.catalog.entities)
            problems.append(f"{entity.plural.capitalize()} have no {mod.data.get('phrase', 'such field')}"
                            + (f" ({' and '.join(others)} do)." if others else "."))
        return None
    if any(o.kind == "text" and o.pos == mod.pos for o in mods):
        return None
    if state.tokens[mod.pos].original.lower() in ("named", "called") and entity.columns[column].type == "text" \
            and not any(t.kind == "word" for t in state.tokens[mod.end:]):
        # "accounts named %": a name with no letters in it
        problems.append(f"Named what? For example: {entity.plural} named Cobalt.")
        return None
    valueset = entity.columns[column].valueset

    def reads_column(other: Modifier) -> bool:
        if other.kind == "text":
            return True
        if other.kind == "value":
            return valueset is not None and any(vs == valueset for vs, _v in other.data["options"])
        return other.kind in ("compare", "date")

    if any(other is not mod and reads_column(other)
           and (0 <= other.pos - mod.end <= 2 or 0 <= mod.pos - other.end <= 1) for other in mods):
        return None
    k = _word_before_column(state, mod)
    before = state.word(k) if k >= 0 else ""
    after = state.word(mod.end) if mod.end < len(state.tokens) else ""
    after_next = state.word(mod.end + 1) if mod.end + 1 < len(state.tokens) else ""
    absent = before in _ABSENT_WORDS or (before in ("not", "never") and entity.columns[column].type == "boolean") \
        or after in _ABSENT_AFTER or (after in ("is", "are") and after_next in _ABSENT_AFTER)
    label = entity.label_of(column).lower()
    if entity.columns[column].type == "boolean":
        _take_word(state, k, _ABSENT_WORDS | _PRESENT_WORDS | {"not", "never"})
        return Compare(column=column, op="eq", value=not absent, text=label if not absent else f"not {label}")
    if absent:
        _take_word(state, k, _ABSENT_WORDS)
        return Compare(column=column, op="is_null", text=f"no {label}")
    if before in _PRESENT_WORDS:
        _take_word(state, k, _PRESENT_WORDS)
        return Compare(column=column, op="not_null", text=f"with {label}")
    return None


def _word_before_column(state: _State, mod: Modifier) -> int:
    """Position of the word before a column's name, past articles ("without *an* email")."""
    k = mod.pos - 1
    while k >= 0 and state.word(k) in ("a", "an", "the", "any", "their", "its", "his", "her", "valid"):
        k -= 1
    return k


def _column_type(catalog: Catalog, entity_name: str, column: str) -> str | None:
    col = catalog.entities[entity_name].columns.get(column)
    return col.type if col is not None else None


_INVERSE_OPS: dict[str, str] = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in", "gt": "lte", "lte": "gt",
                                "gte": "lt", "lt": "gte", "is_null": "not_null", "not_null": "is_null"}


def negated_condition(cond: Condition) -> Condition:
    """The condition that holds exactly when `cond` does not ("not in negotiation", "not customers")."""
    text = f"not {cond.text}" if cond.text else ""
    if isinstance(cond, Compare) and cond.op in ("eq", "in"):
        # "customers not in Texas" includes those with no state (abroad): a missing value is not Texas either
        inverse = Compare(column=cond.column, op=_INVERSE_OPS[cond.op], value=cond.value)  # type: ignore[arg-type]
        return AnyOf(conds=[inverse, Compare(column=cond.column, op="is_null")], text=text)
    if isinstance(cond, Compare) and cond.op in _INVERSE_OPS:
        return Compare(column=cond.column, op=_INVERSE_OPS[cond.op], value=cond.value, text=text)  # type: ignore[arg-type]
    if isinstance(cond, Exists):
        return cond.model_copy(update={"negate": not cond.negate, "text": text})
    if isinstance(cond, AnyOf) and len(cond.conds) == 1:
        return negated_condition(cond.conds[0])
    if isinstance(cond, Compare) and cond.op == "between":
        low, high = cond.value
        return AnyOf(conds=[Compare(column=cond.column, op="lt", value=low), Compare(column=cond.column, op="gt",
                                                                                     value=high)], text=text)
    raise ValueError(f"cannot negate {cond!r}")


def negated_conjunction(conds: list[Condition], text: str) -> Condition:
    """NOT (a AND b AND …) = NOT a OR NOT b OR …: rows outside a definition ("contacts who are not hot leads")."""
    negated = [negated_condition(c) for c in conds]
    return negated[0] if len(negated) == 1 else AnyOf(conds=negated, text=text)


def _take_word(state: _State, k: int, words: frozenset[str]) -> None:
    if 0 <= k < len(state.tokens) and state.word(k) in words:
        state.used[k] = True


def _contradiction(conds: list[Condition], entity: Entity) -> tuple[str, str] | None:
    """Two conditions on one column that no row meets together ("tasks completed late": done, and overdue,
    which means not done): their wordings, or None."""
    compares = [c for c in conds if isinstance(c, Compare)]
    for i, a in enumerate(compares):
        for b in compares[i + 1:]:
            if a.column != b.column:
                continue
            nulls = {a.op, b.op} == {"is_null", "not_null"}
            values_a, values_b = _eq_values(a), _eq_values(b)
            disjoint = values_a is not None and values_b is not None and not values_a & values_b
            if nulls or disjoint:
                return _worded(a, entity), _worded(b, entity)
    return None


def _worded(cond: Compare, entity: Entity) -> str:
    if cond.text:
        return cond.text
    label = entity.label_of(cond.column).lower()
    if cond.op in ("is_null", "not_null"):
        return f"{'not ' if cond.op == 'is_null' else ''}{label}"
    return f"{label} {cond.value}"


def _without_repeats(conds: list[Condition]) -> list[Condition]:
    """One copy of each condition ("my deals that slipped past their close date" names 'open' twice);
    the first keeps its wording."""
    seen: set[str] = set()
    out: list[Condition] = []
    for cond in conds:
        key = cond.model_copy(update={"text": ""}).model_dump_json()
        if key not in seen:
            seen.add(key)
            out.append(cond)
    return out


def merge_alternatives(conds: list[Condition]) -> list[Condition]:
    """Equalities on one single-valued column are alternatives: "in California or Texas" (or "and": no
    contact is in both) → state IN ('CA', 'TX'); the same through one relation ("at accounts in Germany
    or France") merges inside it."""
    out: list[Condition] = []
    for cond in conds:
        clash = next((i for i, c in enumerate(out) if _disjoint_ranges(c, cond)), None)
        if clash is not None:
            out[clash] = AnyOf(conds=[out[clash], cond], text=f"{out[clash].text} or {cond.text}")
            continue
        key = _alternative_key(cond)
        twin = next((i for i, c in enumerate(out) if key is not None and _alternative_key(c) == key), None)
        if twin is None:
            out.append(cond)
        else:
            out[twin] = _join_alternatives(out[twin], cond)
    return out


def _disjoint_ranges(first: Condition, second: Condition) -> bool:
    """'over 20k or under 1k': a lower bound above an upper bound on one column can only mean either."""
    if not (isinstance(first, Compare) and isinstance(second, Compare)) or first.column != second.column:
        return False
    bounds = {c.op: c.value for c in (first, second)}
    low = bounds.get("gt", bounds.get("gte"))
    high = bounds.get("lt", bounds.get("lte"))
    return isinstance(low, (int, float)) and isinstance(high, (int, float)) and low >= high


def _alternative_key(cond: Condition) -> tuple[str, ...] | None:
    if isinstance(cond, Compare) and cond.op in ("eq", "in"):
        return ("cmp", cond.column)
    if isinstance(cond, Exists) and not cond.negate and len(cond.conds) == 1:
        inner = _alternative_key(cond.conds[0])
        return ("exists", cond.relation, *inner) if inner is not None else None
    return None


def _join_alternatives(first: Condition, second: Condition) -> Condition:
    if isinstance(first, Exists) and isinstance(second, Exists):
        inner = _join_alternatives(first.conds[0], second.conds[0])
        return Exists(relation=first.relation, conds=[inner], text=inner.text)
    assert isinstance(first, Compare) and isinstance(second, Compare)
    values = [*(first.value if first.op == "in" else [first.value]),
              *(second.value if second.op == "in" else [second.value])]
    values = list(dict.fromkeys(values))
    text = first.text if second.text in (first.text, "") else f"{first.text} or {second.text}"
    if len(values) == 1:
        return Compare(column=first.column, op="eq", value=values[0], text=text)
    return Compare(column=first.column, op="in", value=values, text=text)


def _contact_cond(catalog: Catalog, entity: Entity, mod: Modifier, problems: list[str]) -> Condition:
    """A named contact: the contact itself, or the rows linked to them (their deals, emails, notes)."""
    cond = Compare(column="id", op="in", value=mod.data["ids"], text=mod.data["phrase"])
    if entity.name == "contacts":
        return cond
    if "contact_id" in entity.columns:
        return Compare(column="contact_id", op="in", value=mod.data["ids"], text=f"for {mod.data['phrase']}")
    path = _relation_to(catalog, entity.name, "contacts")
    if path is None:
        problems.append(f"{entity.plural.capitalize()} are not linked to contacts.")
        return cond
    return _nest(path, [cond], negate=False, text=f"linked to {mod.data['phrase']}")


def _event_cond(catalog: Catalog, entity: Entity, mod: Modifier, problems: list[str]) -> Condition | None:
    """'opened emails' → opened_at IS NOT NULL; 'never contacted' → last_contacted_at IS NULL."""
    negate = mod.data["negate"]
    for ent_name, column in mod.data["columns"]:
        target = catalog.entities[ent_name]
        label = target.label_of(column).lower()
        phrase = mod.data["phrase"]
        negated_text = phrase if phrase.startswith("no ") else f"never {phrase}"
        cond = Compare(column=column, op="is_null" if negate else "not_null", text=negated_text if negate else label)
        if ent_name == entity.name:
            return cond
        path = _relation_to(catalog, entity.name, ent_name)
        if path is not None and negate:
            # "contacts who never replied": none of their emails was replied to (not one that wasn't)
            return _nest(path, [Compare(column=column, op="not_null", text=label)], negate=True, text=negated_text)
        if path is not None:
            return _nest(path, [cond], negate=False, text=cond.text)
    problems.append(f"{entity.plural.capitalize()} can't be '{mod.data['phrase']}'.")
    return None


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in name.split())


def _stage_value(catalog: Catalog, normalized: str) -> str:
    return {"closed won": "Closed Won", "closed lost": "Closed Lost"}.get(normalized, _title(normalized))


def _through(catalog: Catalog, entity: Entity, relation: str, cond: Compare, target: str,
             problems: list[str]) -> Condition:
    """A condition on a related table: direct when the entity is the target, else via relation."""
    if entity.name == target:
        if relation in entity.computed:
            return Compare(column=relation, op=cond.op, value=cond.value, text=cond.text)
        return cond
    if relation in entity.relations:
        return Exists(relation=relation, conds=[cond], text=cond.text)
    # e.g. contacts "in negotiation" → their deals are in that stage
    path = _relation_to(catalog, entity.name, target)
    if path is None:
        problems.append(f"{entity.plural.capitalize()} can't be filtered by {cond.text}.")
        return cond
    inner = catalog.entities[target]
    inner_cond: Condition = Compare(column=relation, op=cond.op, value=cond.value, text=cond.text) \
        if relation in inner.computed else cond
    if relation not in inner.computed and relation in inner.relations:
        inner_cond = Exists(relation=relation, conds=[cond], text=cond.text)
    return _nest(path, [inner_cond], negate=False, text=cond.text)  # a path may take two hops


def _value_cond(state: _State, entity: Entity, mod: Modifier, problems: list[str]) -> Condition | None:
    catalog = state.ctx.catalog
    options: list[tuple[str, str]] = mod.data["options"]
    phrase = mod.data["phrase"]
    # values this entity (or a to-one neighbour) can hold
    if {"states", "countries"} <= {vs for vs, _ in options}:
        code = options[0][1]
        state.ambiguous.append(f"Do you mean the state {code} or the country {code}? "
                               f"Say e.g. 'in California' or 'in Canada'.")
        return None
    direct = [(vs, v) for vs, v in options if _column_for_valueset(entity, vs)]
    if direct:
        vs, value = direct[0]
        column = _column_for_valueset(entity, vs)
        assert column is not None
        return Compare(column=column, op="eq", value=value,
                       text=f"{entity.label_of(column).lower()} {catalog.value_label(vs, value)}")
    for vs, value in options:
        path = _path_to_valueset(catalog, entity, vs)
        if path is not None:
            rel_path, column = path
            target_entity = _entity_at(catalog, entity, rel_path)
            text = f"{target_entity.label_of(column).lower()} {catalog.value_label(vs, value)}"
            cond: Condition = Compare(column=column, op="eq", value=value, text=text)
            for rel in reversed(rel_path.split(".")[1:]):
                cond = Exists(relation=rel, conds=[cond], text=text)
            return Exists(relation=rel_path.split(".")[0], conds=[cond], text=text)
    outcome = _deal_outcome(catalog, mod)
    to_deals = _relation_to(catalog, entity.name, "deals") if outcome is not None else None
    if outcome is not None and to_deals is not None:
        # "accounts we lost": accounts with a lost deal
        return _nest(to_deals, [outcome], negate=False, text=f"with a {outcome.text} deal")
    problems.append(f"{entity.plural.capitalize()} can't be filtered by '{phrase}'.")
    return None


_DEAL_OUTCOME_STAGES = ("closed won", "closed lost", "renewed", "churned")


def _deal_outcome(catalog: Catalog, mod: Modifier) -> Compare | None:
    """The deal outcome a word names ('won', 'lost', 'churned', 'renewed') as a condition on deals."""
    if mod.kind == "value":
        status = next((v for vs, v in mod.data["options"] if vs == "deal_statuses" and v in ("won", "lost")), None)
        if status is not None:
            return Compare(column="status", op="eq", value=status, text=status)
        stage = mod.data.get("stage")
    elif mod.kind == "stage" and not mod.data.get("negate"):
        stage = mod.data["name"]
    else:
        return None
    if stage is None or stage.lower() not in _DEAL_OUTCOME_STAGES:
        return None
    name = _stage_value(catalog, stage)
    return Compare(column="stage", op="eq", value=name, text=name.lower())


def _dated_deal_outcomes(state: _State, entity: Entity, mods: list[Modifier]) -> list[tuple[Modifier, Modifier]]:
    """'accounts that churned this year', 'contacts we won last quarter': an outcome of their deals right
    before a period dates that outcome (the deal's close), not the account or contact."""
    if entity.name == "deals" or _relation_to(state.ctx.catalog, entity.name, "deals") is None:
        return []
    pairs: list[tuple[Modifier, Modifier]] = []
    for date_mod in mods:
        if date_mod.kind != "date":
            continue
        outcome = next((m for m in mods if m.kind in ("value", "stage") and 0 <= date_mod.pos - m.end <= 1
                        and _deal_outcome(state.ctx.catalog, m) is not None), None)
        if outcome is not None and date_mod.data.get("column_pos") in (None, outcome.pos):
            pairs.append((outcome, date_mod))
    return pairs


def _deal_outcome_in_period(state: _State, entity: Entity, outcome: Modifier, date_mod: Modifier) -> Condition:
    catalog = state.ctx.catalog
    event = _deal_outcome(catalog, outcome)
    assert event is not None
    rng: DateRange = date_mod.data["range"]
    window = _window_conds(state, catalog.entities["deals"], "closed_at", rng)
    path = _relation_to(catalog, entity.name, "deals")
    assert path is not None
    text = f"a deal {event.text} {_period_words(rng)}"
    return _nest(path, [event, *window], negate=bool(date_mod.data.get("negate")), text=text)


def _column_for_valueset(entity: Entity, valueset: str) -> str | None:
    for column in entity.columns.values():
        if column.valueset == valueset:
            return column.name
    return None


def _path_to_valueset(catalog: Catalog, entity: Entity, valueset: str) -> tuple[str, str] | None:
    """Breadth-first over to-one relations (account before contact before owner), two hops at most."""
    frontier: list[tuple[str, Entity]] = [("", entity)]
    for _depth in range(2):
        nxt: list[tuple[str, Entity]] = []
        for path, ent in frontier:
            for rel in ent.relations.values():
                if rel.remote != "id":
                    continue  # to-many: "deals in Texas" means the deal's account, not any contact
                target = catalog.entities[rel.entity]
                new_path = f"{path}.{rel.name}" if path else rel.name
                column = _column_for_valueset(target, valueset)
                if column:
                    return new_path, column
                nxt.append((new_path, target))
        frontier = nxt
    return None


def _entity_at(catalog: Catalog, entity: Entity, path: str) -> Entity:
    for name in path.split("."):
        entity = catalog.entities[entity.relations[name].entity]
    return entity


def _compare_cond(state: _State, entity: Entity, mod: Modifier, columns_named: list[Modifier],
                  problems: list[str]) -> Condition | None:
    catalog = state.ctx.catalog
    data = mod.data
    column = None
    # a unit word after the number ("500 employees", "30 minutes") or a column named nearby
    unit_pos = data.get("unit_pos")
    if unit_pos is not None:
        unit = state.word(unit_pos)
        for col in entity.columns.values():
            if col.unit and (unit == col.unit or unit in col.synonyms):
                column = col.name
                state.used[unit_pos] = True
            elif col.unit and (unit, col.unit) in _UNIT_SCALE:
                column = col.name
                state.used[unit_pos] = True
                scale = _UNIT_SCALE[(unit, col.unit)]
                data = {**data, "value": [v * scale for v in data["value"]] if isinstance(data["value"], list)
                        else data["value"] * scale}
        if column is None:
            for m in columns_named:
                if m.pos == unit_pos:
                    column = _pick_column(entity, m)
    near = [m for m in columns_named if abs(m.pos - mod.pos) <= 3]
    if column is None:
        for m in sorted(near, key=lambda m: abs(m.pos - mod.pos)):
            column = _pick_column(entity, m)
            if column and entity.column_type(column) in ("money", "integer", "number"):
                break
            column = None
    if column is None and data.get("percent"):
        # "over 70%": the entity's percentage, never its amount
        column = entity.percent_column()
        if column is None:
            problems.append(f"I don't know which percentage of {entity.plural} '{_fmt_number(data['value'], False)}%' "
                            f"refers to.")
            return None
    if column is None:
        elsewhere = sorted({m.data["phrase"] if "phrase" in m.data else state.word(m.pos) for m in near
                            if m.pos < mod.pos and _numeric_elsewhere(catalog, m)})
        if elsewhere and not data.get("money"):
            # "accounts with lead score above 80": a number of another kind of record is not the amount
            problems.append(f"{entity.plural.capitalize()} have no {elsewhere[0]}.")
            return None
        column = catalog.amount_columns.get(entity.name)
    if column is None or not entity.has(column):
        problems.append(f"I don't know which number of {entity.plural} '{data['value']}' refers to.")
        return None
    op, value = data["op"], data["value"]
    label = entity.label_of(column).lower()
    shown = _fmt_number(value, entity.column_type(column) == "money")
    if entity.column_unit(column) == "percent":
        shown = f"{shown}%"
    words = {"gt": "over", "gte": "at least", "lt": "under", "lte": "at most", "eq": "exactly",
             "between": "between"}
    text = f"{label} {words.get(op, op)} {shown}"
    if isinstance(value, list):
        value = [_int_if_whole(v) for v in value]
    else:
        value = _int_if_whole(value)
    return Compare(column=column, op=op, value=value, text=text)


def _int_if_whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _fmt_number(value: Any, money: bool) -> str:
    if isinstance(value, list):
        return " and ".join(_fmt_number(v, money) for v in value)
    return f"${value:,.0f}" if money else f"{value:,.0f}"


def _numeric_elsewhere(catalog: Any, mod: Modifier) -> bool:
    """The column modifier names a number column of some entity (which the current one may lack)."""
    for entity_name, column in mod.data["columns"]:
        entity = catalog.entities.get(entity_name)
        if entity is None or column == "id" or (column in entity.columns and entity.columns[column].references):
            continue
        if entity.column_type(column) in ("money", "integer", "number"):
            return True
    return False


def _pick_column(entity: Entity, mod: Modifier) -> str | None:
    for ent_name, col in mod.data["columns"]:
        if ent_name == entity.name and entity.has(col):
            return str(col)
    return None


def _date_conds(state: _State, entity: Entity, mod: Modifier, mention: Mention, metric: Any,
                columns_named: list[Modifier], problems: list[str]) -> list[Condition]:
    catalog = state.ctx.catalog
    rng: DateRange = mod.data["range"]
    column = None
    col_pos = mod.data.get("column_pos")
    if col_pos is not None:
        hint = _date_hint(state, entity, col_pos)
        if hint == "close_date" and entity.name == "deals" and state.measure == "sum" and \
                state.word(col_pos) in ("close", "closed") and state.word(col_pos - 1) not in ("to", "will"):
            # "how much did we close this year": booked revenue, i.e. won deals by closed_at
            hint = "closed_at"
            mod.data["implies_won"] = True
        related = _dated_elsewhere(state, entity, col_pos)
        if hint and entity.has(hint):
            column = hint
        elif related is not None:
            # "customers who haven't opened an email in 60 days": the date belongs to their emails
            state.used[col_pos] = True
            path, target, target_column = related
            inner = catalog.entities[target]
            window = _window_conds(state, inner, target_column, rng)
            verb = state.word(col_pos)
            if verb in _VERB_VALUES:  # "haven't emailed": the e-mails we sent
                valueset, value = _VERB_VALUES[verb]
                column = _column_for_valueset(inner, valueset)
                window += [Compare(column=column, op="eq", value=value)] if column else []
            done = inner.label_of(target_column).lower()  # "sent", "opened", "replied"
            text = f"{'no' if mod.data.get('negate') else 'any'} {inner.singular} {done} {_period_words(rng)}"
            return [_nest(path, window, negate=bool(mod.data.get("negate")), text=text)]
        elif hint == "last_contacted_at" and entity.name != "contacts":
            problems.append(f"'contacted' applies to contacts; ask about contacts not contacted {rng.phrase}.")
            return []
        state.used[col_pos] = True
    if column is None:
        for m in columns_named:
            col = _pick_column(entity, m)
            if col and entity.column_type(col) in ("timestamp", "date") and abs(m.pos - mod.pos) <= 4:
                column = col
    if column is None and col_pos is None:
        # the verb before the noun dates it: "contacts who haven't *opened* any emails since March"
        k = mention.pos - 1
        while k >= 0 and state.word(k) in ("a", "an", "any", "the", "their", "our", "my", "some", "all"):
            k -= 1
        hint = _date_hint(state, entity, k) if k >= 0 else None
        if hint and entity.has(hint) and entity.column_type(hint) in ("timestamp", "date"):
            column = hint
            state.used[k] = True
    if column is None and mention.named:
        column = catalog.named_filters[mention.named].date_column
    if column is None and entity.name == "deals" and _status_value(state) in ("won", "lost"):
        column = "closed_at"
    if column is None and metric is not None and metric.entity == entity.name:
        column = metric.date_column
    if column is None:
        column = catalog.date_columns.get(entity.name)
        # a period wholly in the future dates what is expected then: deals closing, tasks due
        if rng.start is not None and rng.start >= state.ctx.now and entity.name == "deals":
            column = "close_date"
    hint_word = state.word(col_pos) if col_pos is not None else ""
    if rng.kind == "bare" and (column == "close_date" or hint_word in ("due", "scheduled", "upcoming")):
        rng = DateRange(state.ctx.now, rng.start and state.ctx.now + (state.ctx.now - rng.start),
                        rng.phrase.replace("the last", "the next"), "future")
    if column is None:
        problems.append(f"{entity.plural.capitalize()} have no date to filter by {rng.phrase}.")
        return []
    kind = entity.column_type(column)
    label = entity.label_of(column).lower()
    negate = mod.data.get("negate", False)
    conds: list[Condition] = []
    start = _date_value(rng.start, kind)
    if negate:
        # "not contacted in 30 days" = never, or last before the start of the window
        parts: list[Condition] = [Compare(column=column, op="is_null")]
        if start is not None:
            parts.append(Compare(column=column, op="lt", value=start))
        verb = label.removeprefix("last ")
        since = f"since {start[:10]}" if start is not None else rng.phrase
        conds.append(AnyOf(conds=parts, text=f"not {verb} {since} or never"))
        return conds
    conds += _window_conds(state, entity, column, rng)
    if mod.data.get("implies_won") and not _has_status(state, mention):
        conds.append(Compare(column="status", op="eq", value="won", text="won"))
    # "deals closing this month" are open deals (glossary)
    if entity.name == "deals" and column == "close_date" and not _has_status(state, mention):
        conds.append(Compare(column="status", op="eq", value="open", text="open"))
    return conds


def _date_hint(state: _State, entity: Entity, pos: int) -> str | None:
    """The date column a word dates for this entity: 'opened' emails vs deals, 'due' deals close, a
    'logged' call happened when it was due."""
    word = state.word(pos)
    hint = _DATE_COLUMN_WORDS.get(word)
    if hint == "@opened":
        # emails are opened; a contact "who opened an email" did so through their emails; a deal is opened
        hint = "opened_at" if entity.name == "emails" else \
            ("created_at" if _event_elsewhere(state.ctx.catalog, entity, "opened") is None else None)
    if hint == "close_date" and entity.name == "activities":
        hint = "due_at"
    if hint == "due_at" and entity.name == "deals":
        hint = "close_date"
    if hint == "created_at" and word == "logged" and entity.has("due_at"):
        hint = "due_at"  # a logged call happened then
    return hint


def _period_words(rng: DateRange) -> str:
    """A period as it reads after a verb: 'this year', 'since March', 'in 2025', 'in the last 30 days'."""
    first = rng.phrase.split()[0].lower() if rng.phrase else ""
    if first in ("this", "last", "next", "previous", "since", "before", "after", "from", "until", "today",
                 "yesterday", "tomorrow"):
        return rng.phrase
    return f"in {rng.phrase}"


def _window_conds(state: _State, entity: Entity, column: str, rng: DateRange) -> list[Condition]:
    """`column` within the period: start ≤ column < end (open-ended sides left out)."""
    kind = entity.column_type(column)
    label = entity.label_of(column).lower()
    start, end = _date_value(rng.start, kind), _date_value(rng.end, kind)
    if rng.upto_now:
        end = None
    text = f"{label} {'in ' if rng.phrase.startswith('the ') else ''}{rng.phrase}"
    conds: list[Condition] = []
    if start is not None and end is not None:
        conds.append(Compare(column=column, op="gte", value=start, text=text))
        conds.append(Compare(column=column, op="lt", value=end))
    elif start is not None:
        conds.append(Compare(column=column, op="gte", value=start, text=text))
        if rng.upto_now:
            conds.append(Compare(column=column, op="lte", value=_date_value(state.ctx.now, kind)))
    elif end is not None:
        conds.append(Compare(column=column, op="lt", value=end, text=text))
    return conds


def _dated_elsewhere(state: _State, entity: Entity, pos: int) -> tuple[str, str, str] | None:
    """The related records a date's verb dates when the entity has no such date of its own ("contacts I
    called this week": their activities); None when the entity's own column is meant."""
    hint = _date_hint(state, entity, pos)
    if hint and entity.has(hint):
        return None
    return _event_elsewhere(state.ctx.catalog, entity, state.word(pos))


def _event_elsewhere(catalog: Catalog, entity: Entity, word: str) -> tuple[str, str, str] | None:
    """An event word ('opened', 'replied', 'completed') of a related kind of record the entity lacks:
    (relation path, that entity, its date column)."""
    for target, columns in catalog.event_columns.items():
        if target == entity.name:
            continue
        for column, phrases in columns.items():
            if word in phrases and not entity.has(column):
                path = _relation_to(catalog, entity.name, target)
                if path is not None:
                    return path, target, column
    return None


def _status_value(state: _State) -> str | None:
    for m in state.modifiers:
        if m.kind == "value":
            for vs, value in m.data["options"]:
                if vs == "deal_statuses":
                    return str(value)
        if m.kind == "stage" and m.data["name"] in ("closed won", "renewed"):
            return "won"
        if m.kind == "stage" and m.data["name"] in ("closed lost", "churned"):
            return "lost"
    return None


def _has_status(state: _State, mention: Mention) -> bool:
    if mention.named in ("open_deals", "won_deals", "lost_deals"):
        return True
    return any(m.kind == "value" and any(vs == "deal_statuses" for vs, _ in m.data["options"])
               for m in state.modifiers)


def _date_value(value: datetime | None, kind: str) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if kind == "date" else value.astimezone(timezone.utc).isoformat()


def _owner_cond(state: _State, entity: Entity, scope: str) -> Condition:
    ctx = state.ctx
    if scope == "team":
        return _owner_in_team(state, entity, ctx.actor_team_id, "owned by my team")
    column = entity.owner_column or "owner_id"
    if scope == "others":
        if entity.name == "users":
            return Compare(column="id", op="ne", value=ctx.actor_id, text="other than me")
        return Compare(column=column, op="ne", value=ctx.actor_id, text="owned by someone else")
    if entity.name == "users":
        return Compare(column="id", op="eq", value=ctx.actor_id, text="me")
    return Compare(column=column, op="eq", value=ctx.actor_id, text="owned by me")


def _owner_in_team(state: _State, entity: Entity, team_id: int | None, text: str) -> Condition:
    if entity.name == "users":
        return Compare(column="team_id", op="eq", value=team_id, text=text)
    relation = "owner"
    return Exists(relation=relation, conds=[Compare(column="team_id", op="eq", value=team_id)], text=text)


def _user_cond(state: _State, entity: Entity, mod: Modifier) -> Condition:
    name = state.ctx.catalog.user_names.get(mod.data["ref"], mod.data["name"])
    if entity.name == "users":
        return Compare(column="id", op="eq", value=mod.data["ref"], text=name)
    column = entity.owner_column or "owner_id"
    return Compare(column=column, op="eq", value=mod.data["ref"], text=f"owned by {name}")


def _apply_measures(state: _State, plan: QueryPlan, entity: Entity, main: Mention, metric: Any,
                    group_by_subject: GroupBy | None) -> None:
    catalog = state.ctx.catalog
    date_column = (metric.date_column if metric is not None else None) or \
        (catalog.named_filters[main.named].date_column if main.named else None) or \
        ("closed_at" if entity.name == "deals" and _status_value(state) in ("won", "lost") else None)
    resolved = (_resolve_group(catalog, entity, g, date_column) for _pos, g in state.group_words)
    groups = list({g.model_dump_json(): g for g in resolved if g is not None}.values())  # "by rep by owner": once
    if group_by_subject is not None:
        groups.insert(0, group_by_subject)
    amount = catalog.amount_columns.get(entity.name)
    measure_column = None
    for mod in state.modifiers:
        if mod.kind == "column":
            col = _pick_column(entity, mod)
            if col and entity.column_type(col) in ("money", "integer") and col != "id":
                measure_column = col
    if metric is not None:
        plan.measures = [Measure(agg="metric", metric=metric.name, label=metric.name)]
    elif state.measure == "count":
        plan.measures = [Measure(agg="count", label="count")]
    elif state.measure in ("sum", "avg", "min", "max"):
        column = measure_column or amount
        if column and not measure_column and state.measure == "sum" and entity.column_type(column) != "money":
            column = None  # "the total of leads" counts them; a score is summed only when named
        if column:
            label = f"{'total' if state.measure == 'sum' else state.measure}_{column}"
            plan.measures = [Measure(agg=state.measure, column=column, label=label)]  # type: ignore[arg-type]
        else:
            plan.measures = [Measure(agg="count", label="count")]
    elif groups:
        plan.measures = [Measure(agg="count", label="count")]
    plan.group_by = groups
    if groups and state.superlative is not None and state.measure is None and metric is None and \
            state.word(state.superlative[0]) in _RECORD_SUPERLATIVES and state.superlative[0] < main.pos:
        # "the largest account in each industry" is one record per group, not a count per group
        state.ambiguous.append("I can't pick the top record within each group yet. Ask for one group at a time "
                               "(e.g. the largest account in Software), or for a figure by group.")
        return
    if plan.measures and groups:
        if state.superlative is not None or state.limit is not None or state.most:
            descending = state.superlative[1] if state.superlative else True
            plan.order_by = [OrderBy(target="measure", descending=descending)]
            plan.limit = state.limit or (1 if _asks_for_one(state) else DEFAULT_TOP_N)
        elif state.sort is not None:
            plan.order_by = [OrderBy(target="measure", descending=state.sort[1])]
        return
    if plan.measures:
        return
    # a list: superlatives and sorting order it
    if state.superlative is not None:
        pos, descending = state.superlative
        word = state.word(pos)
        if word in ("most", "least") and pos + 1 < len(state.tokens) and state.word(pos + 1) in ("recent", "recently"):
            word = "recent"  # "the 5 most recent notes"
        column = measure_column or catalog.rank_columns.get(entity.name)
        if word in ("newest", "latest", "oldest", "earliest", "recent"):
            column = catalog.date_columns.get(entity.name, "created_at")
        if word in ("longest", "shortest"):  # a length of time: the entity's duration, if it has one
            column = next((c.name for c in entity.columns.values() if c.unit in ("minutes", "hours", "days")), None)
        if column is None:
            state.ambiguous.append(f"Top {entity.plural} by what? For example by pipeline value, by revenue or "
                                   f"by number of deals.")
            return
        plan.order_by = [OrderBy(column=column, descending=descending)]
        plan.limit = state.limit or (1 if _asks_for_one(state) else DEFAULT_TOP_N)
        if column not in entity.display:
            plan.columns.append(column)
    elif state.limit is not None:
        column = measure_column or catalog.rank_columns.get(entity.name) or \
            (catalog.date_columns.get(entity.name) if entity.name != "users" else None) or "id"
        plan.order_by = [OrderBy(column=column, descending=column != "id")]
        plan.limit = state.limit
    if state.sort is not None:
        words, descending = state.sort
        column = _sort_column(state, entity, words)
        if column:
            plan.order_by = [OrderBy(column=column, descending=descending)]
    # a list shows the columns the question names ("lost deals and their reasons", "with probability over 70%")
    for mod in state.modifiers:
        column = _pick_column(entity, mod) if mod.kind in ("column", "text") else None
        if column and column not in entity.display and column not in plan.columns and column != "id" and \
                entity.column_type(column) != "json":
            plan.columns.append(column)


def _asks_for_one(state: _State) -> bool:
    """'the biggest deal', 'which rep': a singular subject asks for one row."""
    if not state.mentions:
        return False
    last = state.mentions[0].phrase.split()[-1]
    catalog = state.ctx.catalog
    singulars = {e.singular for e in catalog.entities.values()} | {"opportunity", "opp", "company", "customer",
                                                                   "lead", "person", "salesperson", "source"}
    return last in singulars


def _sort_column(state: _State, entity: Entity, words: str | None) -> str | None:
    if not words:
        return state.ctx.catalog.amount_columns.get(entity.name) or "id"
    lex = state.ctx.lexicon
    for n in range(3, 0, -1):
        key = " ".join(words.split()[:n])
        for m in lex.lookup(key):
            if m.kind == "column" and m.extra == entity.name:
                return m.name
    for word in words.split():
        col = _DATE_COLUMN_WORDS.get(word)
        if col and entity.has(col):
            return col
    if any(w in ("date", "recent", "time", "newest", "oldest", "latest", "earliest") for w in words.split()):
        return state.ctx.catalog.date_columns.get(entity.name)
    return None


def _resolve_group(catalog: Catalog, entity: Entity, targets: list[str],
                   date_column: str | None = None) -> GroupBy | None:
    for target in targets:
        if target.startswith("@"):
            group = _special_group(catalog, entity, target[1:], date_column)
            if group is not None:
                return group
            continue
        ent_name, column = target.split(".", 1)
        if ent_name == entity.name and entity.has(column):
            if column in entity.columns and entity.columns[column].references:
                rel = next((r.name for r in entity.relations.values() if r.local == column and r.remote == "id"),
                           None)
                if rel:
                    return GroupBy(relation=rel, label=entity.label_of(column).lower())
            grain = "month" if entity.column_type(column) in ("timestamp", "date") else None
            return GroupBy(column=column, grain=grain, label=entity.label_of(column).lower())
    for target in targets:
        if target.startswith("@"):
            continue
        ent_name, column = target.split(".", 1)
        target_entity = catalog.entities[ent_name]
        col = target_entity.columns.get(column)
        if col is not None and col.valueset:
            path = _path_to_valueset(catalog, entity, col.valueset)
            if path:
                return GroupBy(column=path[1], relation=path[0], label=target_entity.label_of(column).lower())
    return None


def _special_group(catalog: Catalog, entity: Entity, what: str, date_column: str | None = None) -> GroupBy | None:
    if what == "owner" and "owner" in entity.relations:
        return GroupBy(relation="owner", label="rep")
    if what == "team" and "owner" in entity.relations:
        return GroupBy(relation="owner.team", label="team")
    if what == "team" and "team" in entity.relations:
        return GroupBy(relation="team", label="team")
    if what == "region":
        if "owner" in entity.relations:
            return GroupBy(relation="owner.team", column="region", label="region")
        if "team" in entity.relations:
            return GroupBy(relation="team", column="region", label="region")
    if what in ("month", "quarter", "week", "year", "day"):
        column = date_column or catalog.date_columns.get(entity.name)
        if column:
            return GroupBy(column=column, grain=what, label=what)  # type: ignore[arg-type]
    if what in ("account", "contact", "pipeline") and what in entity.relations:
        return GroupBy(relation=what, label=what)
    if what == "stage":
        if "stage" in entity.computed:
            return GroupBy(column="stage", label="stage")
        if "lifecycle_stage" in entity.columns:
            return GroupBy(column="lifecycle_stage", label="lifecycle stage")
    return None


# --- follow-ups --------------------------------------------------------------------------------------

def _refine(state: _State, previous: QueryPlan, leftovers: list[Token], question: str) -> ParseOutcome:
    """Apply a follow-up ("only the ones in Texas", "how many?", "sort by amount") to the last plan."""
    if leftovers and not state.modifiers and state.measure is None and state.sort is None:
        return _clarify(state, leftovers, "")
    catalog = state.ctx.catalog
    entity = catalog.entities[previous.entity]
    original = previous
    recounted = _recount(state, previous, entity)
    if recounted is not None:  # "accounts with more than 10 contacts" → "and more than 20"
        previous = previous.model_copy(update={"conds": [recounted if isinstance(c, CountOf) else c
                                                         for c in previous.conds]})
    pseudo = Mention(0, 0, entity.name, phrase=entity.plural, named=_named_of(catalog, previous))
    metric = catalog.metrics.get(previous.measures[0].metric or "") if previous.measures else None
    problems: list[str] = []
    conds = _modifier_conds(state, entity, [m for m in state.modifiers if m.kind != "sort"], pseudo, metric,
                            problems)
    if problems:
        return ParseOutcome("clarify", code="not-understood", message=problems[0], suggestions=_suggestions(state))
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))
    plan = previous.model_copy(deep=True)
    plan.conds = _replace_conflicting(plan.conds, conds)
    text = question.lower()
    if re.search(r"\b(as a list|list them|list those|show (me )?(them|those|the (rows|records)))\b", text) and \
            state.measure is None and not state.group_words:
        # "show them as a list": the rows behind a count or a breakdown
        if metric is not None:
            # the rows of "pipeline value" are open deals: say what the metric's own conditions are
            plan.subject = ""
            plan.conds = [c.model_copy(update={"text": f"{entity.label_of(c.column).lower()} {c.value}"})
                          if isinstance(c, Compare) and not c.text and c.op == "eq" else c for c in plan.conds]
        plan.measures, plan.group_by, plan.order_by, plan.limit = [], [], [], None
        return ParseOutcome("planned", plan=plan, is_follow_up=True)
    if _WHO_OWNS.search(text) and not state.group_words and "owner" in entity.relations:
        # "who owns them": the same rows by owner
        state.group_words.append((0, _GROUP_WORDS["rep"]))
    if state.measure == "count":
        plan.measures = [Measure(agg="count", label="count")]
        plan.order_by, plan.limit = [], None
        plan.group_by = plan.group_by if state.group_words else []
    elif state.measure in ("sum", "avg"):
        column = catalog.amount_columns.get(entity.name)
        if column:
            plan.measures = [Measure(agg=state.measure, column=column, label=f"{state.measure}_{column}")]  # type: ignore[arg-type]
            plan.order_by, plan.limit = [], None
    if state.group_words:
        named = _named_of(catalog, previous)
        date_column = (metric.date_column if metric is not None else None) or \
            (catalog.named_filters[named].date_column if named else None) or _dated_column(previous)
        groups = [_resolve_group(catalog, entity, g, date_column) for _p, g in state.group_words]
        plan.group_by = [g for g in groups if g is not None]
        if not plan.measures:
            plan.measures = [Measure(agg="count", label="count")]
        plan.order_by = []
    if state.sort is not None and not plan.measures:
        column = _sort_column(state, entity, state.sort[0])
        if column:
            plan.order_by = [OrderBy(column=column, descending=state.sort[1])]
    elif state.superlative is not None and not plan.measures:
        column = catalog.amount_columns.get(entity.name, "id")
        plan.order_by = [OrderBy(column=column, descending=state.superlative[1])]
        plan.limit = state.limit or DEFAULT_TOP_N
    if state.limit is not None:
        plan.limit = state.limit
        if plan.measures and plan.group_by and not plan.order_by:
            plan.order_by = [OrderBy(target="measure", descending=True)]
    if not conds and plan == original and "all" not in text:
        return _clarify(state, leftovers, "How should I change the last answer?")
    return ParseOutcome("planned", plan=plan, is_follow_up=True)


_WHO_OWNS = re.compile(r"\bwho (owns|has|handles|manages|is handling|is working on) (them|those|these|it|that)\b|"
                       r"\bwhose (are|is) (they|those|these|it)\b")


def _dated_column(plan: QueryPlan) -> str | None:
    """The column a plan's period filters ('deals closed last quarter' → closed_at), for 'by month'."""
    for cond in plan.conds:
        if isinstance(cond, Compare) and cond.op in ("gte", "gt", "lt", "lte") and isinstance(cond.value, str) \
                and cond.value[:4].isdigit() and cond.value[4:5] == "-":
            return cond.column
    return None


def _recount(state: _State, previous: QueryPlan, entity: Entity) -> CountOf | None:
    """A bare number after a plan that counts related rows changes that count, not some numeric column."""
    counted = [c for c in previous.conds if isinstance(c, CountOf)]
    bare = [m for m in state.modifiers if m.kind == "compare" and not m.data.get("money")
            and not m.data.get("percent")]
    names_own_column = any(m.kind == "column" and any(e == entity.name for e, _c in m.data["columns"])
                           for m in state.modifiers)
    if len(counted) != 1 or len(bare) != 1 or names_own_column:
        return None
    mod = bare[0]
    value = _count_value(mod.data["value"])
    if value is None:
        return None
    state.modifiers.remove(mod)
    target = state.ctx.catalog.entities[entity.relations[counted[0].relation].entity]
    return counted[0].model_copy(update={"op": mod.data["op"], "value": value,
                                         "text": _count_text(mod.data["op"], value, target.plural)})


def _named_of(catalog: Catalog, plan: QueryPlan) -> str | None:
    """The named filter a plan applied (so a follow-up dates 'won deals' by closed_at)."""
    for named in catalog.named_filters.values():
        if named.entity == plan.entity and named.definition in plan.definitions:
            return named.name
    return None


def _merge(previous: QueryPlan, new: QueryPlan) -> QueryPlan:
    """A refinement keeps the earlier filters, replaced where the new ones speak of the same column."""
    plan = previous.model_copy(deep=True)
    plan.conds = _replace_conflicting(plan.conds, new.conds)
    if new.measures:
        plan.measures = new.measures
        plan.group_by = new.group_by or plan.group_by
        if not new.group_by and not previous.group_by:
            plan.order_by, plan.limit = [], None
    if new.order_by:
        plan.order_by = new.order_by
    if new.limit is not None:
        plan.limit = new.limit
    plan.definitions = list(dict.fromkeys(previous.definitions + new.definitions))
    if new.subject and new.subject != previous.entity:
        plan.subject = new.subject
    return plan


def _condition_key(cond: Condition) -> str:
    if isinstance(cond, Compare):
        return f"cmp:{cond.column}"
    if isinstance(cond, Exists):
        inner = ",".join(_condition_key(c) for c in cond.conds)
        return f"exists:{cond.relation}:{inner}"
    if isinstance(cond, CountOf):
        return f"count:{cond.relation}"
    return "or:" + ",".join(_condition_key(c) for c in cond.conds)


def _replace_conflicting(old: list[Condition], new: list[Condition]) -> list[Condition]:
    """New conditions replace old ones on the same column ('what about won ones?' swaps the status)."""
    new_keys = {_condition_key(c) for c in new}
    kept = []
    for cond in old:
        key = _condition_key(cond)
        if key in new_keys and not _is_range_part(cond):
            continue
        if key in new_keys and _is_range_part(cond):
            continue
        kept.append(cond)
    return kept + new


def _is_range_part(cond: Condition) -> bool:
    return isinstance(cond, Compare) and cond.op in ("gte", "lt", "gt", "lte")
