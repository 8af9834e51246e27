"""Embed what is missing or changed in the search index, in batches, resumably, never embedding twice.

Database triggers mark every new or edited note and email as pending (its `content_hash` differs from
its `indexed_hash`). `index_pending` walks the pending documents in id order, chunks and embeds them,
and commits each batch in one transaction: chunks replaced and `indexed_hash` set together, so a crash
loses at most the batch in flight and the next run resumes where this one stopped. A passage whose
content hash already has a vector (an unchanged passage of an edited text, a repeated text) reuses it
instead of being embedded again. One indexer runs per database at a time (an advisory lock), so the
server's background task and `crm-assistant index` never duplicate work. After embedding, the
centroids used for cluster smoothing are rebuilt when the passages have changed by more than a tenth
(`nlq.search.clusters`; nothing is embedded for them). Each passage's topic vector (semantic filters) is
written with the passage; after a rebuild all of them are rewritten with the new centroids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine

from crm_core.models import SEARCH_KINDS
from nlq.search.chunking import Chunk, chunk_document
from nlq.search.clusters import current_centroids, fill_topic_vectors, refresh_clusters, write_topic_vectors
from nlq.search.errors import SearchIndexBusyError
from nlq.search.vectors import as_array, vector_literal

_log = logging.getLogger(__name__)

#: Key of the advisory lock that makes indexers take turns (any constant 64-bit number).
INDEX_LOCK_KEY = 0x5EA4C11D
DEFAULT_BATCH_DOCUMENTS = 256

EmbedFn = Callable[[list[str]], np.ndarray]
ProgressFn = Callable[[int, int], None]

# The text of each kind exactly as the triggers hash it (migration 0003), read in the same snapshot
# as the hash so that the stored `indexed_hash` always names the text that was embedded.
_PENDING_SQL = {
    "note": """
SELECT d.record_id, d.content_hash, coalesce(n.body, '')
  FROM search_documents d JOIN notes n ON n.id = d.record_id
 WHERE d.kind = 'note' AND d.indexed_hash IS DISTINCT FROM d.content_hash AND d.record_id > %s
   AND (%s::int[] IS NULL OR d.record_id = ANY(%s::int[]))
 ORDER BY d.record_id LIMIT %s""",
    "email": """
SELECT d.record_id, d.content_hash, coalesce(e.subject, '') || E'\\n' || coalesce(e.body, '')
  FROM search_documents d JOIN emails e ON e.id = d.record_id
 WHERE d.kind = 'email' AND d.indexed_hash IS DISTINCT FROM d.content_hash AND d.record_id > %s
   AND (%s::int[] IS NULL OR d.record_id = ANY(%s::int[]))
 ORDER BY d.record_id LIMIT %s""",
}


@dataclass
class IndexStats:
    """What one run did; `embedded` counts passages the model actually encoded."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    pending_before: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    clusters: int = 0              # centroids rebuilt for cluster smoothing (0: they were still current)
    clusters_seconds: float = 0.0
    topic_vectors: int = 0         # passages whose smoothed vector (semantic filters) was written
    topic_seconds: float = 0.0

    @property
    def documents_per_s(self) -> float:
        """Texts embedded and stored per second (the clusters' and topic vectors' upkeep apart)."""
        seconds = self.seconds - self.clusters_seconds - self.topic_seconds
        return self.documents / seconds if seconds > 0 else 0.0

    @property
    def passages_per_s(self) -> float:
        """Model throughput: passages embedded per second of encoding."""
        return self.embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0


def pending_counts(engine: Engine) -> dict[str, int]:
    """Pending documents per kind (new or edited since they were last embedded)."""
    with _raw(engine) as conn:
        rows = conn.execute(
            "SELECT kind, count(*) FROM search_documents WHERE indexed_hash IS DISTINCT FROM content_hash "
            "GROUP BY kind").fetchall()
        conn.rollback()
    counts = {kind: 0 for kind in SEARCH_KINDS}
    counts.update({kind: int(n) for kind, n in rows})
    return counts


def pending_kinds(engine: Engine, owner_ids: frozenset[int] | None) -> frozenset[str]:
    """The kinds with at least one text of these owners (None: anyone's) waiting to be embedded.

    Semantic filters match such texts by their words as well (`nlq.search.semantic_filter`); when none
    waits, which is the usual case with the background indexer running, they use the cheaper SQL."""
    owners = "" if owner_ids is None else "AND owner_id = ANY(%s)"
    params = [] if owner_ids is None else [sorted(owner_ids)]
    with _raw(engine) as conn:
        found = {kind for kind in SEARCH_KINDS if conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM search_documents WHERE kind = %s {owners} "
            "AND indexed_hash IS DISTINCT FROM content_hash)", [kind, *params]).fetchone()[0]}
        conn.rollback()
    return frozenset(found)


def mark_all_pending(engine: Engine, kinds: tuple[str, ...] = SEARCH_KINDS) -> int:
    """Make every document pending again (after changing the embedding model); returns how many."""
    with _raw(engine) as conn:
        cur = conn.execute("UPDATE search_documents SET indexed_hash = NULL WHERE kind = ANY(%s)", (list(kinds),))
        conn.commit()
        return cur.rowcount or 0


def index_pending(
    engine: Engine,
    *,
    model_name: str,
    embed_fn: EmbedFn | None = None,
    kinds: tuple[str, ...] = SEARCH_KINDS,
    batch_documents: int = DEFAULT_BATCH_DOCUMENTS,
    max_documents: int | None = None,
    wait: bool = True,
    on_progress: ProgressFn | None = None,
    only: dict[str, list[int]] | None = None,
    on_topic_progress: ProgressFn | None = None,
) -> IndexStats:
    """Embed every pending document of `kinds` (at most `max_documents`), batch by batch.

    Args:
        engine: the database.
        model_name: the `embedding_model` setting; part of every passage's content hash.
        embed_fn: texts → unit vectors (default: the sentence-transformers model of `model_name`).
        kinds: "note", "email" or both.
        batch_documents: documents per transaction.
        max_documents: stop after this many (the rest stays pending for the next run).
        wait: wait for another running indexer to finish; False raises `SearchIndexBusyError`.
        on_progress: called with (documents done, documents to do) after each batch.
        only: kind → record ids: index just these (when pending); for tests and targeted repairs.
        on_topic_progress: called with (passages done, passages to do) while topic vectors are written.

    Returns:
        IndexStats of this run (zero documents when nothing was pending: the run is idempotent).
    """
    embed = embed_fn or _default_embed(model_name)
    stats = IndexStats()
    started = time.perf_counter()
    with _raw(engine) as lock_conn:
        _take_lock(lock_conn, wait=wait)
        try:
            counts = pending_counts(engine)
            todo = sum(counts[k] for k in kinds)
            if only is not None:
                todo = min(todo, sum(len(ids) for kind, ids in only.items() if kind in kinds))
            if max_documents is not None:
                todo = min(todo, max_documents)
            stats.pending_before = todo
            centroids: tuple[Any, list[np.ndarray]] = (None, [])
            if todo:
                with _raw(engine) as conn:
                    centroids = current_centroids(conn)  # each new passage's topic vector is written with it
            if on_progress:
                on_progress(0, todo)
            for kind in kinds:
                if only is not None and kind not in only:
                    continue
                ids = only.get(kind) if only is not None else None
                last_id = 0
                while max_documents is None or stats.documents < max_documents:
                    limit = batch_documents if max_documents is None else min(
                        batch_documents, max_documents - stats.documents)
                    done, last_id = _index_batch(engine, kind, last_id, limit, model_name, embed, stats,
                                                 centroids, ids)
                    if done == 0:
                        break
                    if on_progress:
                        on_progress(min(stats.documents, todo), todo)
            with _raw(engine) as conn:
                built = refresh_clusters(conn, model_name=model_name)
                if built:
                    stats.clusters = int(built["clusters"])
                    stats.clusters_seconds = built["seconds"]
                t0 = time.perf_counter()
                stats.topic_vectors = fill_topic_vectors(conn, on_progress=on_topic_progress)
                stats.topic_seconds = time.perf_counter() - t0
        finally:
            lock_conn.execute("SELECT pg_advisory_unlock(%s)", (INDEX_LOCK_KEY,))
            lock_conn.commit()
    stats.seconds = time.perf_counter() - started
    return stats


def _index_batch(engine: Engine, kind: str, after_id: int, limit: int, model_name: str, embed: EmbedFn,
                 stats: IndexStats, centroids: tuple[Any, list[np.ndarray]],
                 only_ids: list[int] | None = None) -> tuple[int, int]:
    """Index the next `limit` pending documents of `kind` after `after_id`; return (count, last id)."""
    with _raw(engine) as conn:
        rows = conn.execute(_PENDING_SQL[kind], (after_id, only_ids, only_ids, limit)).fetchall()
        conn.rollback()
    if not rows:
        return 0, after_id
    chunked: list[tuple[int, str, list[Chunk]]] = [
        (record_id, content_hash, chunk_document(kind, text, model_name=model_name))
        for record_id, content_hash, text in rows
    ]
    hashes = list({c.content_hash for _, _, chunks in chunked for c in chunks})
    with _raw(engine) as conn:
        known = _known_vectors(conn, hashes)
        conn.rollback()
    missing: dict[str, str] = {}
    for _, _, chunks in chunked:
        for c in chunks:
            if c.content_hash not in known:
                missing.setdefault(c.content_hash, c.text)
    if missing:
        t0 = time.perf_counter()
        vectors = embed(list(missing.values()))
        stats.embed_seconds += time.perf_counter() - t0
        stats.embedded += len(missing)
        known.update({h: vector_literal(v) for h, v in zip(missing, vectors, strict=True)})
    stats.reused += sum(1 for _, _, chunks in chunked for c in chunks) - len(missing)
    _write_batch(engine, kind, chunked, known, centroids)
    stats.documents += len(rows)
    stats.chunks += sum(len(chunks) for _, _, chunks in chunked)
    stats.by_kind[kind] = stats.by_kind.get(kind, 0) + len(rows)
    return len(rows), int(rows[-1][0])


def _write_batch(engine: Engine, kind: str, chunked: list[tuple[int, str, list[Chunk]]],
                 vectors: dict[str, str], centroids: tuple[Any, list[np.ndarray]]) -> None:
    """Replace the batch's chunks and their topic vectors and mark its documents indexed, all in one
    transaction."""
    ids = [record_id for record_id, _, _ in chunked]
    rows: dict[str, list[Any]] = {k: [] for k in ("id", "no", "start", "end", "hash", "vec")}
    for record_id, _, chunks in chunked:
        for c in chunks:
            rows["id"].append(record_id)
            rows["no"].append(c.chunk_no)
            rows["start"].append(c.start)
            rows["end"].append(c.end)
            rows["hash"].append(c.content_hash)
            rows["vec"].append(vectors[c.content_hash])
    with _raw(engine) as conn:
        # Lock the documents first: a concurrent edit waits for this commit, then its trigger updates
        # the chunks written here, so no chunk keeps a stale owner.
        conn.execute("SELECT 1 FROM search_documents WHERE kind = %s AND record_id = ANY(%s) "
                     "ORDER BY record_id FOR UPDATE", (kind, ids))
        conn.execute("DELETE FROM search_chunks WHERE kind = %s AND record_id = ANY(%s)", (kind, ids))
        written = conn.execute("""
INSERT INTO search_chunks (kind, record_id, chunk_no, char_start, char_end, owner_id, occurred_at, contact_id,
                           account_id, deal_id, content_hash, embedding)
SELECT d.kind, d.record_id, x.no, x.cs, x.ce, d.owner_id, d.occurred_at, d.contact_id, d.account_id, d.deal_id,
       x.hash, x.vec::vector
  FROM unnest(%s::int[], %s::smallint[], %s::int[], %s::int[], %s::text[], %s::text[])
       AS x(record_id, no, cs, ce, hash, vec)
  JOIN search_documents d ON d.kind = %s AND d.record_id = x.record_id
RETURNING id, kind, record_id, owner_id, content_hash""",
                               (rows["id"], rows["no"], rows["start"], rows["end"], rows["hash"], rows["vec"],
                                kind)).fetchall()
        if written:
            built_at, centroid_sets = centroids
            write_topic_vectors(conn, [(int(r[0]), r[1], int(r[2]), r[3]) for r in written],
                                np.stack([as_array(vectors[r[4]]) for r in written]), centroid_sets, built_at)
        conn.execute("""
UPDATE search_documents d SET indexed_hash = x.hash
  FROM unnest(%s::int[], %s::text[]) AS x(record_id, hash)
 WHERE d.kind = %s AND d.record_id = x.record_id""",
                     (ids, [content_hash for _, content_hash, _ in chunked], kind))
        conn.commit()


def _known_vectors(conn: Any, hashes: list[str]) -> dict[str, str]:
    if not hashes:
        return {}
    rows = conn.execute("SELECT DISTINCT ON (content_hash) content_hash, embedding::text FROM search_chunks "
                        "WHERE content_hash = ANY(%s)", (hashes,)).fetchall()
    return {h: v for h, v in rows}


def _take_lock(conn: Any, *, wait: bool) -> None:
    got = conn.execute("SELECT pg_try_advisory_lock(%s)", (INDEX_LOCK_KEY,)).fetchone()[0]
    if not got:
        if not wait:
            conn.rollback()
            raise SearchIndexBusyError(
                "Another indexer is running on this database; its work will be picked up, try again later.")
        _log.info("waiting for another indexer to finish")
        conn.execute("SELECT pg_advisory_lock(%s)", (INDEX_LOCK_KEY,))
    conn.commit()


@contextmanager
def _raw(engine: Engine) -> Iterator[Any]:
    """A psycopg connection from the pool (pgvector types registered), always returned clean."""
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    try:
        yield conn
    finally:
        try:
            conn.rollback()
        finally:
            raw.close()


def _default_embed(model_name: str) -> EmbedFn:
    from nlq.embeddings import embed

    def run(texts: list[str]) -> np.ndarray:
        return embed(texts, name=model_name, batch_size=64)

    return run
