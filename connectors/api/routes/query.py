"""POST /v1/query: a question in, the channel-neutral answer object out (scoped to the key's user)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assistant.answer import Answer
from assistant.service import Assistant
from connectors.api.deps import CurrentActor

router = APIRouter(prefix="/v1", tags=["query"])


class QueryRequest(BaseModel):
    question: str = Field(..., max_length=20_000, description="The question in plain language.")
    conversation_id: str | None = Field(None, max_length=200, description="Continue an earlier conversation.")
    translator: Literal["parser", "llm", "auto"] | None = Field(
        None, description="Who turns the question into SQL for this call: the built-in parser, the configured "
                          "language model, or auto (parser first, the model when the parser would ask back). "
                          "Default: the server's `translator` setting.")


class SqlRequest(BaseModel):
    sql: str = Field(..., max_length=20_000, description="A SELECT statement; it passes the same guard.")


def _assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


@router.post("/query", response_model=Answer, summary="Ask a question")
def query(body: QueryRequest, actor: CurrentActor, request: Request) -> Answer:
    """Answer a question as the API key's user. Refusals and questions back are answers too
    (`status` says which); only authentication and malformed requests are HTTP errors."""
    return _assistant(request).ask(body.question, actor, channel="api", conversation_id=body.conversation_id,
                                   translator=body.translator)


@router.post("/sql", response_model=Answer, summary="Run a guarded SELECT")
def run_sql(body: SqlRequest, actor: CurrentActor, request: Request) -> Answer:
    """Run SQL (e.g. an edited answer's SQL) through the guard and the user's scope."""
    return _assistant(request).run_sql(body.sql, actor, channel="api")
