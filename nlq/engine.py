"""The NLQ engine: question → plan (or SQL) → guarded tree → read-only execution, for one user.

Holds what is loaded once per process (catalog, lexicon, read-only role) so each question costs
only parsing, compiling, guarding and the query itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlglot import exp

from crm_core.errors import CrmError
from crm_core.scope import Actor, visible_owner_ids
from crm_core.settings import Settings
from nlq.catalog import Catalog, load_catalog
from nlq.compiler import compile_plan
from nlq.executor import QueryResult, ensure_reader_role, execute
from nlq.guard import ScopeFilter, guard_sql
from nlq.lexicon import Lexicon, build_lexicon
from nlq.parser import ParseContext, ParseOutcome, parse_question
from nlq.plan import QueryPlan
from nlq.semantic import PhraseMatcher

_log = logging.getLogger(__name__)
Status = Literal["answered", "refused", "clarified", "error"]


@dataclass
class NlqResult:
    status: Status
    question: str
    plan: QueryPlan | None = None
    sql: str | None = None
    result: QueryResult | None = None
    message: str = ""
    code: str = ""
    suggestions: list[str] = field(default_factory=list)
    is_follow_up: bool = False
    translator: str = "parser"
    understand_ms: float = 0.0
    execute_ms: float = 0.0


class NlqEngine:
    """Answers questions for acting users against one database."""

    def __init__(self, engine: Engine, settings: Settings, catalog: Catalog | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.catalog = catalog or load_catalog()
        self.catalog.refresh_from_database(engine)
        self.lexicon: Lexicon = build_lexicon(self.catalog)
        self.reader_role = ensure_reader_role(engine, self.catalog)
        self.phrases = PhraseMatcher(self.lexicon, settings.embedding_model)

    def today(self, pinned: date | None = None) -> date:
        return pinned or self.settings.today or date.today()

    def scope_of(self, actor: Actor) -> ScopeFilter:
        with Session(self.engine) as session:
            return ScopeFilter(visible_owner_ids(session, actor))

    def understand(self, question: str, actor: Actor, *, previous: QueryPlan | None = None,
                   today: date | None = None) -> ParseOutcome:
        ctx = ParseContext(
            catalog=self.catalog, lexicon=self.lexicon, today=self.today(today), actor_id=actor.id,
            actor_team_id=actor.team_id, actor_role=actor.role, previous=previous,
            resolve_contacts=lambda phrases: self._contacts_named(phrases, actor),
            similar_phrases=self._similar,
        )
        return parse_question(question, ctx)

    def _similar(self, text: str) -> list[str]:
        try:
            return [phrase for phrase, _score in self.phrases.nearest(text, k=2)]
        except Exception:  # suggestions are a courtesy; a missing model must not break the answer
            _log.exception("phrase matcher unavailable")
            return []

    def _contacts_named(self, phrases: list[str], actor: Actor) -> dict[str, list[int]]:
        """Contacts whose full name is one of `phrases`, among those the user may see (one query)."""
        owners = self.scope_of(actor).owner_ids
        sql = ("SELECT lower(first_name || ' ' || last_name) AS name, id FROM contacts "
               "WHERE lower(first_name || ' ' || last_name) = ANY(%(names)s)")
        params: dict[str, object] = {"names": phrases}
        if owners is not None:
            sql += " AND owner_id = ANY(%(owners)s)"
            params["owners"] = sorted(owners)
        found: dict[str, list[int]] = {}
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cur:
                cur.execute(sql, params)
                for name, contact_id in cur.fetchall():
                    found.setdefault(name, []).append(contact_id)
            raw.rollback()
        finally:
            raw.close()
        return found

    def guard(self, sql: str | exp.Expression, scope: ScopeFilter) -> exp.Expression:
        return guard_sql(sql, catalog=self.catalog, scope=scope, row_cap=self.settings.query_row_cap)

    def run(self, question: str, actor: Actor, *, previous: QueryPlan | None = None,
            today: date | None = None, scope: ScopeFilter | None = None) -> NlqResult:
        """Answer one question; every failure becomes a status with a stable code, never an exception."""
        started = time.perf_counter()
        try:
            outcome = self.understand(question, actor, previous=previous, today=today)
        except Exception:  # a parser bug must cost a question back, never a crash or a wrong answer
            _log.exception("parser failed on a question")
            outcome = ParseOutcome("clarify", code="not-understood",
                                   message="I couldn't work that question out. Could you rephrase it?")
        if outcome.status != "planned":
            status: Status = "refused" if outcome.status == "refuse" else "clarified"
            return NlqResult(status, question, message=outcome.message, code=outcome.code,
                             suggestions=outcome.suggestions,
                             understand_ms=(time.perf_counter() - started) * 1000)
        scope = scope or self.scope_of(actor)
        try:
            if outcome.raw_sql is not None:
                tree = self.guard(outcome.raw_sql, scope)
            else:
                assert outcome.plan is not None
                tree = self.guard(compile_plan(outcome.plan, self.catalog), scope)
        except CrmError as exc:
            return NlqResult("refused", question, message=exc.message, code=exc.code,
                             understand_ms=(time.perf_counter() - started) * 1000)
        understood = time.perf_counter()
        return self._execute(question, tree, outcome, started, understood)

    def run_sql(self, sql: str, actor: Actor) -> NlqResult:
        """Run SQL a user wrote or edited, through the same guard and scope."""
        started = time.perf_counter()
        try:
            tree = self.guard(sql, self.scope_of(actor))
        except CrmError as exc:
            return NlqResult("refused", sql, message=exc.message, code=exc.code)
        return self._execute(sql, tree, ParseOutcome("planned", raw_sql=sql), started, time.perf_counter())

    def _execute(self, question: str, tree: exp.Expression, outcome: ParseOutcome, started: float,
                 understood: float) -> NlqResult:
        try:
            result = execute(self.engine, tree, timeout_ms=self.settings.query_timeout_ms,
                             row_cap=self.settings.query_row_cap, use_reader_role=self.reader_role)
        except CrmError as exc:
            return NlqResult("error", question, plan=outcome.plan, sql=tree.sql("postgres"), message=exc.message,
                             code=exc.code, understand_ms=(understood - started) * 1000)
        return NlqResult("answered", question, plan=outcome.plan, sql=result.sql, result=result,
                         is_follow_up=outcome.is_follow_up, understand_ms=(understood - started) * 1000,
                         execute_ms=result.elapsed_ms)
