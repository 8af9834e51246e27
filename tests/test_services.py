"""Write services: one validation path, optimistic concurrency, last-contacted upkeep, deal closing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import ConflictError, NotFoundError, ValidationError
from crm_core.models import Account, Contact, CustomFieldDefinition, Deal, DealStage, Email, Note, User
from crm_core.scope import SYSTEM_ACTOR, actor_for
from crm_core.services import (
    ACCOUNT,
    ACTIVITY,
    CONTACT,
    DEAL,
    EMAIL,
    NOTE,
    WriteContext,
    create,
    update_record,
)

NOW = datetime(2026, 5, 15, tzinfo=timezone.utc)


def _ctx(session: Session, email: str | None = None) -> WriteContext:
    actor = actor_for(session, email) if email else SYSTEM_ACTOR
    return WriteContext(session=session, actor=actor, now=NOW)


def _counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Account, Contact, Deal, Email, Note)}


def _stage(session: Session, name: str) -> DealStage:
    stage = session.scalar(select(DealStage).where(DealStage.name == name))
    assert stage is not None
    return stage


def _any_account(session: Session, owner_email: str = "rep@demo.crm") -> Account:
    owner = session.scalar(select(User).where(User.email == owner_email))
    account = session.scalar(select(Account).where(Account.owner_id == owner.id).order_by(Account.id))
    assert account is not None
    return account


@pytest.mark.parametrize(("spec", "data", "code", "field"), [
    (CONTACT, {"email": "not-an-email"}, "invalid-value", "email"),
    (CONTACT, {"lifecycle_stage": "vip"}, "invalid-value", "lifecycle_stage"),
    (CONTACT, {"lead_source": "tv"}, "invalid-value", "lead_source"),
    (CONTACT, {"country": "XX"}, "invalid-value", "country"),
    (CONTACT, {"country": "DE", "state": "TX"}, "invalid-value", "state"),
    (CONTACT, {"country": "US", "state": "ZZ"}, "invalid-value", "state"),
    (CONTACT, {"timezone": "Mars/Olympus"}, "invalid-value", "timezone"),
    (CONTACT, {"lead_score": 101}, "invalid-value", "lead_score"),
    (CONTACT, {"favourite_colour": "red"}, "unknown-field", "favourite_colour"),
    (CONTACT, {"owner_id": 999999}, "not-found", "owner_id"),
    (ACCOUNT, {"domain": "example.com"}, "missing-value", "name"),
    (ACCOUNT, {"name": "X", "employee_count": -5}, "invalid-value", "employee_count"),
    (ACCOUNT, {"name": "X", "custom_fields": {"no_such_field": 1}}, "unknown-field", "custom_fields.no_such_field"),
    (DEAL, {"name": "D"}, "missing-value", "account_id"),
    (DEAL, {"name": "D", "account_id": 1, "stage_id": 1, "currency": "EUR"}, "invalid-value", "currency"),
    (ACTIVITY, {"type": "lunch"}, "invalid-value", "type"),
    (EMAIL, {"contact_id": 1, "direction": "sideways"}, "invalid-value", "direction"),
    (NOTE, {"body": "hello"}, "missing-value", "contact_id"),
], ids=lambda v: v.name if hasattr(v, "name") else None)
def test_service_rejects_bad_values(session: Session, spec: Any, data: dict[str, Any], code: str, field: str) -> None:
    before = _counts(session)
    with pytest.raises(ValidationError) as info:
        create(_ctx(session), spec, data)
    fields = [p.field for p in info.value.problems]
    codes = [p.code for p in info.value.problems]
    assert any(f == field or f.endswith(field) for f in fields), fields
    assert code in codes
    assert _counts(session) == before


def _define(session: Session, **kwargs: Any) -> None:
    session.add(CustomFieldDefinition(**kwargs))
    session.flush()


def test_service_validates_custom_fields(session: Session) -> None:
    _define(session, entity="contacts", key="nps", label="NPS", field_type="integer", min_value=0, max_value=10)
    _define(session, entity="contacts", key="segment", label="Segment", field_type="choice",
            choices=["SMB", "Enterprise"])
    ctx = _ctx(session)
    with pytest.raises(ValidationError) as info:
        create(ctx, CONTACT, {"email": "a@b.co", "custom_fields": {"nps": 11, "segment": "Gov"}})
    assert {p.field for p in info.value.problems} == {"custom_fields.nps", "custom_fields.segment"}
    contact = create(ctx, CONTACT, {"email": "a@b.co", "custom_fields": {"nps": "7", "segment": "enterprise"}})
    assert contact.custom_fields["nps"] == 7
    assert contact.custom_fields["segment"] == "Enterprise"


def test_service_update_requires_current_version(session: Session) -> None:
    ctx = _ctx(session)
    contact = create(ctx, CONTACT, {"first_name": "Dana", "email": "dana@example.com"})
    updated = update_record(ctx, CONTACT, contact.id, version=1, changes={"job_title": "CFO"})
    assert updated.version == 2
    with pytest.raises(ConflictError) as info:
        update_record(ctx, CONTACT, contact.id, version=1, changes={"job_title": "CEO"})
    assert info.value.code == "version-conflict"
    assert session.get(Contact, contact.id).job_title == "CFO"


def test_service_rep_cannot_touch_other_reps_records(session: Session) -> None:
    admin_owned = session.scalar(select(Contact).where(Contact.owner_id != actor_for(session, "rep@demo.crm").id))
    with pytest.raises(NotFoundError):
        update_record(_ctx(session, "rep@demo.crm"), CONTACT, admin_owned.id, version=admin_owned.version,
                      changes={"job_title": "x"})


def test_service_logging_contact_updates_last_contacted(session: Session) -> None:
    ctx = _ctx(session)
    contact = create(ctx, CONTACT, {"email": "new.person@example.com"})
    assert contact.last_contacted_at is None
    when = NOW - timedelta(days=2)
    create(ctx, ACTIVITY, {"type": "call", "contact_id": contact.id, "completed_at": when, "outcome": "connected"})
    session.refresh(contact)
    assert contact.last_contacted_at == when
    create(ctx, ACTIVITY, {"type": "task", "contact_id": contact.id, "completed_at": NOW})
    create(ctx, EMAIL, {"contact_id": contact.id, "direction": "inbound", "sent_at": NOW})
    session.refresh(contact)
    assert contact.last_contacted_at == when, "tasks and inbound emails are not contact"
    later = NOW - timedelta(hours=1)
    create(ctx, EMAIL, {"contact_id": contact.id, "direction": "outbound", "sent_at": later})
    session.refresh(contact)
    assert contact.last_contacted_at == later


def test_service_closing_deal_sets_status_and_closed_at(session: Session) -> None:
    ctx = _ctx(session)
    account = _any_account(session)
    deal = create(ctx, DEAL, {"name": "Expansion", "account_id": account.id,
                              "stage_id": _stage(session, "Proposal").id, "amount": 12000})
    assert (deal.status, deal.closed_at, deal.currency) == ("open", None, "USD")
    won = update_record(ctx, DEAL, deal.id, version=deal.version, changes={"stage_id": _stage(session, "Closed Won").id})
    assert won.status == "won" and won.closed_at == NOW
    with pytest.raises(ValidationError):
        update_record(ctx, DEAL, deal.id, version=won.version, changes={"lost_reason": "price"})
    lost = update_record(ctx, DEAL, deal.id, version=won.version,
                         changes={"stage_id": _stage(session, "Closed Lost").id, "lost_reason": "price"})
    assert lost.status == "lost" and lost.lost_reason == "price"
    reopened = update_record(ctx, DEAL, deal.id, version=lost.version,
                             changes={"stage_id": _stage(session, "Negotiation").id})
    assert (reopened.status, reopened.closed_at, reopened.lost_reason) == ("open", None, None)


def test_service_rejects_stage_of_other_pipeline(session: Session) -> None:
    sales = _stage(session, "Proposal").pipeline_id
    with pytest.raises(ValidationError):
        create(_ctx(session), DEAL, {"name": "x", "account_id": _any_account(session).id, "pipeline_id": sales,
                                      "stage_id": _stage(session, "Renewal Due").id})
