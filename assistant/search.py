"""The search capability: "what did Northwind say about pricing?" answered with the best passages of notes
and emails, and "open deals over 20k whose notes mention budget concerns" answered as a query whose
plan carries a semantic filter.

Passages come from `nlq.search` (hybrid retrieval, scoped to the asker); each row of the answer is one
note or email with its id, kind, date, author, the snippet (matched words in **bold**) and the ids of
the records it links to.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from assistant.answer import Answer, AnswerColumn, AnswerError, json_value
from assistant.router import Message, Router
from crm_core.errors import CrmError
from crm_core.scope import Actor
from crm_core.settings import Settings
from nlq.compiler import compile_plan
from nlq.dates import bounded_range, match_date
from nlq.engine import NlqEngine, NlqResult
from nlq.executor import execute
from nlq.guard import ScopeFilter
from nlq.lexer import tokenize
from nlq.parsing.screening import screen_question
from nlq.plan import Compare
from nlq.search.indexer import pending_kinds
from nlq.search.question import UPDATE_ON, SearchQuestion, parse_search_question
from nlq.search.retrieval import MAX_K, Searcher, SearchResult
from nlq.search.semantic_filter import (
    TEXT_DATE_COLUMNS,
    SemanticClause,
    semantic_conditions,
    split_both,
    split_semantic_clause,
)

_log = logging.getLogger(__name__)
AnswerFor = Callable[[NlqResult, Actor, ScopeFilter], Answer]

#: Passages in a chat answer; the API returns up to `nlq.search.retrieval.MAX_K`.
ANSWER_PASSAGES = 10
#: A chat answer leaves out passages that neither mean nor say what was asked (ranking alone would fill
#: ten rows even when the filters leave only two relevant texts). The API returns ranks without a floor.
MIN_ANSWER_SIMILARITY = 0.25
_SEMANTIC_ENTITIES = ("deals", "contacts", "accounts", "notes", "emails")
COLUMNS = [
    AnswerColumn(name="id", label="ID", type="integer"),
    AnswerColumn(name="kind", label="Kind", type="text"),
    AnswerColumn(name="date", label="Date", type="timestamp"),
    AnswerColumn(name="author", label="Author", type="text"),
    AnswerColumn(name="snippet", label="Passage", type="text"),
    AnswerColumn(name="subject", label="Subject", type="text"),
    AnswerColumn(name="contact_id", label="Contact", type="integer"),
    AnswerColumn(name="contact_name", label="Contact", type="text"),
    AnswerColumn(name="account_id", label="Account", type="integer"),
    AnswerColumn(name="account_name", label="Account", type="text"),
    AnswerColumn(name="deal_id", label="Deal", type="integer"),
    AnswerColumn(name="score", label="Score", type="number"),
]


class SearchSkill:
    """Answers the router's ``search`` intent for one database."""

    def __init__(self, engine: Engine, settings: Settings, nlq: NlqEngine, answer_for: AnswerFor) -> None:
        self.engine = engine
        self.settings = settings
        self.nlq = nlq
        self.answer_for = answer_for
        self.searcher = Searcher(engine, model_name=settings.embedding_model, timeout_ms=settings.query_timeout_ms)

    def __call__(self, message: Message) -> Answer:
        # "notes about X; delete from notes" is refused here too ("emails about password resets" is a search)
        screened = screen_question(message.text)
        if screened is not None and screened.code in ("write-not-allowed", "instruction-override", "sql-fragment"):
            return Answer(status="refused", summary=screened.message,
                          error=AnswerError(code=screened.code or "refused", message=screened.message))
        scope = self.nlq.scope_of(message.actor)
        clause = split_semantic_clause(message.text)
        if clause is not None and _TOPIC_RULED_OUT.search(clause.phrase):
            return _topic_ruled_out(clause.phrase)
        if clause is not None and not clause.rest and clause.negate and clause.source != "any":
            clause = replace(clause, rest=clause.source)  # "emails not about pricing": list those e-mails
        if clause is not None and clause.rest:
            # a period after the phrase dates the texts: "contacts who mentioned a discount this year"
            period = self._period(clause.when, message.today) if clause.when else None
            when = clause.when if period is not None else ""
            structured = self._structured(message, clause.rest, clause, scope, period, when)
            if structured is None and clause.source != "any" and _COUNTING.search(clause.rest):
                # "how many notes mention pricing": the notes themselves are counted
                structured = self._structured(message, f"{clause.rest} {clause.source}", clause, scope, period, when)
            if structured is not None:
                return structured
        try:
            question = parse_search_question(
                message.text, catalog=self.nlq.catalog, today=self._today(message.today), actor_id=message.actor.id,
                resolve_contacts=lambda names: self.nlq._contacts_named(names, scope.owner_ids))
            if question.unknown_author is not None:
                return _unknown_author(question)
            if UPDATE_ON.search(message.text) and not question.filters.names_a_record and \
                    (not question.text or question.text.lower() in _RECORD_WORDS):
                return _whose_news(message.text)
            if _TOPIC_RULED_OUT.search(question.text):
                return _topic_ruled_out(question.text)
            k = min(question.limit or ANSWER_PASSAGES, MAX_K)
            if not question.text and not _names_where(question):
                return _nothing_to_look_for(question)
            if not question.text:  # "notes about Cobalt": the record's newest texts
                result = self.searcher.recent(owner_ids=scope.owner_ids, k=k, filters=question.filters)
                return _recent_answer(result, question.described)
            result = self.searcher.search(question.text, owner_ids=scope.owner_ids, k=k, filters=question.filters)
        except CrmError as exc:
            return Answer(status="refused", summary=exc.message, error=AnswerError(code=exc.code, message=exc.message))
        result.hits = [h for h in result.hits if h.keyword_rank is not None or
                       (h.vector_similarity or 0.0) >= MIN_ANSWER_SIMILARITY]
        if question.newest_first:  # "the latest emails about pricing": the matches, newest first
            result.hits.sort(key=lambda h: h.occurred_at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        return _passages_answer(result, question.described)

    def _structured(self, message: Message, rest: str, clause: SemanticClause, scope: ScopeFilter,
                    period: tuple[str | None, str | None] | None, when: str) -> Answer | None:
        """A structured question with a semantic filter, or None when `rest` is no structured question."""
        source, phrase = clause.source, clause.phrase
        outcome = self.nlq.understand(rest, message.actor, today=message.today, scope=scope)
        if outcome.status != "planned" or outcome.plan is None or outcome.plan.entity not in _SEMANTIC_ENTITIES:
            return None
        bare = outcome.plan.entity in TEXT_DATE_COLUMNS and source in ("any", outcome.plan.entity) and \
            not (outcome.plan.conds or outcome.plan.measures or outcome.plan.group_by or outcome.plan.limit)
        if bare and not clause.negate and period is None:
            return None  # "emails where the customer asks for a discount": the best passages, not every match
        plan = outcome.plan.model_copy(deep=True)
        if period is not None and plan.entity in TEXT_DATE_COLUMNS:
            # the notes or emails asked about are the dated texts themselves
            column = TEXT_DATE_COLUMNS[plan.entity]
            bounds = [("gte", period[0]), ("lt", period[1])]
            plan.conds += [Compare(column=column, op=op, value=value, text=when if i == 0 else "")
                           for i, (op, value) in enumerate(b for b in bounds if b[1] is not None)]
            period, when = None, ""
        texts = plan.entity if plan.entity in TEXT_DATE_COLUMNS else "notes or emails" if source == "any" else source
        pending = pending_kinds(self.engine, scope.owner_ids)
        try:
            for part in split_both(phrase):  # "both pricing and security": each must match
                label = (f"with no {texts} about “{part}”" if clause.negate else f"with {texts} about “{part}”") + \
                    (f" {when}" if when else "")
                plan.conds += semantic_conditions(plan.entity, source, part, negate=clause.negate,  # type: ignore[arg-type]
                                                  model_name=self.settings.embedding_model, period=period, text=label,
                                                  pending=pending)
        except ValueError:  # "emails whose notes mention pricing": e-mails have no notes
            message_text = (f"{plan.entity.capitalize()} have no {source} of their own. Try: {source} about {phrase}.")
            return Answer(status="clarified", summary=message_text, suggestions=[f"{source} about {phrase}"],
                          error=AnswerError(code="not-understood", message=message_text))
        try:
            tree = self.nlq.guard(compile_plan(plan, self.nlq.catalog), scope)
            result = execute(self.nlq.engine, tree, timeout_ms=self.settings.query_timeout_ms,
                             row_cap=self.settings.query_row_cap, use_reader_role=self.nlq.reader_role)
        except CrmError as exc:
            return Answer(status="error", summary=exc.message, error=AnswerError(code=exc.code, message=exc.message))
        nlq_result = NlqResult("answered", message.text, plan=plan, sql=result.sql, result=result,
                               execute_ms=result.elapsed_ms)
        return self.answer_for(nlq_result, message.actor, scope)

    def _today(self, pinned: date | None) -> date:
        return self.nlq.today(pinned)

    def _period(self, when: str, pinned: date | None) -> tuple[str | None, str | None] | None:
        """A date phrase ("this year", "since March") as ISO bounds (start inclusive, end exclusive)."""
        tokens = tokenize(when)
        k = 0
        while k < len(tokens) and tokens[k].text in ("in", "during", "within", "over", "from", "the", "of"):
            k += 1
        lead = k < len(tokens) and tokens[k].text in ("since", "after", "before", "until")
        today = self._today(pinned)
        found = match_date(tokens, k + lead, today) if k + lead < len(tokens) else None
        if found is None:
            return None
        rng = bounded_range(found[0], tokens[k].text, today) if lead else found[0]
        end = None if rng.upto_now else rng.end
        return (rng.start.isoformat() if rng.start else None, end.isoformat() if end else None)


def _names_where(question: SearchQuestion) -> bool:
    """The question names whose texts, or when: without words to look for, those texts are the answer."""
    f = question.filters
    return f.names_a_record or f.author_id is not None or f.date_from is not None or f.date_to is not None


def _nothing_to_look_for(question: SearchQuestion) -> Answer:
    """'emails about' with nothing after it: ask what to look for instead of searching the scaffolding."""
    noun = {"note": "notes", "email": "emails"}.get(question.filters.kind or "", "notes or emails")
    message = f"What should the {noun} be about? Name a topic, for example “{noun} about pricing”."
    return Answer(status="clarified", summary=message,
                  suggestions=[f"{noun} about pricing", f"{noun} mentioning a competitor"],
                  error=AnswerError(code="empty-search-query", message=message))


def _unknown_author(question: SearchQuestion) -> Answer:
    """'notes by Sarah' with no user named Sarah: ask back rather than search all authors or for the name."""
    message = f"I don't know a user named '{question.unknown_author}', so I can't tell whose notes or emails you mean."
    return Answer(status="clarified", summary=message,
                  suggestions=[question.without_author] if question.without_author else [],
                  error=AnswerError(code="unknown-author", message=message))


# "notes about competitors but not pricing": a topic ruled out inside the words to match
_TOPIC_RULED_OUT = re.compile(r"\b(?:but|and)\s+not\b|\bexcept\b|\bexcluding\b|\bother than\b",
                              re.IGNORECASE)


_RECORD_WORDS = frozenset({"deals", "deal", "accounts", "account", "contacts", "contact", "customers", "customer",
                           "pipeline", "leads", "opportunities", "things", "everything", "team", "stuff"})


def _whose_news(question: str) -> Answer:
    """'anything new with my deals': news is a record's newest notes and emails; ask which record."""
    message = (f"Whose news? Name an account or a contact ('{question.strip()}' names neither), for example "
               f"“anything new with <account name>”, or ask for “notes from this week”.")
    return Answer(status="clarified", summary=message, suggestions=["notes from this week", "emails from this week"],
                  error=AnswerError(code="not-understood", message=message))


def _topic_ruled_out(topic: str) -> Answer:
    """A search cannot leave one topic out of another's matches: matching the words would find both."""
    wanted = _TOPIC_RULED_OUT.split(topic, maxsplit=1)[0].strip(" ,")
    message = (f"I can't leave a topic out of a search ('{topic}'): matching those words would find texts about "
               f"both. Search for '{wanted}' on its own, or ask for records whose notes don't mention a topic.")
    return Answer(status="clarified", summary=message,
                  suggestions=[f"notes about {wanted}"] if wanted else [],
                  error=AnswerError(code="negation-unclear", message=message))


_COUNTING = re.compile(r"\b(how many|count|number of)\b", re.IGNORECASE)


def _recent_answer(result: SearchResult, described: list[str]) -> Answer:
    """The newest texts of a record, when the question named the record and nothing to look for in it."""
    where = "; ".join(described)
    if not result.hits:
        return Answer(status="answered", summary=f"No notes or emails you can see ({where}).", columns=COLUMNS,
                      rows=[], row_count=0, explanation=_EXPLANATION_RECENT)
    rows = _rows(result)
    noun = _texts_noun({h.kind for h in result.hits})
    return Answer(status="answered", summary=f"The {len(rows)} newest {noun} ({where}).", columns=COLUMNS,
                  rows=rows, row_count=len(rows), explanation=_EXPLANATION_RECENT)


def _texts_noun(kinds: set[str]) -> str:
    return "notes and emails" if len(kinds) == 2 else ("notes" if "note" in kinds else "emails")


def _rows(result: SearchResult) -> list[list[object]]:
    return [[h.id, h.kind, json_value(h.occurred_at), h.author, h.marked_snippet(), h.subject, h.contact_id,
             h.contact_name, h.account_id, h.account_name, h.deal_id, round(h.score, 4)] for h in result.hits]


def _passages_answer(result: SearchResult, described: list[str]) -> Answer:
    where = f" ({'; '.join(described)})" if described else ""
    if not result.hits:
        summary = f"No notes or emails you can see match “{result.query}”{where}."
        return Answer(status="answered", summary=summary, columns=COLUMNS, rows=[], row_count=0,
                      suggestions=[f"notes about {result.query}", f"emails about {result.query}"],
                      explanation=_EXPLANATION)
    kinds = {h.kind for h in result.hits}
    noun = _texts_noun(kinds)
    best = result.hits[0]
    lead = (f"The one {noun[:-1]} that matches" if len(result.hits) == 1
            else f"The {len(result.hits)} {noun} that best match")
    summary = f"{lead} “{result.query}”{where}."
    if best.occurred_at:
        summary += f" Best: {best.author or 'unknown author'}, {best.occurred_at:%Y-%m-%d}: “{best.marked_snippet()}”"
    rows = _rows(result)
    return Answer(status="answered", summary=summary, columns=COLUMNS, rows=rows, row_count=len(rows),
                  explanation=_EXPLANATION, suggestions=_suggestions(result.query, kinds))


_EXPLANATION_RECENT = "The newest notes and emails you may see that belong to what the question named, by date."
_EXPLANATION = ("Hybrid search over the notes and emails you may see: passages ranked by meaning (sentence "
                "embeddings in an HNSW index) and by keywords (full-text search), the two rankings fused by "
                "reciprocal rank. Words of your question found in a passage are in bold.")


def _suggestions(text: str, kinds: set[str]) -> list[str]:
    out = [f"notes about {text} last month", f"emails about {text}"]
    if kinds == {"email"}:
        out = [f"notes about {text}", f"emails about {text} this quarter"]
    return out


def register_search(router: Router, engine: Engine, settings: Settings, nlq: NlqEngine,
                    answer_for: AnswerFor) -> SearchSkill:
    """Plug search into `router` (until then the ``search`` intent answers "not available yet")."""
    skill = SearchSkill(engine, settings, nlq, answer_for)
    router.register("search", skill)
    return skill
