"""Migrations build the schema from empty; constraints reject bad values with clear errors."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.db import sqlalchemy_url
from crm_core.migrate import current_revision, upgrade

CONTRACT = {
    "teams": ["id", "name", "region"],
    "users": ["id", "full_name", "email", "role", "team_id", "timezone", "is_active", "created_at"],
    "accounts": ["id", "name", "domain", "industry", "employee_count", "annual_revenue", "country", "state", "city",
                 "owner_id", "parent_account_id", "created_at", "custom_fields"],
    "contacts": ["id", "account_id", "first_name", "last_name", "email", "phone", "job_title", "lifecycle_stage",
                 "lead_source", "country", "state", "city", "timezone", "owner_id", "lead_score",
                 "last_contacted_at", "do_not_email", "created_at", "custom_fields"],
    "pipelines": ["id", "name"],
    "deal_stages": ["id", "pipeline_id", "name", "position", "probability", "is_closed", "is_won"],
    "deals": ["id", "name", "account_id", "contact_id", "owner_id", "pipeline_id", "stage_id", "amount", "currency",
              "status", "close_date", "created_at", "closed_at", "lost_reason", "custom_fields"],
    "activities": ["id", "type", "subject", "contact_id", "account_id", "deal_id", "owner_id", "due_at",
                   "completed_at", "outcome", "duration_minutes", "created_at"],
    "emails": ["id", "contact_id", "owner_id", "direction", "subject", "body", "sent_at", "opened_at", "clicked_at",
               "replied_at"],
    "notes": ["id", "body", "contact_id", "account_id", "deal_id", "author_id", "created_at"],
}


def test_migrations_build_contract_from_empty(empty_database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(empty_database_url))
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        assert current_revision(engine) is not None
        inspector = inspect(engine)
        for table, columns in CONTRACT.items():
            present = {c["name"] for c in inspector.get_columns(table)}
            assert set(columns) <= present, (table, set(columns) - present)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT extname FROM pg_extension WHERE extname = 'vector'")) == "vector"
    finally:
        engine.dispose()


@pytest.mark.parametrize(("sql", "constraint"), [
    ("UPDATE users SET role = 'superuser' WHERE id = (SELECT min(id) FROM users)", "ck_users_role"),
    ("UPDATE teams SET region = 'Mars' WHERE id = (SELECT min(id) FROM teams)", "ck_teams_region"),
    ("UPDATE contacts SET lifecycle_stage = 'vip' WHERE id = (SELECT min(id) FROM contacts)",
     "ck_contacts_lifecycle_stage"),
    ("UPDATE contacts SET lead_score = 150 WHERE id = (SELECT min(id) FROM contacts)", "ck_contacts_lead_score"),
    ("UPDATE deals SET status = 'pending' WHERE id = (SELECT min(id) FROM deals WHERE status = 'won')", "ck_deals_status"),
    ("UPDATE deals SET closed_at = NULL WHERE status = 'won'", "ck_deals_closed_at"),
    ("UPDATE activities SET type = 'lunch' WHERE id = (SELECT min(id) FROM activities)", "ck_activities_type"),
    ("UPDATE activities SET outcome = 'connected' WHERE type = 'task'", "ck_activities_outcome"),
    ("UPDATE emails SET direction = 'sideways' WHERE id = (SELECT min(id) FROM emails)", "ck_emails_direction"),
    ("UPDATE emails SET opened_at = sent_at WHERE direction = 'inbound'", "ck_emails_tracking_outbound_only"),
], ids=lambda v: v if v.startswith("ck_") else None)
def test_constraint_rejects_bad_value(session: Session, sql: str, constraint: str) -> None:
    with pytest.raises(IntegrityError) as info:
        with session.begin_nested():
            session.execute(text(sql))
    assert constraint in str(info.value.orig)
