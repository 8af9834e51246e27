"""The assistant: one message + conversation state → one `Answer`, recorded in the audit trail."""

from __future__ import annotations

import logging
import time
import unicodedata
from datetime import date

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from assistant.answer import Answer, AnswerColumn, AnswerError, json_rows
from assistant.conversation import ConversationStore
from assistant.explain import chart_for, explain, measure_format, suggestions_for, summarize
from assistant.router import Message, Router
from assistant.search import register_search
from assistant.skills import register_skills
from crm_core.errors import CrmError
from crm_core.models import QueryLog
from crm_core.scope import Actor
from crm_core.settings import Settings
from nlq.catalog import Catalog
from nlq.engine import NlqEngine, NlqResult
from nlq.parsing.follow_ups import remember_shown

_log = logging.getLogger(__name__)


class Assistant:
    """Shared by every channel; holds the loaded NLQ engine."""

    def __init__(self, engine: Engine, settings: Settings, nlq: NlqEngine | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.nlq = nlq or NlqEngine(engine, settings)
        self.conversations = ConversationStore(engine)
        # Search, scoring and send-time capabilities plug in here: `assistant.router.register(...)`.
        self.router = Router(self.nlq.catalog)
        self.search = register_search(self.router, engine, settings, self.nlq, self._answer)
        register_skills(self.router, engine, settings)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def ask(self, question: str, actor: Actor, *, channel: str = "api", conversation_id: str | None = None,
            today: date | None = None, audit: bool = True, translator: str | None = None) -> Answer:
        """Answer a question in a conversation (a new one when no id is given).

        `translator` (parser, llm or auto) overrides the `translator` setting for this question.
        """
        started = time.perf_counter()
        conversation_id = conversation_id or ConversationStore.new_id()
        state = self.conversations.load(channel, conversation_id, actor.id)

        def query(message: Message) -> Answer:
            scope = self.nlq.scope_of(actor)
            result = self.nlq.run(message.text, actor, previous=state.last_plan, today=today, scope=scope,
                                  translator=translator)
            if result.status == "answered" and result.plan is not None:
                shown = result.result
                state.last_plan = result.plan if shown is None else \
                    remember_shown(self.nlq.catalog, result.plan, [c.name for c in shown.columns], shown.rows)
            return self._answer(result, actor, scope)

        # compatibility forms read as their plain letters and digits ("ＳＨＯＷ ＤＥＡＬＳ", "ﬁrst 5 deals")
        message = Message(text=unicodedata.normalize("NFKC", question), actor=actor, channel=channel,
                          conversation_id=conversation_id, today=today)
        try:
            intent, answer = self.router.route(message, query=query)
        except CrmError:
            raise
        except Exception:  # every channel gets an answer; the cause goes to the log, not to the user
            _log.exception("unexpected failure answering %r", question[:200])
            intent = "error"
            answer = Answer(status="error", summary="Something went wrong while answering that. It has been "
                                                    "logged; try asking another way.",
                            error=AnswerError(code="internal-error", message="unexpected failure"))
        answer.conversation_id = conversation_id
        answer.latency_ms = (time.perf_counter() - started) * 1000
        state.history.append({"question": storable(question)[:500], "status": answer.status, "intent": intent})
        self.conversations.save(state, actor.id)
        if audit:
            self._record(actor, channel, question, answer)
        return answer

    def run_sql(self, sql: str, actor: Actor, *, channel: str = "web") -> Answer:
        """Run edited SQL through the same guard and scope (the widget's 'edit and run')."""
        started = time.perf_counter()
        result = self.nlq.run_sql(sql, actor)
        answer = self._answer(result, actor, self.nlq.scope_of(actor))
        answer.latency_ms = (time.perf_counter() - started) * 1000
        self._record(actor, channel, sql, answer)
        return answer

    def _answer(self, result: NlqResult, actor: Actor, scope: object) -> Answer:
        catalog = self.nlq.catalog
        if result.status != "answered" or result.result is None:
            return Answer(
                status=result.status, summary=result.message, sql=result.sql, suggestions=result.suggestions,
                error=AnswerError(code=result.code, message=result.message) if result.code else None,
                translator=result.translator,
            )
        data = result.result
        labels = _labels(result, catalog)
        explanation = explain(result.plan, scope, actor.role)  # type: ignore[arg-type]
        if result.translator == "llm":
            explanation = explanation.replace("ran the SQL as written", "ran the SQL the language model wrote", 1)
        return Answer(
            status="answered",
            summary=result.summary or summarize(result, catalog),
            columns=_columns(result, catalog, labels),
            rows=json_rows(data.rows),
            row_count=data.row_count,
            truncated=data.truncated,
            sql=data.sql,
            chart=chart_for(result),
            suggestions=suggestions_for(result.plan, catalog),
            explanation=explanation,
            definitions=result.plan.definitions if result.plan else [],
            translator=result.translator,
        )

    def _record(self, actor: Actor, channel: str, question: str, answer: Answer) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                relaxed_commit(session)
                session.add(QueryLog(
                    user_id=actor.id or None, channel=channel, question=storable(question)[:4000], sql=answer.sql,
                    row_count=answer.row_count if answer.status == "answered" else None,
                    latency_ms=answer.latency_ms, outcome=answer.status,
                    error_code=answer.error.code if answer.error else None,
                ))
        except Exception:  # the audit trail must never take an answer down with it
            _log.exception("could not record the query log")


def relaxed_commit(session: Session) -> None:
    """Audit rows and conversation state need no fsync wait: a crash may lose the last few, never corrupt."""
    session.execute(text("SET LOCAL synchronous_commit = off"))


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; hostile input is stored with it made visible."""
    return text.replace("\x00", "\\0")


def _columns(result: NlqResult, catalog: Catalog, labels: dict[str, str]) -> list[AnswerColumn]:
    """The answer's columns, labelled from the catalog; an aggregate's figure (its last column) says how it
    reads (a win rate is a percentage, a pipeline value money)."""
    data = result.result
    assert data is not None
    figure = measure_format(result.plan, catalog) if result.plan is not None and result.plan.measures else None
    return [AnswerColumn(name=c.name, label=labels.get(c.name, c.name.replace("_", " ").capitalize()), type=c.type,
                         format=figure if i == len(data.columns) - 1 else None) for i, c in enumerate(data.columns)]


def _labels(result: NlqResult, catalog: Catalog) -> dict[str, str]:
    """Column labels from the catalog: the plan's entity first, then any table (edited SQL has no plan)."""
    entities = list(catalog.entities.values())
    if result.plan is not None:
        entities.insert(0, catalog.entities[result.plan.entity])
    labels: dict[str, str] = {}
    for entity in reversed(entities):
        labels.update({name: entity.label_of(name) for name in [*entity.columns, *entity.computed]})
    return labels