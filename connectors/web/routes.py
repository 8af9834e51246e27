"""Widget endpoints: the demo page, sign-in (demo users or API key → signed session), streamed answers,
and running edited SQL through the same guard and scope."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from assistant.answer import Answer
from assistant.service import Assistant
from connectors.api.deps import CurrentActor, SettingsDep
from connectors.web.auth import DEMO_USERS, WidgetActor
from connectors.web.session import issue_session
from connectors.web.stream import answer_events, sse
from crm_core.errors import AuthError, NotFoundError
from crm_core.scope import Actor, actor_for

STATIC_DIR = Path(__file__).resolve().parent / "static"
_log = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])


class WidgetUser(BaseModel):
    email: str
    full_name: str
    role: str


class WidgetSession(BaseModel):
    token: str = Field(..., description="Send as 'Authorization: Bearer <token>' from the widget.")
    expires_at: int = Field(..., description="Unix time after which the token is refused.")
    user: WidgetUser


class DemoLoginRequest(BaseModel):
    email: str = Field(..., max_length=200)


class WidgetConfig(BaseModel):
    demo_login: bool
    demo_users: list[str]


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=20_000)
    conversation_id: str | None = Field(None, max_length=200)


class SqlRequest(BaseModel):
    sql: str = Field(..., min_length=1, max_length=20_000)
    conversation_id: str | None = Field(None, max_length=200)


def _assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def _session_for(request: Request, actor: Actor) -> WidgetSession:
    settings = request.app.state.settings
    token, expires = issue_session(actor, secret=request.app.state.widget_secret,
                                   ttl_s=settings.widget_session_ttl_s)
    return WidgetSession(token=token, expires_at=expires,
                         user=WidgetUser(email=actor.email, full_name=actor.full_name, role=actor.role))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> HTMLResponse:
    """The demo page: a host page with the widget's one script tag (and a demo-only user switcher)."""
    return HTMLResponse((STATIC_DIR / "demo.html").read_text(encoding="utf-8"))


@router.get("/widget/config", response_model=WidgetConfig)
def widget_config(settings: SettingsDep) -> WidgetConfig:
    """What the demo page may offer: demo sign-in only when the deployment turned it on."""
    return WidgetConfig(demo_login=settings.widget_demo_login,
                        demo_users=list(DEMO_USERS) if settings.widget_demo_login else [])


@router.post("/widget/demo-login", response_model=WidgetSession)
def demo_login(body: DemoLoginRequest, request: Request, settings: SettingsDep) -> WidgetSession:
    """Sign in as one of the fixed demo users (demo deployments only; otherwise this route does not exist)."""
    if not settings.widget_demo_login:
        raise NotFoundError("Not found.")
    email = body.email.strip().lower()
    if email not in DEMO_USERS:
        raise AuthError(f"The demo signs in only as {', '.join(DEMO_USERS)}.", code="not-a-demo-user")
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        actor = actor_for(session, email)
    return _session_for(request, actor)


@router.post("/widget/session", response_model=WidgetSession)
def widget_session(actor: CurrentActor, request: Request) -> WidgetSession:
    """Exchange a user's API key (held by the host site's backend) for a short-lived widget session."""
    return _session_for(request, actor)


@router.get("/widget/me", response_model=WidgetUser)
def widget_me(actor: WidgetActor) -> WidgetUser:
    return WidgetUser(email=actor.email, full_name=actor.full_name, role=actor.role)


@router.post("/widget/ask", response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {}}}})
async def widget_ask(body: AskRequest, actor: WidgetActor, request: Request) -> StreamingResponse:
    """Answer a question as a server-sent event stream (see `connectors.web.stream`)."""
    assistant = _assistant(request)

    async def events() -> AsyncIterator[str]:
        yield sse("status", {"state": "thinking"})
        try:
            answer = await run_in_threadpool(assistant.ask, body.question, actor, channel="web",
                                             conversation_id=body.conversation_id)
        except Exception:  # noqa: BLE001 — the stream has started: report in-band, never a traceback
            _log.exception("widget answer failed")
            yield sse("error", {"code": "internal-error", "message": "Something went wrong on our side."})
            return
        for frame in answer_events(answer):
            yield frame

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/widget/sql", response_model=Answer)
def widget_sql(body: SqlRequest, actor: WidgetActor, request: Request) -> Answer:
    """Run SQL the user edited, through the same guard and the user's scope."""
    answer = _assistant(request).run_sql(body.sql, actor, channel="web")
    answer.conversation_id = body.conversation_id
    return answer
