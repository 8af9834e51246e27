"""Write services: create and update for every writable record, through one validation path.

`validate()` turns raw input into clean column values (schema rules, required fields, references
and their visibility, custom fields, entity rules) without writing anything. `create()` and
`update()` call it and then write; CSV import calls `validate()` for every row before its first
write. Updates name the version they read: a stale version is a conflict, never an overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pydantic
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.errors import ConflictError, FieldProblem, NotFoundError, ValidationError
from crm_core.models import Account, Activity, Base, Contact, Deal, DealStage, Email, Note, User
from crm_core.schemas import AccountWrite, ActivityWrite, ContactWrite, DealWrite, EmailWrite, NoteWrite
from crm_core.scope import Actor, can_see, visible_owner_ids
from crm_core.services.custom_fields import load_definitions, validate_custom_fields

Values = dict[str, Any]
Rule = Callable[["WriteContext", Values, Values | None], list[FieldProblem]]


@dataclass(frozen=True)
class EntitySpec:
    """How one kind of record is validated and written."""

    name: str
    model: type[Base]
    schema: type[pydantic.BaseModel]
    required: tuple[str, ...]
    owner_field: str
    references: dict[str, type[Base]]
    custom_entity: str | None = None
    rules: tuple[Rule, ...] = ()
    after_write: tuple[Callable[[WriteContext, Any], None], ...] = ()


@dataclass
class WriteContext:
    """What a batch of writes shares: the session, the actor, `now`, and lookups cached per batch."""

    session: Session
    actor: Actor
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    _owners: frozenset[int] | None | bool = False
    _definitions: dict[str, Any] = field(default_factory=dict)
    _existing: dict[tuple[type[Base], int], Any] = field(default_factory=dict)

    @property
    def owners(self) -> frozenset[int] | None:
        if self._owners is False:
            self._owners = visible_owner_ids(self.session, self.actor)
        return self._owners  # type: ignore[return-value]

    def definitions(self, entity: str) -> dict[str, Any]:
        if entity not in self._definitions:
            self._definitions[entity] = load_definitions(self.session, entity)
        return self._definitions[entity]

    def lookup(self, model: type[Base], record_id: int) -> Any:
        key = (model, record_id)
        if key not in self._existing:
            self._existing[key] = self.session.get(model, record_id)
        return self._existing[key]


def _owner_of(record: Any) -> int | None:
    return getattr(record, "author_id", None) if isinstance(record, Note) else getattr(record, "owner_id", None)


# --- entity rules ---------------------------------------------------------------------------------

def _deal_stage_rule(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    """A deal's pipeline, status and closed_at follow its stage, so they can never disagree."""
    stage = ctx.lookup(DealStage, values["stage_id"]) if values.get("stage_id") else None
    if stage is None:
        return []
    if values.get("pipeline_id") not in (None, stage.pipeline_id):
        return [FieldProblem("stage_id", f"stage '{stage.name}' is not in pipeline {values['pipeline_id']}")]
    values["pipeline_id"] = stage.pipeline_id
    status = "won" if stage.is_won else "lost" if stage.is_closed else "open"
    values["status"] = status
    if status == "open":
        values["closed_at"] = None
        values["lost_reason"] = None
    elif "closed_at" not in values["_changed"] or values.get("closed_at") is None:
        stays_closed = existing is not None and existing.get("status") == status and existing.get("closed_at")
        values["closed_at"] = existing["closed_at"] if stays_closed else ctx.now  # type: ignore[index]
    if status != "lost" and values.get("lost_reason"):
        return [FieldProblem("lost_reason", "is only recorded for lost deals")]
    if values.get("currency") is None:
        values["currency"] = "USD"
    return []


def _deal_contact_rule(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    contact_id = values.get("contact_id")
    if contact_id is None:
        return []
    contact = ctx.lookup(Contact, contact_id)
    if contact is not None and contact.account_id not in (None, values.get("account_id")):
        return [FieldProblem("contact_id", f"contact {contact_id} belongs to another account")]
    return []


def _activity_rule(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    if values.get("outcome") is not None and values.get("type") != "call":
        return [FieldProblem("outcome", "is only recorded for calls")]
    if values.get("completed_at") is not None and values["completed_at"] > ctx.now:
        return [FieldProblem("completed_at", "cannot be in the future")]
    return []


def _email_rule(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    problems = []
    if values.get("direction") == "inbound":
        for name in ("opened_at", "clicked_at", "replied_at"):
            if values.get(name) is not None:
                problems.append(FieldProblem(name, "only outbound emails are tracked"))
    sent = values.get("sent_at")
    for name in ("opened_at", "clicked_at", "replied_at"):
        if sent is not None and values.get(name) is not None and values[name] < sent:
            problems.append(FieldProblem(name, "cannot be before sent_at"))
    return problems


def _note_rule(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    if not any(values.get(k) for k in ("contact_id", "account_id", "deal_id")):
        return [FieldProblem("contact_id", "a note must be linked to a contact, account or deal", "missing-value")]
    return []


def _contact_default_stage(ctx: WriteContext, values: Values, existing: Values | None) -> list[FieldProblem]:
    if values.get("lifecycle_stage") is None:
        values["lifecycle_stage"] = "lead"
    if values.get("do_not_email") is None:
        values["do_not_email"] = False
    return []


def _touch_last_contacted(ctx: WriteContext, record: Any) -> None:
    """Calls and meetings that happened, and outbound emails, count as contact."""
    if isinstance(record, Activity):
        when = record.completed_at if record.type in ("call", "meeting") else None
    elif isinstance(record, Email):
        when = record.sent_at if record.direction == "outbound" else None
    else:
        return
    if when is None or record.contact_id is None:
        return
    ctx.session.execute(
        update(Contact)
        .where(Contact.id == record.contact_id)
        .where((Contact.last_contacted_at.is_(None)) | (Contact.last_contacted_at < when))
        .values(last_contacted_at=when)
    )


ACCOUNT = EntitySpec("account", Account, AccountWrite, ("name",), "owner_id",
                     {"owner_id": User, "parent_account_id": Account}, custom_entity="accounts")
CONTACT = EntitySpec("contact", Contact, ContactWrite, (), "owner_id",
                     {"owner_id": User, "account_id": Account}, custom_entity="contacts",
                     rules=(_contact_default_stage,))
DEAL = EntitySpec("deal", Deal, DealWrite, ("name", "account_id", "stage_id"), "owner_id",
                  {"owner_id": User, "account_id": Account, "contact_id": Contact, "stage_id": DealStage},
                  custom_entity="deals", rules=(_deal_stage_rule, _deal_contact_rule))
ACTIVITY = EntitySpec("activity", Activity, ActivityWrite, ("type",), "owner_id",
                      {"owner_id": User, "contact_id": Contact, "account_id": Account, "deal_id": Deal},
                      rules=(_activity_rule,), after_write=(_touch_last_contacted,))
EMAIL = EntitySpec("email", Email, EmailWrite, ("contact_id", "direction"), "owner_id",
                   {"owner_id": User, "contact_id": Contact}, rules=(_email_rule,),
                   after_write=(_touch_last_contacted,))
NOTE = EntitySpec("note", Note, NoteWrite, ("body",), "author_id",
                  {"author_id": User, "contact_id": Contact, "account_id": Account, "deal_id": Deal},
                  rules=(_note_rule,))
SPECS = {s.name: s for s in (ACCOUNT, CONTACT, DEAL, ACTIVITY, EMAIL, NOTE)}


# --- the one validation path ------------------------------------------------------------------------

def _schema_problems(exc: pydantic.ValidationError) -> list[FieldProblem]:
    problems = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "record"
        code = "unknown-field" if err["type"] == "extra_forbidden" else "invalid-value"
        reason = "is not a field of this record" if code == "unknown-field" else err["msg"].removeprefix(
            "Value error, ")
        problems.append(FieldProblem(name, reason, code))
    return problems


def validate(ctx: WriteContext, spec: EntitySpec, data: Values | pydantic.BaseModel,
             existing: Any = None) -> Values:
    """Return the clean column values of a create (existing None) or an update; raise on any problem."""
    raw = data.model_dump(exclude_unset=True) if isinstance(data, pydantic.BaseModel) else dict(data)
    try:
        parsed = spec.schema.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(_schema_problems(exc), entity=spec.name) from None
    changes = parsed.model_dump(exclude_unset=True)
    problems: list[FieldProblem] = []

    before = _columns(existing) if existing is not None else None
    values: Values = {**(before or {}), **changes}
    if existing is None and values.get(spec.owner_field) is None and ctx.actor.id:
        values[spec.owner_field] = ctx.actor.id
    for name in spec.required:
        if values.get(name) in (None, ""):
            problems.append(FieldProblem(name, "is required", "missing-value"))
    for name, model in spec.references.items():
        ref_id = values.get(name)
        if ref_id is None or (before is not None and before.get(name) == ref_id):
            continue
        target = ctx.lookup(model, ref_id)
        visible = target is not None and (model in (User, DealStage) or can_see(ctx.owners, _owner_of(target)))
        if not visible:
            problems.append(FieldProblem(name, f"no {model.__tablename__[:-1]} with id {ref_id}", "not-found"))
    owner_id = values.get(spec.owner_field)
    if owner_id is not None and not can_see(ctx.owners, owner_id):
        problems.append(FieldProblem(spec.owner_field, "you may not assign records outside your scope", "forbidden"))
    if spec.custom_entity is not None and ("custom_fields" in changes or existing is None):
        clean, custom_problems = validate_custom_fields(
            changes.get("custom_fields"), ctx.definitions(spec.custom_entity), is_create=existing is None)
        if existing is not None:
            clean = {**(before or {}).get("custom_fields", {}), **clean}
        values["custom_fields"] = clean
        problems.extend(custom_problems)
    if not problems:
        values["_changed"] = tuple(changes)
        for rule in spec.rules:
            problems.extend(rule(ctx, values, before))
        values.pop("_changed", None)
    if problems:
        raise ValidationError(problems, entity=spec.name)
    return values


def _columns(record: Any) -> Values:
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}


def create(ctx: WriteContext, spec: EntitySpec, data: Values | pydantic.BaseModel) -> Any:
    """Validate fully, then insert one record in a savepoint (an error leaves nothing behind)."""
    values = validate(ctx, spec, data)
    values = {k: v for k, v in values.items() if v is not None or k in spec.schema.model_fields}
    with ctx.session.begin_nested():
        record = spec.model(**values)
        ctx.session.add(record)
        ctx.session.flush()
        for hook in spec.after_write:
            hook(ctx, record)
    return record


def update_record(ctx: WriteContext, spec: EntitySpec, record_id: int, *, version: int,
                  changes: Values | pydantic.BaseModel) -> Any:
    """Apply `changes` if the record is still at `version`; otherwise raise a conflict."""
    model: Any = spec.model
    record = ctx.session.scalar(select(model).where(model.id == record_id).with_for_update())
    if record is None or not can_see(ctx.owners, _owner_of(record)):
        raise NotFoundError(f"No {spec.name} with id {record_id}.")
    if record.version != version:
        raise ConflictError(
            f"The {spec.name} {record_id} was changed by someone else (you edited version {version}, "
            f"it is now at version {record.version}). Reload it and apply your change again.",
            details={"current_version": record.version},
        )
    values = validate(ctx, spec, changes, existing=record)
    with ctx.session.begin_nested():
        for key, value in values.items():
            if key != "id" and getattr(record, key) != value:
                setattr(record, key, value)
        record.version = version + 1
        record.updated_at = func.now()
        ctx.session.flush()
        for hook in spec.after_write:
            hook(ctx, record)
    ctx.session.refresh(record)
    return record


def get_visible(ctx: WriteContext, spec: EntitySpec, record_id: int) -> Any:
    record = ctx.session.get(spec.model, record_id)
    if record is None or not can_see(ctx.owners, _owner_of(record)):
        raise NotFoundError(f"No {spec.name} with id {record_id}.")
    return record
