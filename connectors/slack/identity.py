"""Slack user → CRM user, by the e-mail on the Slack profile (`users.info`), cached for a few minutes.

Only an exact, active CRM user with that e-mail maps; anything else (no e-mail scope, a bot, a deleted
account, an address the CRM does not know) maps to nobody, so the caller refuses politely — never a
fallback to a default or admin scope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from connectors.identity import ActorCache, actor_by_email
from crm_core.scope import Actor

_log = logging.getLogger(__name__)


class SlackIdentity:
    """Maps (team, Slack user) to an `Actor` or None; both outcomes are cached for `ttl_s`."""

    def __init__(self, engine: Engine, *, ttl_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self._cache = ActorCache(ttl_s=ttl_s, clock=clock)

    def actor_for(self, client: WebClient, team_id: str, user_id: str) -> Actor | None:
        key = (team_id, user_id)
        hit = self._cache.get(key)
        if hit is not ActorCache.MISSING:
            return hit  # type: ignore[return-value]
        return self._cache.put(key, self._lookup(client, user_id))

    def _lookup(self, client: WebClient, user_id: str) -> Actor | None:
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            _log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        email = (user.get("profile") or {}).get("email")
        if not email or user.get("deleted") or user.get("is_bot"):
            return None
        return actor_by_email(self.engine, [email])
