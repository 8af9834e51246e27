"""Conversations persisted in PostgreSQL, so follow-ups survive restarts and several processes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm_core.models import Conversation
from nlq.plan import QueryPlan

MAX_HISTORY = 20


@dataclass
class ConversationState:
    channel: str
    external_id: str
    last_plan: QueryPlan | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "last_plan": self.last_plan.model_dump(mode="json") if self.last_plan else None,
            "history": self.history[-MAX_HISTORY:],
        }


class ConversationStore:
    """Load and save conversation state by (channel, external id)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(12)

    def load(self, channel: str, external_id: str, user_id: int | None) -> ConversationState:
        with Session(self.engine) as session:
            row = session.scalar(select(Conversation).where(
                Conversation.channel == channel, Conversation.external_id == external_id))
        state = ConversationState(channel, external_id)
        if row is None or (row.user_id is not None and user_id is not None and row.user_id != user_id):
            # another user's conversation id starts fresh: plans never cross users
            return state
        plan = row.state.get("last_plan")
        state.last_plan = QueryPlan.model_validate(plan) if plan else None
        state.history = list(row.state.get("history", []))
        return state

    def save(self, state: ConversationState, user_id: int | None) -> None:
        stmt = insert(Conversation).values(
            channel=state.channel, external_id=state.external_id, user_id=user_id, state=state.to_json())
        stmt = stmt.on_conflict_do_update(
            constraint="uq_conversations_channel_external",
            set_={"state": stmt.excluded.state, "updated_at": func.now()},
            where=(Conversation.user_id.is_(None)) | (Conversation.user_id == user_id),
        )
        with Session(self.engine) as session, session.begin():
            # state of a chat needs no fsync wait: losing the last turn in a crash is acceptable
            session.execute(text("SET LOCAL synchronous_commit = off"))
            session.execute(stmt)
