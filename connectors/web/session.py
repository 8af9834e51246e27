"""Signed web-widget sessions: a short-lived bearer token naming one CRM user, verified on every request.

A token is ``wgs.<payload>.<signature>``: the payload is base64url JSON ``{"u": user id, "exp": unix time}``
and the signature an HMAC-SHA256 of it under the widget session secret. Nothing is stored server-side,
so any process holding the same secret accepts the token; the user is re-read from the database on
every request, so a deactivated user loses access at once rather than when the token expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.errors import AuthError
from crm_core.models import User
from crm_core.scope import Actor, actor_from_user

TOKEN_PREFIX = "wgs."


class WidgetSessionError(AuthError):
    """The widget's session token is missing, forged, expired or names an inactive user."""

    code = "invalid-session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def issue_session(actor: Actor, *, secret: bytes, ttl_s: int, now: float | None = None) -> tuple[str, int]:
    """A signed token for `actor` and its expiry (unix seconds)."""
    expires = int((now if now is not None else time.time()) + ttl_s)
    payload = _b64(json.dumps({"u": actor.id, "exp": expires}, separators=(",", ":")).encode())
    return f"{TOKEN_PREFIX}{payload}.{_sign(secret, payload)}", expires


def verify_session(token: str, *, secret: bytes, engine: Engine, now: float | None = None) -> Actor:
    """The acting user of a valid token; every failure is the same `invalid-session` error."""
    failure = WidgetSessionError("Your widget session is invalid or has expired; sign in again.")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 400:
        raise failure
    payload, _, signature = token[len(TOKEN_PREFIX):].partition(".")
    if not hmac.compare_digest(_sign(secret, payload), signature):
        raise failure
    try:
        claims = json.loads(_unb64(payload))
        user_id, expires = int(claims["u"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise failure from exc
    if expires < (now if now is not None else time.time()):
        raise failure
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise failure
        return actor_from_user(user)
