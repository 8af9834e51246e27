"""The one search table that compiled plans may join (semantic filters), described for the guard.

Only the columns a semantic filter needs are visible; the owner column lets the guard scope the
table like every owned catalog table, so a guarded statement never reaches another rep's passages.
The table has no phrases in the catalog: questions cannot name it, only semantic filters use it.
"""

from __future__ import annotations

from functools import lru_cache

from nlq.catalog import Column, Entity

CHUNK_TABLE = "search_chunks"


@lru_cache(maxsize=1)
def guarded_search_tables() -> dict[str, Entity]:
    """Table name → a catalog-shaped `Entity` the guard treats like any owned table."""
    columns = {
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
    return {CHUNK_TABLE: entity}
