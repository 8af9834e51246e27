"""Teams user → CRM user, by the e-mail or user principal name Teams reports for the sender, cached per
(tenant, AAD object id) for a few minutes.

The first candidate that names an active CRM user wins; none means nobody (a polite refusal upstream),
never a default user. In emulator mode the roster is unavailable, so a sender name that is an e-mail
address is the only candidate — emulator mode is unauthenticated and meant for local development.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from connectors.teams.adapter import IncomingMessage
from crm_core.errors import AuthError
from crm_core.scope import Actor, actor_for


class TeamsIdentity:
    """Maps the sender of a message to an `Actor` or None; both outcomes cached for `ttl_s`."""

    def __init__(self, engine: Engine, *, ttl_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Actor | None]] = {}
        self._lock = threading.Lock()

    async def actor_for(self, message: IncomingMessage, emails: Callable[[], Awaitable[list[str]]]) -> Actor | None:
        key = (message.tenant_id or "", message.aad_object_id or message.user_id)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > self.clock():
            return hit[1]
        candidates = await emails()
        if not candidates and message.channel_id == "emulator" and "@" in message.user_name:
            candidates = [message.user_name]
        actor = await run_in_threadpool(self._lookup, candidates)
        with self._lock:
            self._cache[key] = (self.clock() + self.ttl_s, actor)
        return actor

    def _lookup(self, candidates: list[str]) -> Actor | None:
        with Session(self.engine) as session:
            for email in candidates:
                try:
                    return actor_for(session, email)
                except AuthError:
                    continue
        return None
