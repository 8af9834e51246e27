"""The LLM translator: question → prompt (pruned catalog, scope, examples) → chat model → SQL.

What the model is sent: the question, the previous query of the conversation (SQL, no rows), the
relevant catalog part, the asker's scope as user and team ids, worked examples from the dev suite,
and on a repair round the guard's or the database's error text (quoted values blanked). Result
rows are never sent; with `llm_summaries` on, the model also phrases the summary from the column
names and the row count.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from crm_core.errors import CrmError
from crm_core.scope import Actor
from crm_core.settings import Settings
from nlq.catalog import Catalog
from nlq.compiler import compile_plan
from nlq.dates import midnight
from nlq.errors import QueryFailedError, QueryTimeoutError
from nlq.guard import ScopeFilter
from nlq.llm.client import call_model
from nlq.llm.errors import LlmError, LlmReplyError
from nlq.llm.prompts import PromptSet
from nlq.llm.reply import read_reply, redact
from nlq.llm.retrieval import Retriever, Selection
from nlq.llm.tokens import count_tokens
from nlq.parser import ParseOutcome
from nlq.translators import Translation, TranslationRequest

_log = logging.getLogger(__name__)


class LlmTranslator:
    """Implements `nlq.translators.Translator` with a langchain chat model."""

    name = "llm"

    def __init__(self, *, chat_model: Any, prompts: PromptSet, retriever: Retriever, catalog: Catalog,
                 settings: Settings) -> None:
        self.chat_model = chat_model
        self.prompts = prompts
        self.retriever = retriever
        self.catalog = catalog
        self.settings = settings
        self.max_repair_rounds = max(0, settings.llm_max_repair_rounds)

    def warm(self) -> None:
        """Embed the catalog chunks and examples now rather than on the first question."""
        self.retriever.warm()

    # -- the translator interface ------------------------------------------------------------------

    def translate(self, request: TranslationRequest) -> Translation:
        messages, selection = self.build_messages(request)
        return self._ask(messages, selection.catalog_tokens)

    def repair(self, request: TranslationRequest, failed: Translation, error: CrmError) -> Translation:
        stage = ("database" if isinstance(error, (QueryFailedError, QueryTimeoutError))
                 else "reply reader" if isinstance(error, LlmReplyError) else "query checker")
        message = redact(error.message, failed.outcome.raw_sql) if stage == "database" else error.message
        note = self.prompts.render("repair", stage=stage, code=error.code, message=message)
        translation = self._ask([*failed.history, HumanMessage(note)], failed.catalog_tokens)
        translation.model_ms += failed.model_ms
        return translation

    # -- prompts -----------------------------------------------------------------------------------

    def build_messages(self, request: TranslationRequest,
                       selection: Selection | None = None) -> tuple[list[BaseMessage], Selection]:
        """The system and user messages for a question, and what retrieval picked for them."""
        selection = selection or self.retriever.select(request.question)
        now = midnight(request.today)
        catalog_text = selection.catalog_text.replace("@now", now.strftime("%Y-%m-%d %H:%M:%S+00"))
        examples = "\n\n".join(f"Q: {e.question}\n```sql\n{e.sql}\n```" for e in selection.examples) or "(none)"
        system = self.prompts.render(
            "system", today=request.today.isoformat(), weekday=request.today.strftime("%A"),
            now=now.strftime("%Y-%m-%d %H:%M:%S+00"), row_cap=self.settings.query_row_cap,
            scope=describe_scope(request.actor, request.scope), catalog=catalog_text, examples=examples)
        user = self.prompts.render("user", previous=self._previous(request), question=request.question)
        return [SystemMessage(system), HumanMessage(user)], selection

    def _previous(self, request: TranslationRequest) -> str:
        """The conversation's last query as SQL, so follow-ups ("only the ones in Texas") can refine it."""
        if request.previous is None:
            return ""
        try:
            sql = compile_plan(request.previous, self.catalog).sql("postgres")
        except Exception:  # an old plan the compiler no longer takes: the model works without it
            _log.info("previous plan not compilable; asking without it")
            return ""
        return f"The previous query of this conversation (the question may refine it):\n```sql\n{sql}\n```\n\n"

    def _ask(self, messages: list[BaseMessage], catalog_tokens: int) -> Translation:
        reply, model_ms = call_model(self.chat_model, messages, timeout_s=self.settings.llm_timeout_s,
                                     base_url=self.settings.openai_base_url, model_name=self.settings.llm_model)
        history = [*messages, AIMessage(reply)]
        prompt_tokens = sum(count_tokens(str(m.content)) for m in messages)
        try:
            outcome = read_reply(reply)
        except LlmReplyError as exc:
            return Translation(outcome=ParseOutcome("planned"), error=exc, history=history, model_ms=model_ms,
                               prompt_tokens=prompt_tokens, catalog_tokens=catalog_tokens)
        return Translation(outcome=outcome, history=history, model_ms=model_ms, prompt_tokens=prompt_tokens,
                           catalog_tokens=catalog_tokens)

    # -- summaries ---------------------------------------------------------------------------------

    def summarize(self, question: str, columns: list[str], row_count: int, truncated: bool) -> str:
        """A one-line summary from the question, column names and row count only; "" if the model fails."""
        messages = [
            SystemMessage(self.prompts.render("summary_system")),
            HumanMessage(self.prompts.render(
                "summary_user", question=question, columns=", ".join(columns), row_count=row_count,
                truncated=" (cut at the row cap; there are more)" if truncated else "")),
        ]
        try:
            text, _ms = call_model(self.chat_model, messages, timeout_s=self.settings.llm_timeout_s,
                                   base_url=self.settings.openai_base_url, model_name=self.settings.llm_model)
        except LlmError as exc:  # the built-in wording is a fine fallback for a sentence
            _log.warning("summary not phrased by the model: %s", exc.code)
            return ""
        return " ".join(text.split())[:300]


def describe_scope(actor: Actor, scope: ScopeFilter) -> str:
    """The asker's scope in words and ids (no names: the model does not need to know who asks)."""
    me = f"user id {actor.id}"
    team = (f' "my team" means owner_id IN (SELECT id FROM users WHERE team_id = {actor.team_id}).'
            if actor.team_id is not None else "")
    if scope.is_unrestricted:
        who = f"{me}, an admin, who may see every record."
    elif actor.role == "manager":
        ids = ", ".join(str(i) for i in sorted(scope.owner_ids or ()))
        who = f"{me}, a manager, who may see records owned by the users of their team (user ids {ids})."
    else:
        who = f"{me}, a sales rep, who may see only records they own."
    return (f'{who} "my", "mine" and "I" mean owner_id = {actor.id} (author_id = {actor.id} for notes).{team} '
            "Records they may not see are removed automatically before the query runs, so add owner conditions "
            "only when the question asks for them.")
