"""Who sees what: the owners whose records an acting user may see (the contract's scope rules)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import AuthError
from crm_core.models import User


@dataclass(frozen=True)
class Actor:
    """The acting user: every layer below the connectors receives one explicitly."""

    id: int
    email: str
    role: str
    team_id: int | None
    full_name: str = ""
    timezone: str = "UTC"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM_ACTOR = Actor(id=0, email="system", role="admin", team_id=None, full_name="System")


def actor_for(session: Session, email: str) -> Actor:
    """Resolve an active CRM user by e-mail (case-insensitive)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise AuthError(f"No active CRM user has the e-mail '{email}'.", code="unknown-user")
    return actor_from_user(user)


def actor_from_user(user: User) -> Actor:
    return Actor(id=user.id, email=user.email, role=user.role, team_id=user.team_id,
                 full_name=user.full_name, timezone=user.timezone)


def visible_owner_ids(session: Session, actor: Actor) -> frozenset[int] | None:
    """Owner ids whose records `actor` may see; None means everything (admin)."""
    if actor.is_admin:
        return None
    if actor.role == "manager" and actor.team_id is not None:
        ids = session.scalars(select(User.id).where(User.team_id == actor.team_id)).all()
        return frozenset(ids) | {actor.id}
    return frozenset({actor.id})


def can_see(owner_ids: frozenset[int] | None, owner_id: int | None) -> bool:
    return owner_ids is None or (owner_id is not None and owner_id in owner_ids)
