"""Slack user → CRM user, by the e-mail on the Slack profile (`users.info`), cached for a few minutes.

Only an exact, active CRM user with that e-mail maps; anything else (no e-mail scope, a bot, a deleted
account, an address the CRM does not know) maps to nobody, so the caller refuses politely — never a
fallback to a default or admin scope.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.errors import AuthError
from crm_core.scope import Actor, actor_for

_log = logging.getLogger(__name__)


class SlackIdentity:
    """Maps (team, Slack user) to an `Actor` or None; both outcomes are cached for `ttl_s`."""

    def __init__(self, engine: Engine, *, ttl_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Actor | None]] = {}
        self._lock = threading.Lock()

    def actor_for(self, client: WebClient, team_id: str, user_id: str) -> Actor | None:
        key = (team_id, user_id)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > self.clock():
            return hit[1]
        actor = self._lookup(client, user_id)
        with self._lock:
            self._cache[key] = (self.clock() + self.ttl_s, actor)
        return actor

    def _lookup(self, client: WebClient, user_id: str) -> Actor | None:
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            _log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        email = (user.get("profile") or {}).get("email")
        if not email or user.get("deleted") or user.get("is_bot"):
            return None
        with Session(self.engine) as session:
            try:
                return actor_for(session, email)
            except AuthError:
                return None
