"""search topic vectors: each passage's vector smoothed towards its clusters, for semantic filters

"Deals whose notes mention budget concerns" keeps a note when its passage is close in meaning to the
phrase. Compared with the passage's own vector that separates topics poorly (precision 0.43 at recall
0.37 on the search suites); compared with the passage's vector pulled towards its k-means clusters (the
cluster smoothing hybrid search already ranks by) it separates them much better. Every passage has a row
here, written with its chunk: the smoothed vector when there are clusters (`smoothed`), else the
passage's own vector. A semantic filter reads only this table, by (kind, record_id).

The vectors live in a table of their own, not in `search_chunks`: the indexer rewrites all of them
whenever the centroids are rebuilt (`built_at` names the centroids used), and rewriting rows of
`search_chunks` would re-insert each into its HNSW index. The owner is copied (kept in step by a
trigger) so that the guard scopes this table like every owned table.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

READER_ROLE = "crm_assistant_reader"


def upgrade() -> None:
    op.execute("""
CREATE TABLE search_topic_vectors (
  chunk_id bigint PRIMARY KEY REFERENCES search_chunks (id) ON DELETE CASCADE,
  kind text NOT NULL,
  record_id integer NOT NULL,
  owner_id integer,
  topic_embedding vector(384) NOT NULL,
  smoothed boolean NOT NULL,
  built_at timestamptz
)""")
    for statement in (
        "CREATE INDEX ix_search_topic_vectors_record ON search_topic_vectors (kind, record_id)",
        "CREATE INDEX ix_search_topic_vectors_owner ON search_topic_vectors (owner_id)",
        # which centroids made each vector (search_clusters.built_at; NULL: none): stale ones are redone
        "CREATE INDEX ix_search_topic_vectors_built_at ON search_topic_vectors (built_at)",
    ):
        op.execute(statement)
    op.execute("""
CREATE OR REPLACE FUNCTION search_topic_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE search_topic_vectors SET owner_id = NEW.owner_id WHERE chunk_id = NEW.id;
  RETURN NULL;
END $$""")
    op.execute("""
CREATE TRIGGER search_topic_owner AFTER UPDATE OF owner_id ON search_chunks
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION search_topic_owner()""")
    op.execute(f"""
DO $$
BEGIN
  GRANT SELECT ON search_topic_vectors TO {READER_ROLE};
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
  RAISE NOTICE 'search_topic_vectors: no grant to {READER_ROLE}';
END $$""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS search_topic_owner ON search_chunks")
    op.execute("DROP FUNCTION IF EXISTS search_topic_owner()")
    op.execute("DROP TABLE IF EXISTS search_topic_vectors")
