"""SQLAlchemy 2 typed models for every table of the data contract (names exact), plus our additions.

Additions beyond the contract: `version`/`updated_at` on writable records (optimistic concurrency),
custom-field definitions, topic labels of demo texts, score history, API keys, conversations, the
query audit log, and the search index over notes and emails (`search_documents`, `search_chunks`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TEAM_REGIONS = ("North America", "EMEA", "APAC", "LATAM")
USER_ROLES = ("rep", "manager", "admin")
LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketing_qualified", "sales_qualified", "opportunity", "customer", "churned",
)
LEAD_SOURCES = ("website", "referral", "event", "paid_search", "social", "outbound", "partner", "webinar")
DEAL_STATUSES = ("open", "won", "lost")
LOST_REASONS = ("price", "competitor", "no_budget", "timing", "no_decision", "product_fit")
ACTIVITY_TYPES = ("call", "meeting", "task")
CALL_OUTCOMES = ("connected", "left_voicemail", "no_answer")
EMAIL_DIRECTIONS = ("outbound", "inbound")
INDUSTRIES = (
    "Software", "Healthcare", "Financial Services", "Manufacturing", "Retail", "Real Estate",
    "Professional Services", "Education", "Media", "Logistics",
)
COUNTRIES = ("US", "CA", "GB", "DE", "FR", "NL", "AU", "IN", "BR", "JP", "SG")
CUSTOM_FIELD_TYPES = ("text", "number", "integer", "boolean", "date", "choice")
CUSTOM_FIELD_ENTITIES = ("accounts", "contacts", "deals")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


TZ = DateTime(timezone=True)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB}


class VersionedMixin:
    """Optimistic concurrency: every update must name the version it read."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    updated_at: Mapped[datetime | None] = mapped_column(TZ, server_default=func.now())


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (CheckConstraint(_in("region", TEAM_REGIONS), name="ck_teams_region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    region: Mapped[str] = mapped_column(Text, nullable=False)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", USER_ROLES), name="ck_users_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(Text, nullable=False)
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    timezone: Mapped[str] = mapped_column(Text, nullable=False, server_default="UTC")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())


class Account(VersionedMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("employee_count IS NULL OR employee_count >= 0", name="ck_accounts_employee_count"),
        CheckConstraint("annual_revenue IS NULL OR annual_revenue >= 0", name="ck_accounts_annual_revenue"),
        CheckConstraint("country IS NULL OR country ~ '^[A-Z]{2}$'", name="ck_accounts_country"),
        Index("ix_accounts_owner_id", "owner_id"),
        Index("ix_accounts_industry", "industry"),
        Index("ix_accounts_country_state", "country", "state"),
        Index("ix_accounts_name_lower", text("lower(name)")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    domain: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(Text)
    employee_count: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    country: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    parent_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))


class Contact(VersionedMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(_in("lifecycle_stage", LIFECYCLE_STAGES), name="ck_contacts_lifecycle_stage"),
        CheckConstraint(_in("lead_source", LEAD_SOURCES), name="ck_contacts_lead_source"),
        CheckConstraint("lead_score IS NULL OR lead_score BETWEEN 0 AND 100", name="ck_contacts_lead_score"),
        CheckConstraint("country IS NULL OR country ~ '^[A-Z]{2}$'", name="ck_contacts_country"),
        Index("ix_contacts_owner_id", "owner_id"),
        Index("ix_contacts_account_id", "account_id"),
        Index("ix_contacts_lifecycle_stage", "lifecycle_stage", "last_contacted_at"),
        Index("ix_contacts_last_contacted_at", "last_contacted_at"),
        Index("ix_contacts_owner_stage", "owner_id", "lifecycle_stage"),
        Index("ix_contacts_country_state", "country", "state"),
        Index("ix_contacts_lead_score", "lead_score"),
        Index("ix_contacts_email_lower", text("lower(email)")),
        Index("ix_contacts_full_name_lower", text("lower(first_name || ' ' || last_name)")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    job_title: Mapped[str | None] = mapped_column(Text)
    lifecycle_stage: Mapped[str] = mapped_column(Text, nullable=False, server_default="lead")
    lead_source: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lead_score: Mapped[int | None] = mapped_column(Integer)
    last_contacted_at: Mapped[datetime | None] = mapped_column(TZ)
    do_not_email: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    lead_score_model: Mapped[str | None] = mapped_column(Text)
    lead_scored_at: Mapped[datetime | None] = mapped_column(TZ)


class Pipeline(Base):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False, unique=True)


class DealStage(Base):
    __tablename__ = "deal_stages"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="ck_deal_stages_probability"),
        CheckConstraint("NOT is_won OR is_closed", name="ck_deal_stages_won_is_closed"),
        UniqueConstraint("pipeline_id", "name", name="uq_deal_stages_pipeline_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    probability: Mapped[int] = mapped_column(Integer, nullable=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    is_won: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class Deal(VersionedMixin, Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(_in("status", DEAL_STATUSES), name="ck_deals_status"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="ck_deals_amount"),
        CheckConstraint("currency = 'USD'", name="ck_deals_currency"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="ck_deals_closed_at"),
        CheckConstraint(
            "(status = 'lost') OR lost_reason IS NULL", name="ck_deals_lost_reason_only_when_lost"
        ),
        CheckConstraint(
            "lost_reason IS NULL OR " + _in("lost_reason", LOST_REASONS), name="ck_deals_lost_reason"
        ),
        Index("ix_deals_owner_id", "owner_id"),
        Index("ix_deals_account_id", "account_id"),
        Index("ix_deals_contact_id_amount", "contact_id", "amount"),
        Index("ix_deals_stage_id", "stage_id"),
        Index("ix_deals_status_close_date", "status", "close_date"),
        Index("ix_deals_status_closed_at", "status", "closed_at"),
        Index("ix_deals_amount", "amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"), nullable=False)
    stage_id: Mapped[int] = mapped_column(ForeignKey("deal_stages.id"), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(Text, nullable=False, server_default="USD")
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="open")
    close_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(TZ)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))


class Activity(VersionedMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(_in("type", ACTIVITY_TYPES), name="ck_activities_type"),
        CheckConstraint(
            "outcome IS NULL OR (type = 'call' AND " + _in("outcome", CALL_OUTCOMES) + ")",
            name="ck_activities_outcome",
        ),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="ck_activities_duration"),
        Index("ix_activities_owner_id", "owner_id"),
        Index("ix_activities_contact_id", "contact_id"),
        Index("ix_activities_account_id", "account_id"),
        Index("ix_activities_deal_id", "deal_id"),
        Index("ix_activities_type_due", "type", "due_at"),
        Index("ix_activities_open_tasks", "due_at", postgresql_where=text("type = 'task' AND completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(TZ)
    completed_at: Mapped[datetime | None] = mapped_column(TZ)
    outcome: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())


class Email(VersionedMixin, Base):
    __tablename__ = "emails"
    __table_args__ = (
        CheckConstraint(_in("direction", EMAIL_DIRECTIONS), name="ck_emails_direction"),
        CheckConstraint(
            "direction = 'outbound' OR (opened_at IS NULL AND clicked_at IS NULL AND replied_at IS NULL)",
            name="ck_emails_tracking_outbound_only",
        ),
        Index("ix_emails_contact_id_sent_at", "contact_id", "sent_at"),
        Index("ix_emails_owner_id", "owner_id"),
        Index("ix_emails_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    direction: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(TZ)
    opened_at: Mapped[datetime | None] = mapped_column(TZ)
    clicked_at: Mapped[datetime | None] = mapped_column(TZ)
    replied_at: Mapped[datetime | None] = mapped_column(TZ)


class Note(VersionedMixin, Base):
    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_author_id", "author_id"),
        Index("ix_notes_contact_id", "contact_id"),
        Index("ix_notes_account_id", "account_id"),
        Index("ix_notes_deal_id", "deal_id"),
        Index("ix_notes_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())


class CustomFieldDefinition(Base):
    """Declares a custom field; every write of `custom_fields` is validated against these."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (
        CheckConstraint(_in("entity", CUSTOM_FIELD_ENTITIES), name="ck_custom_field_definitions_entity"),
        CheckConstraint(_in("field_type", CUSTOM_FIELD_TYPES), name="ck_custom_field_definitions_type"),
        CheckConstraint("key ~ '^[a-z][a-z0-9_]*$'", name="ck_custom_field_definitions_key"),
        UniqueConstraint("entity", "key", name="uq_custom_field_definitions_entity_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    field_type: Mapped[str] = mapped_column(Text, nullable=False)
    choices: Mapped[list[str] | None] = mapped_column(JSONB)
    is_required: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    max_length: Mapped[int | None] = mapped_column(Integer)


class TextTopic(Base):
    """Ground-truth topic labels of demo notes and emails (relevance judgments for search evals)."""

    __tablename__ = "text_topics"
    __table_args__ = (
        CheckConstraint("kind IN ('note', 'email')", name="ck_text_topics_kind"),
        Index("ix_text_topics_topic", "topic"),
    )

    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(Text, primary_key=True)


SEARCH_KINDS = ("note", "email")
EMBEDDING_DIMENSIONS = 384  # all-MiniLM-L6-v2


class SearchDocument(Base):
    """One note or email as the search index sees it, kept in step with its source by database triggers.

    The triggers (migration 0003) copy owner, date and links on every write, recompute `content_hash`
    and the full-text `tsv`, so keyword search and scoping are never stale. `indexed_hash` is the hash
    of the text whose chunks are embedded in `search_chunks`; a row whose two hashes differ is pending.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        CheckConstraint(_in("kind", SEARCH_KINDS), name="ck_search_documents_kind"),
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_owner", "owner_id", "occurred_at"),
        Index("ix_search_documents_contact", "contact_id"),
        Index("ix_search_documents_account", "account_id"),
        Index("ix_search_documents_deal", "deal_id"),
        Index("ix_search_documents_pending", "kind", "record_id",
              postgresql_where=text("indexed_hash IS DISTINCT FROM content_hash")),
        Index("ix_search_documents_pending_owner", "kind", "owner_id",
              postgresql_where=text("indexed_hash IS DISTINCT FROM content_hash")),
    )

    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime | None] = mapped_column(TZ)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(Text, nullable=False)
    indexed_hash: Mapped[str | None] = mapped_column(Text)
    tsv: Mapped[Any] = mapped_column(TSVECTOR, nullable=False)


class SearchChunk(Base):
    """An embedded passage of a note or email (short texts are one chunk), with the filter columns
    copied from its document so that filtered vector search runs inside one HNSW index scan."""

    __tablename__ = "search_chunks"
    __table_args__ = (
        CheckConstraint(_in("kind", SEARCH_KINDS), name="ck_search_chunks_kind"),
        UniqueConstraint("kind", "record_id", "chunk_no", name="uq_search_chunks_record_chunk"),
        Index("ix_search_chunks_owner", "owner_id"),
        Index("ix_search_chunks_contact", "contact_id"),
        Index("ix_search_chunks_account", "account_id"),
        Index("ix_search_chunks_deal", "deal_id"),
        Index("ix_search_chunks_content_hash", "content_hash"),
        Index("ix_search_chunks_embedding", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding": "vector_cosine_ops"}),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    chunk_no: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    char_start: Mapped[int] = mapped_column(Integer, nullable=False)
    char_end: Mapped[int] = mapped_column(Integer, nullable=False)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime | None] = mapped_column(TZ)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(Text, nullable=False)
    embedding: Mapped[Any] = mapped_column(Vector(EMBEDDING_DIMENSIONS), nullable=False)


class ContactOpenPreference(Base):
    """Hidden ground truth of demo data: each contact's preferred local hour-of-week to open email."""

    __tablename__ = "demo_contact_preferences"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    preferred_weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    preferred_hour: Mapped[int] = mapped_column(Integer, nullable=False)
    conversion_propensity: Mapped[float] = mapped_column(Float, nullable=False)


class LeadScoreHistory(Base):
    __tablename__ = "lead_score_history"
    __table_args__ = (Index("ix_lead_score_history_contact", "contact_id", "scored_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    probability: Mapped[float] = mapped_column(Float, nullable=False)
    model_version: Mapped[str] = mapped_column(Text, nullable=False)
    scored_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    factors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)


class ApiKey(Base):
    """Per-user API keys, stored only as a SHA-256 hash."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    key_hash: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(TZ)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_conversations_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(Text, nullable=False)
    external_id: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())


class QueryLog(Base):
    """Audit trail: every question, the SQL it ran and how it ended."""

    __tablename__ = "query_log"
    __table_args__ = (Index("ix_query_log_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(Text, nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    sql: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(Text, nullable=False)
    error_code: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
