"""contact full-name index (questions name contacts: "Caleb Thompson's deals")

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_contacts_full_name_lower "
               "ON contacts (lower(first_name || ' ' || last_name))")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contacts_full_name_lower")
