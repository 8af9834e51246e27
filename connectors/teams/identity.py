"""Teams user → CRM user, by the e-mail or user principal name Teams reports for the sender, cached per
(tenant, AAD object id) for a few minutes.

The first candidate that names an active CRM user wins; none means nobody (a polite refusal upstream),
never a default user. In emulator mode the roster is unavailable, so a sender name that is an e-mail
address is the only candidate — emulator mode is unauthenticated and meant for local development.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from connectors.identity import ActorCache, actor_by_email
from connectors.teams.adapter import IncomingMessage
from crm_core.scope import Actor


class TeamsIdentity:
    """Maps the sender of a message to an `Actor` or None; both outcomes cached for `ttl_s`."""

    def __init__(self, engine: Engine, *, ttl_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self._cache = ActorCache(ttl_s=ttl_s, clock=clock)

    async def actor_for(self, message: IncomingMessage, emails: Callable[[], Awaitable[list[str]]]) -> Actor | None:
        key = (message.tenant_id or "", message.aad_object_id or message.user_id)
        hit = self._cache.get(key)
        if hit is not ActorCache.MISSING:
            return hit  # type: ignore[return-value]
        candidates = await emails()
        if not candidates and message.channel_id == "emulator" and "@" in message.user_name:
            candidates = [message.user_name]
        return self._cache.put(key, await run_in_threadpool(actor_by_email, self.engine, candidates))
