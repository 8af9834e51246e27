"""Read a search question ("what did Northwind say about pricing last month?") into search text and filters.

What the question says about *where* to look becomes a filter: notes or emails, whose (mine, a rep's),
which account or contact (names from the catalog and the database), and when (the same date phrases
the NL parser reads). What is left, minus the question's scaffolding ("what did … say about", "notes
mentioning", "emails where"), is the text to search for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from nlq.catalog import Catalog, normalize
from nlq.dates import match_date
from nlq.lexer import tokenize
from nlq.search.retrieval import SearchFilters

_KIND_WORDS = {
    "note": r"notes?|comments?",
    "email": r"e-?mails?|mails?|messages?|inbox|correspondence",
}
UPDATE_ON = re.compile(
    r"^\s*(?:(?:please\s+)?(?:give|get)\s+me\s+|(?:is|are)\s+there\s+|any\s+)?(?:an?\s+)?(?:quick\s+|short\s+|brief\s+|"
    r"latest\s+)?(?:update|updates|news|status update|anything new|what'?s new|what is new|the latest|latest|"
    r"what'?s (?:going on|happening|up)|what is (?:going on|happening)|(?:show me\s+|tell me\s+)?everything|"
    r"next steps|when did (?:we|i) last (?:talk|speak|hear)(?: to| with| from)?)"
    r"\s+(?:on|with|at|from|for|about|to)\b",
    re.IGNORECASE)
_SCAFFOLD = tuple(re.compile(p, re.IGNORECASE) for p in (
    # "give me a quick update on Northwind", "anything new with Northwind", "what's going on at Northwind": the
    # record's newest notes and emails
    UPDATE_ON.pattern,
    r"^\s*(?:please\s+)?(?:search|find|look\s+(?:up|for)|show(?:\s+me)?|list|get|give\s+me|pull\s+up)"
    r"(?:\s+(?:for|me))?\b",
    r"\b(?:what|anything|something)\s+(?:did|does|do|has|have|had)\b",
    # "what are customers saying about", "what were they complaining about"
    r"\bwhat\s+(?:are|is|were|was|have|has)\s+(?:\w+\s+){0,3}?(?:saying|said|talking|complaining|asking)\s+"
    r"(?:about|regarding|of|on)\b",
    r"\b(?:did|does|do|has|have)\s+(?:anyone|somebody|someone|they|the customer|the client|we|i)\b",
    r"\b(?:anyone|somebody|someone|who)\b",
    r"\b(?:say|said|says|saying|tell|told|write|wrote|written|mention|mentioned|mentions|mentioning|"
    r"talk(?:ed|s|ing)?|discuss(?:ed|es|ing)?|complain(?:ed|s|ing)?|ask(?:ed)?)\s+(?:about|of|regarding|on)\b",
    r"\b(?:notes?|comments?|e-?mails?|mails?|messages?)\s+(?:written|logged|taken|sent|received)\s+"
    r"(?:about|on|regarding|concerning)\b",
    r"\b(?:notes?|comments?|e-?mails?|mails?|messages?)\s+(?:where|in which|that|which|whose|with|from|to|by|"
    r"about|regarding|on|mentioning|mention|mentions|discussing|saying|that mention|that say|containing|"
    r"related to|talking about)\b",
    r"\b(?:about|regarding|concerning|related to|on the (?:topic|subject) of)\b",
    r"\b(?:notes?|comments?|e-?mails?|mails?|messages?)\b",
    r"\b(?:all|any|the|my|our|their|his|her|recent|latest|last few)\s*$",
    r"^\s*(?:all|any|the|my|our|where|in which|that|which|whose|with|from|by|and|or|for)\b|^\s*on(?=\s|$)",
    # "were there any concerns about the timeline", "what objections did we hear", "which concerns have customers
    # raised": the kind of remark stays part of what to look for, the question around it goes
    r"^\s*(?:(?:are|were|was|is)\s+there\s+)?(?:any\s+)?(?:(?:what|which)\s+)?(?=(?:complaints?|concerns?|"
    r"objections?|questions?|feedback|comments?|issues|mentions?|pushback|risks?)\b)",
    # "what are the main objections we hear": the kind of remark, without who hears it or how often
    r"^\s*(?:what\s+)?(?:are|were)\s+(?:the\s+)?(?:(?:main|top|most common|biggest|common|usual|typical|key|"
    r"recurring)\s+)?(?=(?:complaints?|concerns?|objections?|questions?|pushback|risks?)\b)",
    r"(?:(?<=objections)|(?<=objection)|(?<=concerns)|(?<=concern)|(?<=complaints)|(?<=questions)|(?<=pushback)|"
    r"(?<=risks))\s+(?:that\s+)?(?:we|they|customers|clients|prospects|buyers)(?:\s+(?:keep|usually|often))?\s*$",
    r"\b(?:did|do|does|have|has|were|was)\s+(?:we|you|they|i|customers?|clients?|prospects?|buyers?|the customer|"
    r"anyone|anybody)\s+(?:hear|heard|get|got|receive|received|see|seen|raise|raised|bring up|brought up|mention|"
    r"mentioned|voice|voiced|share|shared)\b",
    r"\s(?:hear|heard|get|got|receive|received|see|seen|raise|raised|voice|voiced|share|shared)\s*$",
    # "what did the CFO at Foster Goods say", "what has Northwind told us": the saying, and what the record's
    # name leaves behind ("CFO at")
    r"(?:^|\s)(?:say|said|tell|told|write|wrote|written)(?:\s+(?:us|me))?\s*$",
    r"\s(?:at|from|with|of|for|on|in)\s*$",
    # what is left of "what did I write about …" once the writer is taken out
    r"^\s*what\b",
    # "anything about layoffs", "is there something on the security review"
    r"^\s*(?:(?:is|was|are|were) there\s+|do we have\s+)?(?:anything|something)\b",
    # "summarize the notes about Northwind": the answer is those notes (best first), not a written summary
    r"^\s*(?:summari[sz]e|sum up|recap|brief me on|catch me up on|give me (?:a|an) (?:summary|overview|recap) of|"
    r"(?:a|an) (?:summary|overview|recap) of)\b",
    r"^\s*(?:mention(?:ed|s)?|said|says|say|talked about|complained about|asked about|brought up|raised|"
    r"contain(?:s|ed|ing)?|include(?:s|d)?|refer(?:s|red)? to)\b",
    # "notes containing the word 'urgent'", "emails with the phrase 'next steps'"
    r"^\s*(?:the\s+)?(?:exact\s+)?(?:words?|phrases?|terms?|keywords?)\b",
    # "which reps wrote notes about budget cuts": the answer names each passage's author
    r"^\s*(?:(?:which|what)\s+)?(?:reps?|users?|people|colleagues|team\s*mates?|salespeople)\s+"
    r"(?:wrote|logged|sent|took|have written|has written)\b",
    # "emails from customers about invoices": who wrote them is what e-mails are, not what they are about
    r"^\s*(?:from|to|with|by)\s+(?:the\s+|our\s+|their\s+)?(?:customers?|clients?|prospects?|contacts?|leads?|"
    r"buyers?)\b",
    # what is left of "… sent to Northwind" once the account is taken out
    r"\b(?:sent|written|received|logged|addressed)(?:\s+(?:to|by|from|for))?\s*$",
    # the speaker is implied by the kind of text: "emails where the customer asks for a discount"
    r"^\s*(?:the\s+)?(?:customers?|clients?|prospects?|buyers?|they|he|she|someone|contacts?)\b",
))
# "what are customers saying about our product", "what do clients think of the new pricing", "how do users feel
# about the dashboard": an opinion asked of people in general is feedback on the thing named — the thing alone
# ("product") matches every text that names it, whatever it says
_PEOPLE = r"(?:customers?|clients?|prospects?|users?|buyers?|people|accounts)"
OPINION_ASKED = re.compile(
    rf"\b(?:what\s+(?:are|were|do|did|have|has)\s+(?:our\s+|the\s+|their\s+|[\w&-]+(?:'s|’s)\s+)?{_PEOPLE}\s+"
    r"(?:been\s+)?(?:saying|said|say|think(?:ing)?|thought|feel(?:ing)?|felt)\s+(?:about|of|regarding|on)"
    rf"|how\s+do\s+(?:our\s+|the\s+|their\s+|[\w&-]+(?:'s|’s)\s+)?{_PEOPLE}\s+(?:feel|think)\s+about"
    r"|(?:customer|client|user)\s+(?:opinions?|sentiment|reactions?)\s+(?:about|on|of|to))\b", re.IGNORECASE)
OPINION_FRAME = "feedback on {}"
_MINE = re.compile(r"\b(?:my|mine|i (?:wrote|sent|logged|noted|said)|(?:did|have|had) i (?:write|send|log|note|say|"
                   r"written|sent|logged|noted|said)|written by me|sent by me|by me)\b", re.IGNORECASE)


@dataclass
class SearchQuestion:
    """What to search for, where, and how the filters read in plain words (for the answer)."""

    text: str
    filters: SearchFilters
    described: list[str] = field(default_factory=list)
    account_phrase: str | None = None
    unknown_author: str | None = None  # "notes by Sarah" when no user is named Sarah
    without_author: str = ""           # the question without "by Sarah", to offer instead
    limit: int | None = None           # "top 5 notes about …"
    newest_first: bool = False         # "the latest emails about …": matches by date, not by rank


ContactResolver = Callable[[list[str]], dict[str, list[int]]]


def parse_search_question(question: str, *, catalog: Catalog, today: date, actor_id: int,
                          resolve_contacts: ContactResolver | None = None) -> SearchQuestion:
    """Split a search question into search text and filters.

    >>> from nlq.catalog import load_catalog
    >>> q = parse_search_question("notes mentioning a security review last month", catalog=load_catalog(),
    ...                           today=date(2026, 5, 15), actor_id=3)
    >>> q.text, q.filters.kind, q.filters.date_from, q.filters.date_to
    ('a security review', 'note', datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    """
    text = question.strip()
    removed: list[tuple[int, int]] = []
    limit, newest_first = None, False
    top = _TOP.search(text)
    if top is not None:
        limit = int(top.group("n"))
        removed.append(top.span())
    recency = _RECENCY.search(text)
    if recency is not None:
        newest_first = True
        removed.append(recency.span())
    filters: dict[str, object] = {}
    described: list[str] = []

    kinds = {kind for kind, pattern in _KIND_WORDS.items() if re.search(rf"\b(?:{pattern})\b", text, re.I)}
    if len(kinds) == 1:
        filters["kind"] = kinds.pop()
        described.append("notes only" if filters["kind"] == "note" else "emails only")

    # dates: the NL parser's own phrases ("last month", "this quarter", "in April", "last 30 days")
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        found = match_date(tokens, i, today)
        if found is None:
            i += 1
            continue
        rng, used = found
        start = tokens[i].start
        last = tokens[i + used - 1]
        end = last.start + len(last.original)
        prefix = re.search(r"\b(?:in|during|from|over|since|within|for|of)\s+(?:the\s+)?$", text[:start], re.I)
        removed.append((prefix.start() if prefix else start, end))
        if rng.start is not None:
            filters["date_from"] = rng.start.date()
        if rng.end is not None:
            filters["date_to"] = (rng.end - timedelta(days=1)).date() if not rng.upto_now else today
        elif rng.upto_now:
            filters["date_to"] = today
        described.append(rng.describe())
        break

    mine = _MINE.search(text) is not None
    author = None if mine else _author_named(text, catalog)
    if author is not None:
        span, author_id, name = author
        filters["author_id"] = author_id
        described.append(f"by {name}")
        removed.append(span)
    elif mine:
        filters["author_id"] = actor_id
        described.append("yours")
        for m in _MINE.finditer(text):
            removed.append(m.span())

    account_phrase = None
    unclaimed = _blank(text, removed)  # an author's or a date's words name no account or contact
    accounts = _accounts_named(unclaimed, catalog)
    if accounts is not None:
        span, ids, phrase = accounts
        removed.append(_with_possessive(text, span))
        filters["account_ids"] = ids
        account_phrase = phrase
        described.append(f"accounts named “{phrase}”")
    elif resolve_contacts is not None:
        contact = _contact_named(unclaimed, resolve_contacts)
        if contact is not None:
            span, ids, phrase = contact
            removed.append(_with_possessive(text, span))
            filters["contact_ids"] = ids
            described.append(f"contact “{phrase}”")

    unknown_author, without_author = None, ""
    if author is None and not mine and "account_ids" not in filters and "contact_ids" not in filters:
        named = _AUTHORED.search(text)
        if named is not None and named.group("name") and \
                not named.group("name").lower().startswith(("the ", "our ", "my ")):
            unknown_author, without_author = named.group("name"), _remove(text, [named.span()])
    opinion = OPINION_ASKED.search(text)
    if opinion is not None:
        removed.append(opinion.span())
    remaining = _remove(text, removed)
    search_text = _unquote(_strip_scaffold(remaining))
    if search_text and opinion is not None:
        search_text = OPINION_FRAME.format(search_text)
    parsed = SearchFilters.model_validate(filters)
    # "" with a record, an author or a period named ("notes about Cobalt", "Dana's notes from last week"): those
    # texts, newest first; with nothing named ("emails about"), the caller asks what to look for
    if newest_first:
        described.append("newest first")
    return SearchQuestion(search_text, parsed, described, account_phrase, unknown_author, without_author, limit,
                          newest_first)


_TOP = re.compile(r"\b(?:top|first|best|last|latest|newest|most recent)\s+(?P<n>\d{1,2})\b"
                  r"(?!\s*(?:days?|weeks?|months?|quarters?|years?|hours?|business days?)\b)", re.IGNORECASE)
_RECENCY = re.compile(r"\b(?:the\s+)?(?:(?:most\s+)?recent|latest|newest)\b(?!\s+\d)", re.IGNORECASE)

# "notes by Dana", "emails written by Dana Reyes", "Dana's notes": a user named as the author
_AUTHORED = re.compile(r"\b(?:(?:written|logged|taken|sent|added|entered)\s+)?by\s+"
                       r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
                       # "what has Dana written about …": writing is what users do; contacts say
                       r"|\bwhat\s+(?:has|have|did)\s+(?P<writer>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s+"
                       r"(?=(?:written|wrote|write|logged|noted)\b)")
_POSSESSIVE = re.compile(r"\b(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)(?:'s|’s)\s+(?=(?:" +
                         "|".join(_KIND_WORDS.values()) + r")\b)", re.IGNORECASE)


# "emails from Lauren about contracts": a user named after "from" wrote them (a contact or an account after
# "from" is a record filter, and no user of that name is no error)
_FROM_USER = re.compile(r"\bfrom\s+(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)")


def _author_named(text: str, catalog: Catalog) -> tuple[tuple[int, int], int, str] | None:
    """A CRM user the question names as the texts' author; the full name before the first name alone."""
    for pattern in (_AUTHORED, _POSSESSIVE, _FROM_USER):
        for match in pattern.finditer(text):
            group = "name" if match.group("name") else "writer"
            words = match.group(group).split()
            for n in range(len(words), 0, -1):
                name = " ".join(words[:n])
                user_id = catalog.users.get(normalize(name))
                if user_id is not None:
                    end = match.start(group) + len(name)
                    if pattern is _POSSESSIVE:
                        end = match.end()
                    return (match.start(), end), user_id, catalog.user_names.get(user_id, name)
    return None


def _unquote(text: str) -> str:
    """'"data migration"' → 'data migration': quotes mark the words, they are not searched for."""
    return text.strip(" \"'“”‘’").strip() if re.fullmatch(r"\s*[\"“'‘].*[\"”'’]\s*", text) else text


def _accounts_named(text: str, catalog: Catalog) -> tuple[tuple[int, int], list[int], str] | None:
    """Accounts named in the question: a full catalog name, or a capitalised name everyone shortens
    ("Northwind" for Northwind Systems, Northwind Capital, …). Dictionary lookups of the question's word
    runs, so the cost does not grow with the number of accounts."""
    words = normalize(text).split()
    for n in range(min(6, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            if len(phrase) <= 3 or phrase not in catalog.accounts:
                continue
            match = re.search(r"\b" + r"\W+".join(re.escape(w) for w in phrase.split()) + r"\b", text, re.I)
            if match:
                return match.span(), catalog.accounts_starting(phrase), match.group(0)
    word = r"[A-Z][\w&-]*(?:'(?!s\b)[\w&-]+)*"  # "O'Brien" is one word; "Northwind's" is Northwind + 's
    for match in re.finditer(rf"(?<!^)(?<![.?!]\s)\b({word}(?:\s+{word})*)", text):
        words = match.group(1).split()
        for n in range(len(words), 0, -1):  # "Northwind CFO": the longest leading run that names accounts
            written = " ".join(words[:n])
            phrase = normalize(written)
            if len(phrase) < 3 or phrase in catalog.users:
                continue
            ids = catalog.accounts_starting(phrase)
            if ids:
                start = match.start(1)
                return (start, start + len(written)), ids, written
    return None


def _contact_named(text: str, resolve: ContactResolver) -> tuple[tuple[int, int], list[int], str] | None:
    candidates = [(m.span(1), m.group(1)) for m in re.finditer(r"\b([A-Z][a-z'-]+\s+[A-Z][a-z'-]+)\b", text)]
    if not candidates:
        return None
    found = resolve([normalize(name) for _, name in candidates])
    for span, name in candidates:
        ids = found.get(normalize(name))
        if ids:
            return span, sorted(ids), name
    return None


def _with_possessive(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    tail = re.match(r"(?:'s|’s|')", text[end:])
    return start, end + (tail.end() if tail else 0)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans replaced by spaces (offsets unchanged)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            out.append(text[position:start])
            position = end
    out.append(text[position:])
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def _strip_scaffold(text: str) -> str:
    """Drop the question's scaffolding, keeping what the texts should be about."""
    current = text.strip(" ?!.,")
    for _ in range(4):
        before = current
        for pattern in _SCAFFOLD:
            current = pattern.sub(" ", current)
            current = re.sub(r"\s+", " ", current).strip(" ?!.,")
        if current == before:
            break
    return current
