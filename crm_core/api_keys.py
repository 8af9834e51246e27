"""Per-user API keys: shown once at creation, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import AuthError
from crm_core.models import ApiKey, User
from crm_core.scope import Actor, actor_for, actor_from_user

KEY_PREFIX = "crm_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, *, user_email: str) -> str:
    """Create a key for the user and return it; only its hash is kept."""
    actor = actor_for(session, user_email)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(user_id=actor.id, key_hash=_hash(key), prefix=key[:10]))
    session.flush()
    return key


def authenticate(session: Session, key: str | None) -> Actor:
    """The acting user of a bearer key; any missing, unknown or revoked key is the same 401."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        raise AuthError("Missing or invalid API key. Send 'Authorization: Bearer <key>'.")
    digest = _hash(key)
    row = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == digest)
    ).first()
    if row is None or row.ApiKey.revoked_at is not None or not row.User.is_active:
        raise AuthError("Missing or invalid API key. Send 'Authorization: Bearer <key>'.")
    # constant-time comparison keeps the check from leaking how much of a hash matched
    if not hmac.compare_digest(row.ApiKey.key_hash, digest):
        raise AuthError("Missing or invalid API key. Send 'Authorization: Bearer <key>'.")
    return actor_from_user(row.User)
