"""Semantic filters inside structured questions: "open deals over 20k whose notes mention budget concerns".

A `SemanticMatch` condition on notes or emails compiles to an EXISTS over the note's (email's) embedded
passages close in meaning to the phrase (`semantic_exists`). Other entities reach their notes and
emails through the catalog's relations (`Exists`), so the guard scopes every table on the way, the
search table included. This module is also the hook for translators:

    clause = split_semantic_clause("open deals over 20k whose notes mention budget concerns")
    # clause.rest == "open deals over 20k", clause.source == "notes", clause.phrase == "budget concerns"
    plan = <parse clause.rest>
    plan.conds.append(semantic_filter_from_text(clause.text, entity=plan.entity))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlglot import exp

from nlq.dates import match_date
from nlq.embeddings import PACKAGED_MODEL
from nlq.lexer import tokenize
from nlq.plan import AnyOf, Compare, Condition, Exists, SemanticMatch
from nlq.search.schema import CHUNK_TABLE, DOCUMENT_TABLE, TOPIC_TABLE

Source = Literal["notes", "emails", "any"]   # "any": their notes or their emails

#: The cosine at which a passage's own vector (there are no clusters yet) counts as matching the widened
#: phrase: F1-best of 0.20-0.60 over both search suites (`crm-assistant eval search --calibrate`; small demo
#: data: precision 0.53, recall 0.41 on the dev suite, 0.50 / 0.35 held out).
DEFAULT_MIN_SIMILARITY = 0.45

_SOURCE_WORDS = r"(?P<source>notes?|comments?|emails?|e-mails?|mails?|messages?)"
_VERBS = (r"(?:mention(?:s|ed|ing)?|talk(?:s|ed|ing)? about|discuss(?:es|ed|ing)?|(?:are|is|were|was) about|"
          r"about|say(?:s|ing)?(?: anything)? about|refer(?:s|red|ring)? to|reference[sd]?|cover(?:s|ed|ing)?|"
          r"deal(?:s|t)? with|regarding|on the (?:topic|subject) of|related to|contain(?:s|ing)?)")
# "whose notes mention X", "with emails about X", "that have notes discussing X", "where the notes say X"
# "don't", "did not", "never", "have not": the texts must not match
_NOT = (r"(?P<neg>(?:(?:do|does|did|have|has|had)(?:n't|n’t|\s+not)|don't|don’t|never|not)(?:\s+(?:ever|once))?"
        r"\s+)?")
_CLAUSE = re.compile(
    r"(?:,\s*)?\b(?:whose|where (?:the |their |its )?|with(?: any| some| a)?|that have(?: any)?|which have|having|"
    r"that|which)?\s*" + _SOURCE_WORDS + r"\s+" + _NOT + _VERBS + r"\s+(?P<phrase>[^?!.]+?)\s*[?!.]*\s*$",
    re.IGNORECASE,
)
#: Verbs that say a record itself talked about something ("mentioned", "complained about"); the router
#: sends "accounts that mentioned X" to search with the same list.
RECORD_TALK_VERBS = (r"(?:mention(?:s|ed)?|talk(?:s|ed)? about|complain(?:s|ed)? about|ask(?:s|ed)? (?:about|for)|"
                     r"request(?:s|ed)?|"
                     r"rais(?:es|ed)|brought up|bring up|discuss(?:es|ed)?|"
                     r"(?:are|is|were|was) (?:complaining|asking|talking) about)")
# "accounts that mentioned layoffs", "contacts who complained about support": the record's own notes or emails
_RECORD_CLAUSE = re.compile(
    r"(?:,\s*)?(?:\b(?:that|who|which)\s+|\s)" + _NOT + r"(?:have\s+|has\s+|had\s+)?(?:ever\s+)?" + RECORD_TALK_VERBS +
    r"\s+(?P<phrase>[^?!.]+?)\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# "deals where the customer mentioned X": the speaker is whoever the record's notes and emails quote
_SPEAKER = re.compile(r"\s+(?:where|in which|when)\s+(?:the\s+|their\s+|its\s+)?(?:customers?|clients?|contacts?|"
                      r"prospects?|buyers?|accounts?|they|someone|somebody|anyone)\s*$", re.IGNORECASE)
#: Trigger phrases a translator should hand to `split_semantic_clause` (documentation and tests).
TRIGGER_EXAMPLES = (
    "whose notes mention X", "whose emails mention X", "with notes about X", "with emails about X",
    "that have notes discussing X", "where the notes say X", "notes about X", "emails mentioning X",
)


@dataclass(frozen=True)
class SemanticClause:
    """A question split into its structured part and its semantic filter."""

    rest: str      # the question without the clause ("open deals over 20k")
    source: Source
    phrase: str    # what the notes/emails should be about ("budget concerns")
    text: str      # the clause as written ("whose notes mention budget concerns")
    when: str = ""  # a date phrase that ended the clause ("this year"): a filter, not words to match
    negate: bool = False  # "whose notes don't mention X", "accounts that never mentioned X"


def split_semantic_clause(question: str) -> SemanticClause | None:
    """Find a trailing "whose notes mention X" clause; None when the question has none.

    >>> c = split_semantic_clause("open deals over 20k whose notes mention budget concerns?")
    >>> (c.rest, c.source, c.phrase)
    ('open deals over 20k', 'notes', 'budget concerns')
    >>> split_semantic_clause("open deals over 20k") is None
    True
    """
    match = _CLAUSE.search(question)
    record_clause = _RECORD_CLAUSE.search(question) if match is None else None
    if match is None and record_clause is None:
        return None
    if record_clause is not None:
        phrase, grouping = _split_trailing_grouping(record_clause.group("phrase").strip(" '\""))
        phrase, condition = _split_trailing_condition(phrase)
        phrase, written_in = _split_trailing_source(phrase)
        phrase, when = _split_trailing_date(phrase)
        if not any(ch.isalnum() for ch in phrase):
            return None
        if re.search(r"\bcomplain", record_clause.group(0), re.IGNORECASE):
            phrase = f"complaints about {phrase}"  # the complaint is what to match, not just its subject
        rest = _SPEAKER.sub("", question[: record_clause.start()].rstrip(" ,"))
        return SemanticClause(rest=_with(_with(rest, condition), grouping), source=written_in or "any",
                              phrase=phrase, text=record_clause.group(0).strip(" ,"), when=when,
                              negate=bool(record_clause.group("neg")))
    assert match is not None
    phrase = match.group("phrase").strip(" '\"")
    phrase = re.sub(r"^(?:the (?:topic|subject) of|anything about|something about)\s+", "", phrase, flags=re.I)
    if not any(ch.isalnum() for ch in phrase):
        return None
    source: Source = "emails" if re.match(r"e-?mails?|mails?|messages?", match.group("source"), re.I) else "notes"
    phrase, grouping = _split_trailing_grouping(phrase)
    phrase, condition = _split_trailing_condition(phrase)
    before = question[: match.start()].rstrip(" ,")
    if condition and not before:  # "emails about pricing that got no reply": those e-mails are the rows
        before = match.group("source")
    rest = _with(_with(before, condition), grouping)
    phrase, when = _split_trailing_date(phrase)
    if not any(ch.isalnum() for ch in phrase):
        return None
    return SemanticClause(rest=rest, source=source, phrase=phrase, text=match.group(0).strip(" ,"), when=when,
                          negate=bool(match.group("neg")))


# "… whose notes mention budget freeze by stage": the grouping belongs to the question, not to the topic
_TRAILING_GROUPING = re.compile(
    r"^(?P<phrase>.+?)\s+(?P<tail>(?:(?:broken down|grouped|split)\s+)?(?:by|per)\s+(?:each\s+)?(?:lead\s+)?"
    r"(?:rep|reps|owner|owners|team|teams|stage|stages|month|months|quarter|quarters|week|weeks|year|years|"
    r"industry|industries|source|sources|region|regions|country|countries|state|states|city|cities|type|types|"
    r"account|accounts|pipeline|pipelines)"
    # "… sorted by revenue", "… ordered by close date desc": how to order the rows, whatever the column
    r"|(?:sorted|ordered|ranked|sort|order)\s+by\s+[\w\s-]+)\s*$", re.IGNORECASE)


def _split_trailing(pattern: re.Pattern[str], phrase: str) -> tuple[str, str]:
    """The phrase without the trailing part `pattern` names, and that part ('' when it has none)."""
    match = pattern.match(phrase)
    return (match.group("phrase"), match.group("tail")) if match else (phrase, "")


def _split_trailing_grouping(phrase: str) -> tuple[str, str]:
    """'budget freeze by stage' → ('budget freeze', 'by stage')."""
    return _split_trailing(_TRAILING_GROUPING, phrase)


# "… whose notes mention budget concerns closing this quarter": a condition on the records, not the topic
_TRAILING_CONDITION = re.compile(
    r"^(?P<phrase>.+?)\s+(?P<tail>(?:(?:and|that are|which are|that is|which is)\s+)?"
    r"(?:closing|closed|created|owned by|assigned to|worth|valued at|"
    r"(?:over|under|above|below|more than|less than|at least|at most)\s+\$?\d|"
    r"in (?:the\s+)?(?:[\w-]+\s+)?(?:stage|pipeline)\b|"
    # "emails about pricing that got no reply", "… that were never opened": what happened to the texts
    r"(?:that|which)\s+(?:got|had|received|get|have|has)\s+(?:no|a|any)\s+(?:repl(?:y|ies)|responses?|answers?|"
    r"opens?|clicks?)\b|(?:(?:that|which)\s+)?(?:(?:were|was|are|is|have|has)\s+)?(?:not\s+|never\s+)?(?:been\s+)?"
    r"(?:opened|replied(?:\s+to)?|clicked|answered|unanswered|unopened)\b).*)$", re.IGNORECASE)


def _split_trailing_condition(phrase: str) -> tuple[str, str]:
    """'budget concerns closing this quarter' → ('budget concerns', 'closing this quarter')."""
    return _split_trailing(_TRAILING_CONDITION, phrase)


# "contacts who mentioned renewal in an email": where they said it, not part of what they said
_TRAILING_SOURCE = re.compile(r"^(?P<phrase>.+?)\s+(?:in|by|over|via)\s+(?:an?\s+|their\s+|the\s+|any\s+)?"
                              r"(?P<source>e-?mails?|notes?|calls?|meetings?)\s*$", re.IGNORECASE)


def _split_trailing_source(phrase: str) -> tuple[str, Source | None]:
    """'renewal in an email' → ('renewal', 'emails'); calls and meetings are notes' business here."""
    match = _TRAILING_SOURCE.match(phrase)
    if match is None:
        return phrase, None
    return match.group("phrase"), "emails" if match.group("source").lower().startswith(("e", "m")) and \
        not match.group("source").lower().startswith("mee") else "notes"


def _with(rest: str, grouping: str) -> str:
    return f"{rest} {grouping}" if grouping else rest


_DATE_LEADS = ("in", "during", "within", "over", "from", "since", "before", "after", "the", "of")


def _split_trailing_date(phrase: str) -> tuple[str, str]:
    """'a discount this year' → ('a discount', 'this year'): a date that ends the phrase is a filter."""
    tokens = tokenize(phrase)
    for i in range(1, len(tokens)):
        j = i
        while j < len(tokens) and tokens[j].text in _DATE_LEADS:
            j += 1
        found = match_date(tokens, j, date.today()) if j < len(tokens) else None
        if found is not None and j + found[1] == len(tokens):
            cut = tokens[i].start
            return phrase[:cut].strip(" ,"), phrase[cut:].strip()
    return phrase, ""


def semantic_filter_from_text(text: str, *, entity: str, model_name: str = PACKAGED_MODEL,
                              min_similarity: float = DEFAULT_MIN_SIMILARITY) -> Condition:
    """The parser's hook: a clause ("whose notes mention budget concerns") or a bare phrase ("budget
    concerns", meaning notes) → the condition to append to a plan on `entity`.

    Raises:
        ValueError: `entity` has no notes or emails to match (users, activities, ...).
    """
    clause = split_semantic_clause(text if re.search(_SOURCE_WORDS, text, re.I) else f"notes about {text}")
    if clause is None:
        raise ValueError(f"No phrase to match in {text!r}.")
    return semantic_condition(entity, clause.source, clause.phrase, model_name=model_name,
                              min_similarity=min_similarity, text=clause.text, negate=clause.negate)


_BOTH = re.compile(r"^both\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.IGNORECASE)


def split_both(phrase: str) -> list[str]:
    """'both pricing and security' → ['pricing', 'security'] (each must match); any other phrase stays whole.

    >>> split_both("both pricing and security"), split_both("terms and conditions")
    (['pricing', 'security'], ['terms and conditions'])
    """
    match = _BOTH.match(phrase.strip())
    return [match.group("a").strip(), match.group("b").strip()] if match else [phrase]


# How each entity reaches its notes and emails (relation names of the catalog).
_PATHS: dict[tuple[str, str], list[str]] = {
    ("notes", "notes"): [], ("emails", "emails"): [],
    ("contacts", "notes"): ["notes"], ("contacts", "emails"): ["emails"],
    ("accounts", "notes"): ["notes"], ("accounts", "emails"): ["contacts", "emails"],
    ("deals", "notes"): ["notes"], ("deals", "emails"): ["contact", "emails"],
}


def semantic_conditions(entity: str, source: Source, phrase: str, *, negate: bool = False, text: str = "",
                        model_name: str = PACKAGED_MODEL, period: tuple[str | None, str | None] | None = None,
                        pending: frozenset[str] | None = None) -> list[Condition]:
    """The conditions (all must hold) for "`entity` has (`negate`: has no) note/email about `phrase`".

    "Accounts that never mentioned layoffs" is neither a note nor an email about layoffs: two negated
    conditions, where the positive reading is one (a note or an email).
    """
    if negate and source == "any":
        sides = [side for side in ("notes", "emails") if (entity, side) in _PATHS]
        if not sides:
            raise ValueError(f"{entity} have no notes or emails to match semantically.")
        conds = [semantic_condition(entity, side, phrase, model_name=model_name, period=period, negate=True,
                                    pending=pending) for side in sides]
        if not isinstance(conds[0], SemanticMatch):  # a note's own match says "notes not about X"
            conds[0].text = text or f"with no {' or '.join(sides)} about “{phrase}”"
        for cond in conds[1:]:
            cond.text = ""  # the first one's words say it for both
        return conds
    return [semantic_condition(entity, source, phrase, model_name=model_name, period=period, negate=negate,
                               text=text, pending=pending)]


def semantic_condition(entity: str, source: Source, phrase: str, *, model_name: str = PACKAGED_MODEL,
                       min_similarity: float = DEFAULT_MIN_SIMILARITY, text: str = "",
                       period: tuple[str | None, str | None] | None = None, negate: bool = False,
                       pending: frozenset[str] | None = None) -> Condition:
    """"`entity` has a note/email (through the catalog's relations) semantically matching `phrase`; with
    `source` "any", a note or an email. `period` (ISO start, end; either open) dates the note or email:
    "contacts who mentioned a discount this year" asks about this year's texts, not this year's contacts.
    `negate`: has no such note/email (with "any", see `semantic_conditions`). `pending`: the kinds ("note",
    "email") with texts waiting to be embedded in the asker's scope, which are then matched by their
    words too (`nlq.search.indexer.pending_kinds`); None: assume both."""
    if negate and source == "any":
        raise ValueError("'has neither a note nor an email about X' is two conditions: use semantic_conditions")
    if source == "any":
        label = text or f"with notes or emails about “{phrase}”"
        sides = [semantic_condition(entity, side, phrase, model_name=model_name, min_similarity=min_similarity,
                                    period=period, pending=pending)
                 for side in ("notes", "emails") if (entity, side) in _PATHS]
        if not sides:
            raise ValueError(f"{entity} have no notes or emails to match semantically.")
        return sides[0] if len(sides) == 1 else AnyOf(conds=sides, text=label)
    label = text or (f"with no {source} about “{phrase}”" if negate else f"with {source} about “{phrase}”")
    path = _PATHS.get((entity, source))
    if path is None:
        raise ValueError(f"{entity} have no {source} to match semantically.")
    match = SemanticMatch(query=phrase, model=model_name, min_similarity=min_similarity,
                          topic_min_similarity=DEFAULT_TOPIC_MIN_SIMILARITY, negate=negate and not path,
                          pending_words=pending is None or TEXT_KINDS[source] in pending,
                          text=(f"{source} not about “{phrase}”" if negate
                                else f"{source} semantically matching “{phrase}”"))
    if not path:
        return match
    innermost: list[Condition] = [match]
    if period is not None:
        column = TEXT_DATE_COLUMNS[source]
        start, end = period
        innermost += [Compare(column=column, op="gte", value=start)] if start else []
        innermost += [Compare(column=column, op="lt", value=end)] if end else []
    cond: Condition = Exists(relation=path[-1], conds=innermost)
    for relation in reversed(path[:-1]):
        cond = Exists(relation=relation, conds=[cond])
    cond.negate = negate  # the outermost: no contact has an email about it, not a contact without one
    cond.text = label
    return cond


#: The date of a note and of an email.
TEXT_DATE_COLUMNS = {"notes": "created_at", "emails": "sent_at"}
#: The search index's kind of each text table.
TEXT_KINDS = {"notes": "note", "emails": "email"}


def semantic_exists(cond: SemanticMatch, *, record: exp.Expression, kind: str,
                    alias: Callable[[str], str]) -> exp.Exists:
    """EXISTS a passage of this note/email whose meaning matches the phrase, or (`pending_words`) the text
    waits to be embedded and holds the phrase's words (`_pending_with_words`); `alias` gives fresh aliases.

    Each passage's topic vector (`search_topic_vectors`: its vector smoothed towards its clusters, or its
    own vector while there are no clusters) is compared with the phrase widened by pseudo-relevance
    feedback: the phrase's embedding plus FEEDBACK_WEIGHT × the mean topic vector of the FEEDBACK_PASSAGES
    passages of this kind nearest the phrase (by their own vectors, through the HNSW index; one
    uncorrelated subquery, run once, scoped by the guard like every read of the two tables). A smoothed
    vector matches within `topic_min_similarity`, a passage's own within `min_similarity`.
    """
    from nlq.embeddings import embed_query

    query = embed_query(cond.query, name=cond.model)
    topics, fb_chunks, fb_topics, feedback = alias(TOPIC_TABLE), alias(CHUNK_TABLE), alias(TOPIC_TABLE), alias("feedback")
    # the nearest passages first (the HNSW index orders them), then their topic vectors: a join inside the
    # ordered scan would make PostgreSQL compute every distance
    nearest = (exp.select(exp.column("id", table=fb_chunks))
               .from_(exp.alias_(exp.to_table(CHUNK_TABLE), fb_chunks, table=True))
               .where(exp.column("kind", table=fb_chunks).eq(exp.Literal.string(kind)))
               .order_by(_distance(exp.column("embedding", table=fb_chunks), _vector(query)))
               .limit(FEEDBACK_PASSAGES))
    mean_direction = exp.Anonymous(this="l2_normalize", expressions=[
        exp.Avg(this=exp.column("topic_embedding", table=fb_topics))])
    widened = (exp.select(exp.Add(this=_vector(query / FEEDBACK_WEIGHT), expression=mean_direction))
               .from_(exp.alias_(exp.Subquery(this=nearest), feedback, table=True))
               .join(exp.alias_(exp.to_table(TOPIC_TABLE), fb_topics, table=True),
                     on=exp.column("chunk_id", table=fb_topics).eq(exp.column("id", table=feedback))))
    max_distance = exp.Case(
        ifs=[exp.If(this=exp.column("smoothed", table=topics),
                    true=exp.Literal.number(round(1.0 - cond.topic_min_similarity, 4)))],
        default=exp.Literal.number(round(1.0 - cond.min_similarity, 4)))
    close = exp.LTE(this=_distance(exp.column("topic_embedding", table=topics), exp.Subquery(this=widened)),
                    expression=max_distance)
    if not cond.pending_words:
        return exp.Exists(this=exp.select(exp.Literal.number(1))
                          .from_(exp.alias_(exp.to_table(TOPIC_TABLE), topics, table=True))
                          .where(exp.and_(exp.column("kind", table=topics).eq(exp.Literal.string(kind)),
                                          exp.column("record_id", table=topics).eq(record), close)))
    # one correlated EXISTS over the text's document and its passages' topic vectors, which PostgreSQL
    # turns into a semi-join read by (kind, record_id); EXISTS … OR EXISTS … would run per outer row
    documents = alias(DOCUMENT_TABLE)
    on_topics = exp.and_(exp.column("kind", table=topics).eq(exp.column("kind", table=documents)),
                         exp.column("record_id", table=topics).eq(exp.column("record_id", table=documents)))
    subquery = (exp.select(exp.Literal.number(1))
                .from_(exp.alias_(exp.to_table(DOCUMENT_TABLE), documents, table=True))
                .join(exp.alias_(exp.to_table(TOPIC_TABLE), topics, table=True), on=on_topics, join_type="left")
                .where(exp.and_(exp.column("kind", table=documents).eq(exp.Literal.string(kind)),
                                exp.column("record_id", table=documents).eq(record),
                                exp.paren(exp.or_(close, _pending_with_words(cond.query, documents))))))
    return exp.Exists(this=subquery)


def _pending_with_words(phrase: str, documents: str) -> exp.Expression:
    """The note or email (`documents` row) waits to be embedded (new, or edited since) and holds every word
    of the phrase.

    Until the indexer reaches a text it has no vector, so meaning cannot match it; its words can, the
    moment it is written (the triggers keep its full-text vector current). Without this, a note written a
    minute ago about budget concerns would count as not about them in "deals whose notes don't mention …".
    """
    pending = exp.column("indexed_hash", table=documents).is_(exp.null()).or_(
        exp.column("indexed_hash", table=documents).neq(exp.column("content_hash", table=documents)))
    words = exp.MatchAgainst(
        this=exp.Anonymous(this="plainto_tsquery", expressions=[exp.Literal.string("english"),
                                                                exp.Literal.string(phrase)]),
        expressions=[exp.column("tsv", table=documents)])
    return exp.and_(exp.paren(pending), words)


#: Pseudo-relevance feedback of the semantic filter: the phrase plus this × the mean topic vector of the
#: passages nearest it. Chosen with `crm-assistant eval search --calibrate` on the dev suite (10 / 2 / 0.70:
#: F1 0.57, against 0.34 for the phrase's own embedding against the passages' own vectors; 5-20
#: passages, weight 1-3 within 0.02).
FEEDBACK_PASSAGES = 10
FEEDBACK_WEIGHT = 2.0
#: The cosine at which a smoothed topic vector counts as matching the widened phrase: F1-best of 0.50-0.85 on
#: both search suites (precision 0.62, recall 0.59 on the dev suite, 0.54 / 0.52 held out).
DEFAULT_TOPIC_MIN_SIMILARITY = 0.70


def _vector(values: Any) -> exp.Expression:
    """A vector literal: CAST('[…]' AS VECTOR(384))."""
    literal = "[" + ",".join(f"{x:.5f}" for x in values.tolist()) + "]"
    return exp.cast(exp.Literal.string(literal), exp.DataType.build("vector(384)", dialect="postgres"))


def _distance(column: exp.Expression, other: exp.Expression) -> exp.Expression:
    """pgvector's cosine distance as the operator: ORDER BY `a <=> b` walks the HNSW index, ORDER BY
    cosine_distance(a, b) computes every one. Parenthesised: OPERATOR(…) binds more loosely than + and -."""
    return exp.paren(exp.Operator(this=column, operator="<=>", expression=other))
