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
    return {
        CHUNK_TABLE: _owned(CHUNK_TABLE, "passage", "record_id", {
            "id": ("integer", "Passage id"), "kind": ("text", "Kind"), "record_id": ("integer", "Record"),
            "chunk_no": ("integer", "Passage"), "occurred_at": ("timestamp", "Date"),
            "embedding": ("vector", "Embedding")}),
        TOPIC_TABLE: _owned(TOPIC_TABLE, "topic vector", "chunk_id", {
            "chunk_id": ("integer", "Passage id"), "kind": ("text", "Kind"), "record_id": ("integer", "Record"),
            "topic_embedding": ("vector", "Topic vector"), "smoothed": ("boolean", "Smoothed")}),
        # a text's full-text vector and whether it waits for embedding: semantic filters match such a text by words
        DOCUMENT_TABLE: _owned(DOCUMENT_TABLE, "document", "record_id", {
            "kind": ("text", "Kind"), "record_id": ("integer", "Record"), "content_hash": ("text", "Content hash"),
            "indexed_hash": ("text", "Embedded content hash"), "tsv": ("tsvector", "Words")}),
    }


def _owned(table: str, singular: str, key: str, columns: dict[str, tuple[str, str]]) -> Entity:
    """A search table as an owned entity: its visible columns, plus `owner_id`, which the guard scopes by."""
    visible = {name: Column(name, kind, label) for name, (kind, label) in columns.items()}
    visible["owner_id"] = Column("owner_id", "integer", "Owner")
    return Entity(name=table, table=table, singular=singular, plural=f"{singular}s", synonyms=[],
                  owner_column="owner_id", title=key, display=[key],
                  default_order={"column": key, "direction": "asc"}, columns=visible, computed={}, relations={})
