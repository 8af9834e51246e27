"""search documents by recency: the keyword side reads the newest matches first

A common word matches a large share of the texts; ranking reads every match's tsvector, so keyword search
ranks only the newest few thousand matches. With this index PostgreSQL walks the texts newest-first and
stops once it has them (medium demo data, all scopes: 0.8 s → 0.03 s), instead of fetching every match
through the full-text index and sorting.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_search_documents_recency ON search_documents (occurred_at DESC NULLS LAST)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_documents_recency")
