"""Answer each Slack event once: a retried delivery (`X-Slack-Retry-Num`) of an event already taken is
acknowledged and dropped.

Event ids are claimed through the conversation store under the channel ``slack-delivery``: it lives in
PostgreSQL, so every server process sees the same claims, and its unique (channel, external id) key is
exactly an idempotency key. An in-process set closes the race between two deliveries arriving at the
same process at once. (A dedicated idempotency table in crm_core would be a tidier home.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from assistant.conversation import ConversationStore

CHANNEL = "slack-delivery"
_MEMORY = 10_000


class DeliveryClaims:
    """`claim(event_id)` is True exactly once per event id."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            while len(self._seen) > _MEMORY:
                self._seen.popitem(last=False)
        state = self.store.load(CHANNEL, event_id, None)
        if state.history:
            return False
        state.history.append({"claimed": True})
        self.store.save(state, None)
        return True
