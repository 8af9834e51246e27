"""The search tables that compiled plans may join (semantic filters), described for the guard.

Only the columns a semantic filter needs are visible; the owner columns let the guard scope the
tables like every owned catalog table, so a guarded statement never reaches another rep's passages.
The tables have no phrases in the catalog: questions cannot name them, only semantic filters use them.
"""

from __future__ import annotations

from functools import lru_cache

from nlq.catalog import Column, Entity

CHUNK_TABLE = "search_chunks"
TOPIC_TABLE = "search_topic_vectors"
DOCUMENT_TABLE = "search_documents"


@lru_cache(maxsize=1)
def guarded_search_tables() -> dict[str, Entity]:
    """Table name → a catalog-shaped `Entity` the guard treats like any owned table."""
    columns = {
        "id": Column("id", "integer", "Passage id"),
        "kind": Column("kind", "text", "Kind"),
        "record_id": Column("record_id", "integer", "Record"),
        "chunk_no": Column("chunk_no", "integer", "Passage"),
        "owner_id": Column("owner_id", "integer", "Owner"),
        "occurred_at": Column("occurred_at", "timestamp", "Date"),
        "embedding": Column("embedding", "vector", "Embedding"),
    }
    entity = Entity(
        name=CHUNK_TABLE, table=CHUNK_TABLE, singular="passage", plural="passages", synonyms=[],
        owner_column="owner_id", title="record_id", display=["record_id"],
        default_order={"column": "record_id", "direction": "asc"}, columns=columns, computed={}, relations={},
    )
    topics = Entity(
        name=TOPIC_TABLE, table=TOPIC_TABLE, singular="topic vector", plural="topic vectors", synonyms=[],
        owner_column="owner_id", title="chunk_id", display=["chunk_id"],
        default_order={"column": "chunk_id", "direction": "asc"},
        columns={"chunk_id": Column("chunk_id", "integer", "Passage id"),
                 "kind": Column("kind", "text", "Kind"),
                 "record_id": Column("record_id", "integer", "Record"),
                 "owner_id": Column("owner_id", "integer", "Owner"),
                 "topic_embedding": Column("topic_embedding", "vector", "Topic vector"),
                 "smoothed": Column("smoothed", "boolean", "Smoothed")},
        computed={}, relations={},
    )
    # a text's full-text vector and whether it waits for embedding: semantic filters match such a text by words
    documents = Entity(
        name=DOCUMENT_TABLE, table=DOCUMENT_TABLE, singular="document", plural="documents", synonyms=[],
        owner_column="owner_id", title="record_id", display=["record_id"],
        default_order={"column": "record_id", "direction": "asc"},
        columns={"kind": Column("kind", "text", "Kind"),
                 "record_id": Column("record_id", "integer", "Record"),
                 "owner_id": Column("owner_id", "integer", "Owner"),
                 "content_hash": Column("content_hash", "text", "Content hash"),
                 "indexed_hash": Column("indexed_hash", "text", "Embedded content hash"),
                 "tsv": Column("tsv", "tsvector", "Words")},
        computed={}, relations={},
    )
    return {CHUNK_TABLE: entity, TOPIC_TABLE: topics, DOCUMENT_TABLE: documents}
