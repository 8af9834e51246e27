"""Alembic environment: runs migrations on the engine handed in by `crm_core.migrate`."""

from __future__ import annotations

from alembic import context

from crm_core.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    context.run_migrations()
