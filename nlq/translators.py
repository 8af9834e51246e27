"""The translator interface: a question (plus who asks, today and the last plan) → a plan or SQL.

Two implementations share it: the built-in parser (`ParserTranslator`, offline and deterministic)
and the LLM translator (`nlq.llm.LlmTranslator`). Neither runs anything: the engine puts whatever
they produce through the same guard and executor, and hands guard or database errors back through
`repair()` — the parser cannot repair (it would give the same answer again); the model gets the
error text for a bounded number of rounds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol, get_args

from crm_core.errors import CrmError
from crm_core.scope import Actor
from nlq.errors import NlqError
from nlq.guard import ScopeFilter
from nlq.parser import ParseOutcome
from nlq.plan import QueryPlan

_log = logging.getLogger(__name__)
TranslatorName = Literal["parser", "llm", "auto"]
TRANSLATORS: tuple[str, ...] = get_args(TranslatorName)


class UnknownTranslatorError(NlqError):
    code = "unknown-translator"


def translator_name(value: str) -> TranslatorName:
    """Validate a translator choice (settings, CLI, API).

    >>> translator_name("LLM")
    'llm'
    """
    name = value.strip().lower()
    if name not in TRANSLATORS:
        raise UnknownTranslatorError(f"There is no translator '{value}'; choose one of {', '.join(TRANSLATORS)}.")
    return name  # type: ignore[return-value]


@dataclass(frozen=True)
class TranslationRequest:
    """Everything a translator may use: the question, the acting user and their scope, today, the last plan."""

    question: str
    actor: Actor
    today: date
    scope: ScopeFilter
    previous: QueryPlan | None = None


@dataclass
class Translation:
    """A translator's answer.

    `outcome` is a plan, SQL, a question back or a refusal. `error` is a problem found before the
    guard (a reply without SQL) that the translator may still repair. `history` is the translator's
    own record of the exchange, opaque to the engine, so that `repair()` can continue it.
    """

    outcome: ParseOutcome
    error: CrmError | None = None
    history: list[Any] = field(default_factory=list)
    model_ms: float = 0.0
    prompt_tokens: int = 0
    catalog_tokens: int = 0


class Translator(Protocol):
    """What the engine needs of a translator."""

    name: str
    max_repair_rounds: int

    def translate(self, request: TranslationRequest) -> Translation:
        """Translate a question; may raise a `CrmError` (e.g. the model is unreachable)."""
        ...

    def repair(self, request: TranslationRequest, failed: Translation, error: CrmError) -> Translation:
        """Try again after `error` (from the guard, the database or reading the reply)."""
        ...


class ParserTranslator:
    """The built-in semantic parser behind the translator interface."""

    name = "parser"
    max_repair_rounds = 0   # deterministic: the same question gives the same plan

    def __init__(self, understand: Callable[..., ParseOutcome]) -> None:
        self._understand = understand

    def translate(self, request: TranslationRequest) -> Translation:
        try:
            outcome = self._understand(request.question, request.actor, previous=request.previous,
                                       today=request.today, scope=request.scope)
        except Exception:  # a parser bug must cost a question back, never a crash or a wrong answer
            _log.exception("parser failed on a question")
            outcome = ParseOutcome("clarify", code="not-understood",
                                   message="I couldn't work that question out. Could you rephrase it?")
        return Translation(outcome=outcome)

    def repair(self, request: TranslationRequest, failed: Translation, error: CrmError) -> Translation:
        raise error
