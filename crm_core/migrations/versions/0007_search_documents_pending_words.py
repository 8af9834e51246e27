"""search documents readable by the NL layer: semantic filters match texts not embedded yet by their words

A note written a moment ago has no passage vector until the indexer reaches it. Without a fallback, "deals
whose notes mention budget concerns" misses it and "… don't mention budget concerns" counts it as not about
budget concerns. Semantic filters therefore also match a pending document (its content changed since it
was embedded, or never embedded) whose full-text vector holds the phrase's words; the SELECT-only role
needs to read `search_documents` for that (the guard scopes it by `owner_id` like every owned table).
Whether any text of the asker's scope waits is looked up by kind and owner, so that the cheaper SQL is used
when none does (`nlq.search.indexer.pending_kinds`).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

READER_ROLE = "crm_assistant_reader"


def upgrade() -> None:
    op.execute("CREATE INDEX ix_search_documents_pending_owner ON search_documents (kind, owner_id) "
               "WHERE indexed_hash IS DISTINCT FROM content_hash")
    op.execute(f"""
DO $$
BEGIN
  GRANT SELECT ON search_documents TO {READER_ROLE};
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
  RAISE NOTICE 'search_documents: no grant to {READER_ROLE}';
END $$""")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_documents_pending_owner")
    op.execute(f"""
DO $$
BEGIN
  REVOKE SELECT ON search_documents FROM {READER_ROLE};
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
  RAISE NOTICE 'search_documents: no grant to revoke from {READER_ROLE}';
END $$""")
