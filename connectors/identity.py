"""What the chat channels share in mapping a sender to a CRM user: the first e-mail that names an active
CRM user, and a short-lived cache of both outcomes (a known user and nobody)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.errors import AuthError
from crm_core.scope import Actor, actor_for


def actor_by_email(engine: Engine, emails: list[str]) -> Actor | None:
    """The first address that names an active CRM user; None is nobody, never a default user."""
    with Session(engine) as session:
        for email in emails:
            try:
                return actor_for(session, email)
            except AuthError:
                continue
    return None


class ActorCache:
    """Sender key → `Actor` or None, each answer kept for `ttl_s` seconds."""

    MISSING = object()

    def __init__(self, *, ttl_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Actor | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Actor | None | object:
        """The cached answer, or `ActorCache.MISSING` when there is none (or it expired)."""
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > self.clock():
            return hit[1]
        return self.MISSING

    def put(self, key: Hashable, actor: Actor | None) -> Actor | None:
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl_s, actor)
        return actor
