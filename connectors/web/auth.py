"""Who is using the widget: a signed widget session, or a per-user API key, as a FastAPI dependency."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connectors.web.session import TOKEN_PREFIX, WidgetSessionError, verify_session
from crm_core.api_keys import KEY_PREFIX, authenticate
from crm_core.scope import Actor
from crm_core.settings import Settings

#: The fixed demo identities of the data contract; the demo login accepts these and nothing else.
DEMO_USERS = ("admin@demo.crm", "manager@demo.crm", "rep@demo.crm")


def session_secret(settings: Settings) -> bytes:
    """The configured signing key, or a random one for this process (sessions then end on restart)."""
    if settings.widget_session_secret is not None:
        return settings.widget_session_secret.get_secret_value().encode()
    return secrets.token_bytes(32)


def widget_actor(request: Request) -> Actor:
    """Authenticate ``Authorization: Bearer wgs.…`` (widget session) or ``Bearer crm_…`` (API key)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    engine: Engine = request.app.state.engine
    if scheme.lower() == "bearer" and token.startswith(KEY_PREFIX):
        with Session(engine) as session:
            return authenticate(session, token)
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise WidgetSessionError("Sign in first: send 'Authorization: Bearer <widget session or API key>'.")
    secret: bytes = request.app.state.widget_secret
    return verify_session(token, secret=secret, engine=engine)


WidgetActor = Annotated[Actor, Depends(widget_actor)]
