"""The NLQ engine: question → plan (or SQL) → guarded tree → read-only execution, for one user.

Holds what is loaded once per process (catalog, lexicon, read-only role, the LLM translator when it
is used) so each question costs only translating, compiling, guarding and the query itself. Whatever
the translator — the built-in parser or the LLM — its output passes the same guard and executor;
guard and database errors go back to a translator that can repair (the LLM) for a bounded number of
rounds, and after that the user gets a question back, never a broken answer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from sqlglot import exp

from crm_core.errors import CrmError
from crm_core.scope import Actor, visible_owner_ids
from crm_core.settings import Settings
from nlq.catalog import Catalog, load_catalog, vocabulary_signature
from nlq.compiler import CompileError, compile_plan
from nlq.embeddings import embed_query
from nlq.errors import NlqError, WriteNotAllowedError
from nlq.executor import QueryResult, ensure_reader_role, execute
from nlq.guard import ScopeFilter, guard_sql
from nlq.lexicon import Lexicon, build_lexicon
from nlq.llm.client import NO_KEY_MESSAGE, is_configured
from nlq.llm.errors import LlmUnavailableError
from nlq.parser import ParseContext, ParseOutcome, parse_question
from nlq.plan import QueryPlan
from nlq.semantic import PhraseMatcher
from nlq.translators import ParserTranslator, Translation, TranslationRequest, Translator, translator_name

if TYPE_CHECKING:
    from nlq.llm.prompts import PromptSet
    from nlq.llm.translator import LlmTranslator

_log = logging.getLogger(__name__)
VOCABULARY_CHECK_SECONDS = 30.0  # how stale a new account's or custom field's name may be

#: How close in meaning (cosine) a catalog phrase must be to an unknown word to be offered in its place:
#: "tradeshow" → "trade shows" (0.77), "clients" → "client" (0.89) pass; "month" → "date" (0.64),
#: "gmail" → "emails" (0.68), "Antarctica" → "brasil" (0.56) would be offers that mislead.
OFFER_MIN_SIMILARITY = 0.75
Status = Literal["answered", "refused", "clarified", "error"]
# Questions back from the parser that the model cannot improve on: nothing was asked, or not about data.
_NOT_FOR_THE_MODEL = frozenset({"empty-question", "advice-question"})


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
    model_ms: float = 0.0          # time spent waiting for the chat model (part of understand_ms)
    repair_rounds: int = 0
    prompt_tokens: int = 0         # of the last prompt sent to the model
    catalog_tokens: int = 0        # of the catalog part in it
    summary: str = ""              # the model's wording of the summary (llm_summaries), else empty
    llm_error_code: str = ""       # in auto: why the model's attempt was not used


class NlqEngine:
    """Answers questions for acting users against one database."""

    def __init__(self, engine: Engine, settings: Settings, catalog: Catalog | None = None, *,
                 chat_model: Any | None = None) -> None:
        """`chat_model` is any langchain chat model for the LLM translator; by default one is built
        from settings (an OpenAI-compatible endpoint) when a question first needs it."""
        self.engine = engine
        self.settings = settings
        self._default_catalog = catalog is None  # re-read into a fresh copy, swapped in whole
        self.catalog = catalog or load_catalog()
        self._vocabulary = vocabulary_signature(engine)
        self._vocabulary_checked = time.monotonic()
        self._vocabulary_lock = threading.Lock()
        self.catalog.refresh_from_database(engine)
        self.lexicon: Lexicon = build_lexicon(self.catalog)
        self.reader_role = ensure_reader_role(engine, self.catalog)
        self.phrases = PhraseMatcher(self.lexicon, settings.embedding_model)
        self.parser: Translator = ParserTranslator(self.understand)
        self._chat_model = chat_model
        self._llm: LlmTranslator | None = None
        self._llm_lock = threading.Lock()
        if settings.translator != "parser" or chat_model is not None:
            # read and check the prompt templates now: a broken template stops start-up, not a question
            from nlq.llm.prompts import load_prompts

            self._prompts: PromptSet | None = load_prompts(settings.llm_prompt_version)
        else:
            self._prompts = None
        if settings.translator != "parser" and self.llm_available():
            # embed the catalog chunks and examples now, so the first question does not wait for them
            threading.Thread(target=self._warm_llm, name="llm-warm-up", daemon=True).start()

    def warm(self) -> None:
        """Do now what a first question would otherwise wait for: the catalog phrases' vectors and the
        traced single-text encoder."""
        self.phrases.warm()
        embed_query("how many open deals", name=self.settings.embedding_model)

    # -- translators -------------------------------------------------------------------------------

    def _warm_llm(self) -> None:
        try:
            self.llm().warm()
        except Exception:  # a question will report the problem with its code; start-up goes on
            _log.exception("the LLM translator could not be prepared")

    def llm_available(self) -> bool:
        """Whether the LLM translator can be used (a chat model was given, or an API key is set)."""
        return self._chat_model is not None or is_configured(self.settings)

    def llm(self) -> LlmTranslator:
        """The LLM translator, built once; raises `LlmUnavailableError` (llm-unavailable) when off."""
        if self._llm is None:
            if not self.llm_available():
                raise LlmUnavailableError(NO_KEY_MESSAGE)
            with self._llm_lock:
                if self._llm is None:
                    from nlq.llm import create_llm_translator

                    try:
                        self._llm = create_llm_translator(engine=self.engine, settings=self.settings,
                                                          catalog=self.catalog, chat_model=self._chat_model,
                                                          prompts=self._prompts)
                    except CrmError:
                        raise
                    except Exception as exc:  # a database or library failure while assembling it
                        _log.exception("the LLM translator could not be built")
                        raise LlmUnavailableError(
                            "The LLM translator could not be prepared (the server log says why); the built-in "
                            "parser still answers.") from exc
        return self._llm

    def today(self, pinned: date | None = None) -> date:
        return pinned or self.settings.today or date.today()

    def scope_of(self, actor: Actor) -> ScopeFilter:
        with Session(self.engine) as session:
            return ScopeFilter(visible_owner_ids(session, actor))

    def understand(self, question: str, actor: Actor, *, previous: QueryPlan | None = None,
                   today: date | None = None, scope: ScopeFilter | None = None) -> ParseOutcome:
        """Parse a question; `scope` (the asker's, when the caller has it) saves looking it up again
        for names, which are resolved among the records the asker may see."""

        @cache
        def owners() -> frozenset[int] | None:
            return (scope or self.scope_of(actor)).owner_ids

        self.keep_vocabulary_fresh()
        ctx = ParseContext(
            catalog=self.catalog, lexicon=self.lexicon, today=self.today(today), actor_id=actor.id,
            actor_team_id=actor.team_id, actor_role=actor.role, previous=previous,
            resolve_contacts=lambda phrases: self._contacts_named(phrases, owners()),
            visible_accounts=lambda ids: self._visible_accounts(ids, owners()),
            similar_phrases=self._similar,
        )
        return parse_question(question, ctx)

    def keep_vocabulary_fresh(self, *, wait: bool = False) -> bool:
        """Re-read names and custom fields when they changed ("deals at <an account created a minute ago>"):
        one digest query at most every `VOCABULARY_CHECK_SECONDS` (~11 ms on medium data), and on a change
        a re-read in the background (~0.5 s) swapped in whole, so no question waits for it (unless `wait`).
        True when a re-read was started."""
        now = time.monotonic()
        if not wait and now - self._vocabulary_checked < VOCABULARY_CHECK_SECONDS:
            return False
        if not self._vocabulary_lock.acquire(blocking=wait):
            return False  # another request is checking or re-reading
        self._vocabulary_checked = now
        try:
            signature = vocabulary_signature(self.engine)
        except Exception:  # a failed check must not fail the question; the next one tries again
            self._vocabulary_lock.release()
            _log.warning("vocabulary check failed", exc_info=True)
            return False
        if signature == self._vocabulary:
            self._vocabulary_lock.release()
            return False
        if wait:
            self._reread_vocabulary(signature)
        else:
            threading.Thread(target=self._reread_vocabulary, args=(signature,), name="vocabulary", daemon=True).start()
        return True

    def _reread_vocabulary(self, signature: str) -> None:
        """Build the catalog and lexicon again and swap them in (the lock taken by the check is released)."""
        try:
            catalog = load_catalog() if self._default_catalog else self.catalog
            catalog.refresh_from_database(self.engine)
            lexicon = build_lexicon(catalog)
            self.catalog, self.lexicon, self._vocabulary = catalog, lexicon, signature
            _log.info("vocabulary re-read: names or custom fields changed")
        except Exception:
            _log.exception("vocabulary re-read failed; the previous one stays")
        finally:
            self._vocabulary_lock.release()

    def _similar(self, text: str) -> list[str]:
        try:
            return [phrase for phrase, _score in self.phrases.nearest(text, k=2, min_score=OFFER_MIN_SIMILARITY)]
        except Exception:  # suggestions are a courtesy; a missing model must not break the answer
            _log.exception("phrase matcher unavailable")
            return []

    def _contacts_named(self, phrases: list[str], owners: frozenset[int] | None) -> dict[str, list[int]]:
        """Contacts whose full name is one of `phrases`, among those of `owners` (None: all; one query)."""
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

    def _visible_accounts(self, ids: list[int], owners: frozenset[int] | None) -> list[int]:
        """The accounts among `ids` owned by `owners` (None: all; accounts are scoped by owner)."""
        if owners is None or not ids:
            return list(ids)
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT id FROM accounts WHERE id = ANY(:ids) AND owner_id = ANY(:owners) "
                                     "ORDER BY id"), {"ids": list(ids), "owners": sorted(owners)})
            return [int(r[0]) for r in rows]

    def guard(self, sql: str | exp.Expression, scope: ScopeFilter) -> exp.Expression:
        return guard_sql(sql, catalog=self.catalog, scope=scope, row_cap=self.settings.query_row_cap)

    def run(self, question: str, actor: Actor, *, previous: QueryPlan | None = None,
            today: date | None = None, scope: ScopeFilter | None = None, translator: str | None = None) -> NlqResult:
        """Answer one question; every failure becomes a status with a stable code, never an exception.

        `translator` is parser, llm or auto; None uses the `translator` setting. In auto the parser
        goes first, and the model gets the question when the parser would ask back; whichever
        answered is named in `NlqResult.translator`.
        """
        started = time.perf_counter()
        try:
            choice = translator_name(translator or self.settings.translator)
        except CrmError as exc:
            return NlqResult("error", question, message=exc.message, code=exc.code)
        request = TranslationRequest(question=question, actor=actor, today=self.today(today),
                                     scope=scope or self.scope_of(actor), previous=previous)
        if choice == "parser":
            return self._answer_with(self.parser, request, started)
        if choice == "llm":
            try:
                llm = self.llm()
            except CrmError as exc:
                return NlqResult("error", question, message=exc.message, code=exc.code, translator="llm",
                                 understand_ms=(time.perf_counter() - started) * 1000)
            return self._answer_with(llm, request, started)
        return self._auto(request, started)

    def _auto(self, request: TranslationRequest, started: float) -> NlqResult:
        """Parser first; the model when the parser asks back (its way of saying it is not sure)."""
        first = self._answer_with(self.parser, request, started)
        if first.status != "clarified" or first.code in _NOT_FOR_THE_MODEL or not self.llm_available():
            return first
        try:
            second = self._answer_with(self.llm(), request, time.perf_counter())
        except CrmError as exc:  # building the translator failed (e.g. a broken prompt file)
            return _fall_back(first, exc.code, exc.message)
        second.understand_ms += first.understand_ms
        if second.status in ("answered", "refused") or second.code == "llm-asked-back":
            second.suggestions = second.suggestions or first.suggestions
            return second
        return _fall_back(first, second.code, second.message, model_ms=second.model_ms)

    def _answer_with(self, translator: Translator, request: TranslationRequest, started: float) -> NlqResult:
        """Translate, guard and execute; hand failures back to the translator while it can repair."""
        question, name = request.question, translator.name

        def elapsed() -> float:
            return (time.perf_counter() - started) * 1000

        try:
            translation = translator.translate(request)
        except CrmError as exc:
            return NlqResult("error", question, message=exc.message, code=exc.code, translator=name,
                             understand_ms=elapsed())
        except Exception:  # a bug in a translator costs this question, not the process
            _log.exception("%s translator failed on a question", name)
            return NlqResult("error", question, code="translator-failed", translator=name,
                             message="Something went wrong while translating the question. Please try again.",
                             understand_ms=elapsed())
        rounds = 0
        while True:
            outcome = translation.outcome
            failure: CrmError | None = translation.error
            if failure is None and outcome.status != "planned":
                status: Status = "refused" if outcome.status == "refuse" else "clarified"
                return _stamped(NlqResult(status, question, message=outcome.message, code=outcome.code,
                                          suggestions=outcome.suggestions, understand_ms=elapsed()),
                                name, rounds, translation)
            tree: exp.Expression | None = None
            if failure is None:
                try:
                    if outcome.raw_sql is not None:
                        tree = self.guard(outcome.raw_sql, request.scope)
                    else:
                        assert outcome.plan is not None
                        tree = self.guard(compile_plan(outcome.plan, self.catalog), request.scope)
                except CrmError as exc:
                    failure = exc
                except CompileError as exc:  # a plan the catalog cannot express: a parser gap, said plainly
                    _log.warning("could not compile the plan for %r: %s", question, exc)
                    failure = NlqError("I couldn't build a query for that question. Try naming the records "
                                       "another way, or ask in two steps.", code="cannot-plan")
            if tree is not None:
                understood = time.perf_counter()
                try:
                    data = execute(self.engine, tree, timeout_ms=self.settings.query_timeout_ms,
                                   row_cap=self.settings.query_row_cap, use_reader_role=self.reader_role)
                except CrmError as exc:
                    if rounds >= translator.max_repair_rounds:
                        return _stamped(NlqResult("error", question, plan=outcome.plan, sql=tree.sql("postgres"),
                                                  message=exc.message, code=exc.code,
                                                  understand_ms=(understood - started) * 1000),
                                        name, rounds, translation)
                    failure = exc
                else:
                    result = _stamped(NlqResult("answered", question, plan=outcome.plan, sql=data.sql, result=data,
                                                is_follow_up=outcome.is_follow_up,
                                                understand_ms=(understood - started) * 1000,
                                                execute_ms=data.elapsed_ms),
                                      name, rounds, translation)
                    if name == "llm" and self.settings.llm_summaries:
                        result.summary = self.llm().summarize(question, [c.name for c in data.columns],
                                                              data.row_count, data.truncated)
                    return result
            assert failure is not None
            if isinstance(failure, WriteNotAllowedError) or rounds >= translator.max_repair_rounds:
                return _stamped(_gave_up(name, translator.max_repair_rounds, question, failure, elapsed()),
                                name, rounds, translation)
            rounds += 1
            try:
                translation = translator.repair(request, translation, failure)
            except CrmError as exc:
                return _stamped(NlqResult("error", question, message=exc.message, code=exc.code,
                                          understand_ms=elapsed()), name, rounds, translation)

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


def _stamped(result: NlqResult, name: str, rounds: int, translation: Translation) -> NlqResult:
    """Record which translator answered, after how many repairs, and what the model cost."""
    result.translator = name
    result.repair_rounds = rounds
    result.model_ms = translation.model_ms
    result.prompt_tokens = translation.prompt_tokens
    result.catalog_tokens = translation.catalog_tokens
    return result


def _gave_up(name: str, max_rounds: int, question: str, failure: CrmError, elapsed_ms: float) -> NlqResult:
    """A query that may not run: refused when it writes or nobody can repair it, else a question back."""
    if max_rounds == 0 or isinstance(failure, WriteNotAllowedError):
        prefix = "The query the language model wrote was not run: " if name == "llm" else ""
        return NlqResult("refused", question, message=prefix + failure.message, code=failure.code,
                         understand_ms=elapsed_ms)
    return NlqResult(
        "clarified", question, code="llm-repair-exhausted", understand_ms=elapsed_ms,
        message=(f"I couldn't write a query for that which passes the checks (last problem: {failure.message}) "
                 "Could you rephrase the question, or name the records and fields you mean?"))


_WHY_NOT_THE_MODEL = {
    "llm-timeout": "it did not answer in time",
    "llm-failed": "its endpoint failed",
    "llm-repair-exhausted": "none of its queries passed the checks",
    "llm-no-sql": "its reply held no query",
}


def _fall_back(parser_result: NlqResult, code: str, reason: str, *, model_ms: float = 0.0) -> NlqResult:
    """The parser's question back, saying in a few words why the model's attempt is not the answer."""
    parser_result.llm_error_code = code
    parser_result.model_ms = model_ms
    why = _WHY_NOT_THE_MODEL.get(code) or reason[:1].lower() + reason[1:].rstrip(".")
    parser_result.message = f"{parser_result.message} (The language model was asked too, but {why}.)"
    return parser_result
