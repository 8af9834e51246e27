"""search index over notes and emails: documents (full text, pending state), embedded chunks (HNSW)

Triggers keep `search_documents` in step with every write to notes and emails, whatever the write
path (services, CSV import, demo data COPY, plain SQL): a new or edited text gets a new
`content_hash`, which marks it pending for the indexer; owner, date and links are copied onto the
document and its chunks at once, so scoping and filters never wait for re-embedding.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The text each kind is searched by; the indexer builds the same text (nlq.search.chunking.document_text).
NOTE_TEXT = "coalesce({r}.body, '')"
EMAIL_TEXT = "coalesce({r}.subject, '') || E'\\n' || coalesce({r}.body, '')"
READER_ROLE = "crm_assistant_reader"


def _sync_function(kind: str, table: str, text_sql: str, owner: str, occurred: str, account: str,
                   deal: str) -> str:
    new_text = text_sql.format(r="NEW")
    return f"""
CREATE OR REPLACE FUNCTION search_sync_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_chunks WHERE kind = '{kind}' AND record_id = OLD.id;
    DELETE FROM search_documents WHERE kind = '{kind}' AND record_id = OLD.id;
    RETURN OLD;
  END IF;
  INSERT INTO search_documents AS d
         (kind, record_id, owner_id, occurred_at, contact_id, account_id, deal_id, content_hash, tsv)
  VALUES ('{kind}', NEW.id, NEW.{owner}, NEW.{occurred}, NEW.contact_id, {account}, {deal},
          md5({new_text}), to_tsvector('english', {new_text}))
  ON CONFLICT (kind, record_id) DO UPDATE
     SET owner_id = EXCLUDED.owner_id, occurred_at = EXCLUDED.occurred_at,
         contact_id = EXCLUDED.contact_id, account_id = EXCLUDED.account_id, deal_id = EXCLUDED.deal_id,
         content_hash = EXCLUDED.content_hash, tsv = EXCLUDED.tsv;
  IF TG_OP = 'UPDATE' THEN
    UPDATE search_chunks
       SET owner_id = NEW.{owner}, occurred_at = NEW.{occurred}, contact_id = NEW.contact_id,
           account_id = {account}, deal_id = {deal}
     WHERE kind = '{kind}' AND record_id = NEW.id
       AND (owner_id, occurred_at, contact_id, account_id, deal_id) IS DISTINCT FROM
           (NEW.{owner}, NEW.{occurred}, NEW.contact_id, {account}, {deal});
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search_clear_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_chunks WHERE kind = '{kind}';
  DELETE FROM search_documents WHERE kind = '{kind}';
  RETURN NULL;
END $$;

CREATE TRIGGER search_sync_insert_delete AFTER INSERT OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION search_sync_{kind}();
-- Only a change the index cares about (not a version bump) costs a new tsvector.
CREATE TRIGGER search_sync_update AFTER UPDATE ON {table}
  FOR EACH ROW WHEN (({text_sql.format(r="OLD")}, OLD.{owner}, OLD.{occurred}, OLD.contact_id)
                     IS DISTINCT FROM ({new_text}, NEW.{owner}, NEW.{occurred}, NEW.contact_id)
                     {"OR (OLD.account_id, OLD.deal_id) IS DISTINCT FROM (NEW.account_id, NEW.deal_id)"
                      if kind == "note" else ""})
  EXECUTE FUNCTION search_sync_{kind}();
CREATE TRIGGER search_sync_truncate AFTER TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION search_clear_{kind}();
"""


# An email belongs to its contact's account; when a contact moves, its emails move with it.
CONTACT_ACCOUNT_SYNC = """
CREATE OR REPLACE FUNCTION search_sync_contact_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE search_documents SET account_id = NEW.account_id WHERE kind = 'email' AND contact_id = NEW.id;
  UPDATE search_chunks SET account_id = NEW.account_id WHERE kind = 'email' AND contact_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER search_sync_account AFTER UPDATE OF account_id ON contacts
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id)
  EXECUTE FUNCTION search_sync_contact_account();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("""
CREATE TABLE search_documents (
  kind text NOT NULL CONSTRAINT ck_search_documents_kind CHECK (kind IN ('note', 'email')),
  record_id integer NOT NULL,
  owner_id integer,
  occurred_at timestamptz,
  contact_id integer,
  account_id integer,
  deal_id integer,
  content_hash text NOT NULL,
  indexed_hash text,
  tsv tsvector NOT NULL,
  PRIMARY KEY (kind, record_id)
)""")
    op.execute("""
CREATE TABLE search_chunks (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CONSTRAINT ck_search_chunks_kind CHECK (kind IN ('note', 'email')),
  record_id integer NOT NULL,
  chunk_no smallint NOT NULL,
  char_start integer NOT NULL,
  char_end integer NOT NULL,
  owner_id integer,
  occurred_at timestamptz,
  contact_id integer,
  account_id integer,
  deal_id integer,
  content_hash text NOT NULL,
  embedding vector(384) NOT NULL,
  CONSTRAINT uq_search_chunks_record_chunk UNIQUE (kind, record_id, chunk_no)
)""")
    # Existing texts become pending documents in one set-based pass (the triggers take over after).
    op.execute(f"""
INSERT INTO search_documents (kind, record_id, owner_id, occurred_at, contact_id, account_id, deal_id,
                              content_hash, tsv)
SELECT 'note', n.id, n.author_id, n.created_at, n.contact_id, n.account_id, n.deal_id,
       md5({NOTE_TEXT.format(r="n")}), to_tsvector('english', {NOTE_TEXT.format(r="n")})
  FROM notes n""")
    op.execute(f"""
INSERT INTO search_documents (kind, record_id, owner_id, occurred_at, contact_id, account_id, deal_id,
                              content_hash, tsv)
SELECT 'email', e.id, e.owner_id, e.sent_at, e.contact_id, c.account_id, NULL,
       md5({EMAIL_TEXT.format(r="e")}), to_tsvector('english', {EMAIL_TEXT.format(r="e")})
  FROM emails e LEFT JOIN contacts c ON c.id = e.contact_id""")
    for statement in (
        "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
        "CREATE INDEX ix_search_documents_owner ON search_documents (owner_id, occurred_at)",
        "CREATE INDEX ix_search_documents_contact ON search_documents (contact_id)",
        "CREATE INDEX ix_search_documents_account ON search_documents (account_id)",
        "CREATE INDEX ix_search_documents_deal ON search_documents (deal_id)",
        "CREATE INDEX ix_search_documents_pending ON search_documents (kind, record_id) "
        "WHERE indexed_hash IS DISTINCT FROM content_hash",
        "CREATE INDEX ix_search_chunks_owner ON search_chunks (owner_id)",
        "CREATE INDEX ix_search_chunks_contact ON search_chunks (contact_id)",
        "CREATE INDEX ix_search_chunks_account ON search_chunks (account_id)",
        "CREATE INDEX ix_search_chunks_deal ON search_chunks (deal_id)",
        "CREATE INDEX ix_search_chunks_content_hash ON search_chunks (content_hash)",
        # Cosine distance, as the model's vectors are compared; m/ef_construction are pgvector's defaults.
        "CREATE INDEX ix_search_chunks_embedding ON search_chunks "
        "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
    ):
        op.execute(statement)
    op.execute(_sync_function("note", "notes", NOTE_TEXT, "author_id", "created_at", "NEW.account_id",
                              "NEW.deal_id"))
    op.execute(_sync_function(
        "email", "emails", EMAIL_TEXT, "owner_id", "sent_at",
        "(SELECT account_id FROM contacts WHERE id = NEW.contact_id)", "NULL::integer"))
    op.execute(CONTACT_ACCOUNT_SYNC)
    # The NL layer's SELECT-only role may read the chunk table, which semantic filters join (its rows
    # are scoped by the guard like any owned table). Creating the role needs privileges a hosted
    # database may not grant; then the executor runs without the role and so needs no grant either.
    op.execute(f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
    CREATE ROLE {READER_ROLE} NOLOGIN;
  END IF;
  GRANT SELECT ON search_chunks TO {READER_ROLE};
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'search_chunks: no grant to {READER_ROLE} (insufficient privilege)';
END $$""")
    op.execute("ANALYZE search_documents")


def downgrade() -> None:
    for table in ("notes", "emails"):
        op.execute(f"DROP TRIGGER IF EXISTS search_sync_insert_delete ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS search_sync_update ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS search_sync_truncate ON {table}")
    op.execute("DROP TRIGGER IF EXISTS search_sync_account ON contacts")
    for kind in ("note", "email"):
        op.execute(f"DROP FUNCTION IF EXISTS search_sync_{kind}()")
        op.execute(f"DROP FUNCTION IF EXISTS search_clear_{kind}()")
    op.execute("DROP FUNCTION IF EXISTS search_sync_contact_account()")
    op.execute("DROP TABLE IF EXISTS search_chunks")
    op.execute("DROP TABLE IF EXISTS search_documents")
